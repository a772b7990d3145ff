"""The public entry point of stage 4: every report, as relative path -> content.

The evidence stage calls `render_all` to put reports into a bundle; `attest report` calls it (or
`render` with a subset of formats) to re-render from a bundle or a findings file.
"""
from __future__ import annotations

from typing import Callable

from attest.collector.config import EstateConfig
from attest.core.errors import BadInputError
from attest.collector.snapshot import Snapshot
from attest.policies.findings import Results
from attest.reports.bundle import BundleRef
from attest.reports.documents import DOCUMENTS, render_html, render_markdown, render_summary
from attest.reports.framework_csv import render_framework_csvs
from attest.reports.junit import render_junit
from attest.reports.model import ReportModel, build_model
from attest.reports.ocsf import render_ocsf
from attest.reports.oscal import render_oscal
from attest.reports.sarif import render_sarif

FORMATS = ("md", "html", "oscal", "sarif", "junit", "summary", "ocsf", "csv")
OSCAL_FILE = "oscal-assessment-results.json"
SARIF_FILE = "attest.sarif"
JUNIT_FILE = "junit.xml"
SUMMARY_FILE = "github-step-summary.md"
OCSF_FILE = "attest.ocsf.jsonl"


def _documents(model: ReportModel, config: EstateConfig | None, ext: str) -> dict[str, str]:
    render: Callable[..., str] = render_markdown if ext == "md" else render_html
    if config is None:
        needy = ", ".join(d.name for d in DOCUMENTS if d.needs_config)
        raise BadInputError(f"the {needy} needs the estate config: pass --config (attest.yaml)")
    return {f"{d.name}.{ext}": render(d, model, config) for d in DOCUMENTS}


def render(
    model: ReportModel, config: EstateConfig | None, formats: tuple[str, ...] = FORMATS, *, sarif_passes: bool = False
) -> dict[str, str]:
    """The requested formats from an already-checked model; SARIF keeps passing results only with `sarif_passes`."""
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise BadInputError(f"unknown report format(s): {', '.join(unknown)} (choose from {', '.join(FORMATS)})")
    out: dict[str, str] = {}
    if "md" in formats:
        out.update(_documents(model, config, "md"))
    if "html" in formats:
        out.update(_documents(model, config, "html"))
    if "oscal" in formats:
        out[OSCAL_FILE] = render_oscal(model)
    if "sarif" in formats:
        out[SARIF_FILE] = render_sarif(model, keep_passing=sarif_passes)
    if "junit" in formats:
        out[JUNIT_FILE] = render_junit(model)
    if "summary" in formats:
        out[SUMMARY_FILE] = render_summary(model)
    if "ocsf" in formats:
        out[OCSF_FILE] = render_ocsf(model)
    if "csv" in formats:
        out.update(render_framework_csvs(model))
    return dict(sorted(out.items()))


def render_all(
    results: Results,
    snapshot: Snapshot,
    config: EstateConfig | None,
    *,
    bundle: BundleRef | None,
    source: str = "findings.json",
) -> dict[str, str | bytes]:
    """Every report. Raises BadInputError when a finding cites evidence the inputs do not hold."""
    model = build_model(results, snapshot, bundle, source)
    return dict(render(model, config))


def render_markdown_documents(results: Results, snapshot: Snapshot, config: EstateConfig, *, bundle: BundleRef | None) -> dict[str, str]:
    return render(build_model(results, snapshot, bundle), config, ("md",))


def render_html_documents(results: Results, snapshot: Snapshot, config: EstateConfig, *, bundle: BundleRef | None) -> dict[str, str]:
    return render(build_model(results, snapshot, bundle), config, ("html",))


def render_oscal_results(results: Results, snapshot: Snapshot, *, bundle: BundleRef | None) -> str:
    return render_oscal(build_model(results, snapshot, bundle))


def render_sarif_log(results: Results, snapshot: Snapshot, *, bundle: BundleRef | None) -> str:
    return render_sarif(build_model(results, snapshot, bundle))


def render_junit_xml(results: Results, snapshot: Snapshot, *, bundle: BundleRef | None) -> str:
    return render_junit(build_model(results, snapshot, bundle))


def render_ocsf_findings(results: Results, snapshot: Snapshot, *, bundle: BundleRef | None) -> str:
    return render_ocsf(build_model(results, snapshot, bundle))


def render_framework_csv_files(results: Results, snapshot: Snapshot, *, bundle: BundleRef | None) -> dict[str, str]:
    return render_framework_csvs(build_model(results, snapshot, bundle))


def render_step_summary(results: Results, snapshot: Snapshot, *, bundle: BundleRef | None) -> str:
    return render_summary(build_model(results, snapshot, bundle))
