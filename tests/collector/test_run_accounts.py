"""Many accounts through assumed roles, many regions and Atlas projects: the `many-accounts` estate,
read over real HTTP (boto3 to moto behind the fault proxy, requests to the Atlas emulator)."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest

from attest.collector.aws.collect import ALL_TYPES
from attest.collector.config import load_config
from attest.core.errors import BadInputError
from attest.collector.run import Bounds, collect
from attest.collector.snapshot import Snapshot
from attest.sandbox.aws_faults import FaultRule
from attest.sandbox.estate import load_estate
from attest.sandbox.local import LocalEstate, local_estate
from attest.sandbox.scale import scale_of, scaled_config

pytestmark = pytest.mark.integration
NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
ESTATE = load_estate("many-accounts")
SCALE = scale_of(ESTATE)


@pytest.fixture(scope="module")
def estate() -> Iterator[LocalEstate]:
    with local_estate(ESTATE) as running:
        yield running


@pytest.fixture
def clean(estate: LocalEstate) -> Iterator[LocalEstate]:
    estate.aws_faults.clear()
    estate.atlas.faults.clear()
    estate.atlas.app.max_in_flight = 0
    yield estate
    estate.aws_faults.clear()
    estate.atlas.faults.clear()


@pytest.fixture(scope="module")
def config_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scale") / "attest.yaml"
    path.write_text(scaled_config(ESTATE))
    return path


def _collect(estate: LocalEstate, config: Path, **extra: str) -> Snapshot:
    env = {**estate.env, "ATTEST_REDACTION_SALT": "s", "AWS_MAX_ATTEMPTS": "1", **extra}
    return collect(load_config(config), env, now=lambda: NOW)


def test_every_account_and_region_is_read_through_its_own_role(clean: LocalEstate, config_path: Path) -> None:
    assert SCALE is not None
    snapshot = _collect(clean, config_path)
    places = {(r.scope, r.region) for r in snapshot.resources if r.provider == "aws"}
    assert places == {(a, region) for a in SCALE.account_ids for region in SCALE.regions}
    for account in SCALE.account_ids:
        types = {r.type for r in snapshot.resources if r.scope == account}
        # prefix lists are read only when a group names one; moto keeps no CloudTrail event history
        assert types == set(ALL_TYPES) - {"aws.ec2.prefix_list", "aws.cloudtrail.change_event"}, account
    assert all(f":{r.scope}:" in r.id for r in snapshot.resources if r.provider == "aws" and r.type != "aws.ec2.subnet")
    assert snapshot.identity.aws_caller_arns == tuple(
        f"arn:aws:sts::{a}:assumed-role/{SCALE.role}/attest-collect" for a in SCALE.account_ids
    )
    assert clean.aws_faults.calls["sts:AssumeRole"] == SCALE.accounts
    assert {r.scope for r in snapshot.resources if r.provider == "atlas" and r.type != "atlas.org_settings"} == set(SCALE.project_ids)
    assert not [g for g in snapshot.gaps if g.provider == "aws" and g.operation != "cloudtrail:LookupEvents"]


def test_a_refused_role_in_one_account_loses_only_that_account(clean: LocalEstate, config_path: Path) -> None:
    assert SCALE is not None
    refused, *others = SCALE.account_ids
    clean.aws_faults.set([FaultRule(service="sts", operation="AssumeRole", kind="access_denied", contains=f"::{refused}:role/")])
    snapshot = _collect(clean, config_path)
    gaps = [(g.scope, g.region, g.operation, g.reason, g.resource_types) for g in snapshot.gaps
            if g.provider == "aws" and g.operation != "cloudtrail:LookupEvents"]
    regional = tuple(t for t in ALL_TYPES if t != "aws.cloudfront.distribution")  # global: read in us-east-1 only
    assert gaps == [(refused, region, "sts:AssumeRole", "access_denied", ALL_TYPES if region == "us-east-1" else regional)
                    for region in sorted(SCALE.regions)]
    assert not [r for r in snapshot.resources if r.scope == refused]
    read = Counter(r.scope for r in snapshot.resources if r.provider == "aws")
    assert set(read) == set(others)
    assert {r.scope for r in snapshot.resources if r.provider == "atlas" and r.type != "atlas.org_settings"} == set(SCALE.project_ids)


def test_the_bounds_cap_calls_in_flight_and_lose_nothing(clean: LocalEstate, config_path: Path) -> None:
    assert SCALE is not None
    free = _collect(clean, config_path)
    clean.aws_faults.clear()
    clean.aws_faults.set([FaultRule(service=s, kind="delay", delay_seconds=0.02) for s in ("sts", "ec2", "kms", "secretsmanager", "ecs")])
    clean.atlas.faults.delay(0.02)
    clean.atlas.app.max_in_flight = 0
    bounded = _collect(clean, config_path, ATTEST_MAX_PER_ACCOUNT="1", ATTEST_ATLAS_MAX_CONCURRENCY="2")
    assert clean.aws_faults.max_in_flight <= SCALE.accounts
    assert clean.atlas.app.max_in_flight <= 2
    assert bounded.to_json() == free.to_json()


def test_the_per_service_bound_holds_per_region_of_one_account(clean: LocalEstate, config_path: Path, tmp_path: Path) -> None:
    """Two regions of one account, one call per service and region at a time (AWS limits per account,
    region and API): no service sees more calls at once than there are regions."""
    assert SCALE is not None
    one = tmp_path / "one-account.yaml"
    text = config_path.read_text()
    one.write_text(text[: text.index("  - id: '100000000002'")] + text[text.index("atlas:"):])
    clean.aws_faults.set([FaultRule(service=s, kind="delay", delay_seconds=0.02) for s in ("ec2", "kms", "secretsmanager", "ecs")])
    snapshot = _collect(clean, one, ATTEST_MAX_PER_SERVICE="1")
    assert {r.region for r in snapshot.resources if r.provider == "aws"} == set(SCALE.regions if SCALE else ())
    assert all(1 <= clean.aws_faults.max_in_flight_by[s] <= len(SCALE.regions) for s in ("ec2", "kms", "secretsmanager", "ecs"))


def test_the_ecs_reader_overlaps_its_independent_calls_within_the_bounds(clean: LocalEstate, config_path: Path, tmp_path: Path) -> None:
    """One account and region: DescribeClusters does not wait for ListServices (or the reverse),
    and the same read one call at a time (ATTEST_MAX_PER_SERVICE=1) gives the same snapshot."""
    assert SCALE is not None
    one = tmp_path / "one-region.yaml"
    text = config_path.read_text()
    text = text[: text.index("  - id: '100000000002'")] + text[text.index("atlas:"):]
    one.write_text(text.replace("".join(f"    - {r}\n" for r in SCALE.regions), f"    - {SCALE.regions[0]}\n", 1))
    assert len(load_config(one).aws_accounts[0].regions) == 1
    clean.aws_faults.set([FaultRule(service="ecs", kind="delay", delay_seconds=0.1)])
    together = _collect(clean, one)
    assert clean.aws_faults.max_in_flight_by["ecs"] == 2
    clean.aws_faults.clear()
    clean.aws_faults.set([FaultRule(service="ecs", kind="delay", delay_seconds=0.02)])
    one_at_a_time = _collect(clean, one, ATTEST_MAX_PER_SERVICE="1")
    assert clean.aws_faults.max_in_flight_by["ecs"] == 1
    assert one_at_a_time.to_json() == together.to_json()


def test_atlas_429s_wait_out_retry_after_and_lose_nothing(clean: LocalEstate, config_path: Path) -> None:
    free = _collect(clean, config_path)
    clean.atlas.faults.throttle(None, share=0.3, retry_after=0, seed=3)
    throttled = _collect(clean, config_path)
    assert throttled.to_json() == free.to_json()


def test_a_bound_that_is_not_a_whole_number_is_bad_input() -> None:
    assert Bounds.from_env({"ATTEST_MAX_WORKERS": "64"}).workers == 64
    for raw in ("0", "-2", "many", "1.5"):
        with pytest.raises(BadInputError) as caught:
            Bounds.from_env({"ATTEST_MAX_PER_ACCOUNT": raw})
        assert caught.value.diagnostic().startswith("environment variable ATTEST_MAX_PER_ACCOUNT: must be a whole number")
