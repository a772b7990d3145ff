"""JMESPath expressions turned into nested Python closures, once, when a rule loads.

The `jmespath` package interprets its syntax tree on every search: each node is a dict, looked up
by type and dispatched through a method call. Rules run their expressions on every node of an
estate (100,000 documents), where that dispatch costs more than the work. A closure per node does
the same steps directly. The semantics are the interpreter's own, node type by node type
(`jmespath.visitor.TreeInterpreter`, whose equality and ordering helpers are reused), and
tests/policies/test_jmes_closures.py holds the two to identical answers on generated documents.
A tree holding a node type not handled here gets no closure and is searched by the interpreter.
"""
from __future__ import annotations

from typing import Any, Callable

from jmespath.functions import Functions
# Private helpers, so that closures compare exactly as jmespath does; pyproject bounds jmespath <1.2.
from jmespath.visitor import _equals, _is_actual_number, _is_comparable  # type: ignore[attr-defined]

Search = Callable[[Any], Any]
_ORDERING: dict[str, Callable[[Any, Any], bool]] = {
    "lt": lambda a, b: a < b,
    "gt": lambda a, b: a > b,
    "lte": lambda a, b: a <= b,
    "gte": lambda a, b: a >= b,
}


class _Unsupported(Exception):
    """A node type the closures do not cover (slices, hashes, expression references...)."""


def _is_false(value: Any) -> bool:
    return value == "" or value == [] or value == {} or value is None or value is False


def closure(ast: dict[str, Any], functions: Functions) -> Search | None:
    """A function of the document that searches it as `ast` does, or None when not covered."""
    try:
        return _build(ast, functions)
    except _Unsupported:
        return None


def _build(node: dict[str, Any], functions: Functions) -> Search:
    kind = node["type"]
    steps = _steps(node)
    if steps is not None and len(steps) > 1:
        return _walk(tuple(steps))
    if kind == "projection" and node["children"][0]["type"] == "flatten":
        return _flat_projection(node, functions)
    children = [_build(c, functions) for c in node.get("children", ()) if isinstance(c, dict)]
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise _Unsupported(kind)
    return builder(node, children, functions)


def _steps(node: dict[str, Any]) -> list[str | int] | None:
    """A chain of fields and indexes (`a.b[0].c`, most rule paths) as its steps, else None."""
    kind = node["type"]
    if kind == "field":
        return [node["value"]]
    if kind == "index":
        return [node["value"]]
    if kind not in ("subexpression", "index_expression"):
        return None
    out: list[str | int] = []
    for child in node["children"]:
        steps = _steps(child)
        if steps is None:
            return None
        out.extend(steps)
    return out


def _walk(steps: tuple[str | int, ...]) -> Search:
    """One closure for a whole chain of fields and indexes: the steps of `_field` and `_index`."""
    if len(steps) == 2 and all(step.__class__ is str for step in steps):
        return _two_fields(*steps)  # type: ignore[arg-type]  # both str: the test above

    def run(value: Any) -> Any:
        for step in steps:
            if value is None:  # what every step makes of null, without raising (`related.x[0]` of no x)
                return None
            if step.__class__ is str:
                try:
                    value = value.get(step)
                except AttributeError:
                    return None
            elif not isinstance(value, list):
                return None
            elif -len(value) <= step < len(value):  # type: ignore[operator]  # an int: the class test above
                value = value[step]  # type: ignore[index]
            else:
                return None
        return value
    return run


def _two_fields(first: str, second: str) -> Search:
    """`a.b` (`facts.x`, `attributes.y`: most rule paths): `_walk`'s two steps in one expression.
    Only an object has `get`; on anything else (null, a list, a string) the field is null."""
    def run(value: Any) -> Any:
        try:
            inner = value.get(first)
            return None if inner is None else inner.get(second)  # a missing field, without raising
        except AttributeError:
            return None
    return run


def _field(node: dict[str, Any], _c: list[Search], _f: Functions) -> Search:
    name = node["value"]

    def run(value: Any) -> Any:
        try:
            return value.get(name)
        except AttributeError:
            return None
    return run


def _chain(_n: dict[str, Any], children: list[Search], _f: Functions) -> Search:
    """subexpression, index_expression and pipe: each child searches the previous answer."""
    if len(children) == 2:
        first, second = children
        return lambda value: second(first(value))

    def run(value: Any) -> Any:
        for child in children:
            value = child(value)
        return value
    return run


def _index(node: dict[str, Any], _c: list[Search], _f: Functions) -> Search:
    position = node["value"]

    def run(value: Any) -> Any:
        if not isinstance(value, list):
            return None
        try:
            return value[position]
        except IndexError:
            return None
    return run


def _projection(_n: dict[str, Any], children: list[Search], _f: Functions) -> Search:
    base, each = children

    def run(value: Any) -> Any:
        items = base(value)
        if not isinstance(items, list):
            return None
        return [found for found in map(each, items) if found is not None]
    return run


