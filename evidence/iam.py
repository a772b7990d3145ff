"""The least-privilege IAM policy for attest: the collector's declared read actions plus what export writes.

Read actions come from `collector.aws.permissions` (each reader declares its own), so a new reader
cannot call an action the printed policy lacks without a test noticing. Export needs to list and read
the locker (to chain to the newest bundle), write objects with retention, and sign with KMS.
"""
from __future__ import annotations

from typing import Any

from attest.collector.aws.permissions import ASSUME_ROLE, all_actions
from attest.collector.config import EstateConfig

EXPORT_OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:PutObjectRetention")
EXPORT_BUCKET_ACTIONS = ("s3:ListBucket",)
SIGN_ACTIONS = ("kms:Sign",)


def _s3_resources(locker: str) -> tuple[list[str], list[str]]:
    """(bucket ARNs, object ARNs) for an s3:// locker; wildcards when the locker is not on S3."""
    if not locker.startswith("s3://"):
        return ["*"], ["*"]
    bucket, _, prefix = locker.removeprefix("s3://").partition("/")
    prefix = prefix.strip("/")
    objects = f"arn:aws:s3:::{bucket}/{prefix}/*" if prefix else f"arn:aws:s3:::{bucket}/*"
    return [f"arn:aws:s3:::{bucket}"], [objects]


def _allow(sid: str, actions: tuple[str, ...], resource: str | list[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resource}


def policy_document(config: EstateConfig, locker: str | None = None, *, export: bool = True) -> dict[str, Any]:
    """An IAM policy document (JSON-ready). `export=False` gives the collector's read-only part alone."""
    statements = [_allow("AttestCollectReadOnly", all_actions(), "*")]
    roles = sorted({a.role_arn for a in config.aws_accounts if a.role_arn})
    if roles:
        statements.append(_allow("AttestAssumeCollectorRoles", ASSUME_ROLE, roles))
    if export:
        buckets, objects = _s3_resources(locker or config.evidence.locker)
        statements.append(_allow("AttestLockerList", EXPORT_BUCKET_ACTIONS, buckets))
        statements.append(_allow("AttestLockerWrite", EXPORT_OBJECT_ACTIONS, objects))
        key = config.evidence.kms_key_id
        if key:
            statements.append(_allow("AttestSignBundles", SIGN_ACTIONS, key if key.startswith("arn:") else "*"))
    return {"Version": "2012-10-17", "Statement": statements}


def allowed_actions(document: dict[str, Any]) -> set[str]:
    """Every action a policy document allows (no wildcards are used, so a plain union)."""
    return {action for statement in document["Statement"] for action in statement["Action"]}
