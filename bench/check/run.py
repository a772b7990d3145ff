"""Benchmark `attest check` on a generated snapshot (default 100,000 resources).

Each figure is the median of --repeat fresh child processes (pinned to one core with taskset when
available: core 0, or $ATTEST_BENCH_CORE); peak memory is the child's maximum RSS (wait4):
- parse: `json.load` of the snapshot file, the yardstick;
- load: `collector.snapshot.load_snapshot` (parse + validation into Resource objects);
- evaluate: `policies.engine.evaluate` alone, with the real policy set and waivers, inputs loaded;
- check: the whole `attest check` command (text and JSON output), start-up included.

    .venv/bin/python bench/check/run.py --work /tmp/check-bench [--resources 100000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
ATTEST = ROOT / ".venv" / "bin" / "attest"


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    return time.perf_counter() - start[0], time.process_time() - start[1]


def phase(name: str, work: Path) -> tuple[float, float]:
    """Run one timed phase in this (child) process; returns its wall and CPU seconds."""
    snapshot_path = work / "snapshot.json"
    if name == "parse":
        start = _clock()
        with snapshot_path.open(encoding="utf-8") as handle:
            json.load(handle)
        return _since(start)
    from attest.collector.config import load_config
    from attest.collector.snapshot import load_snapshot
    from attest.policies.check import load_check_waivers
    from attest.policies.engine import evaluate
    from attest.policies.rule_loader import POLICIES_DIR, load_policy_set

    start = _clock()
    snapshot = load_snapshot(str(snapshot_path))
    if name == "load":
        return _since(start)
    config = load_config(work / "attest.yaml")
    policy = load_policy_set(POLICIES_DIR)
    waivers = load_check_waivers(Path(POLICIES_DIR) / "waivers.yaml", policy, snapshot.collected_at.date())
    start = _clock()
    evaluate(snapshot, config, policy, waivers)
    return _since(start)


def measure(cmd: list[str], stdout_path: Path) -> dict[str, float]:
    """Wall and CPU seconds, peak RSS (MiB) and exit code of one child run of `cmd`."""
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", os.environ.get("ATTEST_BENCH_CORE", "0"), *cmd]
    with stdout_path.open("w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024,
            "exit": os.waitstatus_to_exitcode(status)}


def repeat(cmd: list[str], out: Path, times: int, timed: bool = False) -> dict[str, Any]:
    """Median over `times` runs; for a phase child (`timed`), its own printed seconds too."""
    runs = []
    for _ in range(times):
        run = measure(cmd, out)
        if timed:
            run["phase_wall_s"], run["phase_cpu_s"] = (float(v) for v in out.read_text().split())
        runs.append(run)
    summary: dict[str, Any] = {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0] if k != "exit"}
    summary["peak_mib"] = round(max(r["peak_mib"] for r in runs))
    summary["exit"] = runs[-1]["exit"]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True, type=Path)
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--phase", choices=("parse", "load", "evaluate"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print("{:.4f} {:.4f}".format(*phase(args.phase, args.work)))
        return
    expected_path = args.work / "expected.json"
    if not expected_path.exists() or json.loads(expected_path.read_text())["resources"] != args.resources:
        generate(args.work, args.resources, 7)
    out = args.work / "out.txt"
    figures: dict[str, Any] = {"resources": args.resources,
                               "snapshot_mib": round((args.work / "snapshot.json").stat().st_size / 2**20)}
    for name in ("parse", "load", "evaluate"):
        cmd = [str(PYTHON), __file__, "--work", str(args.work), "--phase", name]
        figures[name] = repeat(cmd, out, args.repeat, timed=True)
    check = [str(ATTEST), "check", "--snapshot", str(args.work / "snapshot.json"), "--config", str(args.work / "attest.yaml")]
    figures["check_text"] = repeat(check, out, args.repeat)
    figures["check_json"] = repeat([*check, "--format", "json", "--output", str(args.work / "results.json")], out, args.repeat)
    for key in ("check_text", "check_json"):
        figures[f"{key}_x_parse_wall"] = round(figures[key]["wall_s"] / figures["parse"]["phase_wall_s"], 2)
        figures[f"{key}_x_parse_cpu"] = round(figures[key]["cpu_s"] / figures["parse"]["phase_cpu_s"], 2)
    figures["load_avg_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
