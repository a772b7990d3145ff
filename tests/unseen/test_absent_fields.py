"""Issue 19 point 1: every rule, with each attribute it reads absent, null and of the wrong type, on the
Northwind estate, through check + report + export: no crash, no report refused over a citation the
engine made, and no pass on data the rule reads directly but did not get.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import northwind  # noqa: E402
from citation_walk import problems  # noqa: E402
from mutations import Mutation, mutations, reads  # noqa: E402

from attest.collector.config import EstateConfig, load_config
from attest.collector.snapshot import snapshot_from_dict
from attest.pipeline import export_snapshot
from attest.policies.engine import evaluate
from attest.policies.findings import Status
from attest.policies.graph import build_graph
from attest.policies.rule_loader import POLICIES_DIR, load_policy_set
from attest.reports.bundle import BundleRef
from attest.reports.render import render_all

POLICY = load_policy_set()
NOW = datetime(2026, 12, 1, 3, 20, tzinfo=timezone.utc)
# Reads where the rule, by design, decides on another attribute when this one is missing: ATL-CM-004
# takes the provenance tags when ECS does not name who registered the revision, and registeredBy
# over the tags when it does.
# ATL-TLS-001 reads a listener's DefaultActions only for plain HTTP (the redirect), and ATL-TLS-002
# reads a certificate's InUseBy only to select the certificates in use: an HTTPS listener and an
# in-use certificate are judged on their other attributes. ATL-CM-008 reads a change record's
# invokedBy only to leave out an AWS service's own call: without it the record is judged on its principal.
BY_DESIGN = {("ATL-CM-004", "registeredBy"), ("ATL-CM-004", "tags"), ("ATL-TLS-001", "DefaultActions"),
             ("ATL-TLS-002", "InUseBy"), ("ATL-CM-008", "invokedBy")}
CASES = [(rule_id, m) for rule_id, m in mutations(POLICY.rules) if m.apply(northwind.snapshot_doc())[1]]


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> EstateConfig:
    return load_config(northwind.write_config(tmp_path_factory.mktemp("northwind")))


def test_every_rule_is_in_the_table() -> None:
    with_reads = {r.id for r in POLICY.rules if reads(r)}
    assert {rule_id for rule_id, _ in CASES} == with_reads
    # ATL-BAA-001 and ATL-CM-005 read config only; the internet-exposure rules (ATL-NET-002..006) and
    # the account rules (ATL-CM-006/007) read only facts the graph computes over other resources
    fact_only = {"ATL-NET-002", "ATL-NET-003", "ATL-NET-004", "ATL-NET-005", "ATL-NET-006", "ATL-CM-006", "ATL-CM-007"}
    assert with_reads >= {r.id for r in POLICY.rules} - {"ATL-BAA-001", "ATL-CM-005"} - fact_only


def _direct(rule_id: str, mutation: Mutation) -> bool:
    """The rule's own expressions read the attribute (not only through a fact another attribute can decide)."""
    rule = next(r for r in POLICY.rules if r.id == rule_id)
    return any(f"attributes.{mutation.attribute}" in text for text in rule.expressions())


@pytest.mark.parametrize(("rule_id", "mutation"), CASES,
                         ids=[f"{r}-{m.resource_type}.{m.attribute}-{m.variant}" for r, m in CASES])
def test_check_report_export_survive(rule_id: str, mutation: Mutation, config: EstateConfig, tmp_path: Path) -> None:
    doc, changed = mutation.apply(northwind.snapshot_doc())
    snapshot = snapshot_from_dict(doc, "northwind")
    results = evaluate(snapshot, config, POLICY, ())
    json.loads(results.to_json())
    graph = build_graph(snapshot, config)
    affected = set(changed) | {s for c in changed for sources in graph.into.get(c, {}).values() for s in sources}
    judged = [f for f in results.findings if f.rule_id == rule_id and f.resource_id in affected]
    if _direct(rule_id, mutation) and (rule_id, mutation.attribute) not in BY_DESIGN:
        assert all(f.status is not Status.PASS for f in judged), [(f.resource_id, f.message) for f in judged]
    assert problems(results, snapshot, config) == []
    render_all(results, snapshot, config, bundle=BundleRef("20261201T032000Z-northwind", {
        "snapshot.json": "0" * 64, "findings.json": "1" * 64, "config/attest.yaml": "2" * 64}))
    done = export_snapshot(snapshot, config, locker_location=str(tmp_path / "locker"), policies=POLICIES_DIR,
                           waivers_path=None, environ={}, now=lambda: NOW, new_chain=True)
    assert "reports/findings.md" in done.files and done.results.findings


def test_an_entry_without_a_comment_is_cited_at_its_attributes(config: EstateConfig, tmp_path: Path) -> None:
    """The defect as reported: an access-list entry with no `comment` key cost the night its bundle."""
    snapshot = snapshot_from_dict(northwind.snapshot_doc(), "northwind")
    done = export_snapshot(snapshot, config, locker_location=str(tmp_path / "locker"), policies=POLICIES_DIR,
                           waivers_path=None, environ={}, now=lambda: NOW, new_chain=True)
    failing = [f for f in done.results.findings if f.rule_id == "ATL-DB-003" and f.status is Status.FAIL]
    assert len(failing) == 1 and failing[0].resource_id and failing[0].resource_id.endswith("192.0.2.16/29")
    assert failing[0].evidence.endswith("/attributes") and failing[0].missing == "comment"
    pointer = failing[0].evidence
    assert f"`snapshot.json#{pointer}`" in done.files["reports/findings.md"].decode()
    assert "looked for `comment` there, absent" in done.files["reports/findings.md"].decode()
    assert f"`{pointer} (no comment)`" in done.files["reports/control-mapping.md"].decode()
