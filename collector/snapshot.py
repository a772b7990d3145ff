"""The Snapshot: what the collector saw (resources) and what it could not see (gaps).

Serialised as one JSON document with a schema version. Resources and gaps are sorted so that the
same estate always gives the same bytes, and JSON pointers such as `/resources/3` are stable within
one snapshot.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from attest.core.canonical import canonical_json
from attest.core.errors import BadInputError
from attest.core.gcpause import paused_gc
from attest.core.jsonfile import load_json

SCHEMA_VERSION = "1"
PROVIDERS = ("aws", "atlas")
GAP_REASONS = (
    "access_denied",
    "throttled",
    "timeout",
    "malformed",
    "not_found",
    "server_error",
    "unreachable",
    "auth_failed",
    "version_mismatch",
)
# How each reason reads in reports: a 406 means the API does not serve the media version asked for,
# not that its answer was malformed.
GAP_REASON_LABELS = {
    "access_denied": "access denied",
    "throttled": "throttled past retries",
    "timeout": "timed out",
    "malformed": "malformed answer",
    "not_found": "not found",
    "server_error": "server error",
    "unreachable": "unreachable",
    "auth_failed": "authentication failed",
    "version_mismatch": "API version mismatch (the media version asked for is not served)",
}


@dataclass(frozen=True)
class Resource:
    """One live object. `id` is the ARN (AWS) or `atlas:<projectId>/<kind>/<name>` (Atlas)."""

    id: str
    type: str
    provider: str
    scope: str
    region: str | None
    source: tuple[str, ...]
    attributes: Mapping[str, Any]

    @classmethod
    def read(cls, id: str, type: str, provider: str, scope: str, region: str | None, source: tuple[str, ...],
             attributes: Mapping[str, Any]) -> Resource:
        """`Resource(...)` (equal, the same hash and repr) without the frozen `__init__`'s
        `object.__setattr__` per field: a snapshot is read as 100,000 of them. The fields go into the
        new instance's dictionary one by one, in their order; nothing sets them after this."""
        resource = object.__new__(cls)
        values = resource.__dict__
        values["id"] = id
        values["type"] = type
        values["provider"] = provider
        values["scope"] = scope
        values["region"] = region
        values["source"] = source
        values["attributes"] = attributes
        return resource

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "provider": self.provider,
            "scope": self.scope,
            "region": self.region,
            "source": list(self.source),
            "attributes": self.attributes,
        }


@dataclass(frozen=True)
class Gap:
    """An operation that could not be read, and which resource types it leaves unknown."""

    provider: str
    operation: str
    scope: str
    region: str | None
    reason: str
    detail: str
    resource_types: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "operation": self.operation,
            "scope": self.scope,
            "region": self.region,
            "reason": self.reason,
            "detail": self.detail,
            "resource_types": list(self.resource_types),
        }


@dataclass(frozen=True)
class Identity:
    """Who collected: never a secret, only public identifiers."""

    aws_caller_arns: tuple[str, ...] = ()
    atlas_principal: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"aws_caller_arns": list(self.aws_caller_arns), "atlas_principal": self.atlas_principal}


