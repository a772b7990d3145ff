"""`terraform show -json` (state or plan) laid over the source: resolved values at the source's lines.

Source alone cannot tell values computed at apply time (a key's ARN, `count` instances). Given the
JSON of `terraform show -json` (a state: `values`; a plan: `planned_values`), each declared resource
takes the recorded values of its instance(s), keeping its file:line, so drift compares what Terraform
applied or will apply. Resources only in the JSON are left out: their source is not in the directory.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

from attest.core.errors import BadInputError
from attest.core.jsonfile import load_json
from attest.policies.terraform.hcl import Declared


def load_show_json(path: str | Path) -> dict[str, dict[str, Any]]:
    """Instance address -> recorded values, from a `terraform show -json` state or plan file."""
    document = load_json(str(path))
    if not isinstance(document, dict):
        raise BadInputError("not the output of `terraform show -json`", where=str(path))
    values = document.get("planned_values") or document.get("values")
    if not isinstance(values, dict) or not isinstance(values.get("root_module"), dict):
        raise BadInputError("no `values.root_module` or `planned_values.root_module`: "
                            "not the output of `terraform show -json`", where=str(path))
    return {r["address"]: r.get("values") or {} for r in _resources(values["root_module"], str(path))}


def _resources(module: dict[str, Any], where: str) -> Iterator[dict[str, Any]]:
    for resource in module.get("resources") or []:
        if not isinstance(resource, dict) or not isinstance(resource.get("address"), str):
            raise BadInputError("a resource without an address", where=where)
        yield resource
    for child in module.get("child_modules") or []:
        yield from _resources(child, where)


def overlay(declared: tuple[Declared, ...], recorded: dict[str, dict[str, Any]]) -> tuple[Declared, ...]:
    """Declared resources with recorded values; `count`/`for_each` instances become one each."""
    out: list[Declared] = []
    for item in declared:
        instances = sorted(a for a in recorded if a == item.address or a.startswith(item.address + "["))
        if not instances:
            out.append(item)
        for address in instances:
            out.append(replace(item, address=address, attributes=_as_source(recorded[address])))
    return tuple(out)


def _as_source(values: dict[str, Any]) -> dict[str, Any]:
    """Recorded values use null for unset; source simply omits them."""
    return {k: v for k, v in values.items() if v is not None}
