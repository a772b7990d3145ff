"""The bundle manifest: what is in a bundle, who made it, when, and which bundle came before it."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping

from attest.core.errors import BadInputError
from attest.collector.snapshot import format_time, parse_time
from attest.evidence.canonical import compact_json, sha256_hex

FORMAT = "attest-evidence-bundle/1"
MANIFEST = "manifest.json"
SIGNATURE = "signature.json"
HEAD = "HEAD"
WITNESSES = "heads"
BUNDLE_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class ChainLink:
    """The previous bundle, named by id and by the sha256 of its manifest.json bytes."""

    bundle_id: str
    manifest_sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"bundle_id": self.bundle_id, "manifest_sha256": self.manifest_sha256}


@dataclass(frozen=True)
class Manifest:
    bundle_id: str
    run_started: datetime
    run_finished: datetime
    attest_version: str
    collector_identity: Mapping[str, Any]
    policy_digest: str | None
    config_digest: str
    previous: ChainLink | None
    files: tuple[FileEntry, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "bundle_id": self.bundle_id,
            "run": {"started": format_time(self.run_started), "finished": format_time(self.run_finished)},
            "attest_version": self.attest_version,
            "collector_identity": dict(self.collector_identity),
            "policy_digest": self.policy_digest,
            "config_digest": self.config_digest,
            "previous": self.previous.to_dict() if self.previous else None,
            "files": [f.to_dict() for f in self.files],
        }

    def to_bytes(self) -> bytes:
        return compact_json(self.to_dict())


def bundle_id_for(started: datetime, snapshot_bytes: bytes) -> str:
    """Sortable by time (UTC, to the second) and unique per snapshot: `20261126T020000Z-1a2b3c4d`."""
    stamp = started.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{sha256_hex(snapshot_bytes)[:8]}"


def file_entries(files: Mapping[str, bytes]) -> tuple[FileEntry, ...]:
    return tuple(FileEntry(path, len(data), sha256_hex(data)) for path, data in sorted(files.items()))


def _field(raw: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = raw.get(key)
    if not isinstance(value, kind):
        raise BadInputError(f"manifest field {key!r} is missing or has the wrong type", where=where)
    return value


def _entry(raw: Any, where: str) -> FileEntry:
    if not isinstance(raw, dict):
        raise BadInputError("a file entry must be an object", where=where)
    path = _field(raw, "path", str, where)
    if path.startswith("/") or ".." in path.split("/") or path in (MANIFEST, SIGNATURE):
        raise BadInputError(f"file entry has an unsafe or reserved path {path!r}", where=where)
    size = _field(raw, "size", int, where)
    digest = _field(raw, "sha256", str, where)
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise BadInputError("file entry sha256 is not 64 hex digits", where=where)
    return FileEntry(path, size, digest)


def parse_manifest(data: bytes, where: str) -> Manifest:
    """Decode and validate manifest.json; any problem is a BadInputError naming `where`."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadInputError(f"manifest is not UTF-8 (byte {exc.start})", where=where) from None
    except json.JSONDecodeError as exc:
        raise BadInputError(f"manifest is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", where=where) from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BadInputError(f"not an {FORMAT} manifest", where=where)
    run = _field(raw, "run", dict, where)
    link = raw.get("previous")
    if link is not None and not isinstance(link, dict):
        raise BadInputError("manifest field 'previous' must be an object or null", where=where)
    previous = (
        ChainLink(_field(link, "bundle_id", str, where), _field(link, "manifest_sha256", str, where))
        if link is not None
        else None
    )
    policy = raw.get("policy_digest")
    if policy is not None and not isinstance(policy, str):
        raise BadInputError("manifest field 'policy_digest' has the wrong type", where=where)
    files = _field(raw, "files", list, where)
    return Manifest(
        bundle_id=_field(raw, "bundle_id", str, where),
        run_started=parse_time(_field(run, "started", str, where), where),
        run_finished=parse_time(_field(run, "finished", str, where), where),
        attest_version=_field(raw, "attest_version", str, where),
        collector_identity=_field(raw, "collector_identity", dict, where),
        policy_digest=policy,
        config_digest=_field(raw, "config_digest", str, where),
        previous=previous,
        files=tuple(_entry(f, f"{where}#/files/{i}") for i, f in enumerate(files)),
    )


@dataclass(frozen=True)
class Witness:
    """What `heads/<bundle_id>` records: the chain head an export wrote (a receipt kept in the locker)."""

    bundle_id: str
    manifest_sha256: str

    def to_bytes(self) -> bytes:
        return compact_json({"bundle_id": self.bundle_id, "manifest_sha256": self.manifest_sha256})


def parse_witness(data: bytes, where: str) -> Witness:
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadInputError("witness is not JSON", where=where) from None
    if not isinstance(raw, dict):
        raise BadInputError("witness is not a JSON object", where=where)
    digest = _field(raw, "manifest_sha256", str, where)
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise BadInputError("witness manifest_sha256 is not 64 hex digits", where=where)
    return Witness(_field(raw, "bundle_id", str, where), digest)
