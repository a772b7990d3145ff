"""Rules whose fault lives in the estate config, not in the estate: real collection, edited config."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from attest.collector.config import load_config
from attest.collector.run import collect
from attest.policies.check import load_check_waivers
from attest.policies.engine import evaluate
from attest.policies.findings import Status
from attest.policies.rule_loader import load_policy_set
from attest.policies.waivers import WAIVERS_FILE

pytestmark = pytest.mark.integration
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.timezone.utc)


def test_an_account_no_signed_baa_lists_fails_baa_coverage(default_estate, local_config_path: Path, tmp_path: Path) -> None:
    text = local_config_path.read_text(encoding="utf-8")
    edited = text.replace('baa: {signed: true, aws_accounts: ["123456789012"]}', 'baa: {signed: false, aws_accounts: ["123456789012"]}')
    assert edited != text, "the local config must hold the AWS BAA this test withdraws"
    path = tmp_path / "attest.yaml"
    path.write_text(edited, encoding="utf-8")
    config = load_config(path)
    with open(os.devnull, "w") as quiet:
        snapshot = collect(config, dict(default_estate.env), now=lambda: NOW, stream=quiet)
    policy = load_policy_set()
    results = evaluate(snapshot, config, policy, load_check_waivers(WAIVERS_FILE, policy, NOW.date()))
    baa = {f.resource_id: f.status for f in results.findings if f.rule_id == "ATL-BAA-001"}
    assert baa == {
        "scope:aws/123456789012": Status.FAIL,
        "scope:atlas/6a7000000000000000000001": Status.PASS,
        "scope:atlas/6a7000000000000000000002": Status.PASS,
    }
