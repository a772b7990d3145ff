"""Count the instructions of the parse yardstick and of `attest check` before and after a change.

CPU seconds on this VM vary by a fifth between runs of the same code (alternate.py), so a change of
a tenth can hide in them. Valgrind's cachegrind counts the instructions a process executes, the same
count on every run whatever the machine is doing: a noise-free view of how much work a change
removed. It is not a time: the parse spends much of its time waiting on memory, so its instruction
count is a smaller share of the check's than its seconds are. Each run takes about 15x its CPU time.

    .venv/bin/python bench/check/instructions.py --work /tmp/check-bench --before 05bdc8a [--format json]

Needs `valgrind` on PATH; the commit before is extracted as alternate.py does.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from alternate import _CLI, CHILD, check_copies, extract  # noqa: E402

_TOTAL = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(cmd: list[str], work: Path, name: str, pythonpath: Path | None = None) -> int:
    """The instructions `cmd` executed (cachegrind's `I refs`)."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    run = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no",
                          f"--cachegrind-out-file={work / f'{name}.cachegrind'}", *cmd],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    found = _TOTAL.search(run.stderr)
    if found is None:
        raise SystemExit(f"instructions.py: valgrind gave no count for {name}:\n{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True, type=Path)
    parser.add_argument("--before", required=True, help="the commit to compare against")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="the form `attest check` writes")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("instructions.py: valgrind is not on PATH")
    snapshot = args.work / "snapshot.json"
    before = extract(args.before, args.work / "before")
    check_copies(before)
    check = [*CHILD, "-c", _CLI, "check", "--snapshot", str(snapshot), "--config", str(args.work / "attest.yaml")]
    if args.format == "json":
        check += ["--format", "json", "--output", str(args.work / "instructions-results.json")]
    counts = {
        "parse": instructions([*CHILD, "-c", f"import json; json.load(open({str(snapshot)!r}, encoding='utf-8'))"],
                              args.work, "parse"),
        "before": instructions(check, args.work, "before", pythonpath=before),
        "after": instructions(check, args.work, "after"),
    }
    print(json.dumps({name: {"instructions": count, "x_parse": round(count / counts["parse"], 2)}
                      for name, count in counts.items()} | {"after_over_before": round(counts["after"] / counts["before"], 3)},
                     indent=2))


if __name__ == "__main__":
    main()
