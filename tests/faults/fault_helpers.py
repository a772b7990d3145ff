"""Collect the local estate for real and check it, with the same settings in every fault test."""
from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from attest.collector.config import EstateConfig, load_config
from attest.collector.run import collect
from attest.collector.snapshot import Snapshot
from attest.policies.engine import evaluate
from attest.policies.findings import Results, Status
from attest.policies.rule_loader import load_policy_set
from attest.policies.waivers import WAIVERS_FILE, load_waivers
from attest.sandbox.local import LocalEstate

LOCAL_CONFIG = Path(__file__).resolve().parents[2] / "sandbox" / "attest.local.yaml"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
AWS_SERVICES = ("ec2", "kms", "secretsmanager", "ecs", "sts")
# Two attempts keep the failing cases quick; the throttling tests raise it themselves.
BASE_ENV = {"ATTEST_REDACTION_SALT": "fault-suite", "AWS_MAX_ATTEMPTS": "2"}


def config() -> EstateConfig:
    return load_config(LOCAL_CONFIG)


def collect_estate(estate: LocalEstate, **extra: str) -> Snapshot:
    env = {**estate.env, **BASE_ENV, **extra}
    return collect(config(), env, now=lambda: NOW, stream=io.StringIO())


def check(snapshot: Snapshot) -> Results:
    policy = load_policy_set()
    waivers = load_waivers(WAIVERS_FILE, [r.id for r in policy.rules], NOW.date())
    return evaluate(snapshot, config(), policy, waivers)


def resources_json(snapshot: Snapshot) -> str:
    return json.dumps([r.to_dict() for r in snapshot.resources], sort_keys=True)


def findings_json(results: Results) -> str:
    return json.dumps([f.to_dict() for f in results.findings], sort_keys=True)


def gaps(snapshot: Snapshot) -> list[dict[str, Any]]:
    return [g.to_dict() for g in snapshot.gaps]


def not_passing(results: Results) -> dict[tuple[str, str], str]:
    """(rule, resource) -> status of every finding that neither passes nor is the waived laptop entry."""
    return {
        (f.rule_id, f.resource_id or ""): f.status.value
        for f in results.findings
        if f.status not in (Status.PASS, Status.WAIVED)
    }
