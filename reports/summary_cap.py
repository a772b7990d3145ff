"""Keeping a GitHub step summary under GitHub's 1 MiB limit, with a pointer to the full report.

GitHub refuses a step summary over 1 MiB (and shows none of it), so a summary is cut at a line
boundary below the limit, leaving room for what a job writes around it, and says where the rest is.
"""
from __future__ import annotations

GITHUB_LIMIT = 1024 * 1024
SUMMARY_LIMIT = GITHUB_LIMIT - 64 * 1024


def cap(text: str, pointer: str, limit: int = SUMMARY_LIMIT) -> str:
    """`text` unchanged when it fits in `limit` UTF-8 bytes; else its first lines and a note naming `pointer`."""
    if len(text.encode("utf-8")) <= limit:
        return text
    lines = text.splitlines(keepends=True)
    note = (f"\n> **Summary truncated** to stay under GitHub's 1 MiB step-summary limit: "
            f"{{shown}} of {len(lines)} lines shown. The full report: {pointer}\n")
    budget = limit - len(note.format(shown=len(lines)).encode("utf-8"))
    kept, used = [], 0
    for line in lines:
        size = len(line.encode("utf-8"))
        if used + size > budget:
            break
        kept.append(line)
        used += size
    body = "".join(kept)
    if not body.endswith("\n"):
        body += "\n"
    return body + note.format(shown=len(kept))
