"""Issue 19 point 3: VPC endpoints pair with their privatelink entry by identity, not only by Name tag."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import northwind  # noqa: E402

from attest.collector.config import load_config
from attest.collector.snapshot import snapshot_from_dict
from attest.core.errors import BadInputError
from attest.policies.engine import evaluate
from attest.policies.findings import Results, Status
from attest.policies.rule_loader import load_policy_set

PAIRED_RULES = ("ATL-PL-003", "ATL-PL-004", "ATL-PL-005", "ATL-NET-001", "ATL-PL-002", "ATL-CM-001")


def _judge(tmp_path: Path, config_text: str = northwind.CONFIG, doc: dict[str, Any] | None = None) -> Results:
    config = load_config(northwind.write_config(tmp_path, config_text))
    return evaluate(snapshot_from_dict(doc or northwind.snapshot_doc(), "northwind"), config, load_policy_set(), ())


def _statuses(results: Results, rule_id: str) -> set[Status]:
    return {f.status for f in results.findings if f.rule_id == rule_id}


def _endpoint(doc: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in doc["resources"] if r["type"] == "aws.ec2.vpc_endpoint")


def test_an_untagged_endpoint_named_by_id_pairs(tmp_path: Path) -> None:
    results = _judge(tmp_path)
    for rule_id in PAIRED_RULES:
        assert _statuses(results, rule_id) == {Status.PASS}, rule_id
    declared = [f for f in results.findings if f.rule_id == "ATL-CM-005" and "vpc_endpoint" in (f.resource_id or "")]
    assert len(declared) == 1 and declared[0].status is Status.PASS  # aws.vpc_endpoints and privatelink name one thing
    assert "config/attest.yaml#/aws/vpc_endpoints/0" in (declared[0].evidence, *declared[0].cites)


def test_an_entry_that_names_no_endpoint_pairs_the_one_atlas_registered(tmp_path: Path) -> None:
    text = northwind.CONFIG.replace(f"    vpc_endpoint_id: {northwind.VPCE}\n", "").replace(f"  vpc_endpoints: [{northwind.VPCE}]\n", "")
    assert "vpc_endpoint_id" not in text
    results = _judge(tmp_path, text)
    for rule_id in PAIRED_RULES:
        assert _statuses(results, rule_id) == {Status.PASS}, rule_id


def test_a_name_tag_that_matches_nothing_falls_back_to_the_atlas_registration(tmp_path: Path) -> None:
    """The defect as reported: the config names the endpoint by a Name tag the endpoint does not carry."""
    text = northwind.CONFIG.replace(f"vpc_endpoint_id: {northwind.VPCE}", "vpc_endpoint_name: catalog-link")
    results = _judge(tmp_path, text)
    for rule_id in PAIRED_RULES:
        assert _statuses(results, rule_id) == {Status.PASS}, rule_id


def test_an_unregistered_unnamed_endpoint_says_what_was_collected(tmp_path: Path) -> None:
    doc = northwind.snapshot_doc()
    doc["resources"] = [r for r in doc["resources"] if r["type"] != "atlas.interface_endpoint"]
    text = northwind.CONFIG.replace(f"vpc_endpoint_id: {northwind.VPCE}", "vpc_endpoint_name: catalog-link")
    results = _judge(tmp_path, text, doc)
    errors = [f for f in results.findings if f.rule_id == "ATL-PL-003"]
    assert [f.status for f in errors] == [Status.ERROR]
    message = errors[0].message
    assert "privatelink 'clinic-to-catalog' pairs no VPC endpoint" in message
    assert f"{northwind.VPCE} (no Name tag)" in message and "has registered no interface endpoint" in message
    assert "config/attest.yaml#/privatelink" in errors[0].cites


def test_one_missing_endpoint_is_one_finding(tmp_path: Path) -> None:
    doc = northwind.snapshot_doc()
    doc["resources"] = [r for r in doc["resources"] if r["type"] != "aws.ec2.vpc_endpoint"]
    results = _judge(tmp_path, doc=doc)
    missing = [f for f in results.findings if f.rule_id == "ATL-CM-005" and f.status is Status.FAIL]
    assert len(missing) == 1 and "vpc_endpoint" in (missing[0].resource_id or "")
    assert {"config/attest.yaml#/privatelink/0", "config/attest.yaml#/aws/vpc_endpoints/0"} <= {missing[0].evidence, *missing[0].cites}
    assert _statuses(results, "ATL-CM-001") == set()  # no endpoint, so nothing undeclared


def test_an_endpoint_listed_by_id_is_declared_without_a_privatelink(tmp_path: Path) -> None:
    doc = northwind.snapshot_doc()
    extra = dict(_endpoint(doc), id="arn:aws:ec2:eu-west-2:555566667777:vpc-endpoint/vpce-0aaaabbbbccccdddd")
    extra["attributes"] = dict(extra["attributes"], VpcEndpointId="vpce-0aaaabbbbccccdddd", ServiceName="com.amazonaws.eu-west-2.s3")
    doc["resources"].append(extra)
    results = _judge(tmp_path, doc=doc)
    verdicts = {f.resource_id: f.status for f in results.findings if f.rule_id == "ATL-CM-001"}
    assert verdicts[extra["id"]] is Status.FAIL  # neither listed nor paired
    text = northwind.CONFIG.replace(f"vpc_endpoints: [{northwind.VPCE}]", f"vpc_endpoints: [{northwind.VPCE}, vpce-0aaaabbbbccccdddd]")
    verdicts = {f.resource_id: f.status for f in _judge(tmp_path, text, doc).findings if f.rule_id == "ATL-CM-001"}
    assert verdicts[extra["id"]] is Status.PASS


def test_a_malformed_endpoint_id_is_refused_with_its_place(tmp_path: Path) -> None:
    text = northwind.CONFIG.replace(f"vpc_endpoint_id: {northwind.VPCE}", "vpc_endpoint_id: vpc-0f1e2d3c")
    with pytest.raises(BadInputError) as caught:
        load_config(northwind.write_config(tmp_path, text))
    assert "vpc_endpoint_id" in caught.value.diagnostic() and "northwind.yaml:" in caught.value.diagnostic()
