"""Verifying a locker: every file re-hashed, every signature checked, the chain walked, HEAD checked.

Each problem names the bundle and file it concerns. Observations that are not tampering (an upload
interrupted before its manifest, a HEAD one bundle behind after a crash) are notes, reported but not
failing. Signatures present but no key to check them is a problem: a verdict of "intact" must mean the
signatures were checked, unless the caller skipped them on purpose (then it is a note saying so).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from attest.core.errors import BadInputError
from attest.collector.snapshot import format_time
from attest.evidence.canonical import sha256_hex
from attest.evidence.lockers import Locker
from attest.evidence.manifest import MANIFEST, SIGNATURE, Manifest, parse_manifest
from attest.evidence.signing import check_signature, load_public_key


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


@dataclass(frozen=True)
class Verification:
    locker: str
    bundles: tuple[str, ...]
    head: str | None
    newest: Manifest | None
    problems: tuple[Problem, ...]
    notes: tuple[str, ...]
    signatures_checked: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "locker": self.locker,
            "bundles": list(self.bundles),
            "head": self.head,
            "newest": self.newest.bundle_id if self.newest else None,
            "signatures_checked": self.signatures_checked,
            "problems": [p.to_dict() for p in self.problems],
            "notes": list(self.notes),
        }


class _Walk:
    """Collects problems and notes while checking one locker."""

    def __init__(self, locker: Locker, public_key_pem: str | None, cadence: timedelta) -> None:
        self.locker = locker
        self.key = load_public_key(public_key_pem, "evidence.signing.public_key") if public_key_pem else None
        self.cadence = cadence
        self.problems: list[Problem] = []
        self.notes: list[str] = []

    def problem(self, kind: str, bundle_id: str | None, path: str | None, message: str) -> None:
        self.problems.append(Problem(kind, bundle_id, path, message))

    def bundle(self, bundle_id: str) -> tuple[Manifest, str] | None:
        """Check one bundle's files and signature; its manifest and digest when it has one."""
        data = self.locker.read(bundle_id, MANIFEST)
        if data is None:
            return None
        try:
            manifest = parse_manifest(data, MANIFEST)
        except BadInputError as exc:
            self.problem("manifest", bundle_id, MANIFEST, exc.message)
            return None
        digest = sha256_hex(data)
        if manifest.bundle_id != bundle_id:
            self.problem("manifest", bundle_id, MANIFEST, f"manifest names bundle {manifest.bundle_id}")
        self._files(bundle_id, manifest)
        self._signature(bundle_id, digest)
        return manifest, digest

    def _files(self, bundle_id: str, manifest: Manifest) -> None:
        listed = {entry.path for entry in manifest.files}
        for entry in manifest.files:
            data = self.locker.read(bundle_id, entry.path)
            if data is None:
                self.problem("missing", bundle_id, entry.path, "listed in the manifest but absent")
            elif sha256_hex(data) != entry.sha256 or len(data) != entry.size:
                self.problem(
                    "changed", bundle_id, entry.path,
                    f"content differs from the manifest (sha256 {sha256_hex(data)[:16]}..., {len(data)} bytes; "
                    f"manifest says {entry.sha256[:16]}..., {entry.size} bytes)",
                )
        for path in self.locker.files(bundle_id):
            if path not in listed and path not in (MANIFEST, SIGNATURE):
                self.problem("extra", bundle_id, path, "present but not listed in the manifest")

    def _signature(self, bundle_id: str, manifest_sha256: str) -> None:
        if self.key is None:
            return
        envelope = self.locker.read(bundle_id, SIGNATURE)
        if envelope is None:
            self.problem("unsigned", bundle_id, SIGNATURE, "no signature, but a signing key is configured")
            return
        why = check_signature(envelope, bundle_id, manifest_sha256, self.key)
        if why:
            self.problem("signature", bundle_id, SIGNATURE, why)

    def chain(self, complete: list[tuple[str, Manifest, str]], all_ids: set[str]) -> None:
        """Each bundle must link to the one before it (by id and manifest digest), later in time."""
        for index, (bundle_id, manifest, _) in enumerate(complete):
            link = manifest.previous
            if index == 0:
                if link is not None:
                    message = f"first bundle links to {link.bundle_id}, not a complete bundle in the locker"
                    self.problem("chain", bundle_id, MANIFEST, message)
                continue
            before_id, before, before_digest = complete[index - 1]
            if link is None:
                self.problem("chain", bundle_id, MANIFEST, f"links to nothing; expected {before_id}")
            elif link.bundle_id != before_id:
                done = {i for i, _, _ in complete}
                state = "comes out of order" if link.bundle_id in done else (
                    "is incomplete" if link.bundle_id in all_ids else "is not in the locker"
                )
                message = f"links to {link.bundle_id}, which {state}; expected {before_id}"
                self.problem("chain", bundle_id, MANIFEST, message)
            elif link.manifest_sha256 != before_digest:
                message = f"the manifest of {before_id} changed after this bundle was written"
                self.problem("chain", bundle_id, MANIFEST, message)
            if manifest.run_started <= before.run_started:
                message = f"started {format_time(manifest.run_started)}, not after {before_id}"
                self.problem("order", bundle_id, MANIFEST, message)
            elif manifest.run_started - before.run_started > self.cadence:
                hours = (manifest.run_started - before.run_started).total_seconds() / 3600
                self.problem(
                    "gap", bundle_id, None,
                    f"{hours:.1f} h after {before_id}, beyond the {self.cadence.total_seconds() / 3600:g} h cadence",
                )

    def head(self, head: str | None, complete: list[tuple[str, Manifest, str]]) -> None:
        if not complete:
            if head is not None:
                self.problem("head", None, "HEAD", f"names {head}, but the locker holds no complete bundle")
            return
        newest_id, newest, _ = complete[-1]
        if head == newest_id:
            return
        if head is not None and newest.previous is not None and newest.previous.bundle_id == head:
            self.notes.append(f"HEAD names {head}, one behind {newest_id} (an export stopped before moving HEAD)")
        else:
            message = f"names {head or 'nothing'}, but the newest complete bundle is {newest_id}"
            self.problem("head", None, "HEAD", message)


