"""The AWS regions there are, so that a mistyped region in the estate config is refused, not collected.

The list is the installed botocore's own endpoint data (every partition: aws, aws-cn, aws-us-gov,
...), read offline. A region newer than the installed botocore is refused too, with that said:
upgrade botocore to use it, since the collector could not sign calls to it either.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

import botocore

# Where botocore's own loader (`botocore.loaders.create_loader().load_data("endpoints")`) finds the
# endpoint data, in its order: the user's models, then botocore's, each as `.json` then `.json.gz`.
# Read here without `botocore.loaders`, whose imports (botocore.compat: http.client, urllib3, email)
# cost every `attest check` about 0.2 s of start-up; tests hold the two to the same regions.
_DATA_PATHS = (os.path.join(os.path.expanduser("~"), ".aws", "models"), os.path.join(botocore.BOTOCORE_ROOT, "data"))


@lru_cache(maxsize=1)
def aws_regions() -> frozenset[str]:
    data = _endpoints()
    return frozenset(region for partition in data["partitions"] for region in partition.get("regions", {}))


def _endpoints() -> dict[str, Any]:
    """botocore's endpoint data, from the first place its loader would read it."""
    for folder in _DATA_PATHS:
        if not os.path.isdir(folder):
            continue
        path = os.path.join(folder, "endpoints")
        if os.path.isfile(path + ".json"):
            with open(path + ".json", "rb") as handle:
                return json.loads(handle.read().decode("utf-8"))  # type: ignore[no-any-return]
        if os.path.isfile(path + ".json.gz"):
            import gzip

            with gzip.open(path + ".json.gz", "rb") as handle:
                return json.loads(handle.read().decode("utf-8"))  # type: ignore[no-any-return]
    raise FileNotFoundError("botocore's endpoint data (endpoints.json) is not installed")


def _distance(a: str, b: str) -> int:
    """Edits from `a` to `b`, a swap of two neighbours counting as one (`esat` -> `east`)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def nearest_region(name: str) -> str | None:
    """The known region fewest edits away (at most two), alphabetically first among equals."""
    scored = sorted((_distance(name, region), region) for region in aws_regions())
    return scored[0][1] if scored and scored[0][0] <= 2 else None


def region_problem(name: str) -> str | None:
    """Why `name` (us-east-1) is not an AWS region, with the nearest one that is; None when it is."""
    if name in aws_regions():
        return None
    close = nearest_region(name)
    hint = f"; did you mean {close!r}?" if close else ""
    return f"{name!r} is not an AWS region (botocore {botocore.__version__} knows {len(aws_regions())}){hint}"


def atlas_region_problem(name: str) -> str | None:
    """Why `name` (US_EAST_1, Atlas's spelling of an AWS region) is not one; None when it is."""
    aws_name = name.lower().replace("_", "-")
    if aws_name in aws_regions():
        return None
    close = nearest_region(aws_name)
    hint = f"; did you mean {close.upper().replace('-', '_')!r}?" if close else ""
    return f"{name!r} is not an AWS region in Atlas's spelling (such as US_EAST_1){hint}"
