"""`load_json` gives the standard decoder's document, integers of any length kept exact, and
refuses what is not JSON (NaN, Infinity, a number too large for a float, lone surrogates, nesting
too deep) with a diagnostic naming the file and place."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attest.core.errors import BadInputError
from attest.core.jsonfile import load_json

_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(max_size=8), st.sampled_from(["12345678901234567890123", "-0", "sg-0123456789abcdef0"]))
_DOCS = st.recursive(_LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(st.text(max_size=5), inner, max_size=4)), max_leaves=25)


def _typed(value: Any) -> Any:
    """The value with every scalar's type beside it: 1 and 1.0 (and True) compare equal, but are not."""
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    return (type(value).__name__, value)


@settings(max_examples=300, deadline=None)
@given(doc=_DOCS, indent=st.sampled_from([None, 2]))
def test_the_document_is_the_standard_decoders(tmp_path_factory: pytest.TempPathFactory, doc: Any, indent: int | None) -> None:
    path = tmp_path_factory.mktemp("json") / "doc.json"
    text = json.dumps(doc, indent=indent, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    assert _typed(load_json(str(path))) == _typed(json.loads(text))


@pytest.mark.parametrize("text", [
    "18446744073709551616",  # one past 64 bits, alone
    '{"n": -9223372036854775809}',  # one below the smallest 64-bit integer
    '[1, 123456789012345678901234567890]',
    '{"a":\t99999999999999999999}',
])
def test_integers_beyond_64_bits_keep_every_digit(tmp_path: Path, text: str) -> None:
    path = tmp_path / "big.json"
    path.write_text(text, encoding="utf-8")
    assert _typed(load_json(str(path))) == _typed(json.loads(text))


@pytest.mark.parametrize("text, message", [
    ('{"a": NaN}', "NaN is not a finite number"),
    ('{"a": 1e400}', "1e400 is not a finite number"),
    ('{"a": [1, 2', "not valid JSON"),
    ('["\\ud800"]', "unpaired UTF-16 surrogate"),
    ("[" * 150 + "]" * 150, "nested deeper than 100 levels"),
])
def test_what_is_not_json_is_refused_with_a_located_diagnostic(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadInputError) as caught:
        load_json(str(path))
    assert message in caught.value.diagnostic() and str(path) in caught.value.diagnostic()


def test_floats_below_1e_4_are_noted_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "floats.json"
    path.write_text('{"a": [1e-5, -2e-7, 0.0, -0.0, 1e-4, 0.5, 3, "1e-9"], "b": 1.5e-300}', encoding="utf-8")
    small: list[float] = []
    assert load_json(str(path), small) == json.loads(path.read_text(encoding="utf-8"))
    assert small == [1e-5, -2e-7, 1.5e-300]
