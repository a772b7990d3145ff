"""Marking reports rendered from a bundle that was not verified (`attest report --unverified`).

Every human-readable page (Markdown, HTML, the step summary) opens with the notice, so a page cut
out of the set still says it. The machine formats (OSCAL, SARIF, JUnit, OCSF, the CSV contract) keep their schemas and are
left as rendered; the command line says they are unverified.
"""
from __future__ import annotations

from typing import Mapping

NOTICE = (
    "NOT VERIFIED: rendered with --unverified; the bundle's hashes, signature and chain link were not "
    "checked, so this page is not evidence (run `attest verify`)."
)


def mark_unverified(files: Mapping[str, str]) -> dict[str, str]:
    """The same files, each page opening with the notice."""
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
    return content