@dataclass(frozen=True)
class Snapshot:
    collected_at: datetime
    collector_version: str
    identity: Identity
    scope: Mapping[str, Any]
    resources: tuple[Resource, ...]
    gaps: tuple[Gap, ...]
    notes: tuple[str, ...] = field(default=())
    schema_version: str = SCHEMA_VERSION
    finite_resources: tuple[Resource, ...] | None = field(default=None, compare=False, repr=False)
    """The resources known to hold only finite numbers (read through `load_json`, which refuses
    NaN and Infinity), so the canonical bytes need no search for them before a fast encoder writes
    them. A copy made with other resources (`dataclasses.replace`) holds another tuple: unknown."""

    plain_parts: tuple[tuple[Resource, ...], Mapping[str, Any]] | None = field(default=None, compare=False, repr=False)
    """The resources and scope, when both are known to hold no float that a fast encoder writes
    otherwise than the standard one (none below 1e-4: `load_json` noted none), so the canonical bytes
    need no search for them at all. A copy with other resources or another scope: unknown."""

    @property
    def finite(self) -> bool:
        return self.finite_resources is self.resources

    @property
    def plain(self) -> bool:
        parts = self.plain_parts
        return self.finite and parts is not None and parts[0] is self.resources and parts[1] is self.scope

    @staticmethod
    def build(
        *,
        collected_at: datetime,
        collector_version: str,
        identity: Identity,
        scope: Mapping[str, Any],
        resources: Iterable[Resource],
        gaps: Iterable[Gap],
        notes: Iterable[str] = (),
        finite: bool = False,
    ) -> Snapshot:
        """Sort everything into its canonical order (by id, then by gap operation/scope). Unless the
        resources are known `finite`, NaN and Infinity in them are kept as strings, with a note."""
        if collected_at.tzinfo is None:
            raise ValueError("collected_at must be timezone-aware")
        notes = list(notes)
        if not finite:
            resources = [_finite(r, notes) for r in resources]
        ordered = tuple(sorted(resources, key=lambda r: (r.id, r.type)))
        return Snapshot(
            collected_at=collected_at.astimezone(timezone.utc),
            collector_version=collector_version,
            identity=identity,
            scope=scope,
            resources=ordered,
            gaps=tuple(sorted(set(gaps), key=_gap_order)),
            notes=tuple(sorted(set(notes))),
            finite_resources=ordered,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "collected_at": format_time(self.collected_at),
            "collector_version": self.collector_version,
            "identity": self.identity.to_dict(),
            "scope": self.scope,
            "resources": [r.to_dict() for r in self.resources],
            "gaps": [g.to_dict() for g in self.gaps],
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        return canonical_json(self.to_dict(), finite=self.finite, floats=not self.plain).decode("utf-8")

    def pointer(self, resource_id: str) -> str:
        """JSON pointer to a resource in this snapshot's serialised form."""
        index = self._positions.get(resource_id)
        if index is None:
            raise KeyError(resource_id)
        return f"/resources/{index}"

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Each resource id's first position, built once (a frozen dataclass may cache in __dict__)."""
        positions: dict[str, int] = {}
        for index, resource in enumerate(self.resources):
            positions.setdefault(resource.id, index)
        return positions


def _finite(resource: Resource, notes: list[str]) -> Resource:
    """The resource with each NaN or Infinity in its attributes replaced by its name as a string.
    API answers can carry them (JSON parsers accept the tokens); a snapshot must stay JSON that
    `load_snapshot` reads back, and the value must not be lost, so the name stays, with a note."""
    found: list[str] = []
    attributes = _named_non_finite(resource.attributes, "attributes", found)
    if not found:
        return resource
    notes.extend(f"{resource.id}: {where} was not a finite number; kept as a string" for where in found)
    return Resource(resource.id, resource.type, resource.provider, resource.scope, resource.region, resource.source, attributes)


def _named_non_finite(value: Any, where: str, found: list[str]) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        found.append(where)
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _named_non_finite(v, f"{where}.{k}", found) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_named_non_finite(v, f"{where}[{i}]", found) for i, v in enumerate(value)]
    return value


def _gap_order(gap: Gap) -> tuple[str, ...]:
    """Every field takes part, so gaps that share an operation still sort the same on every run."""
    return (gap.provider, gap.scope, gap.region or "", gap.operation, gap.reason, gap.detail, *gap.resource_types)


def format_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        raise BadInputError(f"not an ISO 8601 time: {text!r}", where=where) from None
    if moment.tzinfo is None:
        raise BadInputError(f"time has no timezone: {text!r}", where=where)
    return moment.astimezone(timezone.utc)


