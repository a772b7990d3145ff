from __future__ import annotations

from attest.collector.redact import is_marker, marker, redact_environment


def test_connection_strings_and_named_secrets_are_redacted() -> None:
    env = [
        {"name": "MONGODB_URI", "value": "mongodb+srv://u:CANARY-x@h/db"},
        {"name": "DB_PASSWORD", "value": "hunter2"},
        {"name": "NODE_ENV", "value": "production"},
        {"name": "OPAQUE", "value": "A" * 40},
    ]
    out, names = redact_environment(env, salt="s")
    assert names == ["MONGODB_URI", "DB_PASSWORD", "OPAQUE"]
    assert out[2] == {"name": "NODE_ENV", "value": "production"}
    assert all(is_marker(e["value"]) for e in (out[0], out[1], out[3]))
    assert "CANARY" not in repr(out)


def test_marker_is_salted_and_stable() -> None:
    assert marker("v", "a") == marker("v", "a")
    assert marker("v", "a") != marker("v", "b")
    out, names = redact_environment([{"name": "X_URI", "value": marker("v", "a")}], salt="a")
    assert names == [] and out[0]["value"] == marker("v", "a")
