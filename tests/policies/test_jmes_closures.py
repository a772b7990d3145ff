"""The closure form of a JMESPath expression answers exactly as the jmespath interpreter does.

Every expression of the shipped rules, and a set of expressions covering each node type the
closures handle, is searched both ways over generated documents (hypothesis); the answers, or the
error type when a function meets the wrong type, must be equal, and of the same Python types.
"""
from __future__ import annotations

from typing import Any

import jmespath
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from attest.core.yamlfile import Locator
from attest.policies.conditions import evaluate_all
from attest.policies.jmes_closures import closure
from attest.policies.rule_loader import load_policy_set
from attest.policies.rule_schema import JMES_OPTIONS, Check, Condition, Group, compile_expr

_SYNTAX = [
    "a", "a.b.c", "a[0]", "a[-1].b", "a[*].b", "a[].b", "a[][]", "a[*][0]", "[a, b]", "a.[b, c]",
    "a || b", "a && b", "!a", "!a.b", "a[?b == `1`].c", "a[?b != 'x']", "a[?b > `1`]", "a[?b <= c]",
    "a[?b < `2` || c]", "a[?!b]", "a | [0]", "a[*].b | [0]", "length(a)", "length(unique(a[].b))",
    "`[1, 2]`", "'text'", "@", "a[?b == `true`].c", "a[?b == `0`]", "a[?b == `1`]", "a[?b != `true`]", "a.*.b[?c]", "a.*",
    "a.b", "type(a)", "type(a[].b)", "a[].b.c", "a[].b[0]", "a[][].b", "a[].[b, c]", "a.b[].c[].d", "a[].b[]",
]
_UNSUPPORTED = ["a[0:2]", "{x: a}", "sort_by(a, &b)"]

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2, 3), st.floats(-2, 2, allow_nan=False),
                     st.sampled_from(["", "x", "0.0.0.0/0", "::/0", "data_class", "PRIMARY", "read"]))
_RULE_KEYS = ["IpPermissions", "IpRanges", "Ipv6Ranges", "CidrIp", "CidrIpv6", "FromPort", "ToPort", "Tags", "Key",
              "Value", "roles", "roleName", "databaseName", "deployments", "status", "rolloutState",
              "containerDefinitions", "environment", "name", "value", "scopes", "tags", "key", "AvailabilityZone"]


def _documents(keys: list[str]) -> st.SearchStrategy[Any]:
    names = st.sampled_from(keys)
    return st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(names, inner, max_size=4)), max_leaves=20)


def _rule_expressions() -> list[str]:
    found: set[str] = set()

    def walk(conditions: tuple[Condition, ...]) -> None:
        for cond in conditions:
            if isinstance(cond, Group):
                walk(cond.items)
            else:
                found.add(cond.path.text)
                if cond.value_from is not None:
                    found.add(cond.value_from.text)

    for rule in load_policy_set().rules:
        walk(rule.where + rule.expect)
        if rule.required_when is not None:
            found.add(rule.required_when.text)
    return sorted(found)


def _answer(search: Any, document: Any) -> tuple[str, Any]:
    try:
        value = search(document)
    except (jmespath.exceptions.JMESPathError, TypeError) as exc:  # TypeError: ordering a string and a number
        return "error", type(exc).__name__
    return "value", (value, _types(value))


def _types(value: Any) -> Any:
    if isinstance(value, list):
        return [_types(v) for v in value]
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    return type(value).__name__


RULE_EXPRESSIONS = _rule_expressions()


@pytest.mark.parametrize("text", RULE_EXPRESSIONS + _SYNTAX)
def test_every_rule_expression_and_covered_form_has_a_closure(text: str) -> None:
    assert closure(jmespath.compile(text).parsed, JMES_OPTIONS.custom_functions) is not None


@pytest.mark.parametrize("text", _UNSUPPORTED)
def test_forms_not_covered_have_none_and_fall_back_to_the_interpreter(text: str) -> None:
    assert closure(jmespath.compile(text).parsed, JMES_OPTIONS.custom_functions) is None


@settings(max_examples=300, deadline=None)
@example(document={"a": [{"b": True}, {"b": 1}, {"b": 0}, {"b": False}, {"b": 1.0}]})  # 1 is not true here
@given(document=_documents(["a", "b", "c", "x"]))
def test_closures_answer_as_the_interpreter_does(document: Any) -> None:
    for text in _SYNTAX:
        compiled = jmespath.compile(text)
        fast = closure(compiled.parsed, JMES_OPTIONS.custom_functions)
        slow = _answer(lambda d: compiled.search(d, options=JMES_OPTIONS), document)
        assert _answer(fast, document) == slow, text


@settings(max_examples=200, deadline=None)
@given(attributes=st.dictionaries(st.sampled_from(_RULE_KEYS), _documents(_RULE_KEYS), max_size=6))
def test_rule_expressions_answer_as_the_interpreter_does(attributes: Any) -> None:
    document = {"attributes": attributes, "facts": attributes, "related": {"runs": [{"attributes": attributes}]},
                "config": attributes}
    for text in RULE_EXPRESSIONS:
        compiled = jmespath.compile(text)
        fast = closure(compiled.parsed, JMES_OPTIONS.custom_functions)
        slow = _answer(lambda d: compiled.search(d, options=JMES_OPTIONS), document)
        assert _answer(fast, document) == slow, text


def test_ordering_a_string_against_a_number_is_undecided_never_a_crash() -> None:
    expr = compile_expr("attributes.rules[?port > `1`]", Locator("rule.yaml"), ())
    outcome = evaluate_all((Check(expr, "present", None, None, "", ""),), {"attributes": {"rules": [{"port": "x"}]}})
    assert outcome.ok is None and outcome.message.startswith("could not evaluate")
