"""Fixtures for the policy tests: the shipped policy set, the local estate config, and `judge`."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pytest
from policy_fixtures import LOCAL_CONFIG

from attest.collector.config import EstateConfig, load_config
from attest.collector.snapshot import snapshot_from_dict
from attest.policies.engine import evaluate
from attest.policies.findings import Results
from attest.policies.rule_loader import PolicySet, load_policy_set
from attest.policies.waivers import WAIVERS_FILE, load_waivers


@pytest.fixture(scope="session")
def policy() -> PolicySet:
    return load_policy_set()


@pytest.fixture(scope="session")
def local_config() -> EstateConfig:
    return load_config(LOCAL_CONFIG)


@pytest.fixture
def judge(policy: PolicySet, local_config: EstateConfig) -> Callable[..., Results]:
    """Evaluate a snapshot document with the shipped policies and waivers (today: fixed)."""

    def run(doc: dict[str, Any], today: dt.date = dt.date(2026, 11, 26)) -> Results:
        snapshot = snapshot_from_dict(doc, "fixture")
        waivers = load_waivers(WAIVERS_FILE, [r.id for r in policy.rules], today)
        return evaluate(snapshot, local_config, policy, waivers, today=today)

    return run
