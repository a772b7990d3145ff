"""Time `collect` on a scaled-up local estate: fault-free, with small pages, and with 30% throttling.

    .venv/bin/python bench/collect/run.py --secrets 300 --subnets 60 --services 20 --repeat 3

The estate is the default one plus generated secrets, subnets and ECS services (each with two
task-definition revisions), seeded into a fresh moto process; the numbers are wall-clock seconds.
"""
from __future__ import annotations

import argparse
import copy
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from attest.collector.config import load_config
from attest.collector.run import collect
from attest.sandbox.aws_faults import FaultRule
from attest.sandbox.estate import load_estate
from attest.sandbox.local import local_estate

CONFIG = Path(__file__).resolve().parents[2] / "sandbox" / "attest.local.yaml"


def scaled(secrets: int, subnets: int, services: int) -> dict[str, Any]:
    estate = copy.deepcopy(load_estate("default"))
    aws = estate["aws"]
    for i in range(secrets):
        aws["secrets"].append({"name": f"bench/s{i:04d}", "kms_key": "alias/prod-mongodb", "tags": {"data_class": "internal"}, "value": f"CANARY-BENCH-{i}"})
    for i in range(subnets):
        aws["vpc"]["subnets"].append({"name": f"bench-{i}", "az": "us-east-1c", "cidr": f"10.20.{100 + i}.0/24"})
    ecs = aws["ecs"]
    for i in range(services):
        for revision in (ecs["task_definitions"][0], ecs["task_definitions"][1]):
            ecs["task_definitions"].append({**copy.deepcopy(revision), "family": f"bench-{i}"})
        ecs["services"].append({**copy.deepcopy(ecs["services"][0]), "name": f"bench-{i}", "task_definition": f"bench-{i}"})
    return estate


def timed(env: dict[str, str], repeat: int) -> tuple[float, int, int]:
    config = load_config(CONFIG)
    runs, snapshot = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        snapshot = collect(config, env, now=lambda: datetime.now(timezone.utc))
        runs.append(time.perf_counter() - start)
    assert snapshot is not None
    aws_gaps = sum(1 for g in snapshot.gaps if g.provider == "aws")
    return statistics.median(runs), len(snapshot.resources), aws_gaps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secrets", type=int, default=300)
    parser.add_argument("--subnets", type=int, default=60)
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    with local_estate(scaled(args.secrets, args.subnets, args.services)) as estate:
        print(f"seeded in {time.perf_counter() - start:.1f}s")
        base = {**estate.env, "ATTEST_REDACTION_SALT": "bench"}
        cases = {
            "fault-free": ({}, []),
            "page size 5": ({"ATTEST_AWS_PAGE_SIZE": "5"}, []),
            "30% throttled": ({"AWS_MAX_ATTEMPTS": "12"}, [FaultRule(service=s, kind="throttle", rate=0.3) for s in ("ec2", "kms", "secretsmanager", "ecs")]),
        }
        print("| case | median s | resources | aws gaps | aws calls |")
        print("|---|---|---|---|---|")
        for name, (extra, rules) in cases.items():
            estate.aws_faults.clear()
            estate.aws_faults.set(rules, seed=1)
            seconds, resources, gaps = timed({**base, **extra}, args.repeat)
            calls = sum(estate.aws_faults.calls.values()) // args.repeat
            print(f"| {name} | {seconds:.2f} | {resources} | {gaps} | {calls} |")


if __name__ == "__main__":
    main()
