"""Where results are written: a regular file atomically, a device in place (never replaced)."""
from __future__ import annotations

from pathlib import Path

from attest.output import write_text


def test_a_device_target_is_written_in_place_not_replaced() -> None:
    write_text("discarded\n", "/dev/null")
    assert Path("/dev/null").is_char_device()


def test_a_regular_file_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "out" / "findings.json"
    write_text("{}\n", str(target))
    assert target.read_text() == "{}\n"
    assert [p.name for p in target.parent.iterdir()] == ["findings.json"]
