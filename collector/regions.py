"""The AWS regions there are, so that a mistyped region in the estate config is refused, not collected.

The list is the installed botocore's own endpoint data (every partition: aws, aws-cn, aws-us-gov,
...), read offline. A region newer than the installed botocore is refused too, with that said:
upgrade botocore to use it, since the collector could not sign calls to it either.
"""
from __future__ import annotations

import difflib
from functools import lru_cache

import botocore
import botocore.loaders


@lru_cache(maxsize=1)
def aws_regions() -> frozenset[str]:
    data = botocore.loaders.create_loader().load_data("endpoints")
    return frozenset(region for partition in data["partitions"] for region in partition.get("regions", {}))


def region_problem(name: str) -> str | None:
    """Why `name` (us-east-1) is not an AWS region, with the nearest one that is; None when it is."""
    if name in aws_regions():
        return None
    close = difflib.get_close_matches(name, sorted(aws_regions()), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{name!r} is not an AWS region (botocore {botocore.__version__} knows {len(aws_regions())}){hint}"


def atlas_region_problem(name: str) -> str | None:
    """Why `name` (US_EAST_1, Atlas's spelling of an AWS region) is not one; None when it is."""
    aws_name = name.lower().replace("_", "-")
    if aws_name in aws_regions():
        return None
    close = difflib.get_close_matches(aws_name, sorted(aws_regions()), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0].upper().replace('-', '_')!r}?" if close else ""
    return f"{name!r} is not an AWS region in Atlas's spelling (such as US_EAST_1){hint}"