def _flat_projection(node: dict[str, Any], functions: Functions) -> Search:
    """`base[].right` (a projection over a flatten: the rules' `a[].b[].c`) in one loop, without the
    flattened list in between; a field on the right is read inline, as `_field` reads it."""
    flattened, right = node["children"]
    (base,) = [_build(c, functions) for c in flattened["children"]]
    steps = _steps(right)
    if steps is None or len(steps) != 1 or steps[0].__class__ is not str:
        each = _build(right, functions)

        def run(value: Any) -> Any:
            items = base(value)
            if not isinstance(items, list):
                return None
            collected = []
            for item in items:
                for element in item if isinstance(item, list) else (item,):
                    found = each(element)
                    if found is not None:
                        collected.append(found)
            return collected
        return run
    name = steps[0]

    def run_field(value: Any) -> Any:
        items = base(value)
        if not isinstance(items, list):
            return None
        collected = []
        for item in items:
            for element in item if isinstance(item, list) else (item,):
                try:
                    found = element.get(name)
                except AttributeError:  # not an object: the field is null
                    continue
                if found is not None:
                    collected.append(found)
        return collected
    return run_field


def _value_projection(_n: dict[str, Any], children: list[Search], _f: Functions) -> Search:
    base, each = children

    def run(value: Any) -> Any:
        try:
            items = base(value).values()
        except AttributeError:
            return None
        return [found for found in map(each, items) if found is not None]
    return run


def _filter_projection(_n: dict[str, Any], children: list[Search], _f: Functions) -> Search:
    base, each, test = children

    def run(value: Any) -> Any:
        items = base(value)
        if not isinstance(items, list):
            return None
        collected = []
        for item in items:
            if not _is_false(test(item)):
                found = each(item)
                if found is not None:
                    collected.append(found)
        return collected
    return run


def _flatten(_n: dict[str, Any], children: list[Search], _f: Functions) -> Search:
    (base,) = children

    def run(value: Any) -> Any:
        items = base(value)
        if not isinstance(items, list):
            return None
        merged: list[Any] = []
        for item in items:
            if isinstance(item, list):
                merged.extend(item)
            else:
                merged.append(item)
        return merged
    return run


def _comparator(node: dict[str, Any], children: list[Search], _f: Functions) -> Search:
    left, right = children
    op = node["value"]
    if op == "eq":
        return lambda value: _equals(left(value), right(value))
    if op == "ne":
        return lambda value: not _equals(left(value), right(value))
    compare = _ORDERING[op]

    def run(value: Any) -> Any:
        a, b = left(value), right(value)
        if not (_is_comparable(a) and _is_comparable(b)):
            return None
        return compare(a, b)
    return run


def _literal(node: dict[str, Any], _c: list[Search], _f: Functions) -> Search:
    constant = node["value"]
    return lambda _value: constant


def _current(_n: dict[str, Any], _c: list[Search], _f: Functions) -> Search:
    return lambda value: value


def _multi_select_list(_n: dict[str, Any], children: list[Search], _f: Functions) -> Search:
    return lambda value: None if value is None else [child(value) for child in children]


def _or(_n: dict[str, Any], children: list[Search], _f: Functions) -> Search:
    left, right = children

    def run(value: Any) -> Any:
        matched = left(value)
        return right(value) if _is_false(matched) else matched
    return run


def _and(_n: dict[str, Any], children: list[Search], _f: Functions) -> Search:
    left, right = children

    def run(value: Any) -> Any:
        matched = left(value)
        return matched if _is_false(matched) else right(value)
    return run


def _not(_n: dict[str, Any], children: list[Search], _f: Functions) -> Search:
    (inner,) = children

    def run(value: Any) -> Any:
        found = inner(value)
        if _is_actual_number(found) and found == 0:  # !0 is false: 0 is not falsy in JMESPath
            return False
        return not found
    return run


def _function(node: dict[str, Any], children: list[Search], functions: Functions) -> Search:
    name = node["value"]
    spec = functions.FUNCTION_TABLE.get(name)
    signature = spec["signature"] if spec is not None else None
    if signature is not None and len(signature) == len(children) == 1 and not signature[0]["types"] \
            and not signature[0].get("variadic"):
        # One argument of any type (`type(x)`): `call_function`'s arity and type checks cannot fail,
        # so the function is called as it would call it, without them.
        function, (child,) = spec["function"], children
        return lambda value: function(functions, child(value))
    return lambda value: functions.call_function(name, [child(value) for child in children])


_BUILDERS: dict[str, Callable[[dict[str, Any], list[Search], Functions], Search]] = {
    "field": _field,
    "subexpression": _chain,
    "index_expression": _chain,
    "pipe": _chain,
    "index": _index,
    "projection": _projection,
    "filter_projection": _filter_projection,
    "value_projection": _value_projection,
    "flatten": _flatten,
    "comparator": _comparator,
    "literal": _literal,
    "current": _current,
    "identity": _current,
    "multi_select_list": _multi_select_list,
    "function_expression": _function,
    "or_expression": _or,
    "and_expression": _and,
    "not_expression": _not,
}
