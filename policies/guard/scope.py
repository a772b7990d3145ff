"""Diff scans analyse only what a change can affect: the changed modules, every module that imports
them (transitively: callers of a changed helper), and everything those import (for summaries)."""
from __future__ import annotations

from collections import defaultdict
from typing import AbstractSet, Mapping

from attest.policies.guard.engine import import_targets
from attest.policies.guard.modules import Module

WHOLE_REPO_FILES = ("tsconfig.json", "jsconfig.json", ".attest-guard.yaml")


def _closure(start: set[str], edges: Mapping[str, AbstractSet[str]]) -> set[str]:
    seen = set(start)
    stack = list(start)
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def affected(modules: dict[str, Module], changed: frozenset[str]) -> set[str]:
    """The modules whose analysis can differ because of a change to the `changed` files."""
    return closure({rel: set(import_targets(module, modules)) for rel, module in modules.items()}, changed)


def closure(forward: Mapping[str, AbstractSet[str]], changed: frozenset[str]) -> set[str]:
    """From the import graph (module -> modules it imports): the changed modules, their importers
    (transitively), and everything those import."""
    reverse: dict[str, set[str]] = defaultdict(set)
    for rel, targets in forward.items():
        for target in targets:
            reverse[target].add(rel)
    touched = {rel for rel in changed if rel in forward}
    return _closure(_closure(touched, reverse), forward)
