"""Fan-out: `collect` over many accounts, regions and Atlas projects with injected latency per call.

    .venv/bin/python bench/collect/fanout.py --accounts 20 --regions 3 --projects 10 --latency 0.05

The local estate (moto, the fault proxy, the Atlas emulator) runs in its own process, as `attest
sandbox up` runs it, so its CPU does not compete with the collector's threads; every AWS call waits
`--latency` seconds at the fault proxy (`delay` rule) and every Atlas call at the emulator (`delay`).
Reported, in wall-clock seconds: the collector with its default bounds, the same run with one
worker (sequential), one matrix job's share (`--group`), the critical-path bound (the longest chain of dependent calls x the latency,
see bench/README.md), and the default-bounds run with no injected latency (the CPU floor); beside
each, the CPU seconds of the collector (this process) and of the local estate (moto, the proxy and
the emulator) during the run, which share the machine's cores.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

import requests
import yaml

from attest.collector.config import load_config
from attest.collector.run import collect
from attest.sandbox.estate import ESTATES_DIR, load_estate
from attest.sandbox.scale import scaled_config

ROOT = Path(__file__).resolve().parents[2]
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2")
AWS_SERVICES = ("sts", "ec2", "kms", "secretsmanager", "ecs")
BOUNDS = ("ATTEST_MAX_WORKERS", "ATTEST_MAX_PER_ACCOUNT", "ATTEST_MAX_PER_SERVICE", "ATTEST_ATLAS_MAX_CONCURRENCY")
# The longest chain of calls that each need the one before (collector/aws/ecs.py, after the role).
# ListTaskDefinitions (the family's newest revision) needs only DescribeServices' answer, as does
# DescribeTaskDefinition of the running revision, so both are fifth; every service of this estate
# runs its family's newest revision, so no sixth call (describing a newer, idle revision) follows.
CHAIN = (
    "sts:AssumeRole",            # the account's keys
    "ecs:ListClusters",          # cluster ARNs
    "ecs:ListServices",          # needs a cluster ARN
    "ecs:DescribeServices",      # needs service ARNs; answers the running task definitions
    "ecs:DescribeTaskDefinition",  # needs the running revision's ARN
)


def _variant(work: Path, accounts: int, regions: int, projects: int) -> Path:
    path = work / "fanout.yaml"
    scale = {"accounts": accounts, "regions": list(REGIONS[:regions]), "atlas_projects": projects, "role": "attest-read"}
    variant = {"extends": str(ESTATES_DIR / "default.yaml"), "description": "bench fan-out",
               "patch": [{"op": "add", "path": "/scale", "value": scale}]}
    path.write_text(yaml.safe_dump(variant))
    return path


def _serve(estate: Path, state: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "attest.sandbox.local", "--estate", str(estate), "--state", str(state)],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 600
    while not state.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the local estate did not start")
        time.sleep(0.5)
    return process


def _latency(state: Mapping[str, Any], seconds: float) -> None:
    rules = [{"service": s, "kind": "delay", "delay_seconds": seconds} for s in AWS_SERVICES] if seconds else []
    requests.post(f"{state['aws_endpoint_url']}/_faults", json={"rules": rules}, timeout=10).raise_for_status()
    requests.post(f"{state['atlas_base_url']}/_emulator/faults", json={"clear": True, "delay": {"seconds": seconds}},
                  timeout=10).raise_for_status()


def _aws_calls(state: Mapping[str, Any]) -> int:
    return sum(requests.get(f"{state['aws_endpoint_url']}/_faults", timeout=10).json()["calls"].values())


def _group_config(config: Path, accounts: int, projects: int) -> Path:
    """The config one matrix job would get: the first `accounts` accounts and `projects` projects."""
    doc = yaml.safe_load(config.read_text())
    doc["aws"]["accounts"] = doc["aws"]["accounts"][:accounts]
    doc["atlas"]["projects"] = doc["atlas"]["projects"][:projects]
    path = config.with_name("group.yaml")
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _estate_cpu(server: subprocess.Popen[bytes]) -> float | None:
    """CPU seconds used so far by the local estate: its process and its children (moto). Linux /proc."""
    try:
        pids = [server.pid, *map(int, Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split())]
        total = 0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, ValueError, IndexError):
        return None
    return total / os.sysconf("SC_CLK_TCK")


def _timed(config: Path, env: Mapping[str, str], server: subprocess.Popen[bytes]) -> tuple[float, float, float | None, int, int]:
    """Wall and collector CPU seconds, the estate's CPU seconds meanwhile, resources and gaps."""
    estate, cpu, start = _estate_cpu(server), time.process_time(), time.perf_counter()
    snapshot = collect(load_config(config), env, now=lambda: datetime.now(timezone.utc))
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    after = _estate_cpu(server)
    used = None if estate is None or after is None else after - estate
    return wall, cpu, used, len(snapshot.resources), len(snapshot.gaps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--regions", type=int, default=3, choices=range(1, len(REGIONS) + 1))
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every call")
    parser.add_argument("--group", type=int, default=2, help="accounts (and projects) of one matrix job, timed too")
    parser.add_argument("--skip-sequential", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="attest-fanout-") as tmp:
        work = Path(tmp)
        estate = _variant(work, args.accounts, args.regions, args.projects)
        config = work / "attest.yaml"
        config.write_text(scaled_config(load_estate(estate)))
        start = time.perf_counter()
        server = _serve(estate, work / "state.json")
        try:
            state = json.loads((work / "state.json").read_text())
            print(f"seeded {args.accounts} accounts x {args.regions} regions, {args.projects} Atlas projects "
                  f"in {time.perf_counter() - start:.1f}s")
            bounds = {k: v for k, v in os.environ.items() if k in BOUNDS}
            env = {**state["env"], **bounds, "ATTEST_REDACTION_SALT": "bench"}
            print(f"bounds: {bounds or 'the defaults'}")
            rows: list[tuple[Any, ...]] = [("critical-path bound", len(CHAIN) * args.latency, None, None, None, None, None)]
            group = _group_config(config, args.group, args.group)
            cases = [
                ("default bounds", args.latency, config, {}),
                ("no injected latency (CPU floor)", 0.0, config, {}),
                (f"one matrix job: {args.group} accounts, {args.group} projects", args.latency, group, {}),
            ]
            if not args.skip_sequential:
                cases.append(("sequential (ATTEST_MAX_WORKERS=1, ATTEST_ATLAS_MAX_CONCURRENCY=1)", args.latency, config,
                              {"ATTEST_MAX_WORKERS": "1", "ATTEST_ATLAS_MAX_CONCURRENCY": "1"}))
            _timed(group, env, server)  # warm-up: botocore loads its service models once per process
            for name, latency, path, extra in cases:
                _latency(state, latency)
                before = _aws_calls(state)
                wall, cpu, estate_cpu, resources, gaps = _timed(path, {**env, **extra}, server)
                rows.append((name, wall, cpu, estate_cpu, resources, gaps, _aws_calls(state) - before))
        finally:
            server.terminate()
            server.wait(timeout=30)
    bound = rows[0][1]
    print(f"chain ({len(CHAIN)} calls): {' -> '.join(CHAIN)}")
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}")
    print("| run | wall s | x bound | collector CPU s | estate CPU s | resources | gaps | AWS calls |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, wall, cpu, estate_cpu, resources, gaps, calls in rows:
        fields = [f"{wall:.2f}", f"{wall / bound:.1f}" if bound else "-"] + [
            "-" if v is None else str(round(v, 2)) for v in (cpu, estate_cpu, resources, gaps, calls)]
        print(f"| {name} | " + " | ".join(fields) + " |")


if __name__ == "__main__":
    main()
