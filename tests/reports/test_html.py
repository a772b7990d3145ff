"""The HTML documents: self-contained, escaped, and loading in headless Chromium with no console
errors and no network requests. Screenshots go to test-artifacts/reports/ for a human to look at.
The browser (chromium, chromium-browser or google-chrome) is installed by `make setup`, never by a
test; without one the browser tests fail, saying so, rather than skip.

Chromium is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`): no port is
opened, and every console message, exception and network request of the page is observed.
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Snapshot
from attest.policies.findings import Results
from attest.reports.bundle import BundleRef
from attest.reports.render import render_all

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"
CHROMIUM = "/usr/bin/chromium"
TIMEOUT = 60.0


@pytest.fixture(scope="module")
def pages(results: Results, snapshot: Snapshot, config: EstateConfig, bundle: BundleRef) -> dict[str, str]:
    return {k: str(v) for k, v in render_all(results, snapshot, config, bundle=bundle).items() if k.endswith(".html")}


class _Refs(HTMLParser):
    """Collects every attribute that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "action", "poster", "data", "xlink:href") and value is not None:
                self.refs.append((tag, name, value))


def test_html_is_self_contained(pages: dict[str, str]) -> None:
    assert len(pages) == 4
    for name, html in pages.items():
        parser = _Refs()
        parser.feed(html)
        assert not parser.tags & {"script", "link", "img", "iframe", "object", "embed"}, name
        external = [r for r in parser.refs if not (r[2].startswith("#") or re.fullmatch(r"[a-z-]+\.html", r[2]))]
        assert external == [], name
        assert "@import" not in html and "url(" not in html, name
        assert "<svg" in html or name in ("vendor-register.html", "waiver-register.html")


def test_html_escapes_what_the_evidence_says(pages: dict[str, str]) -> None:
    html = pages["findings.html"]
    assert "kms_key_id is not set &lt;declared without a CMK&gt;" in html
    assert "<declared without a CMK>" not in html


def test_findings_expand_to_their_evidence(pages: dict[str, str]) -> None:
    html = pages["findings.html"]
    assert html.count("<details class=\"finding\"") == 7  # the exceptions; passing evidence is collapsed per rule
    assert html.count("<details class=\"passing\"") == 3  # two passing rules and one manual
    assert "<dt>Pointer</dt><dd><code>/resources/2</code></dd>" in html
    assert "<dt>File</dt><dd><code>sources/infra/envs/prod/secrets.tf</code></dd>" in html


@dataclass
class PageLoad:
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    screenshot: bytes = b""


