"""Where bundles live. A locker lists bundles, reads their files, publishes a bundle whole, and keeps
a HEAD pointer to the newest one. `open_locker` picks the backend from the location's form.

Local directory layout: `<locker>/<bundle_id>/<files>` and `<locker>/HEAD` (the newest bundle id).
A bundle is assembled in `<locker>/.tmp-<bundle_id>-<pid>/`, fsynced, then renamed into place, so a
bundle directory under its own id is always complete; HEAD is replaced atomically afterwards.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Protocol

from attest.collector.config import EvidenceConfig
from attest.core.errors import BadInputError
from attest.evidence.crashpoints import checkpoint
from attest.evidence.manifest import BUNDLE_ID, HEAD, MANIFEST
from attest.evidence.s3locker import S3Locker, s3_client

TEMP_PREFIX = ".tmp-"


class Locker(Protocol):
    location: str

    def bundle_ids(self) -> list[str]:
        """Every bundle id present, complete or not, sorted oldest first."""

    def stray_entries(self) -> list[str]:
        """Entries that are not bundles (leftovers of interrupted writes, or foreign files)."""

    def files(self, bundle_id: str) -> list[str]:
        """Relative paths of every file under one bundle, sorted."""

    def read(self, bundle_id: str, path: str) -> bytes | None:
        """A file's bytes, or None when it is absent."""

    def head(self) -> str | None:
        """The bundle id HEAD names, or None when there is no HEAD."""

    def publish(self, bundle_id: str, files: Mapping[str, bytes]) -> None:
        """Store a whole bundle; manifest.json becomes visible last."""

    def set_head(self, bundle_id: str) -> None:
        """Point HEAD at `bundle_id` atomically."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


class LocalLocker:
    """A directory on disk."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.location = str(root)

    def _entries(self) -> list[Path]:
        if not self.root.exists():
            return []
        if not self.root.is_dir():
            raise BadInputError("the locker is not a directory", where=self.location)
        return sorted(self.root.iterdir())

    def bundle_ids(self) -> list[str]:
        return [p.name for p in self._entries() if p.is_dir() and BUNDLE_ID.match(p.name)]

    def stray_entries(self) -> list[str]:
        return [
            p.name for p in self._entries() if p.name != HEAD and not (p.is_dir() and BUNDLE_ID.match(p.name))
        ]

    def files(self, bundle_id: str) -> list[str]:
        base = self.root / bundle_id
        return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if not p.is_dir())

    def read(self, bundle_id: str, path: str) -> bytes | None:
        target = self.root / bundle_id / path
        return target.read_bytes() if target.is_file() else None

    def head(self) -> str | None:
        target = self.root / HEAD
        return target.read_text(encoding="utf-8").strip() if target.is_file() else None

    def publish(self, bundle_id: str, files: Mapping[str, bytes]) -> None:
        final = self.root / bundle_id
        if final.exists():
            raise BadInputError(f"bundle {bundle_id} already exists", where=self.location)
        staging = self.root / f"{TEMP_PREFIX}{bundle_id}-{os.getpid()}"
        ordered = sorted(files, key=lambda p: (p == MANIFEST, p))
        for index, path in enumerate(ordered):
            _write_durably(staging / path, files[path])
            if index == 0:
                checkpoint("partial-files")
        for directory in sorted({(staging / p).parent for p in ordered}, reverse=True):
            _fsync_dir(directory)
        checkpoint("before-rename")
        os.rename(staging, final)
        _fsync_dir(self.root)

    def set_head(self, bundle_id: str) -> None:
        checkpoint("before-head")
        staging = self.root / f"{TEMP_PREFIX}{HEAD}-{os.getpid()}"
        _write_durably(staging, (bundle_id + "\n").encode("ascii"))
        os.replace(staging, self.root / HEAD)
        _fsync_dir(self.root)


def open_local(location: str, *, create: bool) -> LocalLocker:
    """A directory locker; created for writing, required to exist for reading."""
    path = Path(location)
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BadInputError(f"cannot create the locker: {exc.strerror or exc}", where=location) from None
    elif not path.is_dir():
        raise BadInputError("no such locker directory", where=location)
    return LocalLocker(path)


def open_locker(location: str, settings: EvidenceConfig, environ: Mapping[str, str], *, create: bool) -> Locker:
    """`s3://bucket/prefix` is an S3 locker with Object Lock; anything else is a local directory."""
    if location.startswith("s3://"):
        return S3Locker.from_uri(location, settings, s3_client(environ))
    return open_local(location, create=create)
