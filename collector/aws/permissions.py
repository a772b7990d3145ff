"""The IAM actions each AWS reader needs, in one place, for `attest iam-policy` and the docs."""
from __future__ import annotations

from typing import Mapping

from attest.collector.aws import acm, awsconfig, cloudfront, cloudtrail, ec2, ecs, elbv2, identity, kms, secrets

PERMISSIONS: Mapping[str, tuple[str, ...]] = {
    "acm": acm.ACTIONS,
    "cloudfront": cloudfront.ACTIONS,
    "cloudtrail": cloudtrail.ACTIONS,
    "config": awsconfig.ACTIONS,
    "ec2": ec2.ACTIONS,
    "ecs": ecs.ACTIONS,
    "elbv2": elbv2.ACTIONS,
    "kms": kms.ACTIONS,
    "secretsmanager": secrets.ACTIONS,
    "sts": identity.ACTIONS,
}
# Needed by the collector's own principal only when an account names a role_arn to assume.
ASSUME_ROLE: tuple[str, ...] = identity.ASSUME_ROLE_ACTIONS


def all_actions() -> tuple[str, ...]:
    """Every action a role in a collected account needs, sorted and without repeats."""
    return tuple(sorted({action for actions in PERMISSIONS.values() for action in actions}))
