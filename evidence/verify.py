"""Verifying a locker: every file re-hashed, every signature checked, the chain walked, HEAD checked.

Each problem names the bundle and file it concerns. Observations that are not tampering (an upload
interrupted before its manifest, a HEAD one bundle behind after a crash) are notes, reported but not
failing. Signatures present but no key to check them is a problem: a verdict of "intact" must mean the
signatures were checked, unless the caller skipped them on purpose (then it is a note saying so). A
bundle whose own config (or the verifier's) names a signing key must carry a signature, skipped or not.
Rollback (the newest nights cut off) is checked as far as the locker allows: see `rollback`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from attest.core.errors import BadInputError
from attest.collector.snapshot import format_time
from attest.evidence.canonical import sha256_hex
from attest.evidence.export import CONFIG
from attest.evidence.keys import KeySource, named_signing_key
from attest.evidence.lockers import Locker
from attest.evidence.manifest import MANIFEST, SIGNATURE, Manifest, parse_manifest
from attest.evidence.problems import Problem
from attest.evidence.rollback import (
    LOCAL_GUARANTEE, LOCAL_WITH_RECEIPT, S3_GUARANTEE, Receipt, history_problems, receipt_problems,
    witness_problems,
)
from attest.evidence.signing import check_signature


@dataclass(frozen=True)
class Expectations:
    """What the verifier knows beyond the locker: the key its config names, and an auditor's receipt."""

    required_key: str | None = None
    receipt: Receipt | None = None
    since: datetime | None = None


@dataclass(frozen=True)
class Verification:
    locker: str
    bundles: tuple[str, ...]
    head: str | None
    newest: Manifest | None
    problems: tuple[Problem, ...]
    notes: tuple[str, ...]
    signatures_checked: bool
    signature_key: str = "no key"
    rollback: str = LOCAL_GUARANTEE
    digests: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "locker": self.locker,
            "bundles": list(self.bundles),
            "head": self.head,
            "newest": self.newest.bundle_id if self.newest else None,
            "newest_manifest_sha256": self.digests.get(self.newest.bundle_id) if self.newest else None,
            "signatures_checked": self.signatures_checked,
            "signature_key": self.signature_key,
            "rollback": self.rollback,
            "problems": [p.to_dict() for p in self.problems],
            "notes": list(self.notes),
        }


class _Walk:
    """Collects problems and notes while checking one locker."""

    def __init__(self, locker: Locker, keys: KeySource, cadence: timedelta, required_key: str | None, skip: bool) -> None:
        self.locker = locker
        self.keys = keys
        self.required_key = required_key
        self.skip = skip
        self.cadence = cadence
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.unchecked: list[str] = []
        self.checked = 0

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
        config = self._files(bundle_id, manifest)
        self._signature(bundle_id, digest, self._named_key(bundle_id, config))
        return manifest, digest

    def _named_key(self, bundle_id: str, config: bytes | None) -> str | None:
        """The signing key this bundle must be signed with: the verifier's, else its own config's."""
        if self.required_key or config is None:
            return self.required_key
        try:
            return named_signing_key(config)
        except ValueError as exc:
            self.problem("config", bundle_id, CONFIG, f"{exc}: cannot tell whether the bundle must be signed")
            return None

    def _files(self, bundle_id: str, manifest: Manifest) -> bytes | None:
        """Re-hash every listed file; the bundle's config/attest.yaml when it is intact."""
        listed = {entry.path for entry in manifest.files}
        config = None
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
            elif entry.path == CONFIG:
                config = data
        for path in self.locker.files(bundle_id):
            if path not in listed and path not in (MANIFEST, SIGNATURE):
                self.problem("extra", bundle_id, path, "present but not listed in the manifest")
        return config

    def _signature(self, bundle_id: str, manifest_sha256: str, named: str | None) -> None:
        envelope = self.locker.read(bundle_id, SIGNATURE)
        if envelope is None:
            if named:
                whose = "the verifier's config" if named == self.required_key else "the bundle's config/attest.yaml"
                self.problem("unsigned", bundle_id, SIGNATURE, f"no signature, but {whose} names signing key {named}")
            elif self.keys.given is not None and not self.skip:
                self.problem("unsigned", bundle_id, SIGNATURE, "no signature, but a signing key is configured")
            return
        if self.skip:
            self.unchecked.append(bundle_id)
            return
        key = self.keys.key_for(named)
        if key is None:
            self.unchecked.append(bundle_id)
            return
        self.checked += 1
        why = check_signature(envelope, bundle_id, manifest_sha256, key)
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

    def head(self, head: str | None, complete: list[tuple[str, Manifest, str]], *, rewritten: bool = False) -> None:
        if not complete:
            if head is not None:
                self.problem("head", None, "HEAD", f"names {head}, but the locker holds no complete bundle")
            return
        newest_id, newest, _ = complete[-1]
        if head == newest_id:
            return
        if rewritten:
            return
        if head is not None and newest.previous is not None and newest.previous.bundle_id == head:
            self.notes.append(f"HEAD names {head}, one behind {newest_id} (an export stopped before moving HEAD)")
        else:
            message = f"names {head or 'nothing'}, but the newest complete bundle is {newest_id}"
            self.problem("head", None, "HEAD", message)


