"""Writing one bundle: hash the files, chain to the newest bundle, sign, publish, move HEAD.

The order is what makes a crash harmless: the bundle is published whole (manifest last), then its
witness (`heads/<bundle_id>`, under Object Lock on S3) records the new chain head, and only then does
HEAD move. A crash before publishing leaves the previous head; a crash after it leaves a
complete new bundle that the next export (and `verify`) recognises as the newest link of the chain.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping

from attest.core import __version__
from attest.core.errors import BadInputError, EvaluationError
from attest.evidence.canonical import sha256_hex
from attest.evidence.lockers import Locker
from attest.evidence.manifest import (
    MANIFEST, SIGNATURE, ChainLink, Manifest, Witness, file_entries, parse_manifest,
)

log = logging.getLogger("attest.evidence")

Signer = Callable[[str, str], bytes]
"""(bundle_id, manifest_sha256) -> signature.json bytes."""


@dataclass(frozen=True)
class Seen:
    """The newest bundle an export saw when it started (None: an empty locker)."""

    bundle_id: str | None


@dataclass(frozen=True)
class Published:
    manifest: Manifest
    manifest_sha256: str
    signed: bool


def newest_link(locker: Locker) -> tuple[ChainLink, Manifest] | None:
    """The newest complete bundle (one with a readable manifest): the link a new bundle chains to.

    An unreadable manifest is skipped with a warning rather than blocking every later export (under
    Object Lock it could never be repaired); `verify` reports it as a problem.
    """
    for bundle_id in reversed(locker.bundle_ids()):
        data = locker.read(bundle_id, MANIFEST)
        if data is None:
            continue
        try:
            manifest = parse_manifest(data, f"{locker.location}/{bundle_id}/{MANIFEST}")
        except BadInputError as exc:
            log.warning("skipping bundle %s when chaining: %s", bundle_id, exc.diagnostic())
            continue
        return ChainLink(bundle_id, sha256_hex(data)), manifest
    return None


def write_bundle(
    locker: Locker,
    *,
    bundle_id: str,
    files: Mapping[str, bytes],
    run_started: datetime,
    run_finished: datetime,
    identity: Mapping[str, Any],
    policy_digest: str | None,
    config_digest: str,
    signer: Signer | None,
    seen: Seen | None = None,
) -> Published:
    """Publish `files` as bundle `bundle_id`, chained to the locker's newest bundle.

    With `seen`, a newest bundle other than the one seen when the run started means another export
    wrote to the locker meanwhile: this one stops rather than fork the chain.
    """
    reserved = {MANIFEST, SIGNATURE} & set(files)
    if reserved:
        raise BadInputError(f"a bundle file may not be named {sorted(reserved)[0]}", where=bundle_id)
    found = newest_link(locker)
    now_newest = found[0].bundle_id if found else None
    if seen is not None and now_newest != seen.bundle_id:
        raise EvaluationError(
            f"another export is writing to this locker: bundle {now_newest} appeared after this run started "
            f"(it saw {seen.bundle_id or 'an empty locker'}); nothing was written, run it again",
            where=locker.location,
        )
    if found and found[0].bundle_id >= bundle_id:
        raise EvaluationError(
            f"bundle {bundle_id} does not sort after the newest bundle {found[0].bundle_id} (clock skew?)",
            where=locker.location,
        )
    manifest = Manifest(
        bundle_id=bundle_id,
        run_started=run_started,
        run_finished=run_finished,
        attest_version=__version__,
        collector_identity=dict(identity),
        policy_digest=policy_digest,
        config_digest=config_digest,
        previous=found[0] if found else None,
        files=file_entries(files),
    )
    manifest_bytes = manifest.to_bytes()
    digest = sha256_hex(manifest_bytes)
    payload = dict(files)
    if signer is not None:
        payload[SIGNATURE] = signer(bundle_id, digest)
    payload[MANIFEST] = manifest_bytes
    locker.publish(bundle_id, payload)
    locker.write_witness(bundle_id, Witness(bundle_id, digest).to_bytes())
    locker.set_head(bundle_id)
    return Published(manifest, digest, signer is not None)
