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
from attest.evidence.manifest import parse_manifest

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BundleRef:
    """A bundle as cited by reports: `files` maps a bundle-relative path to its sha256 (hex)."""

    id: str
    files: Mapping[str, str] = field(default_factory=dict)

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
    return BundleRef(id=manifest.bundle_id, files={f.path: hex_digest(f.sha256) for f in manifest.files})


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
