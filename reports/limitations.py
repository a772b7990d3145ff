"""Evidence gaps stated as scope limitations: what the run could not read is outside what it shows.

The cover lists them; a gap is never silently dropped from a report (it is also an `error` finding).
"""
from __future__ import annotations

from dataclasses import dataclass

from attest.policies.findings import Results


@dataclass(frozen=True)
class ScopeLimitation:
    provider: str
    operation: str
    scope: str
    region: str
    reason: str
    detail: str

    @property
    def sentence(self) -> str:
        where = self.scope + (f" {self.region}" if self.region != "-" else "")
        return f"{self.provider} {self.operation} in {where} was not read ({self.reason}): {self.detail}"


def scope_limitations(results: Results) -> tuple[ScopeLimitation, ...]:
    """One limitation per recorded gap, in the results' own (canonical) order."""
    return tuple(
        ScopeLimitation(
            provider=str(g.get("provider") or "-"),
            operation=str(g.get("operation") or "-"),
            scope=str(g.get("scope") or "-"),
            region=str(g.get("region") or "-"),
            reason=str(g.get("reason") or "-"),
            detail=str(g.get("detail") or "-"),
        )
        for g in results.gaps
    )
