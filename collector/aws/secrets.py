"""Secrets Manager metadata and tags; attest never calls GetSecretValue and never holds a secret's value."""
from __future__ import annotations

from attest.collector.aws.reading import Reading, need

ACTIONS = ("secretsmanager:ListSecrets",)
RESOURCE_TYPES = ("aws.secretsmanager.secret",)
SOURCE = "secretsmanager:ListSecrets"


def read(r: Reading) -> None:
    """ListSecrets with IncludePlannedDeletion, so a secret scheduled for deletion is still seen."""
    sm = r.client("secretsmanager")
    found = r.attempt(
        SOURCE,
        RESOURCE_TYPES,
        lambda: [
            (need(item, "ARN", "ListSecrets"), item)
            for item in r.paginate(sm, "list_secrets", "SecretList", SOURCE, IncludePlannedDeletion=True)
        ],
    )
    for arn, item in found or ():
        r.add(arn, "aws.secretsmanager.secret", (SOURCE,), item)
