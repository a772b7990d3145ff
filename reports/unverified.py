"""Marking reports rendered from a bundle that was not verified (`attest report --unverified`).

Every human-readable page (Markdown, HTML, the step summary) opens with the notice, so a page cut
out of the set still says it. The machine formats say it where their schema has room, so a SIEM or
code-scanning upload of them is not mistaken for verified evidence: each OCSF event in
`unmapped.attest.unverified`, each SARIF run in its property bag, the OSCAL results in a property of
the document's metadata, each JUnit suite in a property. The per-framework CSVs keep their fixed
column contract and are left as rendered; the command line says they are unverified.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any, Mapping

from attest.reports.ocsf import event_line
from attest.reports.oscal import oscal_text, prop
from attest.reports.render import JUNIT_FILE, OCSF_FILE, OSCAL_FILE, SARIF_FILE
from attest.reports.sarif import sarif_text

NOTICE = (
    "NOT VERIFIED: rendered with --unverified; the bundle's hashes, signature and chain link were not "
    "checked, so this page is not evidence (run `attest verify`)."
)
PROPERTY = "unverified"


def mark_unverified(files: Mapping[str, str]) -> dict[str, str]:
    """The same files, each saying it was rendered without verification, where its format allows."""
    return {name: _mark(name, content) for name, content in files.items()}


def _mark(name: str, content: str) -> str:
    if name.endswith(".md"):
        return f"> **{NOTICE}**\n\n{content}"
    if name.endswith(".html"):
        tag = content.find("<body>")
        banner = f'<p class="not-verified" role="alert"><strong>{NOTICE}</strong></p>'
        if tag >= 0:
            cut = tag + len("<body>")
            return f"{content[:cut]}\n{banner}{content[cut:]}"
        return f"{banner}\n{content}"
    if name == OCSF_FILE:
        return "".join(event_line(_ocsf(json.loads(line))) for line in content.splitlines())
    if name == SARIF_FILE:
        return sarif_text(_sarif(json.loads(content)))
    if name == OSCAL_FILE:
        return oscal_text(_oscal(json.loads(content)))
    if name == JUNIT_FILE:
        return _junit(content)
    return content


def _ocsf(event: dict[str, Any]) -> dict[str, Any]:
    event["unmapped"]["attest"][PROPERTY] = NOTICE
    return event


def _sarif(log: dict[str, Any]) -> dict[str, Any]:
    for run in log["runs"]:
        run.setdefault("properties", {})[PROPERTY] = NOTICE
    return log


def _oscal(document: dict[str, Any]) -> dict[str, Any]:
    document["assessment-results"]["metadata"]["props"].append(prop(PROPERTY, NOTICE))
    return document


def _junit(content: str) -> str:
    declaration, _, body = content.partition("\n")
    root = ET.fromstring(body)
    for suite in root.iter("testsuite"):
        properties = ET.Element("properties")
        ET.SubElement(properties, "property", name=f"attest.{PROPERTY}", value=NOTICE)
        suite.insert(0, properties)
    ET.indent(root)
    return f"{declaration}\n{ET.tostring(root, encoding='unicode')}\n"
