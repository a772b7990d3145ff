"""Benchmark `attest check --terraform` against a live-only check in the same run.

Collects a snapshot from the seeded local estate (moto + the Atlas emulator), then times, as fresh
child processes (pinned to one core with taskset when available; median of --repeat):
- live: `attest check --snapshot S --config C`, the yardstick (interleaved with the warm runs);
- terraform cold: the same plus `--terraform DIR` with an empty checkov cache (checkov runs);
- terraform warm: the same on the unchanged tree (checkov's report comes from the cache);
- static warm: `attest check --terraform DIR` alone (no snapshot, no config), cache warm.

    .venv/bin/python bench/terraform/run.py --work /tmp/tf-bench [--repeat 5] [--root DIR]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ATTEST = ROOT / ".venv" / "bin" / "attest"
CONFIG = ROOT / "sandbox" / "attest.local.yaml"
DEFAULT_ROOT = ROOT / "tests" / "policies" / "terraform" / "fixtures" / "prod"


def collect(work: Path) -> Path:
    from attest.collector.config import load_config
    from attest.collector.run import collect as run_collect
    from attest.sandbox.local import local_estate

    now = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    with local_estate() as estate:
        snapshot = run_collect(load_config(CONFIG), {**estate.env, "ATTEST_REDACTION_SALT": "bench"}, now=lambda: now)
    path = work / "snapshot.json"
    path.write_text(snapshot.to_json(), encoding="utf-8")
    return path


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall and child CPU seconds, and the exit code, of one child process."""
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    start = time.perf_counter()
    child = subprocess.Popen(pin + command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def median_of(command: list[str], env: dict[str, str], repeat: int, before: list[str] | None = None) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        if before is not None:
            shutil.rmtree(before[0], ignore_errors=True)
        wall, cpu, code = timed(command, env)
        if code not in (0, 1, 3):
            raise SystemExit(f"{' '.join(command)} exited {code}")
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True, type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    snapshot = collect(args.work)
    cache = args.work / "cache"
    env = {**os.environ, "ATTEST_CACHE_DIR": str(cache)}
    live = [str(ATTEST), "check", "--snapshot", str(snapshot), "--config", str(CONFIG), "-o", str(args.work / "out")]
    with_tf = live + ["--terraform", str(args.root)]
    static = [str(ATTEST), "check", "--terraform", str(args.root), "-o", str(args.work / "out")]
    cold = median_of(with_tf, env, args.repeat, before=[str(cache)])
    timed(with_tf, env)  # warm the cache
    series: dict[str, list[tuple[float, float]]] = {"live": [], "warm": [], "static": []}
    for _ in range(args.repeat):  # interleaved, so a change in the machine's load hits every series alike
        for name, command in (("live", live), ("warm", with_tf), ("static", static)):
            wall, cpu, code = timed(command, env)
            if code not in (0, 1, 3):
                raise SystemExit(f"{' '.join(command)} exited {code}")
            series[name].append((wall, cpu))
    med = {name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
           for name, runs in series.items()}
    rows = [
        ("live only", med["live"]),
        ("--terraform, cold cache (checkov runs)", cold),
        ("--terraform, unchanged tree (cached)", med["warm"]),
        ("--terraform alone (static plane), cached", med["static"]),
    ]
    base_wall, base_cpu = med["live"]
    print("| run | wall (s) | CPU (s) | x live (wall) | x live (CPU) |")
    print("|-----|---------:|--------:|--------------:|-------------:|")
    for name, (wall, cpu) in rows:
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {wall / base_wall:.2f} | {cpu / base_cpu:.2f} |")

if __name__ == "__main__":
    sys.exit(main())
