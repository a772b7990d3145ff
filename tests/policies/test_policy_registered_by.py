"""ATL-CM-004 on who registered the revision in service, as ECS names it: a role session's ARN.

DescribeTaskDefinition's `registeredBy` for a revision registered by an assumed role is the session's
ARN, `arn:aws:sts::<account>:assumed-role/<role>/<session>` (the AWS CLI's own example output, in
aws/aws-cli awscli/examples/ecs/describe-task-definition.rst), while `aws.deploy_principals` names
roles. The graph's `registered_by` fact takes a session to its role; a role with a path is matched by
account and name, which IAM keeps unique in an account whatever the path.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

import pytest
from policy_fixtures import ACCOUNT, seeded_doc

from attest.collector.config import EstateConfig
from attest.collector.snapshot import snapshot_from_dict
from attest.policies.engine import evaluate
from attest.policies.findings import Results, Status
from attest.policies.graph import build_graph
from attest.policies.rule_loader import PolicySet

PIPELINE_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/github-actions-deploy/gha-run-4711"


def _registered_by(doc: dict[str, Any], principal: Any) -> dict[str, Any]:
    """The seeded service's running revision (the hand-made :2), now registered by `principal`, untagged."""
    task = next(r for r in doc["resources"] if r["type"] == "aws.ecs.task_definition" and r["id"].endswith(":2"))
    task["attributes"].update(registeredBy=principal, tags=[])
    return task


def _cm004(results: Results) -> list[tuple[Status, str]]:
    return [(f.status, f.message) for f in results.findings if f.rule_id == "ATL-CM-004"]


def test_a_revision_registered_in_a_session_of_the_deploy_role_is_provenance(
        judge: Callable[..., Results], local_config: EstateConfig) -> None:
    doc = seeded_doc()
    task = _registered_by(doc, PIPELINE_SESSION)
    assert _cm004(judge(doc)) == [(Status.PASS, "satisfied")]
    graph = build_graph(snapshot_from_dict(doc, "fixture"), local_config)
    assert graph.nodes[task["id"]]["facts"]["registered_by"] == f"arn:aws:iam::{ACCOUNT}:role/github-actions-deploy"
    assert graph.nodes[task["id"]]["attributes"]["registeredBy"] == PIPELINE_SESSION  # the evidence stays as ECS said


@pytest.mark.parametrize("principal", [
    f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_AdministratorAccess_5c2e1a9b3d7f4e60/oncall@example.com",
    "arn:aws:sts::210987654321:assumed-role/github-actions-deploy/gha-run-4711",  # the same name in another account
    f"arn:aws:sts::{ACCOUNT}:assumed-role/github-actions-deploy",  # no session: not a session ARN
    f"arn:aws:sts::{ACCOUNT}:federated-user/github-actions-deploy",
    f"arn:aws:iam::{ACCOUNT}:user/jdoe",
])
def test_any_other_registration_fails(judge: Callable[..., Results], principal: str) -> None:
    doc = seeded_doc()
    _registered_by(doc, principal)
    [(status, message)] = _cm004(judge(doc))
    assert status is Status.FAIL and "registeredBy is not a deploy principal" in message


@pytest.mark.parametrize(("configured", "status"), [
    (f"arn:aws:iam::{ACCOUNT}:role/pipelines/github-actions-deploy", Status.PASS),  # the role, declared with its path
    (f"arn:aws:iam::{ACCOUNT}:role/pipelines/other-deploy", Status.FAIL),
    (PIPELINE_SESSION, Status.PASS),  # the session itself, declared (a fixed session name)
])
def test_a_declared_role_with_a_path_is_matched_by_account_and_name(
        policy: PolicySet, local_config: EstateConfig, configured: str, status: Status) -> None:
    """The session ARN drops the role's path; IAM role names are unique in an account whatever the
    path, so the declared role of that account and name is the one."""
    doc = seeded_doc()
    _registered_by(doc, PIPELINE_SESSION)
    config = replace(local_config, deploy_principals=(configured,))
    results = evaluate(snapshot_from_dict(doc, "fixture"), config, policy, ())
    assert [s for s, _ in _cm004(results)] == [status]
