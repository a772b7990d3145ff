"""The verified bundles of a locker over a window of nights: what a period view may read, and only that.

`verify_locker` checks the whole chain; a bundle any problem names is rejected (a chain problem
also rejects the bundle before it, whose manifest the link no longer matches). A cadence `gap` is
not the bundle's fault and rejects nothing: the period view shows missed nights itself. Signatures
that cannot be checked (signed bundles, no key) reject every bundle unless skipping was asked for.
Each file is re-hashed against its manifest entry when it is read, so the bytes a period view
cites are the bytes that verified.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from attest.core.errors import BadInputError, EvaluationError
from attest.evidence.canonical import sha256_hex
from attest.evidence.keys import KeySource
from attest.evidence.lockers import Locker
from attest.evidence.manifest import MANIFEST, Manifest, parse_manifest
from attest.evidence.verify import Expectations, verify_locker

NOT_A_BUNDLE_FAULT = frozenset({"gap"})


@dataclass(frozen=True)
class VerifiedBundle:
    bundle_id: str
    night: date
    manifest: Manifest
    manifest_sha256: str

    def sha256(self, path: str) -> str | None:
        return next((f.sha256 for f in self.manifest.files if f.path == path), None)


@dataclass(frozen=True)
class Rejected:
    bundle_id: str
    night: date | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ChainWindow:
    locker: str
    start: date
    end: date
    bundles: tuple[VerifiedBundle, ...]
    rejected: tuple[Rejected, ...]
    chain_notes: tuple[str, ...]
    signatures_checked: bool


def _night(locker: Locker, bundle_id: str) -> date | None:
    data = locker.read(bundle_id, MANIFEST)
    if data is None:
        return None
    try:
        return parse_manifest(data, MANIFEST).run_started.date()
    except BadInputError:  # an unreadable manifest is already a problem the verification names
        return None


def verified_window(
    locker: Locker, public_key_pem: str | None, cadence: timedelta, start: date, end: date, *, skip_signatures: bool,
    keys: KeySource | None = None, expect: Expectations = Expectations(),
) -> ChainWindow:
    """Verify the locker as `attest verify` does (`keys`, `expect`: the KMS fetcher and the configured key),
    then keep the verified bundles whose run started on a night in [start, end]."""
    result = verify_locker(locker, public_key_pem, cadence, skip_signatures=skip_signatures, keys=keys, expect=expect)
    order = list(result.bundles)
    reasons: dict[str, list[str]] = {}
    notes = list(result.notes)
    for problem in result.problems:
        if problem.kind in NOT_A_BUNDLE_FAULT:
            continue
        if problem.bundle_id is None:
            if problem.kind == "unchecked":
                for bundle_id in order:
                    reasons.setdefault(bundle_id, []).append(problem.message)
            else:
                notes.append(problem.line())
            continue
        reasons.setdefault(problem.bundle_id, []).append(f"{problem.kind}: {problem.path or '-'}: {problem.message}")
        if problem.kind == "chain" and problem.bundle_id in order and order.index(problem.bundle_id) > 0:
            before = order[order.index(problem.bundle_id) - 1]
            reasons.setdefault(before, []).append(f"chain: the next bundle {problem.bundle_id} does not link to it intact")
    kept: list[VerifiedBundle] = []
    for bundle_id in order:
        data = locker.read(bundle_id, MANIFEST)
        if data is None or bundle_id in reasons:
            continue
        manifest = parse_manifest(data, f"{locker.location}/{bundle_id}/{MANIFEST}")
        night = manifest.run_started.date()
        if start <= night <= end:
            kept.append(VerifiedBundle(bundle_id, night, manifest, sha256_hex(data)))
    rejected = []
    for bundle_id in sorted(reasons):
        when = _night(locker, bundle_id)
        if when is None or start <= when <= end:
            rejected.append(Rejected(bundle_id, when, tuple(reasons[bundle_id])))
    return ChainWindow(locker.location, start, end, tuple(kept), tuple(rejected), tuple(notes), result.signatures_checked)


def read_verified(locker: Locker, bundle: VerifiedBundle, path: str) -> bytes:
    """A file of a verified bundle, re-hashed against its manifest entry as it is read."""
    expected = bundle.sha256(path)
    if expected is None:
        raise EvaluationError(f"the manifest lists no {path}", where=f"{locker.location}/{bundle.bundle_id}")
    data = locker.read(bundle.bundle_id, path)
    if data is None or sha256_hex(data) != expected:
        raise EvaluationError(f"{path} changed after verification; run `attest verify`", where=f"{locker.location}/{bundle.bundle_id}")
    return data
