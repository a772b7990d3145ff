"""Property tests: whatever bytes arrive, the loaders answer with data or one BadInputError line."""
from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attest.collector.config import load_config
from attest.core.errors import BadInputError
from attest.collector.snapshot import load_snapshot

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
snapshot_like = st.fixed_dictionaries(
    {
        "schema_version": st.sampled_from(["1", "2", 1]),
        "collected_at": st.sampled_from(["2026-11-26T02:00:00Z", "yesterday", 5]),
        "collector_version": st.text(max_size=5),
        "identity": st.dictionaries(st.sampled_from(["aws_caller_arns", "atlas_principal"]), json_values),
        "scope": json_values,
        "resources": st.lists(st.dictionaries(st.sampled_from(["id", "type", "provider", "scope", "region", "source", "attributes"]), json_values), max_size=3),
        "gaps": st.lists(json_values, max_size=2),
    }
)


def _only_bad_input(call) -> None:
    try:
        call()
    except BadInputError as exc:
        assert "\n" not in exc.diagnostic()


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(doc=snapshot_like | json_values)
def test_snapshot_loader_never_crashes(tmp_path: Path, doc) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    _only_bad_input(lambda: load_snapshot(str(path)))


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(text=st.text(max_size=200))
def test_snapshot_loader_on_arbitrary_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    _only_bad_input(lambda: load_snapshot(str(path)))


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(doc=json_values | st.dictionaries(st.sampled_from(["version", "aws", "atlas", "secrets", "vendors", "ecs"]), json_values))
def test_config_loader_never_crashes(tmp_path: Path, doc) -> None:
    path = tmp_path / "attest.yaml"
    path.write_text(json.dumps(doc), encoding="utf-8")  # JSON is YAML
    _only_bad_input(lambda: load_config(path))
