"""Every kind of tampering with a local locker is reported precisely, naming bundle and file."""
from __future__ import annotations

import json
import os
import shutil
from datetime import timedelta

from evidence_helpers import CADENCE, NIGHT, START, export_one

from attest.evidence.bundle import Published
from attest.evidence.canonical import compact_json, sha256_hex
from attest.evidence.lockers import LocalLocker
from attest.evidence.verify import verify_locker


def problems(locker: LocalLocker, cadence: timedelta = CADENCE) -> list[tuple[str, str | None, str | None]]:
    return [(p.kind, p.bundle_id, p.path) for p in verify_locker(locker, None, cadence).problems]


def bid(published: Published) -> str:
    return published.manifest.bundle_id


def test_one_changed_byte_names_the_file(locker: LocalLocker, three_nights: list[Published]) -> None:
    target = locker.root / bid(three_nights[1]) / "reports" / "summary.md"
    data = bytearray(target.read_bytes())
    data[3] ^= 0x01
    target.write_bytes(bytes(data))
    assert problems(locker) == [("changed", bid(three_nights[1]), "reports/summary.md")]


def test_missing_file(locker: LocalLocker, three_nights: list[Published]) -> None:
    (locker.root / bid(three_nights[0]) / "findings.json").unlink()
    assert problems(locker) == [("missing", bid(three_nights[0]), "findings.json")]


def test_extra_file(locker: LocalLocker, three_nights: list[Published]) -> None:
    (locker.root / bid(three_nights[2]) / "reports" / "late-addition.md").write_text("added later\n")
    assert problems(locker) == [("extra", bid(three_nights[2]), "reports/late-addition.md")]


def test_rewritten_manifest_breaks_the_chain(locker: LocalLocker, three_nights: list[Published]) -> None:
    """Changing a file and re-hashing it into its manifest still breaks the next bundle's link."""
    bundle = locker.root / bid(three_nights[0])
    (bundle / "reports" / "summary.md").write_bytes(b"# Summary\n\nall good\n")
    manifest = json.loads((bundle / "manifest.json").read_bytes())
    for entry in manifest["files"]:
        if entry["path"] == "reports/summary.md":
            entry.update(size=len(b"# Summary\n\nall good\n"), sha256=sha256_hex(b"# Summary\n\nall good\n"))
    (bundle / "manifest.json").write_bytes(compact_json(manifest))
    assert problems(locker) == [
        ("chain", bid(three_nights[1]), "manifest.json"), ("rollback", bid(three_nights[0]), "manifest.json")
    ]


def test_removed_middle_bundle(locker: LocalLocker, three_nights: list[Published]) -> None:
    shutil.rmtree(locker.root / bid(three_nights[1]))
    found = verify_locker(locker, None, CADENCE).problems
    assert [(p.kind, p.bundle_id) for p in found] == [
        ("chain", bid(three_nights[2])), ("gap", bid(three_nights[2])), ("rollback", bid(three_nights[1]))
    ]
    assert "is not in the locker" in found[0].message


def test_removed_newest_bundle_leaves_head_dangling(locker: LocalLocker, three_nights: list[Published]) -> None:
    shutil.rmtree(locker.root / bid(three_nights[2]))
    assert problems(locker) == [("rollback", bid(three_nights[2]), None), ("head", None, "HEAD")]


def test_removed_manifest_of_a_chained_bundle(locker: LocalLocker, three_nights: list[Published]) -> None:
    (locker.root / bid(three_nights[1]) / "manifest.json").unlink()
    kinds = problems(locker)
    assert ("missing", bid(three_nights[1]), "manifest.json") in kinds
    assert ("chain", bid(three_nights[2]), "manifest.json") in kinds


def test_reordered_bundles(locker: LocalLocker, three_nights: list[Published]) -> None:
    """Swapping two bundles' directories: each manifest now names another id, and links go astray."""
    first, second = locker.root / bid(three_nights[0]), locker.root / bid(three_nights[1])
    os.rename(first, locker.root / "swap")
    os.rename(second, first)
    os.rename(locker.root / "swap", second)
    kinds = {(k, b) for k, b, _ in problems(locker)}
    assert ("manifest", bid(three_nights[0])) in kinds
    assert ("manifest", bid(three_nights[1])) in kinds
    assert ("chain", bid(three_nights[1])) in kinds
    assert ("order", bid(three_nights[1])) in kinds


def test_gap_beyond_the_cadence(locker: LocalLocker) -> None:
    export_one(locker, START)
    late = export_one(locker, START + NIGHT * 3)
    found = verify_locker(locker, None, CADENCE).problems
    assert [(p.kind, p.bundle_id) for p in found] == [("gap", bid(late))]
    assert "72.0 h after" in found[0].message


def test_clean_locker_has_no_problems_and_leftovers_are_notes(locker: LocalLocker, three_nights: list[Published]) -> None:
    (locker.root / ".tmp-20261123T020000Z-00000000-999").mkdir()
    result = verify_locker(locker, None, CADENCE)
    assert result.problems == ()
    assert any(".tmp-" in note for note in result.notes)


def test_garbled_manifest_is_reported_not_raised(locker: LocalLocker, three_nights: list[Published]) -> None:
    (locker.root / bid(three_nights[2]) / "manifest.json").write_bytes(b'{"format": "attest-evidence-bundle/1"')
    found = verify_locker(locker, None, CADENCE).problems
    assert ("manifest", bid(three_nights[2]), "manifest.json") in [(p.kind, p.bundle_id, p.path) for p in found]
    assert any(p.kind == "head" for p in found)


def test_export_after_a_garbled_manifest_chains_past_it(locker: LocalLocker, three_nights: list[Published]) -> None:
    (locker.root / bid(three_nights[2]) / "manifest.json").write_bytes(b"garbage")
    later = export_one(locker, START + NIGHT * 2 + timedelta(hours=1))
    assert later.manifest.previous.bundle_id == bid(three_nights[1])
    assert [(p.kind, p.bundle_id) for p in verify_locker(locker, None, CADENCE).problems] == [
        ("manifest", bid(three_nights[2])), ("rollback", bid(three_nights[2]))
    ]
