"""Accounts that name a role: the collector assumes it, and a refused AssumeRole is a gap for that account."""
from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

import pytest

from attest.collector.aws.collect import ALL_TYPES
from attest.collector.config import load_config
from attest.collector.run import Progress, collect
from attest.sandbox.aws_faults import FaultRule
from attest.sandbox.local import LocalEstate

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
ROLE = "arn:aws:iam::123456789012:role/attest-read"


@pytest.fixture
def role_config(local_config_path: Path, tmp_path: Path) -> Path:
    text = local_config_path.read_text().replace(
        "      regions: [us-east-1]\n", f"      regions: [us-east-1]\n      role_arn: {ROLE}\n", 1
    )
    path = tmp_path / "attest.yaml"
    path.write_text(text)
    return path


@pytest.mark.integration
def test_the_role_is_assumed_and_is_the_recorded_identity(default_estate: LocalEstate, role_config: Path) -> None:
    snapshot = collect(load_config(role_config), {**default_estate.env, "ATTEST_REDACTION_SALT": "s"}, now=lambda: NOW)
    (caller,) = snapshot.identity.aws_caller_arns
    assert caller.startswith("arn:aws:sts::123456789012:assumed-role/attest-read/attest-collect")
    assert default_estate.aws_faults.calls["sts:AssumeRole"] == 1
    # prefix lists are read only when a group names one; moto keeps no CloudTrail event history
    assert {r.type for r in snapshot.resources if r.provider == "aws"} == set(ALL_TYPES) - {"aws.ec2.prefix_list", "aws.cloudtrail.change_event"}


@pytest.mark.integration
def test_a_refused_role_leaves_every_aws_type_unknown(default_estate: LocalEstate, role_config: Path) -> None:
    default_estate.aws_faults.set([FaultRule(service="sts", operation="AssumeRole", kind="access_denied")])
    env = {**default_estate.env, "ATTEST_REDACTION_SALT": "s", "AWS_MAX_ATTEMPTS": "1"}
    snapshot = collect(load_config(role_config), env, now=lambda: NOW)
    (gap,) = [g for g in snapshot.gaps if g.provider == "aws" and g.operation != "cloudtrail:LookupEvents"]
    assert (gap.operation, gap.reason, gap.resource_types) == ("sts:AssumeRole", "access_denied", ALL_TYPES)
    assert not [r for r in snapshot.resources if r.provider == "aws"]
    assert [op for op in default_estate.aws_faults.calls if not op.startswith("sts:")] == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_only_on_a_terminal() -> None:
    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        progress = Progress(stream)
        progress.add(2)
        progress.tick("aws 123456789012 us-east-1 ec2")
        progress.finish()
    assert "collecting 1/2 aws 123456789012 us-east-1 ec2" in terminal.getvalue()
    assert pipe.getvalue() == ""
