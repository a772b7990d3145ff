"""CloudFront distributions. A global service whose API is served from us-east-1: `plan` reads it
once per account there (HOME_REGION), whatever regions the account is configured with."""
from __future__ import annotations

from typing import Any

from attest.collector.aws.reading import Reading, need

ACTIONS = ("cloudfront:ListDistributions",)
RESOURCE_TYPES = ("aws.cloudfront.distribution",)
HOME_REGION = "us-east-1"


def read(r: Reading) -> None:
    client = r.client("cloudfront")
    items = r.attempt("cloudfront:ListDistributions", RESOURCE_TYPES, lambda: _distributions(client))
    for item in items or ():
        r.add(item["ARN"], "aws.cloudfront.distribution", ACTIONS, item)


def _distributions(client: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for page in client.get_paginator("list_distributions").paginate():  # MaxItems is a string here: default pages
        listing = need(page, "DistributionList", "ListDistributions")
        out.extend(listing.get("Items") or [])
    for item in out:
        need(item, "ARN", "ListDistributions")
    return out
