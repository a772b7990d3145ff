"""Where bundles live. A locker lists bundles, reads their files, publishes a bundle whole, and keeps
a HEAD pointer to the newest one. `open_locker` picks the backend from the location's form.

Local directory layout: `<locker>/<bundle_id>/<files>`, `<locker>/heads/<bundle_id>` (one witness
per export) and `<locker>/HEAD` (the newest bundle id). A bundle is assembled in
`<locker>/.tmp-<bundle_id>-<pid>/`, fsynced, then renamed into place, so a bundle directory under its
own id is always complete; HEAD is replaced atomically afterwards. A directory keeps no history:
whoever can write it can remove the newest bundles and their witnesses, so a local locker cannot
detect rollback (`history` is None), and `verify` says so.
"""
from __future__ import annotations

import errno
import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Mapping, Protocol

from attest.collector.config import EvidenceConfig
from attest.core.errors import BadInputError, EvaluationError
from attest.core.process import pid_alive
from attest.evidence.crashpoints import checkpoint
from attest.evidence.manifest import BUNDLE_ID, HEAD, MANIFEST, WITNESSES
from attest.evidence.s3locker import KeyHistory, S3Locker, s3_client

TEMP_PREFIX = ".tmp-"
ABANDONED_AFTER = timedelta(hours=24)
"""A leftover this old is swept even if a process with its writer's pid is running (pid reuse)."""


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

    def witnesses(self) -> dict[str, bytes | None]:
        """The chain-head witnesses under heads/, by bundle id."""

    def write_witness(self, bundle_id: str, data: bytes) -> None:
        """Record the chain head an export wrote (under Object Lock on S3: never rewritable)."""

    def sweep(self, before: datetime) -> list[str]:
        """Remove leftovers of interrupted exports older than `before`; their names."""

    def history(self) -> dict[str, KeyHistory] | None:
        """Every stored version and delete marker by key, or None where the locker keeps no history."""


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
            p.name
            for p in self._entries()
            if p.name not in (HEAD, WITNESSES) and not (p.is_dir() and BUNDLE_ID.match(p.name))
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
        try:
            os.rename(staging, final)
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
            shutil.rmtree(staging, ignore_errors=True)
            raise EvaluationError(
                f"another export is writing to this locker: bundle {bundle_id} appeared while this one was written",
                where=self.location,
            ) from None
        _fsync_dir(self.root)

    def set_head(self, bundle_id: str) -> None:
        checkpoint("before-head")
        staging = self.root / f"{TEMP_PREFIX}{HEAD}-{os.getpid()}"
        _write_durably(staging, (bundle_id + "\n").encode("ascii"))
        os.replace(staging, self.root / HEAD)
        _fsync_dir(self.root)

    def witnesses(self) -> dict[str, bytes | None]:
        base = self.root / WITNESSES
        if not base.is_dir():
            return {}
        return {p.name: p.read_bytes() if p.is_file() else None for p in sorted(base.iterdir())}

    def write_witness(self, bundle_id: str, data: bytes) -> None:
        base = self.root / WITNESSES
        staging = self.root / f"{TEMP_PREFIX}{WITNESSES}-{bundle_id}-{os.getpid()}"
        _write_durably(staging, data)
        base.mkdir(exist_ok=True)
        os.replace(staging, base / bundle_id)
        _fsync_dir(base)

    def sweep(self, before: datetime) -> list[str]:
        """Leftovers (`.tmp-*`) last changed before `before` whose writer is gone (or a day old)."""
        swept = []
        for path in self._entries():
            if not path.name.startswith(TEMP_PREFIX):
                continue
            changed = datetime.fromtimestamp(path.lstat().st_mtime, before.tzinfo)
            if changed >= before or (_writer_running(path.name) and changed >= before - ABANDONED_AFTER):
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            swept.append(path.name)
        return swept

    def history(self) -> dict[str, KeyHistory] | None:
        return None


def _writer_running(name: str) -> bool:
    """Whether the process whose pid ends a leftover's name still runs on this host."""
    tail = name.rsplit("-", 1)[-1]
    if not tail.isdigit():
        return False
    pid = int(tail)
    return pid == os.getpid() or pid_alive(pid)


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
