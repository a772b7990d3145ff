"""JUnit XML: a testcase per rule and resource; fail/error/skipped as CI panels expect."""
from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest

from attest.collector.snapshot import Snapshot
from attest.policies.findings import Results, Status
from attest.reports.bundle import BundleRef
from attest.reports.model import build_model
from attest.reports.junit import render_junit


@pytest.fixture(scope="module")
def root(results: Results, snapshot: Snapshot, bundle: BundleRef) -> ET.Element:
    return ET.fromstring(render_junit(build_model(results, snapshot, bundle)))


def _outcome(case: ET.Element) -> str:
    for tag in ("failure", "error", "skipped"):
        if case.find(tag) is not None:
            return tag
    return "passed"


def test_a_testcase_per_finding_and_per_gap(root: ET.Element, results: Results) -> None:
    cases = [c for c in root.findall("testsuite/testcase") if c.get("classname") != "gap"]
    assert len(cases) == len(results.findings)
    assert root.get("tests") == str(len(results.findings) + len(results.gaps))
    suites = {s.get("name") for s in root.findall("testsuite")}
    assert suites == {f.rule_id for f in results.findings} | {"sources read"}


def test_statuses_map_to_outcomes(root: ET.Element) -> None:
    outcomes = sorted(_outcome(c) for c in root.findall("testsuite/testcase"))
    assert outcomes == sorted(["passed"] * 2 + ["failure"] * 5 + ["error"] * 2 + ["skipped"] * 2)
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("5", "2", "2")


def test_a_source_not_read_is_an_erroring_testcase(root: ET.Element) -> None:
    (gap,) = [c for c in root.findall("testsuite/testcase") if c.get("classname") == "gap"]
    assert gap.get("name") == "ecs:DescribeServices in 123456789012/us-east-1"
    error = gap.find("error")
    assert error is not None and error.get("message") == "access denied: AccessDeniedException"


def test_waived_is_skipped_with_the_waiver(root: ET.Element) -> None:
    skipped = [c.find("skipped") for c in root.findall("testsuite/testcase") if c.find("skipped") is not None]
    messages = sorted(s.get("message", "") for s in skipped if s is not None)
    assert any("atlas-laptop-ingest until 2026-12-05 (OPS-142)" in m for m in messages)
    assert any(m.startswith("manual:") for m in messages)


def test_a_control_resting_only_on_attestation_appears(results: Results, snapshot: Snapshot, bundle: BundleRef) -> None:
    manual_only = dataclasses.replace(
        results,
        findings=tuple(f for f in results.findings if "CC8.1" not in f.controls),
        controls=tuple(
            dataclasses.replace(c, status=Status.MANUAL) if c.control_id == "CC8.1" else c for c in results.controls
        ),
    )
    root = ET.fromstring(render_junit(build_model(manual_only, snapshot, bundle)))
    case = root.find("testsuite[@name='manual attestations']/testcase")
    assert case is not None and case.get("name") == "CC8.1"
    skipped = case.find("skipped")
    assert skipped is not None and "dana.reyes" in skipped.get("message", "")
