"""A problem `verify` found: what kind, in which bundle and file, and why."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    kind: str
    bundle_id: str | None
    path: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "bundle_id": self.bundle_id, "path": self.path, "message": self.message}

    def line(self) -> str:
        where = "/".join(p for p in (self.bundle_id, self.path) if p) or "locker"
        return f"{where}: {self.kind}: {self.message}"
