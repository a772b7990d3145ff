"""The rule schema: what a rule in `policies/rules/*.yaml` may say, validated at load.

A rule file is `{rules: [rule, ...]}`. A rule:

    id: ATL-PL-001                  # ATL-<AREA>-<NNN>, unique across files
    title: ...                      # one line
    severity: critical|high|medium|low|info
    controls: [SOC2-CC6.6, ...]     # ids from policies/controls.yaml
    resource: aws.ec2.vpc_endpoint  # a node type of the estate graph (policies/graph.py)
    where: [condition, ...]         # optional: which nodes of that type the rule is about
    required_when: config.secrets   # optional JMESPath over the node document's `config`:
                                    #   when truthy, selecting no node is an `error`, not a pass
    expect: [condition, ...]        # all must hold for `pass`
    rationale: ...                  # why it matters
    remediation: {console: [step, ...], terraform: "snippet"}

A condition is a check `{path, op, value | value_from, message?}` or a group `{any: [...]}` /
`{all: [...]}` with an optional `message`. `path` and `value_from` are JMESPath expressions over
the node document (see `policies/graph.py`), with one extra function, `unique(array)`. Operators
are the closed set in `policies/operators.py`. Every problem is a BadInputError naming file:line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Union, cast

import jmespath
from jmespath import exceptions as jmes_errors
from jmespath import functions as jmes_functions

from attest.core.yamlfile import KeyPath, Locator
from attest.policies.findings import SEVERITIES, Remediation
from attest.policies.graph import EDGE_KINDS, FACT_NAMES, NODE_TYPES
from attest.policies.jmes_closures import Search, closure
from attest.policies.operators import NO_VALUE_OPS, OPERATORS, check_literal

RULE_ID = re.compile(r"^ATL-[A-Z]+-\d{3}$")
RULE_KEYS = {"id", "title", "severity", "controls", "resource", "where", "required_when", "expect", "rationale", "remediation"}
REQUIRED_KEYS = {"id", "title", "severity", "controls", "resource", "expect", "rationale", "remediation"}
CHECK_KEYS = {"path", "op", "value", "value_from", "message"}
_RELATION = re.compile(r"related\.([A-Za-z_]+)")
_FACT = re.compile(r"facts\.([A-Za-z_]+)")


class _Functions(jmes_functions.Functions):
    """JMESPath functions beyond the standard ones: only `unique`, for counting distinct values."""

    @jmes_functions.signature({"types": ["array"]})
    def _func_unique(self, items: list[Any]) -> list[Any]:
        out: list[Any] = []
        for item in items:
            if item not in out:
                out.append(item)
        return out


JMES_FUNCTIONS = _Functions()
JMES_OPTIONS = jmespath.Options(custom_functions=JMES_FUNCTIONS)


@dataclass(frozen=True)
class Expr:
    """A compiled JMESPath expression and its source text; `fast` is its closure form, if any."""

    text: str
    compiled: Any
    fast: Search | None = field(default=None, compare=False, repr=False)

    def search(self, document: Any) -> Any:
        if self.fast is not None:
            return self.fast(document)
        return self.compiled.search(document, options=JMES_OPTIONS)


@dataclass(frozen=True)
class Check:
    path: Expr
    op: str
    value: Any
    value_from: Expr | None
    message: str
    where: str


@dataclass(frozen=True)
class Group:
    mode: str
    items: tuple[Condition, ...]
    message: str
    where: str


Condition = Union[Check, Group]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    controls: tuple[str, ...]
    resource: str
    where: tuple[Condition, ...]
    required_when: Expr | None
    expect: tuple[Condition, ...]
    rationale: str
    remediation: Remediation
    source: str

    def relations(self) -> tuple[str, ...]:
        """Edge kinds the rule's expressions follow (`related.<kind>`), for gap coverage."""
        found: set[str] = set()
        for expr in _exprs(self.where + self.expect):
            found.update(_RELATION.findall(expr.text))
        return tuple(sorted(found))

    def expressions(self) -> tuple[str, ...]:
        """The text of every JMESPath expression of `where` and `expect`, in order."""
        return tuple(expr.text for expr in _exprs(self.where + self.expect))


