"""Compare `attest check` before and after a change by alternating them, round by round.

This VM's speed drifts by a fifth between minutes, so runs of one version and then the other compare
the drift, not the code. Each round runs the parse yardstick (`json.load` of the snapshot), then
`attest check` (text, and `--format json -o FILE`) of the commit before and of this tree, each a fresh
process pinned to one core (run.py's `measure`: core 0, or $ATTEST_BENCH_CORE), and prints the CPU
seconds (user + system, interpreter start-up included) and peak RSS of every run, then per series the
median and minimum and their ratio to the parse's.

    .venv/bin/python bench/check/alternate.py --work /tmp/check-bench --before a508350 [--rounds 5] [--text-only]

The commit before is extracted (`git archive`) into WORK/before/ and imported from there, laid out
as the editable install maps the folders (collector/ as attest/collector/, ...), with this tree's venv.
Every child runs with `python -P`: `-c` otherwise puts the working directory first on sys.path, and
in a checkout's root that is this tree's `attest/`, which PYTHONPATH's copy cannot then replace (until
2026-12-07 the "before" runs made from the root measured this tree). `imported_from` checks which copy
a child imports before any round runs. The estate must exist already (run.py or generate.py).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import PYTHON, ROOT, measure  # noqa: E402

STAGES = ("collector", "evidence", "policies", "reports", "sandbox")
_CLI = "import sys; from attest.cli import main; sys.argv[0] = 'attest'; sys.exit(main())"
CHILD = [str(PYTHON), "-P"]  # -P: no working directory on sys.path (see above)


def extract(commit: str, into: Path) -> Path:
    """The commit's `attest` package under `into`/<commit id>/pkg (made once per commit), as the
    editable install lays it out."""
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", f"{commit}^{{commit}}"],
                         capture_output=True, check=True, text=True).stdout.strip()
    into = into / sha
    package = into / "pkg" / "attest"
    if package.exists():
        return package.parent
    tree = into / "tree"
    shutil.rmtree(into, ignore_errors=True)
    tree.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", sha], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    shutil.copytree(tree / "attest", package)
    for stage in STAGES:
        shutil.copytree(tree / stage, package / stage)
    return package.parent


def imported_from(pythonpath: Path | None) -> Path:
    """Where a child given this PYTHONPATH (None: none) imports the engine from."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    found = subprocess.run([*CHILD, "-c", "import attest.policies.engine as e; print(e.__file__)"], env=env,
                           capture_output=True, check=True, text=True).stdout.strip()
    return Path(found).resolve()


def check_copies(before: Path) -> None:
    """Refuse to measure when the commit before would not run from its extracted copy, or this tree would."""
    if not imported_from(before).is_relative_to(before.resolve()):
        raise SystemExit(f"alternate.py: the commit before would not run from {before}")
    if imported_from(None).is_relative_to(before.resolve().parent.parent):
        raise SystemExit("alternate.py: this tree would run from an extracted copy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True, type=Path)
    parser.add_argument("--before", required=True, help="the commit to compare against")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--text-only", action="store_true", help="leave out the `--format json` runs (halves a round)")
    args = parser.parse_args()
    snapshot = args.work / "snapshot.json"
    before = extract(args.before, args.work / "before")
    check_copies(before)
    check = ["check", "--snapshot", str(snapshot), "--config", str(args.work / "attest.yaml")]
    forms = {"text": [], "json": ["--format", "json", "--output", str(args.work / "alternate-results.json")]}
    if args.text_only:
        del forms["json"]
    series: dict[str, list[dict[str, float]]] = {}
    out = args.work / "alternate-out.txt"
    for number in range(args.rounds):
        runs = {"parse": measure([*CHILD, "-c", f"import json; json.load(open({str(snapshot)!r}, encoding='utf-8'))"], out)}
        for form, extra in forms.items():
            os.environ["PYTHONPATH"] = str(before)
            runs[f"before {form}"] = measure([*CHILD, "-c", _CLI, *check, *extra], out)
            del os.environ["PYTHONPATH"]
            runs[f"after {form}"] = measure([*CHILD, "-c", _CLI, *check, *extra], out)
        for name, run in runs.items():
            series.setdefault(name, []).append(run)
        print(f"round {number + 1}: " + ", ".join(f"{name} {run['cpu_s']:.2f}" for name, run in runs.items()), flush=True)
    print(json.dumps(summary(series), indent=2))


def summary(series: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    """Per series: every run's CPU seconds, their median and minimum (and as a multiple of the
    parse's median and minimum), and the peak RSS (MiB) of all its runs."""
    parse = [run["cpu_s"] for run in series["parse"]]
    out: dict[str, Any] = {}
    for name, runs in series.items():
        cpu = [run["cpu_s"] for run in runs]
        out[name] = {"cpu_s": [round(c, 2) for c in cpu], "median": round(statistics.median(cpu), 2),
                     "min": round(min(cpu), 2), "x_parse_median": round(statistics.median(cpu) / statistics.median(parse), 2),
                     "x_parse_min": round(min(cpu) / min(parse), 2), "peak_mib": round(max(run["peak_mib"] for run in runs))}
    return out


if __name__ == "__main__":
    main()
