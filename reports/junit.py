"""JUnit XML for CI test panels: a suite per rule, a testcase per rule and resource.

fail -> <failure>, error -> <error>, waived and manual -> <skipped> with the reason; a control
that rests only on attestations appears as one skipped testcase so it is never silently absent, and
each source that could not be read is an erroring testcase of its own.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from attest.policies.findings import Status
from attest.reports.model import ControlView, FindingView, ReportModel


def _case(suite: ET.Element, f: FindingView) -> None:
    finding = f.finding
    case = ET.SubElement(suite, "testcase", classname=finding.rule_id, name=f"{f.subject} [{finding.plane}]")
    evidence = f.citation.href if f.citation else "none recorded"
    detail = f"{finding.message}\nevidence: {evidence}\ncontrols: {', '.join(finding.controls)}"
    if finding.status is Status.FAIL:
        if finding.waiver is not None:
            detail += f"\nwaiver {finding.waiver.id} lapsed {finding.waiver.expires}"
        ET.SubElement(case, "failure", message=finding.message, type=finding.severity).text = detail
    elif finding.status is Status.ERROR:
        ET.SubElement(case, "error", message=finding.message, type="could-not-evaluate").text = detail
    elif finding.status is Status.WAIVED and finding.waiver is not None:
        waiver = finding.waiver
        ET.SubElement(
            case, "skipped", message=f"waived by {waiver.id} until {waiver.expires} ({waiver.issue}): {waiver.reason}"
        )
    elif finding.status in (Status.WAIVED, Status.MANUAL):
        ET.SubElement(case, "skipped", message=f"{finding.status.value}: {finding.message}")


def _manual_case(suite: ET.Element, c: ControlView) -> None:
    case = ET.SubElement(suite, "testcase", classname="attestation", name=c.control.control_id)
    who = "; ".join(
        f"{a.attestation.attested_by} on {a.attestation.attested_on} until {a.attestation.valid_until}"
        for a in c.attestations
    ) or "no attestation recorded"
    ET.SubElement(case, "skipped", message=f"manual: attested by {who}")


def _count(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    for tag, attr in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        suite.set(attr, str(sum(1 for c in cases if c.find(tag) is not None)))


def render_junit(model: ReportModel) -> str:
    root = ET.Element("testsuites", name="attest", timestamp=model.results.snapshot_collected_at)
    for rule_id, group in groupby(model.findings, key=lambda f: f.finding.rule_id):
        suite = ET.SubElement(root, "testsuite", name=rule_id)
        for f in group:
            _case(suite, f)
        _count(suite)
    manual = [c for c in model.controls if not c.findings and c.control.status is Status.MANUAL]
    if manual:
        suite = ET.SubElement(root, "testsuite", name="manual attestations")
        for c in manual:
            _manual_case(suite, c)
        _count(suite)
    if model.gaps:  # a source that could not be read is an error of the run, whichever control rests on it
        suite = ET.SubElement(root, "testsuite", name="sources read")
        for g in model.gaps:
            case = ET.SubElement(suite, "testcase", classname="gap", name=f"{g.operation} in {g.where}")
            ET.SubElement(case, "error", message=f"{g.label}: {g.detail}", type="scope-limitation").text = g.rests
        _count(suite)
    for attr in ("tests", "failures", "errors", "skipped"):
        root.set(attr, str(sum(int(s.get(attr, "0")) for s in root.findall("testsuite"))))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
