"""The step summary stays under GitHub's 1 MiB limit and says where the full report is."""
from __future__ import annotations

from attest.collector.snapshot import Snapshot
from attest.policies.findings import Results
from attest.reports.bundle import BundleRef
from attest.reports.documents import render_summary
from attest.reports.model import build_model
from attest.reports.summary_cap import GITHUB_LIMIT, SUMMARY_LIMIT, cap


def test_a_summary_that_fits_is_unchanged() -> None:
    assert cap("# ok\n\n- one\n", "findings.md", limit=100) == "# ok\n\n- one\n"


def test_a_long_summary_is_cut_at_a_line_below_the_limit_with_a_pointer() -> None:
    text = "".join(f"- finding {i} é\n" for i in range(100_000))
    capped = cap(text, "reports/findings.md in evidence bundle `b-1`")
    assert len(capped.encode("utf-8")) <= SUMMARY_LIMIT < GITHUB_LIMIT
    body, note = capped.rsplit("\n> ", 1)
    assert text.startswith(body) and body.endswith("\n")
    assert "of 100000 lines shown. The full report: reports/findings.md in evidence bundle `b-1`" in note


def test_the_rendered_summary_is_capped(results: Results, snapshot: Snapshot, bundle: BundleRef) -> None:
    model = build_model(results, snapshot, bundle)
    full = render_summary(model)
    short = render_summary(model, limit=600)
    assert len(short.encode("utf-8")) <= 600 < len(full.encode("utf-8"))
    assert short.endswith(f"The full report: reports/findings.md in evidence bundle `{bundle.id}`\n")