def _exprs(conditions: tuple[Condition, ...]) -> list[Expr]:
    out: list[Expr] = []
    for cond in conditions:
        if isinstance(cond, Group):
            out.extend(_exprs(cond.items))
        else:
            out.append(cond.path)
            if cond.value_from is not None:
                out.append(cond.value_from)
    return out


def compile_expr(text: Any, loc: Locator, path: KeyPath) -> Expr:
    """Compile JMESPath; a syntax error or an unknown function is a located error."""
    if not isinstance(text, str) or not text.strip():
        raise loc.error(path, "must be a JMESPath expression")
    try:
        compiled = jmespath.compile(text)
    except jmes_errors.JMESPathError as exc:
        raise loc.error(path, f"invalid JMESPath {text!r}: {str(exc).splitlines()[0]}") from None
    try:
        compiled.search({}, options=JMES_OPTIONS)
    except jmes_errors.UnknownFunctionError as exc:
        raise loc.error(path, f"invalid JMESPath {text!r}: {exc}") from None
    except jmes_errors.JMESPathError:
        pass
    for kind in _RELATION.findall(text):
        if kind not in EDGE_KINDS:
            raise loc.error(path, f"unknown edge kind {kind!r} (known: {', '.join(sorted(EDGE_KINDS))})")
    for fact in _FACT.findall(text):  # a misspelt fact selects nothing, so it must not load
        if fact not in FACT_NAMES:
            raise loc.error(path, f"unknown fact {fact!r} (known: {', '.join(sorted(FACT_NAMES))})")
    # the stubs call the parsed tree a TypedDict; at run time it is the plain dict closure() walks
    return Expr(text, compiled, closure(cast("dict[str, Any]", compiled.parsed), JMES_FUNCTIONS))


def _text(raw: Any, loc: Locator, path: KeyPath) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise loc.error(path, "must be a non-empty string")
    return " ".join(raw.split()) if "\n" not in raw.strip() else raw.strip()


def parse_condition(raw: Any, loc: Locator, path: KeyPath) -> Condition:
    if not isinstance(raw, dict):
        raise loc.error(path, "a condition must be a mapping")
    modes = [m for m in ("any", "all") if m in raw]
    if modes:
        extra = sorted(set(raw) - {modes[0], "message"})
        if len(modes) > 1 or extra:
            raise loc.error((*path, (extra or modes)[-1]), "unknown key in a group (allowed: any|all, message)")
        items = raw[modes[0]]
        if not isinstance(items, list) or not items:
            raise loc.error((*path, modes[0]), "must list one or more conditions")
        return Group(
            mode=modes[0],
            items=tuple(parse_condition(v, loc, (*path, modes[0], i)) for i, v in enumerate(items)),
            message=_text(raw["message"], loc, (*path, "message")) if "message" in raw else "",
            where=loc.where(path),
        )
    for key in raw:
        if key not in CHECK_KEYS:
            raise loc.error((*path, key), f"unknown key (allowed: {', '.join(sorted(CHECK_KEYS | {'any', 'all'}))})")
    for key in ("path", "op"):
        if key not in raw:
            raise loc.error(path, f"missing required key {key!r}")
    op = raw["op"]
    if not isinstance(op, str) or op not in OPERATORS:
        raise loc.error((*path, "op"), f"unknown operator {op!r} (known: {', '.join(sorted(OPERATORS))})")
    has_value, has_from = "value" in raw, "value_from" in raw
    if op in NO_VALUE_OPS and (has_value or has_from):
        raise loc.error((*path, "op"), f"{op} takes no value")
    if op not in NO_VALUE_OPS and has_value == has_from:
        raise loc.error(path, f"{op} needs exactly one of value or value_from")
    if has_value:
        problem = check_literal(op, raw["value"])
        if problem:
            raise loc.error((*path, "value"), problem)
    return Check(
        path=compile_expr(raw["path"], loc, (*path, "path")),
        op=op,
        value=raw.get("value"),
        value_from=compile_expr(raw["value_from"], loc, (*path, "value_from")) if has_from else None,
        message=_text(raw["message"], loc, (*path, "message")) if "message" in raw else "",
        where=loc.where(path),
    )