def _high(fd: int) -> int:
    """Move a pipe end above 9, so duplicating it onto fds 3 and 4 in the child cannot clobber it."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class _DevTools:
    """A minimal DevTools-protocol client over Chromium's pipe (NUL-delimited JSON, fds 3 and 4)."""

    def __init__(self, chromium: str, profile: Path) -> None:
        to_browser_r, self._to_browser = (_high(fd) for fd in os.pipe())
        self._from_browser, from_browser_w = (_high(fd) for fd in os.pipe())
        args = [
            "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", f"--user-data-dir={profile}",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "about:blank",
        ]
        def onto_3_and_4() -> None:
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.proc = subprocess.Popen(
            [chromium, *args],
            close_fds=False,  # keep 3 and 4; Python's own fds are close-on-exec anyway
            preexec_fn=onto_3_and_4,  # noqa: PLW1509 - the protocol's fds are fixed at 3 and 4
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next = 0
        self._inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.events: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        while chunk := os.read(self._from_browser, 65536):
            buffer += chunk
            while b"\0" in buffer:
                message, buffer = buffer.split(b"\0", 1)
                self._inbox.put(json.loads(message))

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._inbox.get(timeout=TIMEOUT)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def wait_for(self, method: str) -> None:
        if any(e.get("method") == method for e in self.events):
            return
        while True:
            event = self._inbox.get(timeout=TIMEOUT)
            self.events.append(event)
            if event.get("method") == method:
                return

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (RuntimeError, queue.Empty, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)


def load_page(chromium: str, url: str, profile: Path) -> PageLoad:
    tools = _DevTools(chromium, profile)
    try:
        target = tools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = tools.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            tools.send(f"{domain}.enable", session=session)
        tools.send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session)
        tools.send("Page.navigate", {"url": url}, session)
        tools.wait_for("Page.loadEventFired")
        height = tools.send("Page.getLayoutMetrics", session=session)["cssContentSize"]["height"]
        clip = {"x": 0, "y": 0, "width": 1280, "height": min(int(height), 4000), "scale": 1}
        shot = tools.send("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True}, session)
    finally:
        tools.close()
    load = PageLoad(screenshot=base64.b64decode(shot["data"]))
    for event in tools.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
            load.console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            load.console.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            load.console.append(params["entry"]["text"])
        elif method == "Network.requestWillBeSent":
            load.requests.append(params["request"]["url"])
    return load


BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser(path: str | None = None, debian: Path = Path(CHROMIUM)) -> str | None:
    """Debian's chromium, else the first Chromium or Chrome binary on `path` (default $PATH)."""
    if debian.exists():
        return str(debian)
    for name in BROWSERS:
        found = shutil.which(name, path=path)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """A Chromium or Chrome binary, as `make setup` leaves one."""
    found = find_browser()
    if found is None:
        pytest.fail(f"no headless browser ({' / '.join(BROWSERS)}): run `make setup`, which installs chromium")
    return found


def test_chrome_binaries_are_accepted_when_chromium_is_absent(tmp_path: Path) -> None:
    for name in ("google-chrome", "chromium-browser"):
        binary = tmp_path / name / name
        binary.parent.mkdir()
        binary.write_text("#!/bin/sh\n")
        binary.chmod(0o755)
        assert find_browser(path=str(binary.parent), debian=tmp_path / "absent") == str(binary)
    assert find_browser(path=str(tmp_path / "empty"), debian=tmp_path / "absent") is None


def test_the_harness_sees_console_errors_and_requests(chromium: str, tmp_path: Path) -> None:
    """The checks below can fail: a page that logs an error and fetches from loopback is caught."""
    page = tmp_path / "noisy.html"
    page.write_text(
        '<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/pixel.png">'
        '<script>console.error("boom")</script></body></html>',
        encoding="utf-8",
    )
    load = load_page(chromium, page.as_uri(), tmp_path / "profile")
    assert any("boom" in line for line in load.console)
    assert "http://127.0.0.1:9/pixel.png" in load.requests


@pytest.mark.parametrize("name", ["control-mapping.html", "findings.html", "vendor-register.html", "waiver-register.html"])
def test_page_loads_cleanly_in_chromium(chromium: str, pages: dict[str, str], name: str, tmp_path: Path) -> None:
    page = tmp_path / name
    page.write_text(pages[name], encoding="utf-8")
    load = load_page(chromium, page.as_uri(), tmp_path / "profile")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / name.replace(".html", ".png")).write_bytes(load.screenshot)
    assert load.console == []
    assert load.requests == [page.as_uri()]
    assert load.screenshot.startswith(b"\x89PNG") and len(load.screenshot) > 10_000


def closed_finding_height(chromium: str, url: str, profile: Path, media: str) -> float:
    """Height of the first collapsed finding when the page is laid out for `media` (screen or print)."""
    tools = _DevTools(chromium, profile)
    try:
        target = tools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = tools.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        tools.send("Page.enable", session=session)
        tools.send("Emulation.setEmulatedMedia", {"media": media}, session)
        tools.send("Page.navigate", {"url": url}, session)
        tools.wait_for("Page.loadEventFired")
        expression = "document.querySelector('details.finding:not([open])').getBoundingClientRect().height"
        answer = tools.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
    finally:
        tools.close()
    return float(answer["result"]["value"])


def test_collapsed_findings_print_expanded(chromium: str, pages: dict[str, str], tmp_path: Path) -> None:
    page = tmp_path / "findings.html"
    page.write_text(pages["findings.html"], encoding="utf-8")
    screen = closed_finding_height(chromium, page.as_uri(), tmp_path / "screen", "screen")
    printed = closed_finding_height(chromium, page.as_uri(), tmp_path / "print", "print")
    assert printed > 3 * screen


@pytest.mark.integration
def test_seeded_estate_control_mapping_loads_cleanly(chromium: str, seeded: dict[str, Any], tmp_path: Path) -> None:
    """The page a README screenshot shows: the seeded estate's real control mapping."""
    page = tmp_path / "control-mapping.html"
    page.write_text(str(seeded["files"]["control-mapping.html"]), encoding="utf-8")
    load = load_page(chromium, page.as_uri(), tmp_path / "profile")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "seeded-control-mapping.png").write_bytes(load.screenshot)
    assert load.console == [] and load.requests == [page.as_uri()]
