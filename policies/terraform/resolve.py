"""Resolve the simple Terraform expressions drift needs: `var.X`, `local.X`, `TYPE.NAME.ATTR`,
`data.TYPE.NAME.ATTR`.

Only what source alone can tell: a variable's value (tfvars, module argument or default), a local,
or a literal attribute of another declared resource or data source in the same module. Anything computed at apply time resolves to None,
and callers skip the comparison rather than guess.
"""
from __future__ import annotations

import re
from typing import Any

from attest.policies.terraform.hcl import Declared

_WHOLE = re.compile(r"^\$\{([^{}]+)\}$")
_PART = re.compile(r"\$\{([^{}]+)\}")
_DEPTH = 8


class Resolver:
    """Looks expressions up among the declared resources of one Terraform tree."""

    def __init__(self, declared: tuple[Declared, ...]) -> None:
        self._by_address = {d.address: d for d in declared}

    def value(self, owner: Declared, value: Any, depth: int = 0) -> Any:
        """The literal a value stands for, or None when source does not determine it."""
        if depth > _DEPTH:
            return None
        if not isinstance(value, str):
            return value
        whole = _WHOLE.match(value)
        if whole:
            return self._reference(owner, whole.group(1).strip(), depth)
        if "${" not in value:
            return value
        parts: list[str] = []
        for piece in _PART.split(value)[1::2]:
            resolved = self._reference(owner, piece.strip(), depth)
            if not isinstance(resolved, (str, int)):
                return None
            parts.append(str(resolved))
        pieces = iter(parts)
        return _PART.sub(lambda _: next(pieces), value)

    def target(self, owner: Declared, value: Any, depth: int = 0) -> Declared | None:
        """The declared resource an expression like `aws_kms_key.k.arn` refers to, through
        variables and locals that are such a reference."""
        whole = _WHOLE.match(value) if isinstance(value, str) else None
        if not whole or depth > _DEPTH:
            return None
        expression = whole.group(1).strip()
        for kind, names in (("var.", owner.variables), ("local.", owner.locals)):
            if expression.startswith(kind):
                name = expression[len(kind):]
                return self.target(owner, names[name], depth + 1) if name in names else None
        address = self._address(owner, expression)
        return self._by_address.get(address) if address else None

    def _reference(self, owner: Declared, expression: str, depth: int) -> Any:
        if expression.startswith("var."):
            name = expression[len("var."):]
            if name not in owner.variables:
                return None
            return self.value(owner, owner.variables[name], depth + 1)
        if expression.startswith("local."):
            name = expression[len("local."):]
            return self.value(owner, owner.locals[name], depth + 1) if name in owner.locals else None
        address = self._address(owner, expression)
        target = self._by_address.get(address) if address else None
        if target is None:
            return None
        attribute = expression.rsplit(".", 1)[1]
        if attribute not in target.attributes:
            return None
        return self.value(target, target.attributes[attribute], depth + 1)

    @staticmethod
    def _address(owner: Declared, expression: str) -> str | None:
        parts = expression.split(".")
        size = 3 if parts[0] == "data" else 2
        if len(parts) != size + 1 or not all(re.fullmatch(r"[A-Za-z0-9_-]+", p) for p in parts):
            return None
        prefix = owner.address[: len(owner.address) - len(owner.type) - len(owner.name) - 1]
        if owner.mode == "data":
            prefix = prefix[: -len("data.")]
        return prefix + ".".join(parts[:size])