def _conditions(raw: Any, loc: Locator, path: KeyPath, *, required: bool) -> tuple[Condition, ...]:
    if raw is None and not required:
        return ()
    if not isinstance(raw, list) or (required and not raw):
        raise loc.error(path, "must list one or more conditions")
    return tuple(parse_condition(v, loc, (*path, i)) for i, v in enumerate(raw))


def _remediation(raw: Any, loc: Locator, path: KeyPath) -> Remediation:
    if not isinstance(raw, dict):
        raise loc.error(path, "must be a mapping with console and terraform")
    for key in raw:
        if key not in ("console", "terraform"):
            raise loc.error((*path, key), "unknown key (allowed: console, terraform)")
    steps = raw.get("console")
    if not isinstance(steps, list) or not steps:
        raise loc.error((*path, "console"), "list one or more console steps")
    return Remediation(
        console=tuple(_text(s, loc, (*path, "console", i)) for i, s in enumerate(steps)),
        terraform=_text(raw.get("terraform"), loc, (*path, "terraform")) + "\n",
    )


def parse_rule(raw: Any, loc: Locator, path: KeyPath, known_controls: frozenset[str]) -> Rule:
    """One rule, checked key by key against the schema and the controls in scope."""
    if not isinstance(raw, dict):
        raise loc.error(path, "a rule must be a mapping")
    for key in raw:
        if key not in RULE_KEYS:
            raise loc.error((*path, key), f"unknown key (allowed: {', '.join(sorted(RULE_KEYS))})")
    for key in sorted(REQUIRED_KEYS - set(raw)):
        raise loc.error(path, f"missing required key {key!r}")
    rule_id = _text(raw["id"], loc, (*path, "id"))
    if not RULE_ID.match(rule_id):
        raise loc.error((*path, "id"), f"rule ids look like ATL-PL-001 (got {rule_id!r})")
    severity = raw["severity"]
    if not isinstance(severity, str) or severity not in SEVERITIES:
        raise loc.error((*path, "severity"), f"must be one of {', '.join(SEVERITIES)}")
    controls = raw["controls"]
    if not isinstance(controls, list) or not controls:
        raise loc.error((*path, "controls"), "list one or more control ids")
    for i, control in enumerate(controls):
        if not isinstance(control, str) or control not in known_controls:
            raise loc.error((*path, "controls", i), f"unknown control {control!r} (known: {', '.join(sorted(known_controls))})")
    if len(set(controls)) != len(controls):
        raise loc.error((*path, "controls"), "lists a control twice")
    if not isinstance(raw["resource"], str) or raw["resource"] not in NODE_TYPES:
        raise loc.error((*path, "resource"), f"unknown resource type {raw['resource']!r}")
    required_when = raw.get("required_when")
    return Rule(
        id=rule_id,
        title=_text(raw["title"], loc, (*path, "title")),
        severity=severity,
        controls=tuple(controls),
        resource=raw["resource"],
        where=_conditions(raw.get("where"), loc, (*path, "where"), required=False),
        required_when=compile_expr(required_when, loc, (*path, "required_when")) if required_when is not None else None,
        expect=_conditions(raw["expect"], loc, (*path, "expect"), required=True),
        rationale=_text(raw["rationale"], loc, (*path, "rationale")),
        remediation=_remediation(raw["remediation"], loc, (*path, "remediation")),
        source=loc.where(path),
    )
