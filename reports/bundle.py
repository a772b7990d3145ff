"""What a report needs to know about the evidence bundle it cites: its id and each file's sha256.

The evidence stage owns the bundle format; this module reads only the parts a citation needs from
`manifest.json` (an id and the file list with digests), tolerating the list-or-mapping shapes.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from collector.errors import BadInputError

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


def _files(raw: Any, where: str) -> dict[str, str]:
    """Accept `files` as a list of {path, sha256} or a mapping path -> sha256 | {sha256}."""
    items: list[tuple[Any, Any]]
    if isinstance(raw, list):
        items = [(e.get("path"), e.get("sha256")) if isinstance(e, dict) else (None, None) for e in raw]
    elif isinstance(raw, dict):
        items = [(k, v.get("sha256") if isinstance(v, dict) else v) for k, v in raw.items()]
    else:
        raise BadInputError("manifest 'files' must be a list or a mapping", where=f"{where}#/files")
    files: dict[str, str] = {}
    for index, (path, digest) in enumerate(items):
        if not isinstance(path, str) or not isinstance(digest, str):
            raise BadInputError("each manifest file needs a path and a sha256", where=f"{where}#/files/{index}")
        files[path] = hex_digest(digest)
    return files


def load_bundle_ref(directory: Path) -> BundleRef:
    """Read `manifest.json` of a bundle directory; the id falls back to the manifest's own digest."""
    path = directory / MANIFEST
    try:
        data = path.read_bytes()
        raw = json.loads(data)
    except FileNotFoundError:
        raise BadInputError("not an evidence bundle: no manifest.json", where=str(directory)) from None
    except json.JSONDecodeError as exc:
        raise BadInputError(f"not valid JSON: {exc.msg}", where=f"{path}:{exc.lineno}:{exc.colno}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"cannot read: {exc.__class__.__name__}", where=str(path)) from None
    if not isinstance(raw, dict) or "files" not in raw:
        raise BadInputError("a manifest is a JSON object with 'files'", where=str(path))
    bundle_id = raw.get("bundle_id") or raw.get("id")
    if not isinstance(bundle_id, str) or not bundle_id:
        bundle_id = "sha256:" + hashlib.sha256(data).hexdigest()
    return BundleRef(id=bundle_id, files=_files(raw["files"], str(path)))


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
