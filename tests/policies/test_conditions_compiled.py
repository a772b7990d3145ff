"""`compile_verdict`, the compiled fast path, answers exactly as `evaluate_all`'s `ok` would.

The engine trusts it to select nodes and to pass them, and takes `evaluate_all` only for the rest
(for the message and pointer), so a verdict that said "holds" where a check fails, or could not be
evaluated, would pass a node, and one that said "fails" where a `where` was undecided would drop one.
Checked over every shipped rule's `where` and `expect` on generated documents (hypothesis) and on
the seeded estate's own, and on hand-made groups where an undecided item meets one that holds.
"""
from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from policy_fixtures import seeded_doc
from test_jmes_closures import _RULE_KEYS, _documents

from attest.collector.config import EstateConfig
from attest.collector.snapshot import snapshot_from_dict
from attest.core.yamlfile import Locator
from attest.policies.conditions import compile_verdict, evaluate_all
from attest.policies.graph import Documents, build_graph, config_document
from attest.policies.rule_loader import load_policy_set
from attest.policies.rule_schema import Check, Condition, Group, compile_expr

_RULES = load_policy_set().rules


def _agree(conditions: tuple[Condition, ...], document: dict[str, Any]) -> bool | None:
    fast = compile_verdict(conditions)(document)
    assert fast is evaluate_all(conditions, document).ok
    return fast


@settings(max_examples=300, deadline=None)
@given(attributes=st.dictionaries(st.sampled_from(_RULE_KEYS), _documents(_RULE_KEYS), max_size=6))
def test_every_rule_holds_exactly_when_its_conditions_evaluate_to_hold(attributes: Any) -> None:
    document = {"attributes": attributes, "facts": attributes, "config": attributes,
                "related": {kind: [{"attributes": attributes, "facts": attributes}] for kind in ("runs", "encrypted_by")}}
    for rule in _RULES:
        _agree(rule.where, document)
        _agree(rule.expect, document)


def test_on_the_seeded_estate_every_node_agrees_and_both_answers_occur(local_config: EstateConfig) -> None:
    """Real documents (the planted faults fail): a predicate that always said yes would be caught here."""
    graph = build_graph(snapshot_from_dict(seeded_doc(), "fixture"), local_config)
    documents = Documents(graph, config_document(local_config))
    answers = {_agree(conditions, documents.document(node_id))
               for rule in _RULES for node_id, data in graph.nodes.items() if data["type"] == rule.resource
               for conditions in (rule.where, rule.expect)}
    assert {True, False} <= answers


def _check(path: str, op: str, value: Any = None) -> Check:
    return Check(compile_expr(path, Locator("rule.yaml"), ()), op, value, None, "", "")


UNDECIDED = _check("attributes.rules[?port > `1`]", "present")  # ordering a string against a number
HOLDS = _check("attributes.name", "eq", "a")
FAILS = _check("attributes.name", "eq", "b")
DOC = {"attributes": {"name": "a", "rules": [{"port": "x"}]}}


def test_an_undecided_check_is_undecided_alone_and_in_all_unless_another_fails() -> None:
    assert _agree((UNDECIDED,), DOC) is None
    assert _agree((Group("all", (HOLDS, UNDECIDED), "", ""),), DOC) is None
    assert _agree((Group("all", (UNDECIDED, FAILS), "", ""),), DOC) is False
    assert _agree((HOLDS, UNDECIDED, FAILS), DOC) is None  # in order: the first that does not hold decides


def test_any_holds_when_one_item_holds_beside_an_undecided_one() -> None:
    assert _agree((Group("any", (UNDECIDED, HOLDS), "", ""),), DOC) is True
    assert _agree((Group("any", (FAILS, UNDECIDED), "", ""),), DOC) is None
    assert _agree((Group("any", (FAILS, FAILS), "", ""),), DOC) is False


def test_no_conditions_hold() -> None:
    assert _agree((), DOC) is True
