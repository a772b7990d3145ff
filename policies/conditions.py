"""Evaluating a rule's conditions against one node document.

A check's outcome is `True` (holds), `False` (does not) or `None` (could not be evaluated, e.g. a
JMESPath function met the wrong type); a group combines its items (`any`/`all`), and a `None`
that decides the result propagates, so the engine reports `error`, never a silent pass. A failure
that met no value at all (null or absent) is marked `unknown`, so the engine can tell "the
evidence says no" from "the evidence is missing" when a gap explains the absence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from jmespath import exceptions as jmes_errors

from attest.policies.operators import OPERATORS
from attest.policies.rule_schema import Check, Condition, Group

_SIMPLE_ATTR = re.compile(r"^(?:related\.(?P<via>[A-Za-z_]+)\[0\]\.)?(?P<attr>attributes(\.[A-Za-z_][A-Za-z0-9_]*)+)$")
_VIA = re.compile(r"^related\.(?P<via>[A-Za-z_]+)\[0\]")
_MAX_SHOWN = 120


@dataclass(frozen=True)
class Outcome:
    ok: bool | None
    message: str
    pointer_suffix: str = ""
    unknown: bool = False
    via: str = ""  # the suffix is inside the first `related.<via>` node, not the node judged


_HOLDS = Outcome(True, "")  # frozen, so one instance serves every check that holds


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _check(cond: Check, doc: dict[str, Any]) -> Outcome:
    try:
        actual = cond.path.search(doc)
        expected = cond.value_from.search(doc) if cond.value_from is not None else cond.value
    except (jmes_errors.JMESPathError, TypeError) as exc:  # TypeError: JMESPath orders a string against a number
        return Outcome(None, f"could not evaluate {cond.path.text!r}: {str(exc).splitlines()[0]}")
    ok = OPERATORS[cond.op](actual, expected)
    if ok:
        return _HOLDS
    simple = _SIMPLE_ATTR.match(cond.path.text)
    suffix = "/" + simple["attr"].replace(".", "/") if simple else ""
    via_match = _VIA.match(cond.path.text)
    via = via_match["via"] if via_match else ""
    if cond.message:
        return Outcome(False, cond.message, suffix, actual is None, via)
    wanted = "" if cond.value is None and cond.value_from is None else f" {_show(expected)}"
    return Outcome(False, f"{cond.path.text} {cond.op}{wanted}: got {_show(actual)}", suffix, actual is None, via)


def evaluate(cond: Condition, doc: dict[str, Any]) -> Outcome:
    if isinstance(cond, Check):
        return _check(cond, doc)
    return _group(cond, doc)


def _group(cond: Group, doc: dict[str, Any]) -> Outcome:
    outcomes = [evaluate(item, doc) for item in cond.items]
    if cond.mode == "any":
        if any(o.ok for o in outcomes):
            return _HOLDS
        failed = [o for o in outcomes if o.ok is None] or outcomes
    else:
        failed = [o for o in outcomes if o.ok is False] or [o for o in outcomes if o.ok is None]
        if not failed:
            return _HOLDS
    first = failed[0]
    undecided = all(o.ok is None for o in failed) if cond.mode == "any" else first.ok is None
    unknown = all(o.unknown for o in failed) if cond.mode == "any" else first.unknown
    return Outcome(None if undecided else False, cond.message or first.message, "" if cond.message else first.pointer_suffix,
                   unknown, first.via)


def evaluate_all(conditions: tuple[Condition, ...], doc: dict[str, Any]) -> Outcome:
    """All conditions in order; the first that fails (or cannot be evaluated) decides."""
    for cond in conditions:
        outcome = evaluate(cond, doc)
        if outcome.ok is not True:
            return outcome
    return _HOLDS


Verdict = Callable[[dict[str, Any]], bool | None]


def compile_verdict(conditions: tuple[Condition, ...]) -> Verdict:
    """`evaluate_all(conditions, doc).ok` without the message and pointer, compiled once per rule:
    most nodes pass (or are not selected), and for them the explanation is never needed."""
    parts = [_verdict(cond) for cond in conditions]

    def in_order(doc: dict[str, Any]) -> bool | None:
        for part in parts:
            ok = part(doc)
            if ok is not True:
                return ok
        return True

    return parts[0] if len(parts) == 1 else in_order


def _verdict(cond: Condition) -> Verdict:
    if isinstance(cond, Group):
        parts = [_verdict(item) for item in cond.items]
        combine = _any if cond.mode == "any" else _all
        return lambda doc: combine([part(doc) for part in parts])
    search, operator, value = cond.path.fast or cond.path.search, OPERATORS[cond.op], cond.value  # the closure itself: one call less
    value_from = (cond.value_from.fast or cond.value_from.search) if cond.value_from is not None else None

    def check(doc: dict[str, Any]) -> bool | None:
        try:  # as in `_check`: only the search may be undecided; an operator's own error is not caught
            actual = search(doc)
            expected = value_from(doc) if value_from is not None else value
        except (jmes_errors.JMESPathError, TypeError):
            return None
        return bool(operator(actual, expected))

    return check


def _any(oks: list[bool | None]) -> bool | None:
    """As `_group` decides an `any`: one holding item holds; else an undecided one leaves it undecided."""
    return True if True in oks else None if None in oks else False


def _all(oks: list[bool | None]) -> bool | None:
    """As `_group` decides an `all`: a failing item fails it before an undecided one leaves it undecided."""
    return False if False in oks else None if None in oks else True
