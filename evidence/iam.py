"""Least-privilege IAM policies for attest, one per role: `collect`, `export`, `verify`.

- collect: the collector's declared read actions (each reader declares its own in
  `collector.aws.permissions`), with the describe/read actions that IAM can scope to a resource named
  by ARN for the configured accounts and regions; list actions that IAM only grants on `*` stay `*`.
- export: collect, plus the locker (list under its prefix, read, write with retention) and kms:Sign.
- verify: the locker read-only (list, list versions, read) and kms:GetPublicKey.
No S3 action is ever granted on `*`: S3 statements exist only for an `s3://` locker and name its
bucket and prefix (ListBucket and ListBucketVersions carry an `s3:prefix` condition). A local locker
gets no S3 statement at all.
"""
from __future__ import annotations

from typing import Any

from attest.collector.aws.permissions import ASSUME_ROLE, all_actions
from attest.collector.config import EstateConfig

ROLES = ("collect", "export", "verify")
EXPORT_OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:PutObjectRetention")
VERIFY_OBJECT_ACTIONS = ("s3:GetObject",)
EXPORT_BUCKET_ACTIONS = ("s3:ListBucket",)
VERIFY_BUCKET_ACTIONS = ("s3:ListBucket", "s3:ListBucketVersions")
SIGN_ACTIONS = ("kms:Sign",)
PUBLIC_KEY_ACTIONS = ("kms:GetPublicKey",)

# Read actions IAM scopes to a resource: action -> ARN patterns ({region}, {account} filled per account).
SCOPED_READS: dict[str, tuple[str, ...]] = {
    "kms:DescribeKey": ("arn:aws:kms:{region}:{account}:key/*",),
    "kms:GetKeyRotationStatus": ("arn:aws:kms:{region}:{account}:key/*",),
    "ecs:DescribeClusters": ("arn:aws:ecs:{region}:{account}:cluster/*",),
    "ecs:ListServices": ("arn:aws:ecs:{region}:{account}:cluster/*",),
    "ecs:DescribeServices": ("arn:aws:ecs:{region}:{account}:service/*",),
    "ecs:ListTagsForResource": (
        "arn:aws:ecs:{region}:{account}:cluster/*",
        "arn:aws:ecs:{region}:{account}:service/*",
        "arn:aws:ecs:{region}:{account}:task-definition/*",
    ),
}


def _allow(sid: str, actions: tuple[str, ...] | list[str], resource: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resource, **extra}


def _locker(location: str) -> tuple[str, str] | None:
    """(bucket, prefix) of an s3:// locker; None for a local directory."""
    if not location.startswith("s3://"):
        return None
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    return bucket, prefix.strip("/")


def _collect(config: EstateConfig) -> list[dict[str, Any]]:
    scoped = {a for a in SCOPED_READS if a in all_actions()}
    statements = [_allow("AttestCollectList", [a for a in all_actions() if a not in scoped], "*")]
    places = sorted({(region, account.id) for account in config.aws_accounts for region in account.regions})
    by_service: dict[str, dict[str, list[str]]] = {}
    for action in sorted(scoped):
        arns = sorted({p.format(region=r, account=a) for p in SCOPED_READS[action] for r, a in places})
        by_service.setdefault(action.split(":")[0], {})[action] = arns
    for service, actions in sorted(by_service.items()):
        resources = sorted({arn for arns in actions.values() for arn in arns})
        if resources:
            statements.append(_allow(f"AttestCollectRead{service.upper()}", list(actions), resources))
    roles = sorted({a.role_arn for a in config.aws_accounts if a.role_arn})
    if roles:
        statements.append(_allow("AttestAssumeCollectorRoles", ASSUME_ROLE, roles))
    return statements


def _s3(location: str, bucket_actions: tuple[str, ...], object_actions: tuple[str, ...], sid: str) -> list[dict[str, Any]]:
    found = _locker(location)
    if found is None:
        return []
    bucket, prefix = found
    objects = f"arn:aws:s3:::{bucket}/{prefix}/*" if prefix else f"arn:aws:s3:::{bucket}/*"
    listing = _allow(f"{sid}List", bucket_actions, f"arn:aws:s3:::{bucket}")
    if prefix:
        listing["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}/", f"{prefix}/*"]}}
    return [listing, _allow(f"{sid}Objects", object_actions, objects)]


def _key(config: EstateConfig, actions: tuple[str, ...], sid: str) -> list[dict[str, Any]]:
    key = config.evidence.kms_key_id
    if not key:
        return []
    if not key.startswith("arn:"):
        regions = sorted({r for a in config.aws_accounts for r in a.regions}) or ["*"]
        accounts = sorted({a.id for a in config.aws_accounts}) or ["*"]
        resource: str | list[str] = [f"arn:aws:kms:{r}:{a}:{_key_path(key)}" for r in regions for a in accounts]
    else:
        resource = key
    return [_allow(sid, actions, resource)]


def _key_path(key: str) -> str:
    """A bare key id or alias as the resource part of a KMS ARN."""
    return key if key.startswith("alias/") else f"key/{key}"


def policy_document(config: EstateConfig, locker: str | None = None, *, role: str = "export") -> dict[str, Any]:
    """The IAM policy document (JSON-ready) for one role."""
    location = locker or config.evidence.locker
    if role == "collect":
        statements = _collect(config)
    elif role == "export":
        statements = [
            *_collect(config),
            *_s3(location, EXPORT_BUCKET_ACTIONS, EXPORT_OBJECT_ACTIONS, "AttestLocker"),
            *_key(config, SIGN_ACTIONS, "AttestSignBundles"),
        ]
    elif role == "verify":
        statements = [
            *_s3(location, VERIFY_BUCKET_ACTIONS, VERIFY_OBJECT_ACTIONS, "AttestLockerRead"),
            *_key(config, PUBLIC_KEY_ACTIONS, "AttestSigningPublicKey"),
        ]
    else:
        raise ValueError(f"unknown role {role!r}")
    return {"Version": "2012-10-17", "Statement": statements}


def allowed_actions(document: dict[str, Any]) -> set[str]:
    """Every action a policy document allows (no wildcards are used, so a plain union)."""
    return {action for statement in document["Statement"] for action in statement["Action"]}
