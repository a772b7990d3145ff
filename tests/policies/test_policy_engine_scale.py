"""The engine on a generated multi-account estate (bench/check/generate.py, 2,000 resources): it
finds exactly the faults the generator planted, gives the same bytes every run, and its fast
snapshot digest equals the digest of the snapshot's canonical JSON, floats and NaN included."""
from __future__ import annotations

import gc
import hashlib
import json
import importlib.util
import re
import sys
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from attest.cli import main
from attest.collector.config import load_config
from attest.collector.snapshot import Snapshot, load_snapshot
from attest.policies.check import check_loaded, render_text, run_check
from attest.policies.engine import snapshot_digest
from attest.policies.findings import Status
from attest.policies.rule_loader import POLICIES_DIR

BENCH = Path(__file__).resolve().parents[2] / "bench" / "check"
# Issue 17's edge and change-record rules, over types the generator plants at fixed rates.
EDGE_AND_CHANGE_RULES = ("ATL-TLS-001", "ATL-TLS-002", "ATL-TLS-003", "ATL-CM-008")


def _generate(out: Path) -> dict[str, Any]:
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("check_bench_generate", BENCH / "generate.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.generate(out, 2000, 7)  # type: ignore[no-any-return]
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("generated")
    return out, _generate(out)


def test_generator_is_deterministic(estate: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    out, _ = estate
    _generate(tmp_path)
    for name in ("snapshot.json", "attest.yaml", "expected.json"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_findings_per_rule_are_the_planted_ones(estate: tuple[Path, dict[str, Any]]) -> None:
    out, expected = estate
    results = run_check(out / "snapshot.json", out / "attest.yaml")
    counts: dict[str, Counter[str]] = {}
    for finding in results.findings:
        counts.setdefault(finding.rule_id, Counter())[finding.status.value] += 1
    assert {rule: dict(sorted(c.items())) for rule, c in sorted(counts.items())} == expected["findings"]
    assert expected["resources"] == 2000
    planted = {status for by_status in expected["findings"].values() for status in by_status}
    assert planted == {"pass", "fail", "waived", "error"}
    for rule in EDGE_AND_CHANGE_RULES:
        assert set(expected["findings"][rule]) == {"pass", "fail"}, rule


def test_change_records_trace_each_newest_revision_to_who_registered_it(estate: tuple[Path, dict[str, Any]]) -> None:
    """Each RegisterTaskDefinition record names a generated revision, with its registeredBy (a user,
    or a session of the record's role, as ECS writes it) and registeredAt; every record falls in the
    collector's 90-day window before the collection."""
    out, _ = estate
    snapshot = load_snapshot(str(out / "snapshot.json"))
    revisions = {r.id: r.attributes for r in snapshot.resources if r.type == "aws.ecs.task_definition"}
    records = [r.attributes for r in snapshot.resources if r.type == "aws.cloudtrail.change_event"]
    registered = [r for r in records if r["eventName"] == "RegisterTaskDefinition"]
    assert registered and len(registered) < len(records)
    for record in registered:
        revision = revisions[record["taskDefinition"]]
        by = re.sub(r"^arn:aws:sts::(\d{12}):assumed-role/([^/]+)/[^/]+$", r"arn:aws:iam::\1:role/\2", revision["registeredBy"])
        assert (by, revision["registeredAt"]) == (record["principal"], record["eventTime"])
        assert revision["registeredBy"] == by or revision["registeredBy"].startswith("arn:aws:sts::")
    window = (snapshot.collected_at - timedelta(days=90), snapshot.collected_at)
    assert all(window[0] <= datetime.fromisoformat(r["eventTime"]) <= window[1] for r in records)


def test_results_are_byte_identical_across_runs(estate: tuple[Path, dict[str, Any]]) -> None:
    out, _ = estate
    first = run_check(out / "snapshot.json", out / "attest.yaml")
    assert run_check(out / "snapshot.json", out / "attest.yaml").to_json() == first.to_json()
    assert first.snapshot_digest == _canonical_digest(load_snapshot(str(out / "snapshot.json")))


def test_verdicts_only_equal_the_record_but_for_what_passes_cite(estate: tuple[Path, dict[str, Any]]) -> None:
    """`evidence=False` (the text form) leaves out only a pass's other inputs and the snapshot digest:
    every finding is otherwise the same, in the same order, and so is every control and the text."""
    out, _ = estate
    snapshot, config = load_snapshot(str(out / "snapshot.json")), load_config(out / "attest.yaml")
    record = check_loaded(snapshot, config, POLICIES_DIR, None, None)
    verdicts = check_loaded(snapshot, config, POLICIES_DIR, None, None, evidence=False)
    passes = [f for f in record.findings if f.status is Status.PASS]
    assert any(f.cites for f in passes) and len(passes) < len(record.findings)
    assert list(verdicts.findings) == [replace(f, cites=()) if f.status is Status.PASS else f for f in record.findings]
    assert (verdicts.controls, verdicts.gaps, verdicts.waivers) == (record.controls, record.gaps, record.waivers)
    assert verdicts.exit_code() == record.exit_code()
    assert render_text(verdicts) == render_text(record)
    assert verdicts.snapshot_digest == "" and record.snapshot_digest.startswith("sha256:")


def test_verdicts_only_cannot_be_written_as_a_record(estate: tuple[Path, dict[str, Any]]) -> None:
    out, _ = estate
    verdicts = check_loaded(load_snapshot(str(out / "snapshot.json")), load_config(out / "attest.yaml"), POLICIES_DIR,
                            None, None, evidence=False)
    with pytest.raises(ValueError, match="verdict-only"):
        verdicts.to_json_bytes()


def test_the_text_form_prints_the_records_verdicts(estate: tuple[Path, dict[str, Any]],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = estate
    record = run_check(out / "snapshot.json", out / "attest.yaml")
    code = main(["check", "--snapshot", str(out / "snapshot.json"), "--config", str(out / "attest.yaml")])
    assert (code, capsys.readouterr().out) == (record.exit_code(), render_text(record))


def _canonical_digest(snapshot: Snapshot) -> str:
    """The digest's definition, written with the standard encoder (not the fast path under test)."""
    text = json.dumps(snapshot.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("value", [
    1.5e-7, -5e-5, 0.00012, 1e-4, 3.5e16, 0.0, float("nan"), float("inf"), 2**70,
    [1e-9, "a"], {"z": -2.5e-300}, "x 1e-5", "key/0000000e-0000-4000", "tab\tnull\x00\u2028é😀",
])
def test_fast_digest_equals_the_canonical_digest(estate: tuple[Path, dict[str, Any]], value: Any) -> None:
    out, _ = estate
    snapshot = load_snapshot(str(out / "snapshot.json"))
    first = snapshot.resources[0]
    planted = replace(first, attributes={**first.attributes, "planted": value})
    changed = replace(snapshot, resources=(planted, *snapshot.resources[1:]))
    assert snapshot_digest(changed) == _canonical_digest(changed)
    assert snapshot_digest(changed) != snapshot_digest(snapshot)


@pytest.mark.parametrize("value", [1e-5, -2.5e-300, 1e-4, 0.0, 0.5, "1e-5"])
def test_a_snapshot_read_from_a_file_digests_its_canonical_bytes(estate: tuple[Path, dict[str, Any]], tmp_path: Path,
                                                                 value: Any) -> None:
    """Read from a file, the digest skips the small-float search when the reader noted no float below
    1e-4, and searches when it did: either way, the canonical digest."""
    out, _ = estate
    snapshot = load_snapshot(str(out / "snapshot.json"))
    first = snapshot.resources[0]
    planted = replace(snapshot, resources=(replace(first, attributes={**first.attributes, "planted": value}),
                                           *snapshot.resources[1:]))
    (tmp_path / "snapshot.json").write_text(planted.to_json(), encoding="utf-8")
    read = load_snapshot(str(tmp_path / "snapshot.json"))
    assert read.plain is (not isinstance(value, float) or not 0 < abs(value) < 1e-4)
    assert snapshot_digest(read) == _canonical_digest(read) == _canonical_digest(planted)


def test_what_is_known_of_a_snapshots_floats_does_not_survive_a_copy_with_other_parts(
        estate: tuple[Path, dict[str, Any]]) -> None:
    out, _ = estate
    snapshot = load_snapshot(str(out / "snapshot.json"))
    assert snapshot.plain and snapshot.finite
    assert not replace(snapshot, resources=snapshot.resources[1:]).plain
    assert not replace(snapshot, scope={**snapshot.scope, "tiny": 1e-9}).plain


def test_a_check_leaves_no_cyclic_garbage(estate: tuple[Path, dict[str, Any]]) -> None:
    """The collector is paused while a check runs and the graph is freed by reference counting: a
    reference cycle into it would leave the whole graph for the first collection after the check
    (1.7 million objects, 1.7 s at 100,000 resources)."""
    out, _ = estate
    run_check(out / "snapshot.json", out / "attest.yaml")  # warm: caches filled once per process
    gc.collect()
    gc.disable()
    try:
        run_check(out / "snapshot.json", out / "attest.yaml")
        assert gc.collect() < 1000
    finally:
        gc.enable()
