"""canonical_json writes exactly what the standard encoder writes, whichever path it takes."""
from __future__ import annotations

import datetime as dt
import enum
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attest.core.canonical import canonical_json


class _Colour(str, enum.Enum):
    RED = "red"


def _standard(document: Any) -> bytes:
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


@pytest.mark.parametrize("value", [
    1.5e-7, -5e-5, 0.00012, 1e-4, 3.5e16, 0.0, -0.0, float("nan"), float("inf"), -float("inf"), 2**70, -(2**64),
    [1e-9, "a"], {"z": -2.5e-300}, "x 1e-5", "key/0000000e-0000-4000", "tab\tnull\x00\u2028é😀", _Colour.RED,
    {"b": [], "a": {}}, (1, "t"), {"é": 1, "e": 2, "😀": 3}, {1: "a", 2.5: "b", False: "c"},
    ["vpce-1e-5,", "x 2e-5,", 1.5e-7], ["vpce-1e-5,", 1e-7, "x"], {"a": "service-00e-1", "b": -3e-9},
])
def test_same_bytes_as_the_standard_encoder(value: Any) -> None:
    document = {"resources": [{"attributes": {"planted": value, "id": "x"}}], "n": 1}
    assert canonical_json(document) == _standard(document)


@pytest.mark.parametrize("value", [6.103515625e-05, -1e-7, 1e-4, 2.5, "0.00001", None])
def test_a_bare_value_gives_the_same_bytes(value: Any) -> None:
    assert canonical_json(value) == _standard(value)


def test_finite_skips_the_search_only_when_told() -> None:
    document = {"v": [float("nan")]}
    assert canonical_json(document) == _standard(document)
    assert canonical_json(document, finite=True) != _standard(document)  # the caller's promise is trusted


def test_floatless_skips_both_searches_only_when_told() -> None:
    document = {"v": [1e-5]}
    assert canonical_json(document, finite=True) == _standard(document)
    assert canonical_json(document, floats=False) != _standard(document)  # the caller's promise is trusted


@pytest.mark.parametrize("value", [dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), object()])
def test_what_the_standard_encoder_refuses_is_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        canonical_json({"v": value})


_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(document=_VALUES)
def test_generated_documents_give_the_standard_bytes(document: Any) -> None:
    assert canonical_json(document) == _standard(document)
