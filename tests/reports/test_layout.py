"""Failure first and fit to read: unique ids, the same facts in HTML and Markdown, 400 px wide, printed.

The browser checks drive headless Chromium with the DevTools harness of test_html.py; screenshots
at 400 px and the printed PDFs go to test-artifacts/reports/ for a human to look at.
"""
from __future__ import annotations

import base64
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Snapshot
from attest.policies.findings import Results
from attest.reports.bundle import BundleRef
from attest.reports.render import render_all

from tests.reports import test_html
from tests.reports.test_html import ARTIFACTS, _DevTools

chromium = test_html.chromium  # the session fixture: a Chromium or Chrome binary

HTML_PAGES = ["control-mapping.html", "findings.html", "vendor-register.html", "waiver-register.html"]


@pytest.fixture(scope="module")
def files(results: Results, snapshot: Snapshot, config: EstateConfig, bundle: BundleRef) -> dict[str, str]:
    return {k: str(v) for k, v in render_all(results, snapshot, config, bundle=bundle).items()}


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
            if name == "href" and value and value.startswith("#"):
                self.hrefs.append(value[1:])


@pytest.mark.parametrize("name", HTML_PAGES)
def test_no_duplicate_ids_and_every_in_page_link_lands(files: dict[str, str], name: str) -> None:
    parser = _Ids()
    parser.feed(files[name])
    repeated = [i for i, n in Counter(parser.ids).items() if n > 1]
    assert repeated == []
    assert set(parser.hrefs) <= set(parser.ids)


def test_the_detector_sees_a_duplicate_id() -> None:
    parser = _Ids()
    parser.feed('<p id="a"></p><p id="a"></p>')
    assert Counter(parser.ids)["a"] == 2


def test_links_are_named_by_resource_not_by_number(files: dict[str, str], fx: object) -> None:
    for name in ("findings.html", "findings.md"):
        assert not re.search(r"finding-\d+", files[name])
    assert 'href="#secrets-cmk-arn-aws-secretsmanager-us-east-1-123456789012-secret-prod-mongodb-uri-abcdef"' in files["findings.html"]


@pytest.mark.parametrize("name", ["findings.md", "findings.html"])
def test_exceptions_come_before_passing_evidence(files: dict[str, str], name: str) -> None:
    text = files[name]
    first_pass = text.index("atlas.cluster.min_tls")
    for failing in ("atlas.access_list.approved", "ecs.task_definition.provenance", "secrets.cmk"):
        assert text.index(failing) < first_pass, failing


@pytest.mark.parametrize("name, evidence", [("control-mapping.md", "### Evidence"), ("control-mapping.html", "<h3>Evidence</h3>")])
def test_each_controls_evidence_opens_with_its_exceptions(files: dict[str, str], name: str, evidence: str) -> None:
    text = files[name]
    cc67 = text[text.index("CC6.7: Restricting transmission"):]
    section = cc67[cc67.index(evidence):]
    assert section.index("secrets.cmk") < section.index("atlas.cluster.min_tls")


def test_passing_evidence_is_collapsed_per_rule(files: dict[str, str]) -> None:
    html = files["findings.html"]
    group = html[html.index('<details class="passing" id="pass-atlas-cluster-min-tls"'):]
    assert "<summary><code>atlas.cluster.min_tls</code> Cluster minimum TLS is 1.2 or newer: 1 satisfied</summary>" in group
    assert "<details class=\"passing\" id=\"pass-atlas-cluster-min-tls\" open" not in html


def test_html_and_markdown_carry_the_same_waiver_counts(files: dict[str, str]) -> None:
    for label in ("Expired: 1", "Expiring within 30 days: 1", "Malformed (cover nothing until fixed): 1", "Total: 4"):
        assert label in files["waiver-register.md"] and label in files["waiver-register.html"], label


def test_html_and_markdown_carry_the_same_vendor_conclusion(files: dict[str, str]) -> None:
    for name in ("vendor-register.md", "vendor-register.html"):
        assert "Not covered by any signed BAA:" in files[name]
        assert "PHI may not flow through these until a BAA covers them (HIPAA business-associate coverage)." in files[name]


def test_html_and_markdown_both_say_what_a_finding_looked_for_and_did_not_find(files: dict[str, str]) -> None:
    assert "looked for `registeredBy` there, absent" in files["findings.md"]
    assert "<dt>Pointer</dt><dd><code>/resources/1/attributes (no registeredBy)</code></dd>" in files["findings.html"]


def test_print_css_names_the_bundle_in_a_running_header_and_numbers_pages(files: dict[str, str], bundle: BundleRef) -> None:
    for name in HTML_PAGES:
        style = files[name][: files[name].index("</style>")]
        assert f"bundle {bundle.id}" in style and 'counter(page) " of " counter(pages)' in style


def _session(tools: _DevTools, width: int) -> str:
    target = tools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = tools.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    tools.send("Page.enable", session=session)
    tools.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": True}, session)
    return str(session)


def _overflow(chromium: str, url: str, profile: Path, shot: Path) -> int:
    """How far the page is wider than a 400 px viewport (0: nothing scrolls sideways)."""
    tools = _DevTools(chromium, profile)
    try:
        session = _session(tools, 400)
        tools.send("Page.navigate", {"url": url}, session)
        tools.wait_for("Page.loadEventFired")
        width = tools.send("Runtime.evaluate", {"expression": "document.documentElement.scrollWidth", "returnByValue": True}, session)
        png = tools.send("Page.captureScreenshot", {"format": "png", "clip": {"x": 0, "y": 0, "width": 400, "height": 1600, "scale": 1},
                                                   "captureBeyondViewport": True}, session)
    finally:
        tools.close()
    shot.write_bytes(base64.b64decode(png["data"]))
    return max(0, int(width["result"]["value"]) - 400)


@pytest.mark.parametrize("name", HTML_PAGES)
def test_readable_at_400_px(chromium: str, files: dict[str, str], name: str, tmp_path: Path) -> None:
    page = tmp_path / name
    page.write_text(files[name], encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert _overflow(chromium, page.as_uri(), tmp_path / "profile", ARTIFACTS / name.replace(".html", "-400px.png")) == 0


def test_the_400_px_check_sees_a_page_that_scrolls_sideways(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "wide.html"
    page.write_text('<!DOCTYPE html><html><body><div style="width:900px">wide</div></body></html>', encoding="utf-8")
    assert _overflow(chromium, page.as_uri(), tmp_path / "profile", tmp_path / "wide.png") > 0


def test_prints_to_a_paged_pdf(chromium: str, files: dict[str, str], tmp_path: Path) -> None:
    page = tmp_path / "findings.html"
    page.write_text(files["findings.html"], encoding="utf-8")
    tools = _DevTools(chromium, tmp_path / "profile")
    try:
        session = _session(tools, 1280)
        tools.send("Page.navigate", {"url": page.as_uri()}, session)
        tools.wait_for("Page.loadEventFired")
        pdf = base64.b64decode(tools.send("Page.printToPDF", {"preferCSSPageSize": True}, session)["data"])
    finally:
        tools.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "findings.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 2


def test_the_period_view_is_readable_at_400_px(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "period.html"
    page.write_text((Path(__file__).parent / "period" / "golden" / "period.html").read_text(encoding="utf-8"), encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert _overflow(chromium, page.as_uri(), tmp_path / "profile", ARTIFACTS / "period-400px.png") == 0
