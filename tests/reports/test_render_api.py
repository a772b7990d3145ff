"""The public API beyond the golden files: per-format functions, edge inputs, and no secret values."""
from __future__ import annotations

import dataclasses
import re
import json
from pathlib import Path

import pytest

from attest.collector.config import EstateConfig
from attest.core.errors import BadInputError
from attest.collector.snapshot import Snapshot
from attest.policies.findings import Attestation, Results, Status
from attest.reports import render as api
from attest.reports.bundle import BundleRef


def test_per_format_functions_match_render_all(
    results: Results, snapshot: Snapshot, config: EstateConfig, bundle: BundleRef
) -> None:
    everything = api.render_all(results, snapshot, config, bundle=bundle)
    assert api.render_markdown_documents(results, snapshot, config, bundle=bundle) == {
        k: v for k, v in everything.items() if k.endswith(".md") and k != api.SUMMARY_FILE
    }
    assert api.render_html_documents(results, snapshot, config, bundle=bundle) == {
        k: v for k, v in everything.items() if k.endswith(".html")
    }
    assert api.render_oscal_results(results, snapshot, bundle=bundle) == everything[api.OSCAL_FILE]
    assert api.render_sarif_log(results, snapshot, bundle=bundle) == everything[api.SARIF_FILE]
    assert api.render_ocsf_findings(results, snapshot, bundle=bundle) == everything[api.OCSF_FILE]
    assert api.render_framework_csv_files(results, snapshot, bundle=bundle) == {
        k: v for k, v in everything.items() if k.endswith(".csv")
    }
    assert api.render_junit_xml(results, snapshot, bundle=bundle) == everything[api.JUNIT_FILE]
    assert api.render_step_summary(results, snapshot, bundle=bundle) == everything[api.SUMMARY_FILE]


def test_without_a_bundle_citations_carry_the_snapshot_digest(
    results: Results, snapshot: Snapshot, config: EstateConfig
) -> None:
    out = api.render_all(results, snapshot, config, bundle=None)
    text = str(out["control-mapping.md"])
    assert "outside any evidence bundle" in text
    assert f"`{results.snapshot_digest.removeprefix('sha256:')}`" in text
    assert "| not bundled | `infra/envs/prod/secrets.tf` | - | `line 12` |" in text


def test_controls_with_no_findings_at_all(results: Results, snapshot: Snapshot, config: EstateConfig, schemas: Path) -> None:
    """Every control still appears; a control resting on attestation alone reads as manual."""
    attested = Attestation("Reviewed by hand", "a.auditor", "2026-11-01", "2027-11-01")
    quiet = dataclasses.replace(
        results,
        findings=(),
        waivers=(),
        gaps=(),
        controls=tuple(dataclasses.replace(c, status=Status.MANUAL, attestations=(attested,)) for c in results.controls),
    )
    out = api.render_all(quiet, snapshot, config, bundle=None)
    for control in results.controls:
        assert control.control_id in str(out["control-mapping.md"])
    oscal = json.loads(str(out[api.OSCAL_FILE]))
    states = {f["target"]["status"]["state"] for f in oscal["assessment-results"]["results"][0]["findings"]}
    assert states == {"satisfied"}
    assert "No waivers." in str(out["waiver-register.md"])


def test_an_unknown_format_is_bad_input(results: Results, snapshot: Snapshot, config: EstateConfig) -> None:
    model = api.build_model(results, snapshot, None)
    with pytest.raises(BadInputError, match="unknown report format"):
        api.render(model, config, ("pdf",))


def test_a_bad_attestation_date_names_its_pointer(results: Results, snapshot: Snapshot) -> None:
    bad = Attestation("x", "y", "2026-01-01", "next year")
    broken = dataclasses.replace(
        results, controls=(dataclasses.replace(results.controls[0], attestations=(bad,)), *results.controls[1:])
    )
    with pytest.raises(BadInputError) as caught:
        api.build_model(broken, snapshot, None, "f.json")
    assert caught.value.where == "f.json#/controls/0/attestations/0/valid_until"


def test_reports_never_copy_snapshot_attributes(
    results: Results, snapshot: Snapshot, config: EstateConfig, bundle: BundleRef
) -> None:
    """Reports cite evidence by pointer; a value inside the snapshot never reaches a report."""
    planted = dataclasses.replace(
        snapshot,
        resources=tuple(
            dataclasses.replace(r, attributes={**r.attributes, "Password": "CANARY-report-leak"}) for r in snapshot.resources
        ),
    )
    for name, content in api.render_all(results, planted, config, bundle=bundle).items():
        assert "CANARY-" not in str(content), name


def test_markdown_survives_pipes_backticks_and_angle_brackets(
    results: Results, snapshot: Snapshot, config: EstateConfig
) -> None:
    odd = dataclasses.replace(
        results.findings[6], resource_id="weird|id`with`ticks", message="uses <b>bold</b> | and `code`"
    )
    out = api.render_all(
        dataclasses.replace(results, findings=(*results.findings[:6], odd, *results.findings[7:])), snapshot, config, bundle=None
    )
    mapping = str(out["control-mapping.md"])
    row = next(line for line in mapping.splitlines() if "weird" in line)
    cells = re.split(r"(?<!\\)\|", row)
    assert len(cells) == 10, row
    assert "``weird\\|id`with`ticks``" in row
    findings = str(out["findings.md"])
    assert "- **Message:** uses &lt;b>bold&lt;/b> | and `code`" in findings
    assert "<b>" not in findings


def test_step_summary_headline(results: Results, snapshot: Snapshot) -> None:
    headline = "### attest: 6 finding(s) need attention; 1 source(s) could not be read\n"
    assert api.render_step_summary(results, snapshot, bundle=None).startswith(headline)
    calm = dataclasses.replace(results, findings=tuple(f for f in results.findings if f.status not in (Status.FAIL, Status.ERROR)))
    gap_only = api.render_step_summary(calm, snapshot, bundle=None)
    assert gap_only.startswith("### attest: 0 finding(s) need attention; 1 source(s) could not be read")
    assert "- `ecs:DescribeServices` in `123456789012/us-east-1`: access denied (AccessDeniedException)" in gap_only
    calmer = dataclasses.replace(calm, gaps=())
    assert api.render_step_summary(calmer, snapshot, bundle=None).startswith("### attest: nothing failed or went unevaluated")
