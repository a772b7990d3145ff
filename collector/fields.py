"""Typed reading of a YAML document's fields, every mismatch a located BadInputError.

The estate config (collector/config.py) reads every section through one `FieldReader`, so a wrong
type, an unknown or missing key, a bad choice or a bad CIDR always names the file, line and key.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Callable

from attest.collector.regions import atlas_region_problem, region_problem
from attest.core.yamlfile import KeyPath, Locator


class FieldReader:
    """Typed access to the raw config that turns every mismatch into a located error."""

    def __init__(self, locator: Locator) -> None:
        self.loc = locator

    def mapping(self, value: Any, path: KeyPath, allowed: set[str], required: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.loc.error(path, "must be a mapping")
        for key in value:
            if key not in allowed:
                raise self.loc.error((*path, key), f"unknown key (allowed: {', '.join(sorted(allowed))})")
        for key in sorted(required - set(value)):
            raise self.loc.error(path, f"missing required key {key!r}")
        return value

    def seq(self, value: Any, path: KeyPath) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.loc.error(path, "must be a list")
        return value

    def text(self, value: Any, path: KeyPath, choices: tuple[str, ...] | None = None) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
            raise self.loc.error(path, "must be a non-empty string")
        text = str(value)
        if choices and text not in choices:
            raise self.loc.error(path, f"must be one of {', '.join(choices)} (got {text!r})")
        return text

    def texts(self, value: Any, path: KeyPath) -> tuple[str, ...]:
        return tuple(self.text(v, (*path, i)) for i, v in enumerate(self.seq(value, path)))

    def items(self, raw: dict[str, Any], key: str, path: KeyPath, build: Callable[[Any, KeyPath], Any]) -> tuple[Any, ...]:
        return tuple(build(v, (*path, key, i)) for i, v in enumerate(self.seq(raw.get(key), (*path, key))))

    def cidr(self, value: Any, path: KeyPath) -> str:
        """A network as written: `10.20.0.1/16` is refused (host bits set), naming the network meant."""
        text = self.text(value, path)
        try:
            loose = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise self.loc.error(path, f"not a CIDR block: {text!r}") from None
        written = str(loose)
        if text == written:  # the network's own spelling has no host bits: no second parse to say so
            return written
        try:
            ipaddress.ip_network(text)
        except ValueError:
            raise self.loc.error(path, f"{text!r} has host bits set: did you mean {written!r}?") from None
        return written

    def region(self, value: Any, path: KeyPath) -> str:
        text = self.text(value, path)
        problem = region_problem(text)
        if problem:
            raise self.loc.error(path, problem)
        return text

    def atlas_region(self, value: Any, path: KeyPath) -> str:
        text = self.text(value, path)
        problem = atlas_region_problem(text)
        if problem:
            raise self.loc.error(path, problem)
        return text

    def regions(self, value: Any, path: KeyPath) -> tuple[str, ...]:
        return tuple(self.region(v, (*path, i)) for i, v in enumerate(self.seq(value, path)))
