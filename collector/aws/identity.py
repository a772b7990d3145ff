"""Who the collector is in each account: the caller ARN recorded in the snapshot's identity."""
from __future__ import annotations

from attest.collector.aws.reading import Reading, need

ACTIONS = ("sts:GetCallerIdentity",)
ASSUME_ROLE_ACTIONS = ("sts:AssumeRole",)


def caller_arn(r: Reading) -> str | None:
    """The caller ARN, or None with a gap (it leaves no resource type unknown)."""
    sts = r.client("sts")
    return r.attempt("sts:GetCallerIdentity", (), lambda: str(need(sts.get_caller_identity(), "Arn", "GetCallerIdentity")))
