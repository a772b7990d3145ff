"""KMS keys with their rotation status and alias names (what encrypts the connection-string secrets)."""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from attest.collector.aws.reading import Reading, need

ACTIONS = ("kms:ListKeys", "kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:ListAliases")
RESOURCE_TYPES = ("aws.kms.key",)
SOURCE = ("kms:ListKeys", "kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:ListAliases")
_NO_ROTATION = {"UnsupportedOperationException"}


def read(r: Reading) -> None:
    kms = r.client("kms")
    keys = r.attempt("kms:ListKeys", RESOURCE_TYPES, lambda: r.paginate(kms, "list_keys", "Keys", "kms:ListKeys"))
    if keys is None:
        return
    aliases = r.attempt("kms:ListAliases", RESOURCE_TYPES, lambda: _aliases(r, kms))
    for key in keys:
        key_id = key.get("KeyArn") or key.get("KeyId")
        meta = r.attempt("kms:DescribeKey", RESOURCE_TYPES, lambda: _describe(kms, key_id))
        if meta is None:
            continue
        attributes = dict(meta)
        attributes["KeyRotationEnabled"] = r.attempt(
            "kms:GetKeyRotationStatus", RESOURCE_TYPES, lambda: _rotation(kms, meta["KeyId"])
        )
        attributes["Aliases"] = None if aliases is None else sorted(aliases.get(meta["KeyId"], []))
        r.add(meta["Arn"], "aws.kms.key", SOURCE, attributes)


def _describe(kms: Any, key_id: str) -> dict[str, Any]:
    meta = need(kms.describe_key(KeyId=key_id), "KeyMetadata", "DescribeKey")
    for key in ("KeyId", "Arn"):
        need(meta, key, "DescribeKey")
    return dict(meta)


def _aliases(r: Reading, kms: Any) -> dict[str, list[str]]:
    by_key: dict[str, list[str]] = {}
    for alias in r.paginate(kms, "list_aliases", "Aliases", "kms:ListAliases"):
        if alias.get("TargetKeyId"):
            by_key.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
    return by_key


def _rotation(kms: Any, key_id: str) -> bool | None:
    """True/False, or None for a key type that has no rotation (asymmetric, HMAC, imported)."""
    try:
        answer = kms.get_key_rotation_status(KeyId=key_id)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _NO_ROTATION:
            return None
        raise
    value = need(answer, "KeyRotationEnabled", "GetKeyRotationStatus")
    return value if isinstance(value, bool) else None
