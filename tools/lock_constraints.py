"""Rewrite the lock files: every package an install needs, pinned to one version with its sha256.

`constraints.txt` holds what `.[test]` installs (runtime, [sandbox], [test]; `make setup`),
`constraints-runtime.txt` what `.` alone installs (the nightly workflow). pip resolves each install
(a dry run, nothing installed) under the current pins of constraints.txt, so a rerun only adds what
is new and keeps what is pinned; delete a line to let that package move. The hashes are of the
files pip chose on this machine (platform and Python): an install with them refuses any other file.
pip will not hash-check a project directory, so the lock is installed with `--require-hashes -r`
and the project after it with `--no-deps` (see the Makefile).
Run: `make constraints` (needs pip 23.1 or newer for `--report`).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "constraints.txt"
LOCKS = {CONSTRAINTS: "[test]", ROOT / "constraints-runtime.txt": ""}
HEADER = """\
# Exact versions and sha256 of everything `pip install '.{extras}'` installs (the runtime and the extras named). Written by
# tools/lock_constraints.py (`make constraints`); the hashes are of the files pip chose for Linux
# x86_64 and CPython 3.11: on another platform rerun it. Install with
# `pip install --require-hashes --no-deps -r {name}`, then the project with `--no-deps`.
"""


def current_pins(text: str) -> list[str]:
    """`name==version` of each pinned line, hashes dropped."""
    pins = []
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+==[^\s;]+)", line.strip())
        if match:
            pins.append(match.group(1))
    return pins


def resolve(pins: list[str], extras: str) -> list[tuple[str, str, str]]:
    """(name, version, sha256) of every distribution pip would install, the project excluded."""
    with tempfile.TemporaryDirectory() as tmp:
        pinned = Path(tmp) / "pins.txt"
        pinned.write_text("\n".join(pins) + "\n")
        report = Path(tmp) / "report.json"
        subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                        "--report", str(report), "-c", str(pinned), f"{ROOT}{extras}"], check=True)
        installs = json.loads(report.read_text())["install"]
    found = []
    for item in installs:
        hashes = item["download_info"].get("archive_info", {}).get("hashes", {})
        if "sha256" not in hashes:
            continue  # the project itself, a local directory
        found.append((item["metadata"]["name"], item["metadata"]["version"], hashes["sha256"]))
    return sorted(found, key=lambda entry: entry[0].lower())


def main() -> int:
    pins = current_pins(CONSTRAINTS.read_text()) if CONSTRAINTS.is_file() else []
    for path, extras in LOCKS.items():
        lines = [f"{name}=={version} --hash=sha256:{sha256}" for name, version, sha256 in resolve(pins, extras)]
        path.write_text(HEADER.format(extras=extras, name=path.name) + "\n".join(lines) + "\n")
        sys.stderr.write(f"{path.name}: {len(lines)} packages\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
