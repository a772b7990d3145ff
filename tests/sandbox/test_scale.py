"""The estate's `scale:` section: checked, expanded into Atlas projects, and written as a config."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from attest.collector.config import load_config
from attest.core.errors import BadInputError
from attest.sandbox.aws_faults import FaultRule
from attest.sandbox.estate import load_estate
from attest.sandbox.scale import atlas_section, scale_of, scaled_config


def _with(scale: Any) -> dict[str, Any]:
    estate = load_estate("default")
    estate["scale"] = scale
    return estate


def test_the_many_accounts_variant_scales_accounts_regions_and_projects() -> None:
    estate = load_estate("many-accounts")
    scale = scale_of(estate)
    assert scale is not None and scale.account_ids == ("100000000001", "100000000002", "100000000003")
    projects = atlas_section(estate)["projects"]
    assert [p["id"] for p in projects[2:]] == list(scale.project_ids)
    assert len({p["name"] for p in projects}) == len(projects)
    assert scale_of(load_estate("default")) is None


def test_the_scaled_config_loads_and_names_each_role(tmp_path: Path) -> None:
    estate = load_estate("many-accounts")
    path = tmp_path / "attest.yaml"
    path.write_text(scaled_config(estate))
    config = load_config(path)
    assert [(a.id, a.regions, a.role_arn) for a in config.aws_accounts][0] == (
        "100000000001", ("us-east-1", "eu-west-1"), "arn:aws:iam::100000000001:role/attest-read"
    )
    assert len(config.atlas_projects) == 3 and config.atlas_org_id == "6a7000000000000000000a00"


@pytest.mark.parametrize(
    "scale",
    [
        [3],
        {"accounts": 3, "regions": []},
        {"accounts": -1, "regions": ["us-east-1"]},
        {"accounts": True, "regions": ["us-east-1"]},
        {"accounts": 1, "regions": ["us-east-1"], "role": ""},
        {"accounts": 1, "regions": ["us-east-1"], "acounts": 2},
    ],
)
def test_a_bad_scale_section_is_bad_input(scale: Any) -> None:
    with pytest.raises(BadInputError) as caught:
        scale_of(_with(scale))
    assert caught.value.diagnostic().startswith("estate scale: scale:")


def test_a_fault_rule_can_single_out_one_account() -> None:
    rule = FaultRule(service="sts", operation="AssumeRole", kind="access_denied", contains="::100000000002:role/")
    assert rule.matches("sts", "AssumeRole", "Action=AssumeRole&RoleArn=arn:aws:iam::100000000002:role/attest-read")
    assert not rule.matches("sts", "AssumeRole", "Action=AssumeRole&RoleArn=arn:aws:iam::100000000001:role/attest-read")
    assert FaultRule(service="sts", kind="throttle").matches("sts", "GetCallerIdentity", "")
