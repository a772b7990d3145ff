"""Evidence gaps stated as scope limitations: what the run could not read is outside what it shows.

The records are the ones the policy engine wrote into findings.json (`gap_records` in
policies/gaps.py: each gap with its pointer, reason label and the controls resting on it); this
module only reads them, so the cover, the per-control sections, OSCAL and SARIF all state the same
limitations. A gap is never silently dropped from a report (its controls are also `error`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from attest.collector.snapshot import GAP_REASON_LABELS
from attest.policies.findings import Results


@dataclass(frozen=True)
class GapView:
    """A source that could not be read, and the controls that rest on it (None: not recorded)."""

    pointer: str
    operation: str
    where: str
    label: str
    detail: str
    controls: tuple[str, ...] | None

    @property
    def rests(self) -> str:
        if self.controls is None:
            return "the findings file does not record which controls rest on it"
        if not self.controls:
            return "no control in scope rests on it"
        return "controls resting on it: " + ", ".join(self.controls)


def _gap_view(raw: dict[str, Any], index: int) -> GapView:
    region = raw.get("region")
    controls = raw.get("controls")
    return GapView(
        pointer=str(raw.get("pointer") or f"/gaps/{index}"),
        operation=str(raw.get("operation", "?")),
        where=f"{raw.get('scope')}/{region}" if region else str(raw.get("scope", "?")),
        label=str(raw.get("label") or GAP_REASON_LABELS.get(str(raw.get("reason")), str(raw.get("reason", "?")))),
        detail=str(raw.get("detail", "")),
        controls=tuple(str(c) for c in controls) if isinstance(controls, list) else None,
    )


def gap_views(results: Results) -> tuple[GapView, ...]:
    """One view per recorded gap, in the results' own (canonical) order."""
    return tuple(_gap_view(g, i) for i, g in enumerate(results.gaps))
