"""ATL-BAA-001: every account and project the evidence shows is under a signed BAA."""
from __future__ import annotations

import copy
from dataclasses import replace

from policy_fixtures import find, seeded_doc

from attest.collector.snapshot import snapshot_from_dict
from attest.policies.baa import baa_coverage
from attest.policies.engine import evaluate
from attest.policies.findings import Status


def baa(results) -> dict[str, tuple[Status, str]]:
    return {f.resource_id: (f.status, f.evidence) for f in results.findings if f.rule_id == "ATL-BAA-001"}


def test_seeded_scopes_are_all_covered(judge) -> None:
    statuses = baa(judge(seeded_doc()))
    assert set(statuses) == {"scope:aws/123456789012", "scope:atlas/6a7000000000000000000001", "scope:atlas/6a7000000000000000000002"}
    assert {s for s, _ in statuses.values()} == {Status.PASS}


def test_an_unsigned_baa_covers_nothing(policy, local_config) -> None:
    unsigned = replace(local_config, vendors=tuple(replace(v, baa_signed=False) if v.name == "Amazon Web Services" else v
                                                   for v in local_config.vendors))
    assert ("aws", "123456789012") not in baa_coverage(unsigned)
    doc = seeded_doc()
    results = evaluate(snapshot_from_dict(doc, "fixture"), unsigned, policy, ())
    finding = next(f for f in results.findings if f.rule_id == "ATL-BAA-001" and f.resource_id == "scope:aws/123456789012")
    assert finding.status is Status.FAIL
    assert finding.evidence == "config/attest.yaml#/vendors/1/baa/aws_accounts/0"  # the listing that does not cover it
    assert "config/attest.yaml#/vendors/1/baa/signed" in finding.cites
    index = int(finding.cites[-1].split("/")[2])
    assert doc["resources"][index]["scope"] == "123456789012"


def test_a_project_seen_but_not_listed_fails(judge) -> None:
    doc = seeded_doc()
    shadow = copy.deepcopy(find(doc, "atlas.project", "/project/reference"))
    shadow.update(id="atlas:6a7000000000000000000009/project/shadow", scope="6a7000000000000000000009")
    doc["resources"].append(shadow)
    doc["resources"].sort(key=lambda r: (r["id"], r["type"]))
    status, _ = baa(judge(doc))["scope:atlas/6a7000000000000000000009"]
    assert status is Status.FAIL


def test_a_vendor_declared_for_public_data_does_not_cover_the_phi_project(policy, local_config) -> None:
    public_only = replace(local_config, vendors=tuple(replace(v, data_classes=("public",)) if v.name == "MongoDB Atlas" else v
                                                      for v in local_config.vendors))
    results = evaluate(snapshot_from_dict(seeded_doc(), "fixture"), public_only, policy, ())
    statuses = {rid: status for rid, (status, _) in baa(results).items()}
    assert statuses["scope:atlas/6a7000000000000000000001"] is Status.FAIL  # the PHI project
    assert statuses["scope:atlas/6a7000000000000000000002"] is Status.PASS  # reference data is public
    failing = next(f for f in results.findings if f.resource_id == "scope:atlas/6a7000000000000000000001" and f.rule_id == "ATL-BAA-001")
    assert "config/attest.yaml#/vendors/0/data_classes" in failing.cites


def test_an_account_whose_secrets_say_nothing_is_presumed_to_hold_phi(local_config) -> None:
    public_only = replace(local_config, vendors=tuple(replace(v, data_classes=("public",)) for v in local_config.vendors))
    assert ("aws", "123456789012") not in baa_coverage(public_only)  # no resources seen: presumed phi
