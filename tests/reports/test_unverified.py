"""`--unverified` marks every human-readable page and leaves the machine formats' schemas alone."""
from __future__ import annotations

from attest.reports.unverified import NOTICE, mark_unverified


def test_pages_open_with_the_notice_and_machine_formats_are_untouched() -> None:
    files = {
        "findings.md": "# Findings\n",
        "findings.html": "<!doctype html>\n<html><head></head><body><h1>Findings</h1></body></html>\n",
        "attest.sarif": '{"version": "2.1.0"}\n',
        "junit.xml": "<testsuites/>\n",
    }
    marked = mark_unverified(files)
    assert marked["findings.md"].startswith(f"> **{NOTICE}**\n\n# Findings")
    head, body = marked["findings.html"].split("<body>", 1)
    assert head == "<!doctype html>\n<html><head></head>" and body.startswith(f'\n<p class="not-verified" role="alert"><strong>{NOTICE}')
    assert marked["attest.sarif"] == files["attest.sarif"] and marked["junit.xml"] == files["junit.xml"]