def verify_locker(
    locker: Locker, public_key_pem: str | None, cadence: timedelta, *, skip_signatures: bool = False
) -> Verification:
    """Check the locker; with `skip_signatures`, signed bundles without a key are noted, not a problem."""
    walk = _Walk(locker, public_key_pem, cadence)
    ids = locker.bundle_ids()
    head = locker.head()
    complete: list[tuple[str, Manifest, str]] = []
    unfinished: list[str] = []
    for bundle_id in ids:
        checked = walk.bundle(bundle_id)
        if checked:
            complete.append((bundle_id, *checked))
        elif locker.read(bundle_id, MANIFEST) is None:
            unfinished.append(bundle_id)
    named = {head} | {m.previous.bundle_id for _, m, _ in complete if m.previous}
    for bundle_id in unfinished:
        if bundle_id in named:
            walk.problem("missing", bundle_id, MANIFEST, "manifest.json is gone from a bundle the chain names")
        else:
            walk.notes.append(f"{bundle_id}: no manifest.json: an interrupted export, not part of the chain")
    walk.chain(complete, set(ids))
    walk.head(head, complete)
    for stray in locker.stray_entries():
        walk.notes.append(f"{stray}: not a bundle (left by an interrupted write, or placed by hand)")
    signed = [i for i, _, _ in complete if locker.read(i, SIGNATURE) is not None]
    if walk.key is None and signed:
        if skip_signatures:
            walk.notes.append(f"{len(signed)} signed bundle(s) not checked: signature checks skipped (--no-signatures)")
        else:
            walk.problem(
                "unchecked", None, None,
                f"{len(signed)} bundle(s) are signed but no public key is given to check them "
                "(pass --public-key, set evidence.signing.public_key, or skip with --no-signatures)",
            )
    return Verification(
        locker=locker.location,
        bundles=tuple(i for i, _, _ in complete),
        head=head,
        newest=complete[-1][1] if complete else None,
        problems=tuple(walk.problems),
        notes=tuple(walk.notes),
        signatures_checked=walk.key is not None,
    )
