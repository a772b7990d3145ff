"""Issue 19 point 2: every finding cites the resources and config entries its verdict was computed from.

Walked on the demo estate (really collected from the local estate) and on Northwind, an estate
written independently of sandbox/estates.
"""
from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import northwind  # noqa: E402
from citation_walk import problems  # noqa: E402

from attest.collector.config import load_config
from attest.collector.snapshot import snapshot_from_dict
from attest.policies.engine import evaluate
from attest.policies.findings import Results, Status
from attest.policies.rule_loader import load_policy_set

ROOT = Path(__file__).resolve().parents[2]


def _northwind(tmp_path: Path) -> tuple[Results, Any, Any]:
    config = load_config(northwind.write_config(tmp_path))
    snapshot = snapshot_from_dict(northwind.snapshot_doc(), "northwind")
    return evaluate(snapshot, config, load_policy_set(), ()), snapshot, config


def test_every_northwind_citation_names_what_its_rule_read(tmp_path: Path) -> None:
    results, snapshot, config = _northwind(tmp_path)
    assert problems(results, snapshot, config) == []


@pytest.mark.integration
def test_every_demo_citation_names_what_its_rule_read(_default_estate_session: Any) -> None:
    from attest.collector.run import collect

    config = load_config(ROOT / "sandbox" / "attest.local.yaml")
    now = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
    with open(os.devnull, "w", encoding="utf-8") as quiet:
        snapshot = collect(config, {**os.environ, **_default_estate_session.env}, now=lambda: now, stream=quiet)
    results = evaluate(snapshot, config, load_policy_set(), ())
    assert len(results.findings) > 50
    assert problems(results, snapshot, config) == []


def _one(results: Results, rule_id: str, status: Status | None = None) -> Any:
    hits = [f for f in results.findings if f.rule_id == rule_id and (status is None or f.status is status)]
    assert hits, rule_id
    return hits[0]


def test_the_findings_the_issue_names_cite_what_decides_them(tmp_path: Path) -> None:
    results, snapshot, _ = _northwind(tmp_path)
    ids = [r.id for r in snapshot.resources]
    task = f"/resources/{ids.index(next(i for i in ids if ':task-definition/portal:7' in i))}"
    cm4 = _one(results, "ATL-CM-004")
    assert task in (cm4.evidence, *cm4.cites)  # the task definition whose registeredBy decides it
    assert "config/attest.yaml#/aws/deploy_principals" in cm4.cites
    baa = [f for f in results.findings if f.rule_id == "ATL-BAA-001"]
    assert all(f.evidence.startswith("config/attest.yaml#/vendors/") for f in baa)  # the BAA record itself
    assert all(f.evidence.startswith("config/attest.yaml#/") and "/resources" not in f.cites
               for f in results.findings if f.rule_id == "ATL-CM-005")
    db4 = _one(results, "ATL-DB-004")
    assert "config/attest.yaml#/atlas/approved_access_ranges" in db4.cites


def test_a_failing_check_on_a_neighbour_cites_the_neighbour_first(tmp_path: Path) -> None:
    doc = northwind.snapshot_doc()
    task = next(r for r in doc["resources"] if r["type"] == "aws.ecs.task_definition")
    task["attributes"]["registeredBy"] = "arn:aws:iam::555566667777:user/someone"
    config = load_config(northwind.write_config(tmp_path))
    snapshot = snapshot_from_dict(doc, "northwind")
    results = evaluate(snapshot, config, load_policy_set(), ())
    failing = _one(results, "ATL-CM-004", Status.FAIL)
    index = [r["id"] for r in doc["resources"]].index(task["id"])
    assert failing.evidence == f"/resources/{index}"
    assert failing.resource_id and failing.resource_id.endswith("service/clinic/portal")
    assert problems(results, snapshot, config) == []
