"""What one `attest guard` run in a test gave: its exit code and outputs (a module of its own, so a
test can import it whatever other directory's conftest is loaded first)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class GuardRun:
    code: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.out)

    def sites(self, status: str | None = None) -> list[tuple[str, str]]:
        """(rule, file:line) of each violation, optionally only those with `status`."""
        return [(v["rule_id"], f"{v['file']}:{v['line']}") for v in self.json()["violations"]
                if status is None or v["status"] == status]
