"""Time `render_all` on a synthetic estate of N resources, each with a finding on every control.

    .venv/bin/python bench/reports/run.py --resources 2000 --repeat 3
"""
from __future__ import annotations

import argparse
import hashlib
import time
from datetime import datetime, timezone

from attest.collector.config import parse_config
from attest.collector.snapshot import Identity, Resource, Snapshot
from attest.core.yamlfile import parse_yaml
from attest.policies.findings import ControlResult, Finding, Mapping, Results, Status, WaiverRef, rollup
from attest.reports.model import build_model
from attest.reports.render import FORMATS, render, render_all

CONTROLS = (("SOC2-CC6.6", "SOC 2"), ("SOC2-CC6.7", "SOC 2"), ("SOC2-CC8.1", "SOC 2"), ("HIPAA-164.312(e)(1)", "HIPAA"))
STATUSES = (Status.PASS,) * 7 + (Status.FAIL, Status.ERROR, Status.WAIVED)
CONFIG = 'version: 1\nvendors:\n  - {name: AWS, baa: {signed: true, aws_accounts: ["123456789012"]}}\n'


def estate(count: int) -> tuple[Results, Snapshot]:
    resources = [
        Resource(f"arn:aws:ec2:us-east-1:123456789012:security-group/sg-{i:06d}", "aws.ec2.security_group", "aws",
                 "123456789012", "us-east-1", ("ec2:DescribeSecurityGroups",), {"GroupId": f"sg-{i:06d}"})
        for i in range(count)
    ]
    snapshot = Snapshot.build(collected_at=datetime(2026, 11, 26, tzinfo=timezone.utc), collector_version="bench",
                              identity=Identity(), scope={}, resources=resources, gaps=[])
    waiver = WaiverRef("w-1", "bench", "owner", "ISSUE-1", "approver", "2026-12-10")
    findings = [
        Finding(f"RULE-{i % 40:03d}", "bench rule", STATUSES[i % len(STATUSES)], "high", (CONTROLS[i % 4][0],), r.id,
                f"/resources/{i}", "bench message", waiver=waiver if STATUSES[i % len(STATUSES)] is Status.WAIVED else None)
        for i, r in enumerate(snapshot.resources)
    ]
    controls = tuple(
        ControlResult(cid, fw, cid, "summary", "narrative", rollup(f.status for f in findings if cid in f.controls),
                      tuple(Mapping(f"RULE-{j:03d}", "reason") for j in range(40) if j % 4 == k))
        for k, (cid, fw) in enumerate(CONTROLS)
    )
    digest = "sha256:" + hashlib.sha256(snapshot.to_json().encode()).hexdigest()
    return Results(snapshot.to_dict()["collected_at"], digest, "sha256:bench", controls, tuple(findings), (waiver,)), snapshot


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results, snapshot = estate(args.resources)
    data, locator = parse_yaml(CONFIG, "attest.yaml")
    config = parse_config(data, locator, "sha256:bench")
    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        files = render_all(results, snapshot, config, bundle=None)
        timings.append(time.perf_counter() - start)
    size = sum(len(str(v).encode()) for v in files.values())
    print(f"render_all, {args.resources} findings: best {min(timings):.2f}s of {args.repeat}; {size / 1e6:.1f} MB in {len(files)} files")
    model = build_model(results, snapshot, None)
    for fmt in FORMATS:
        start = time.perf_counter()
        out = render(model, config, (fmt,))
        print(f"  {fmt:8s} {time.perf_counter() - start:6.2f}s {sum(len(str(v).encode()) for v in out.values()) / 1e6:6.1f} MB")


if __name__ == "__main__":
    main()
