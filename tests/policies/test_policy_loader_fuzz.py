"""Property: whatever a rule file or waivers file holds, loading gives a rule set or a BadInputError."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_fixtures import seeded_doc

from attest.core.errors import BadInputError
from attest.core.yamlfile import parse_yaml
from attest.policies.operators import OPERATORS
from attest.policies.rule_schema import parse_rule
from attest.policies.waivers import load_waivers

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.text(max_size=12),
                    st.sampled_from(["attributes.x", "related.runs[0]", "a[", "0.0.0.0/0", "ATL-PL-001", *OPERATORS]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                      st.dictionaries(st.sampled_from(["path", "op", "value", "value_from", "any", "all", "message"]), inner, max_size=4)),
                      max_leaves=12)
KEYS = st.sampled_from(["id", "title", "severity", "controls", "resource", "where", "required_when", "expect",
                        "rationale", "remediation", "colour"])


GOOD = {
    "id": "ATL-TST-001", "title": "t", "severity": "low", "controls": ["SOC2-CC6.6"], "resource": "atlas.cluster",
    "where": [{"path": "facts.declared", "op": "eq", "value": True}], "required_when": "config.clusters",
    "expect": [{"any": [{"path": "attributes.name", "op": "present"}], "message": "m"}],
    "rationale": "r", "remediation": {"console": ["c"], "terraform": "t"},
}


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.tuples(KEYS, VALUES), min_size=1, max_size=3))
def test_rule_parse_never_crashes(changes: list) -> None:
    raw = {**GOOD, **dict(changes)}
    text = yaml.safe_dump({"rules": [raw]})
    data, loc = parse_yaml(text, "fuzz.yaml")
    try:
        parse_rule(data["rules"][0], loc, ("rules", 0), frozenset({"SOC2-CC6.6"}))
    except BadInputError as exc:
        assert exc.diagnostic().startswith("fuzz.yaml")


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.dictionaries(st.sampled_from(["id", "rule", "resource", "reason", "owner", "issue", "approved_by",
                                                 "expires", "extra"]), VALUES, max_size=9), max_size=3))
def test_waiver_entries_never_crash(tmp_path: Path, entries: list) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(yaml.safe_dump({"waivers": entries}))
    for waiver in load_waivers(path, ["ATL-PL-001"], dt.date(2026, 11, 26)):
        assert waiver.ref.status in ("active", "expiring", "expired", "malformed")


ATTR_KEYS = st.sampled_from(["SubnetIds", "Groups", "Tags", "tags", "KmsKeyId", "IpPermissions", "roles", "scopes",
                             "containerDefinitions", "deployments", "taskDefinition", "cidrBlock", "ipAddress",
                             "regionName", "endpointServiceId", "interfaceEndpointId", "Aliases", "CidrBlockAssociationSet",
                             "name", "username", "State", "processArgs", "clusterArn"])


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(ATTR_KEYS, VALUES), min_size=1, max_size=3))
def test_odd_attribute_shapes_never_crash_the_engine(judge: Any, changes: list) -> None:
    doc = seeded_doc()
    for key, value in changes:
        for resource in doc["resources"]:
            resource["attributes"][key] = value
    results = judge(doc)
    assert len(results.controls) == 6
