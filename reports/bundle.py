"""What a report needs to know about the evidence bundle it cites: its id and each file's sha256.

The evidence stage owns the bundle format; this module reads only the parts a citation needs from
`manifest.json` (an id and the file list with digests), parsed by evidence.manifest.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from attest.core.errors import BadInputError
from attest.collector.snapshot import format_time
from attest.evidence.manifest import SIGNATURE, parse_manifest
from attest.evidence.signing import signature_key_id

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Provenance:
    """Who made a bundle, when, with what, and what it chains to: the facts a report's cover states.

    `manifest_sha256` is None for the reports stored inside the bundle: the manifest lists their
    digests, so they cannot name its own (the next bundle's manifest, and `attest verify`, do).
    """

    run_started: str
    run_finished: str | None
    attest_version: str
    manifest_sha256: str | None
    previous_id: str | None
    previous_sha256: str | None
    signing_key: str | None
    signed: bool


@dataclass(frozen=True)
class BundleRef:
    """A bundle as cited by reports: `files` maps a bundle-relative path to its sha256 (hex)."""

    id: str
    files: Mapping[str, str] = field(default_factory=dict)
    provenance: Provenance | None = None

    def locate(self, path: str) -> str | None:
        """`path` itself, or the one bundle file stored under a prefix ending in `/path`."""
        if path in self.files:
            return path
        matches = sorted(p for p in self.files if p.endswith("/" + path))
        return matches[0] if len(matches) == 1 else None


def hex_digest(value: str) -> str:
    """`sha256:abc...` or `abc...` -> `abc...`."""
    return value.split(":", 1)[1] if value.startswith("sha256:") else value


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def load_bundle_ref(directory: Path) -> BundleRef:
    """Read `manifest.json` of a bundle directory with the evidence stage's own parser."""
    path = directory / MANIFEST
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadInputError("not an evidence bundle: no manifest.json", where=str(directory)) from None
    except OSError as exc:
        raise BadInputError(f"cannot read: {exc.__class__.__name__}", where=str(path)) from None
    manifest = parse_manifest(data, str(path))
    signature = directory / SIGNATURE
    provenance = Provenance(
        run_started=format_time(manifest.run_started),
        run_finished=format_time(manifest.run_finished),
        attest_version=manifest.attest_version,
        manifest_sha256=hashlib.sha256(data).hexdigest(),
        previous_id=manifest.previous.bundle_id if manifest.previous else None,
        previous_sha256=manifest.previous.manifest_sha256 if manifest.previous else None,
        signing_key=signature_key_id(signature.read_bytes()) if signature.is_file() else None,
        signed=signature.is_file(),
    )
    files = {f.path: hex_digest(f.sha256) for f in manifest.files}
    return BundleRef(id=manifest.bundle_id, files=files, provenance=provenance)


def verified_path(directory: Path, bundle: BundleRef, name: str) -> Path:
    """A bundle file that the report reads, re-hashed against the manifest before it is trusted."""
    located = bundle.locate(name)
    if located is None:
        raise BadInputError(f"the manifest lists no {name}", where=str(directory / MANIFEST))
    expected = bundle.files[located]
    path = directory / located
    if not path.is_file():
        raise BadInputError(f"the manifest lists {located} but the file is missing", where=str(directory))
    actual = file_sha256(path)
    if actual != expected:
        raise BadInputError(
            f"sha256 {actual} does not match the manifest's {expected}; run `attest verify`", where=str(path)
        )
    return path