def _need(obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in obj:
        raise BadInputError(f"missing field {key!r}", where=where)
    value = obj[key]
    if not isinstance(value, kind):
        raise BadInputError(f"field {key!r} has the wrong type", where=where)
    return value


def _well_formed(raw: Any) -> bool:
    """The common case, tested in one pass: every field present with its type (`_resource` names
    what is wrong otherwise)."""
    return (
        isinstance(raw, dict)
        and isinstance(raw.get("id"), str)
        and isinstance(raw.get("type"), str)
        and raw.get("provider") in PROVIDERS
        and isinstance(raw.get("scope"), str)
        and isinstance(raw.get("region", ""), (str, type(None)))
        and isinstance(raw.get("source"), list)
        and all(map(isinstance, raw["source"], repeat(str)))  # no generator per resource
        and isinstance(raw.get("attributes"), dict)
    )


def _resources(raw: list[Any], source: str) -> tuple[Resource, ...]:
    return tuple(
        Resource.read(r["id"], r["type"], r["provider"], r["scope"], r.get("region"), tuple(r["source"]), r["attributes"])
        if _well_formed(r) else _resource(r, f"{source}#/resources/{i}")
        for i, r in enumerate(raw)
    )


def _resource(raw: Any, where: str) -> Resource:
    if not isinstance(raw, dict):
        raise BadInputError("a resource must be an object", where=where)
    provider = _need(raw, "provider", str, where)
    if provider not in PROVIDERS:
        raise BadInputError(f"unknown provider {provider!r}", where=where)
    region = raw.get("region")
    if region is not None and not isinstance(region, str):
        raise BadInputError("field 'region' has the wrong type", where=where)
    source = _need(raw, "source", list, where)
    if not all(isinstance(s, str) for s in source):
        raise BadInputError("field 'source' must list operation names", where=where)
    return Resource(
        id=_need(raw, "id", str, where),
        type=_need(raw, "type", str, where),
        provider=provider,
        scope=_need(raw, "scope", str, where),
        region=region,
        source=tuple(source),
        attributes=_need(raw, "attributes", dict, where),
    )


def _gap(raw: Any, where: str) -> Gap:
    if not isinstance(raw, dict):
        raise BadInputError("a gap must be an object", where=where)
    reason = _need(raw, "reason", str, where)
    if reason not in GAP_REASONS:
        raise BadInputError(f"unknown gap reason {reason!r}", where=where)
    types = _need(raw, "resource_types", list, where)
    region = raw.get("region")
    if region is not None and not isinstance(region, str):
        raise BadInputError("field 'region' has the wrong type", where=where)
    return Gap(
        provider=_need(raw, "provider", str, where),
        operation=_need(raw, "operation", str, where),
        scope=_need(raw, "scope", str, where),
        region=region,
        reason=reason,
        detail=_need(raw, "detail", str, where),
        resource_types=tuple(str(t) for t in types),
    )


def snapshot_from_dict(raw: Any, source: str, *, finite: bool = False, plain: bool = False) -> Snapshot:
    """Validate a decoded snapshot document; every problem names `source` and the JSON pointer.
    `finite` and `plain` say what the reader knows of its floats (`Snapshot.finite`, `Snapshot.plain`)."""
    if not isinstance(raw, dict):
        raise BadInputError("a snapshot must be a JSON object", where=source)
    version = raw.get("schema_version")
    if not isinstance(version, str):
        raise BadInputError(f'schema_version must be a string such as "{SCHEMA_VERSION}"', where=f"{source}#/schema_version")
    if version != SCHEMA_VERSION:
        raise BadInputError(
            f"unsupported schema_version {version!r} (this attest reads {SCHEMA_VERSION!r})",
            where=f"{source}#/schema_version",
        )
    identity_raw = _need(raw, "identity", dict, f"{source}#/identity")
    arns = identity_raw.get("aws_caller_arns", [])
    principal = identity_raw.get("atlas_principal")
    if not isinstance(arns, list) or not all(isinstance(a, str) for a in arns):
        raise BadInputError("aws_caller_arns must list strings", where=f"{source}#/identity")
    if principal is not None and not isinstance(principal, str):
        raise BadInputError("atlas_principal must be a string", where=f"{source}#/identity")
    resources = _need(raw, "resources", list, f"{source}#")
    gaps = _need(raw, "gaps", list, f"{source}#")
    notes = raw.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise BadInputError("notes must list strings", where=f"{source}#/notes")
    parsed = _resources(resources, source)
    _unique_ids(parsed, source)
    scope = _need(raw, "scope", dict, f"{source}#")
    return Snapshot(
        schema_version=version,
        collected_at=parse_time(
            _need(raw, "collected_at", str, f"{source}#"), f"{source}#/collected_at"
        ),
        collector_version=_need(raw, "collector_version", str, f"{source}#"),
        identity=Identity(aws_caller_arns=tuple(arns), atlas_principal=principal),
        scope=scope,
        resources=parsed,
        gaps=tuple(_gap(g, f"{source}#/gaps/{i}") for i, g in enumerate(gaps)),
        notes=tuple(notes),
        finite_resources=parsed if finite else None,
        plain_parts=(parsed, scope) if plain else None,
    )


def _unique_ids(resources: tuple[Resource, ...], source: str) -> None:
    """One resource per id: the graph keys nodes by id, so a second copy would silently replace
    the first (a failing copy followed by a passing one would pass)."""
    if len({resource.id for resource in resources}) == len(resources):  # the common case, in one set
        return
    first: dict[str, int] = {}
    for index, resource in enumerate(resources):
        if resource.id in first:
            raise BadInputError(f"resource id {resource.id!r} already at /resources/{first[resource.id]}",
                                where=f"{source}#/resources/{index}")
        first[resource.id] = index


def load_snapshot(path: str) -> Snapshot:
    """Read a snapshot file; truncated or malformed JSON names the file, line and column."""
    small: list[float] = []
    with paused_gc():
        raw = load_json(path, small)
        return snapshot_from_dict(raw, path, finite=True, plain=not small)
