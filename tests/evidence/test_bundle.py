from __future__ import annotations

import json
from pathlib import Path

from attest.evidence.canonical import sha256_hex
from attest.evidence.lockers import LocalLocker
from attest.evidence.manifest import MANIFEST, parse_manifest
from attest.evidence.verify import verify_locker

from evidence_helpers import CADENCE, START, bundle_files, export_one


def test_round_trip_lists_every_file_with_size_and_digest(locker: LocalLocker) -> None:
    published = export_one(locker, START)
    bundle = locker.root / published.manifest.bundle_id
    manifest = parse_manifest((bundle / MANIFEST).read_bytes(), "m")
    files = bundle_files(START)
    assert {e.path: (e.size, e.sha256) for e in manifest.files} == {
        p: (len(d), sha256_hex(d)) for p, d in files.items()
    }
    assert manifest == published.manifest
    assert manifest.bundle_id.startswith("20261120T020000Z-")
    assert manifest.collector_identity["aws_caller_arns"] == [
        "arn:aws:sts::123456789012:assumed-role/attest-nightly/gha"
    ]
    assert (manifest.policy_digest, manifest.config_digest, manifest.previous) == (
        "sha256:policy", "sha256:config", None
    )
    assert (locker.root / "HEAD").read_text().strip() == manifest.bundle_id
    assert json.loads((bundle / "snapshot.json").read_bytes())["collected_at"] == "2026-11-20T02:00:00Z"


def test_manifest_is_canonical_json(locker: LocalLocker) -> None:
    published = export_one(locker, START)
    data = (locker.root / published.manifest.bundle_id / MANIFEST).read_bytes()
    assert data == json.dumps(json.loads(data), sort_keys=True, separators=(",", ":")).encode()
    assert sha256_hex(data) == published.manifest_sha256


def test_same_inputs_give_identical_manifest_bytes(tmp_path: Path) -> None:
    first, second = LocalLocker(tmp_path / "a"), LocalLocker(tmp_path / "b")
    export_one(first, START)
    export_one(second, START)
    (a,), (b,) = first.bundle_ids(), second.bundle_ids()
    assert (first.root / a / MANIFEST).read_bytes() == (second.root / b / MANIFEST).read_bytes()


def test_each_bundle_chains_to_the_previous_manifest_digest(three_nights: list, locker: LocalLocker) -> None:
    for before, after in zip(three_nights, three_nights[1:]):
        assert after.manifest.previous.bundle_id == before.manifest.bundle_id
        assert after.manifest.previous.manifest_sha256 == before.manifest_sha256
    result = verify_locker(locker, None, CADENCE)
    assert result.problems == ()
    assert result.bundles == tuple(p.manifest.bundle_id for p in three_nights)
    assert result.head == three_nights[-1].manifest.bundle_id