def verify_locker(
    locker: Locker,
    public_key_pem: str | None,
    cadence: timedelta,
    *,
    skip_signatures: bool = False,
    keys: KeySource | None = None,
    expect: Expectations = Expectations(),
) -> Verification:
    """Check the locker; with `skip_signatures`, signed bundles without a key are noted, not a problem."""
    source = keys or KeySource(public_key_pem)
    walk = _Walk(locker, source, cadence, expect.required_key, skip_signatures)
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
    newest = complete[-1][1] if complete else None
    history = locker.history()
    if history is not None:
        walk.problems.extend(history_problems(history, head, newest.bundle_id if newest else None))
    rollback_guarantee = _rollback_checks(walk, locker, history is not None, complete, expect)
    walk.head(head, complete, rewritten=any(p.kind == "rollback" and p.path == "HEAD" for p in walk.problems))
    for stray in locker.stray_entries():
        walk.notes.append(f"{stray}: not a bundle (left by an interrupted write, or placed by hand)")
    _unchecked_signatures(walk)
    return Verification(
        locker=locker.location,
        bundles=tuple(i for i, _, _ in complete),
        head=head,
        newest=newest,
        problems=tuple(walk.problems),
        notes=tuple(walk.notes),
        signatures_checked=not skip_signatures and (source.given is not None or walk.checked > 0),
        signature_key=source.described(),
        rollback=rollback_guarantee,
        digests={i: d for i, _, d in complete},
    )


def _rollback_checks(
    walk: _Walk, locker: Locker, has_history: bool, complete: list[tuple[str, Manifest, str]], expect: Expectations
) -> str:
    """Witness and receipt checks; the sentence saying how far rollback is detectable in this locker."""
    digests = {i: d for i, _, d in complete}
    problems, notes = witness_problems(locker.witnesses(), digests)
    walk.problems.extend(problems)
    walk.notes.extend(notes)
    walk.problems.extend(receipt_problems(expect.receipt, expect.since, digests, complete[-1][1] if complete else None))
    if has_history:
        return S3_GUARANTEE
    return LOCAL_WITH_RECEIPT if expect.receipt or expect.since else LOCAL_GUARANTEE


def _unchecked_signatures(walk: _Walk) -> None:
    if not walk.unchecked:
        return
    count = len(walk.unchecked)
    if walk.skip:
        walk.notes.append(f"{count} signed bundle(s) not checked: signature checks skipped (--no-signatures)")
    else:
        walk.problem(
            "unchecked", None, None,
            f"{count} bundle(s) are signed but no public key is given to check them "
            "(pass --public-key, set evidence.signing.public_key, or skip with --no-signatures)",
        )


def verify_bundle(locker: Locker, bundle_id: str, keys: KeySource, expect: Expectations = Expectations()) -> list[Problem]:
    """One bundle alone (for `attest report`): its files, its signature, and its link to the bundle before it."""
    walk = _Walk(locker, keys, timedelta(0), expect.required_key, False)
    checked = walk.bundle(bundle_id)
    if checked is None:
        if not walk.problems:
            walk.problem("missing", bundle_id, MANIFEST, "no manifest.json: not a complete bundle")
        return walk.problems
    link = checked[0].previous
    if link is not None:
        before = locker.read(link.bundle_id, MANIFEST)
        if before is None:
            walk.problem("chain", bundle_id, MANIFEST, f"links to {link.bundle_id}, which is not beside it in the locker")
        elif sha256_hex(before) != link.manifest_sha256:
            walk.problem("chain", bundle_id, MANIFEST, f"the manifest of {link.bundle_id} is not the one this bundle links to")
    _unchecked_signatures(walk)
    return walk.problems
