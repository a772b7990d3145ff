"""Time `attest period` over a locker of N nightly bundles (default 365), and its peak memory.

    .venv/bin/python bench/period/run.py --nights 365 --work /tmp/period-bench --repeat 3

Each bundle is shaped like a real export of a mid-sized estate: a snapshot of `--resources`
resources (security groups plus the ECS task definitions, a new revision every 5 nights, one in
four registered by hand), findings with a finding per resource on one of four controls (statuses
mixed, a waiver that lapses mid-year, a fault that comes and goes), and a `reports/` file of
`--report-kb` standing in for the rendered reports, which verification must hash too. Generation is
not timed. The command runs in a child process pinned to one core; peak memory is its max RSS (wait4).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from attest.collector.snapshot import Identity, Resource, Snapshot
from attest.evidence.bundle import write_bundle
from attest.evidence.lockers import LocalLocker
from attest.evidence.manifest import bundle_id_for
from attest.policies.findings import ControlResult, Finding, Mapping, Results, Status, WaiverRef, rollup

ACCOUNT = "123456789012"
CONTROLS = ("CC6.1", "CC6.6", "CC7.2", "CC8.1")
FIRST = date(2026, 1, 1)


def night(day: date, resources: int) -> tuple[Snapshot, Results]:
    n = (day - FIRST).days
    tasks = [
        Resource(f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/app:{r}", "aws.ecs.task_definition", "aws", ACCOUNT,
                 "us-east-1", ("ecs:DescribeTaskDefinition",),
                 {"family": "app", "revision": r, "registeredBy": f"arn:aws:iam::{ACCOUNT}:role/deploy" if r % 4 else
                  f"arn:aws:iam::{ACCOUNT}:user/dev{r % 7}", "registeredAt": (FIRST + timedelta(days=5 * r)).isoformat() + "T10:00:00Z"})
        for r in range(max(0, n // 5 - 2), n // 5 + 1)
    ]
    groups = [
        Resource(f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/sg-{i:06d}", "aws.ec2.security_group", "aws", ACCOUNT,
                 "us-east-1", ("ec2:DescribeSecurityGroups",), {"GroupId": f"sg-{i:06d}", "Description": "bench " * 8})
        for i in range(resources - len(tasks))
    ]
    snapshot = Snapshot.build(collected_at=datetime(day.year, day.month, day.day, 2, tzinfo=timezone.utc),
                              collector_version="bench", identity=Identity((f"arn:aws:sts::{ACCOUNT}:assumed-role/r/x",), "k"),
                              scope={}, resources=[*groups, *tasks], gaps=[])
    waiver = WaiverRef("W-1", "bench", "owner", "ISSUE-1", "approver", "2026-07-01")
    findings = []
    for i, r in enumerate(snapshot.resources):
        status = Status.PASS
        if i % 50 == 0 and (n // 20 + i) % 3 == 0:
            status = Status.FAIL
        elif i % 97 == 0:
            status = Status.WAIVED if day < date(2026, 7, 1) else Status.FAIL
        findings.append(Finding(f"RULE-{i % 40:03d}", "bench rule", status, "high", (CONTROLS[i % 4],), r.id,
                                f"/resources/{i}", "bench message", waiver=waiver if i % 97 == 0 else None))
    controls = tuple(
        ControlResult(cid, "SOC 2", cid, "summary", "narrative", rollup(f.status for f in findings if cid in f.controls),
                      tuple(Mapping(f"RULE-{j:03d}", "reason") for j in range(40) if j % 4 == k))
        for k, cid in enumerate(CONTROLS)
    )
    results = Results(snapshot.to_dict()["collected_at"], "sha256:" + "0" * 64, "sha256:bench", controls,
                      tuple(findings), (waiver,))
    return snapshot, results


def generate(root: Path, nights: int, resources: int, report_kb: int) -> None:
    locker = LocalLocker(root)
    filler = (b"<p>rendered report stand-in</p>\n" * (report_kb * 32))[: report_kb * 1024]
    for offset in range(nights):
        day = FIRST + timedelta(days=offset)
        if offset % 45 == 44:
            continue  # a missed night every 45
        snapshot, results = night(day, resources)
        data = snapshot.to_json().encode()
        write_bundle(locker, bundle_id=bundle_id_for(snapshot.collected_at, data),
                     files={"snapshot.json": data, "findings.json": results.to_json().encode(), "reports/findings.html": filler},
                     run_started=snapshot.collected_at, run_finished=snapshot.collected_at + timedelta(minutes=5),
                     identity=snapshot.identity.to_dict(), policy_digest="sha256:bench", config_digest="sha256:bench", signer=None)


CHILD = """
import sys, time
from attest.cli import build_parser, main
build_parser()
start = time.perf_counter()
code = main(sys.argv[1:])
sys.stderr.write(f"period-seconds {time.perf_counter() - start:.3f}\\n")
sys.exit(code)
"""


def run_once(locker: Path, out: Path, nights: int) -> tuple[float, float, int, float]:
    """(wall seconds of the whole process, seconds inside `attest period` after start-up imports, peak RSS,
    CPU seconds (user + system) of the whole process: the figure a shared machine's load does not inflate)."""
    last = FIRST + timedelta(days=nights - 1)
    argv = ["taskset", "-c", "0", sys.executable, "-c", CHILD, "period", str(locker), "--from", FIRST.isoformat(),
            "--to", last.isoformat(), "--output", str(out), "--sample", "25", "--seed", "bench"]
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    err = child.stderr.read() if child.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"attest period exited {os.waitstatus_to_exitcode(status)}: {err}")
    inside = float(err.rsplit("period-seconds ", 1)[1].split()[0])
    return elapsed, inside, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nights", type=int, default=365)
    parser.add_argument("--resources", type=int, default=300)
    parser.add_argument("--report-kb", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", default="/tmp/period-bench")
    args = parser.parse_args()
    work = Path(args.work)
    locker = work / f"locker-{args.nights}-{args.resources}-{args.report_kb}"
    if not locker.is_dir():
        shutil.rmtree(work, ignore_errors=True)
        start = time.perf_counter()
        generate(locker, args.nights, args.resources, args.report_kb)
        print(f"generated {args.nights} nights in {time.perf_counter() - start:.0f}s")
    size = sum(p.stat().st_size for p in locker.rglob("*") if p.is_file())
    runs = [run_once(locker, work / "out", args.nights) for _ in range(args.repeat)]
    walls = sorted(r[0] for r in runs)
    insides = sorted(r[1] for r in runs)
    peak = max(r[2] for r in runs)
    cpus = sorted(r[3] for r in runs)
    out = sum(p.stat().st_size for p in (work / "out").iterdir())
    print(f"attest period, {args.nights} nights, {len(LocalLocker(locker).bundle_ids())} bundles, {size / 2**20:.0f} MiB locker; "
          f"output {out / 2**20:.1f} MiB; peak RSS {peak / 2**20:.0f} MiB")
    print(f"  whole process: median {statistics.median(walls):.2f}s (runs {', '.join(f'{t:.2f}' for t in walls)})")
    print(f"  period work after start-up imports: median {statistics.median(insides):.2f}s "
          f"(runs {', '.join(f'{t:.2f}' for t in insides)})")
    print(f"  CPU (user + system) of the whole process: median {statistics.median(cpus):.2f}s "
          f"(runs {', '.join(f'{t:.2f}' for t in cpus)})")
    print(f"  load average while running: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
