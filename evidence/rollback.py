"""Rollback: the newest nights removed, or HEAD moved back, so an older chain looks complete.

A chain of hashes cannot show that its newest links were cut off. Three things can:
- the locker's own history (S3 under Object Lock: every version and delete marker is listed, and a
  locked version can be hidden but never removed);
- the witnesses under `heads/`, one per export, each naming the head it wrote (locked on S3, so the
  exporter cannot take one back);
- an auditor's receipt (`--expect-head BUNDLE_ID[@MANIFEST_SHA256]`, printed by every export) or a
  date (`--since`) the newest bundle may not be older than.
A plain directory keeps no history and its witnesses can be deleted with the bundles: only a receipt
detects rollback there, and `verify` says so on every run.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from attest.collector.snapshot import format_time
from attest.core.errors import BadInputError
from attest.evidence.manifest import HEAD, MANIFEST, WITNESSES, Manifest, parse_witness
from attest.evidence.problems import Problem
from attest.evidence.s3locker import KeyHistory

LOCAL_GUARANTEE = (
    "NOT detectable in a plain directory: removing the newest bundles (and their heads/ witnesses) and "
    "rewriting HEAD leaves an older chain that verifies; pass --expect-head from the last export's receipt, "
    "or use an S3 locker with Object Lock"
)
LOCAL_WITH_RECEIPT = "detected back to the receipt given (--expect-head/--since) only: a plain directory keeps no history"
S3_GUARANTEE = "checked: object versions, delete markers and the heads/ witnesses (S3 Object Lock)"
RECEIPT = re.compile(r"^(?P<id>\d{8}T\d{6}Z-[0-9a-f]{8})(?:@(?:sha256:)?(?P<digest>[0-9a-f]{64}))?$")


@dataclass(frozen=True)
class Receipt:
    """The head an auditor last saw: a bundle id and, optionally, its manifest's sha256."""

    bundle_id: str
    manifest_sha256: str | None


def parse_receipt(text: str) -> Receipt:
    found = RECEIPT.match(text.strip())
    if not found:
        raise BadInputError("expected BUNDLE_ID or BUNDLE_ID@MANIFEST_SHA256 (as export prints)", where="--expect-head")
    return Receipt(found["id"], found["digest"])


def _split(key: str) -> tuple[str | None, str]:
    top, _, rest = key.partition("/")
    return (top, rest) if rest else (None, key)


def history_problems(
    history: Mapping[str, KeyHistory], head: str | None, newest_id: str | None
) -> list[Problem]:
    """Delete markers over locked versions, objects written twice, and HEAD moved back after the newest bundle."""
    problems = []
    for key, seen in history.items():
        bundle, path = _split(key)
        if key == HEAD:
            continue
        if seen.deleted:
            if bundle == WITNESSES:
                problems.append(Problem("rollback", None, key, "a delete marker hides this witness of a chain head"))
            elif path == MANIFEST:
                problems.append(Problem(
                    "rollback", bundle, path,
                    "a delete marker hides this bundle: it was deleted after export (its locked versions remain; "
                    "delete the marker to restore it)",
                ))
            else:
                problems.append(Problem("deleted", bundle, path, "a delete marker hides the locked version"))
        elif seen.versions > 1:
            problems.append(Problem(
                "overwritten", bundle, path,
                f"{seen.versions} versions stored: written again after export (verify read the newest; the "
                "original stays retrievable by version id)",
            ))
    problems.extend(_head_rewritten(history, head, newest_id))
    return problems


def _head_rewritten(history: Mapping[str, KeyHistory], head: str | None, newest_id: str | None) -> list[Problem]:
    """HEAD written more often than bundles were published, or after the newest one while naming another.

    Each export writes HEAD once, after its manifest: more HEAD versions than manifests ever stored
    (hidden ones included) means HEAD was written by hand.
    """
    moved = history.get(HEAD)
    if moved is None or head == newest_id:
        return []
    published = sum(1 for key in history if _split(key)[1] == MANIFEST and _split(key)[0] != WITNESSES)
    newest = history.get(f"{newest_id}/{MANIFEST}") if newest_id else None
    later = bool(newest and moved.last_modified and newest.last_modified and moved.last_modified > newest.last_modified)
    if moved.versions <= published and not later:
        return []
    return [Problem(
        "rollback", None, HEAD,
        f"names {head or 'nothing'} but was rewritten after the newer bundle {newest_id} was published "
        f"({moved.versions} HEAD versions for {published} bundle(s) ever published)",
    )]


def witness_problems(
    witnesses: Mapping[str, bytes | None], complete: Mapping[str, str]
) -> tuple[list[Problem], list[str]]:
    """Each witness must name a complete bundle with the manifest it recorded; unwitnessed bundles are noted."""
    problems = []
    for name, data in sorted(witnesses.items()):
        where = f"{WITNESSES}/{name}"
        try:
            witness = parse_witness(data or b"", where)
        except BadInputError as exc:
            problems.append(Problem("witness", None, where, exc.message))
            continue
        if witness.bundle_id != name:
            problems.append(Problem("witness", None, where, f"names bundle {witness.bundle_id}"))
        elif name not in complete:
            problems.append(Problem(
                "rollback", name, None,
                f"{where} records this bundle as a chain head, but it is no longer a complete bundle in the locker "
                "(removed, hidden, or its manifest damaged)",
            ))
        elif complete[name] != witness.manifest_sha256:
            problems.append(Problem(
                "rollback", name, MANIFEST, f"differs from the manifest {where} recorded (rewritten after export)"
            ))
    missing = [bundle for bundle in complete if bundle not in witnesses]
    notes = [f"{len(missing)} bundle(s) without a heads/ witness (written before witnesses, or an export "
             f"stopped before writing one): {', '.join(missing)}"] if missing else []
    return problems, notes


def receipt_problems(
    receipt: Receipt | None, since: datetime | None, complete: Mapping[str, str], newest: Manifest | None
) -> list[Problem]:
    """The auditor's last receipt must still be in the chain, and the chain must reach past `since`."""
    problems = []
    if receipt is not None:
        if receipt.bundle_id not in complete:
            problems.append(Problem(
                "rollback", receipt.bundle_id, None,
                "the expected head (--expect-head) is not a complete bundle in the locker: the chain was cut back",
            ))
        elif receipt.manifest_sha256 and complete[receipt.bundle_id] != receipt.manifest_sha256:
            problems.append(Problem(
                "rollback", receipt.bundle_id, MANIFEST,
                f"sha256 {complete[receipt.bundle_id][:16]}... is not the {receipt.manifest_sha256[:16]}... "
                "of the receipt (--expect-head): the manifest was rewritten",
            ))
    if since is not None and (newest is None or newest.run_started < since):
        started = format_time(newest.run_started) if newest else "nothing"
        problems.append(Problem(
            "rollback", newest.bundle_id if newest else None, None,
            f"the newest bundle started {started}, before --since {format_time(since)}",
        ))
    return problems
