"""Waivers (`policies/waivers.yaml`): known, tracked exceptions that turn a `fail` into `waived`.

A waiver names a rule, a resource pattern (a glob over resource ids), the reason, owner, tracking
issue, who approved it and the date it expires. It applies through its expiry date inclusive.
An entry that is expired or malformed (missing field, bad date, unknown rule) does not apply, so
the finding stays `fail`; it is still listed in the results with its status, as are waivers that
expire within `EXPIRING_DAYS`. Only a file that is not a waiver file at all is a BadInputError.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from attest.core.yamlfile import Locator, load_yaml
from attest.policies.findings import WaiverRef

WAIVERS_FILE = Path(__file__).resolve().parent / "waivers.yaml"
EXPIRING_DAYS = 30
FIELDS = ("id", "rule", "resource", "reason", "owner", "issue", "approved_by", "expires")


@dataclass(frozen=True)
class Waiver:
    ref: WaiverRef
    expires_on: dt.date | None

    @property
    def applies(self) -> bool:
        return self.ref.status in ("active", "expiring")

    def covers(self, rule_id: str, resource_id: str | None) -> bool:
        return (
            self.applies
            and rule_id == self.ref.rule_id
            and resource_id is not None
            and fnmatch.fnmatchcase(resource_id, self.ref.resource_pattern)
        )


def _problem(raw: dict[str, Any], known_rules: frozenset[str]) -> tuple[str | None, str]:
    """(the key at fault or None for the entry, why) when the entry cannot be used, else (None, "")."""
    missing = [f for f in FIELDS if not isinstance(raw.get(f), (str, dt.date)) or not str(raw.get(f)).strip()]
    if missing:
        return None, f"missing or empty: {', '.join(missing)}"
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        return unknown[0], f"unknown key {unknown[0]!r}"
    if raw["rule"] not in known_rules:
        return "rule", f"unknown rule {raw['rule']!r}"
    try:
        _expiry(raw["expires"])
    except ValueError:
        return "expires", f"expires is not a date (YYYY-MM-DD): {raw['expires']!r}"
    return None, ""


def _expiry(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _status(expires: dt.date, today: dt.date) -> str:
    if expires < today:
        return "expired"
    return "expiring" if (expires - today).days <= EXPIRING_DAYS else "active"


def _waiver(raw: Any, index: int, loc: Locator, known_rules: frozenset[str], today: dt.date) -> Waiver:
    entry = raw if isinstance(raw, dict) else {}
    key, problem = _problem(entry, known_rules) if isinstance(raw, dict) else (None, "an entry must be a mapping")
    where = loc.where(("waivers", index) if key is None else ("waivers", index, key))
    text = {f: str(entry.get(f, "")) for f in FIELDS}
    ref = WaiverRef(
        id=text["id"] or f"#{index}",
        reason=text["reason"],
        owner=text["owner"],
        issue=text["issue"],
        approved_by=text["approved_by"],
        expires=text["expires"],
        rule_id=text["rule"],
        resource_pattern=text["resource"],
        status="malformed" if problem else "active",
        problem=f"{where}: {problem}" if problem else "",
    )
    if problem:
        return Waiver(ref, None)
    expires = _expiry(entry["expires"])
    return Waiver(replace(ref, expires=expires.isoformat(), status=_status(expires, today)), expires)


def load_waivers(path: Path | str, known_rules: Iterable[str], today: dt.date) -> tuple[Waiver, ...]:
    """Every entry, each with its status as of `today`; duplicate ids make the later one malformed."""
    data, loc = load_yaml(path)
    if data is None:
        return ()
    if not isinstance(data, dict) or set(data) != {"waivers"} or not isinstance(data["waivers"], (list, type(None))):
        raise loc.error((), "a waivers file is {waivers: [waiver, ...]}")
    rules = frozenset(known_rules)
    out: list[Waiver] = []
    for i, raw in enumerate(data["waivers"] or []):
        waiver = _waiver(raw, i, loc, rules, today)
        if any(w.ref.id == waiver.ref.id for w in out):
            waiver = Waiver(replace(waiver.ref, status="malformed", problem=f"{loc.where(('waivers', i))}: duplicate id"), None)
        out.append(waiver)
    return tuple(out)


def waiver_for(waivers: Iterable[Waiver], rule_id: str, resource_id: str | None) -> Waiver | None:
    """The first applicable waiver covering this rule and resource, in file order."""
    return next((w for w in waivers if w.covers(rule_id, resource_id)), None)
