"""Seeded estates and their RFC 6902 variants."""
from __future__ import annotations

from pathlib import Path

import pytest

from attest.core.errors import BadInputError
from attest.sandbox.estate import ESTATES_DIR, load_estate


def _variant(tmp_path: Path, body: str) -> Path:
    (tmp_path / "default.yaml").write_text((ESTATES_DIR / "default.yaml").read_text())
    path = tmp_path / "variant.yaml"
    path.write_text(body)
    return path


def test_default_estate_loads_by_name() -> None:
    estate = load_estate("default")
    assert estate["aws"]["account"] == "123456789012"
    assert [s["name"] for s in estate["aws"]["secrets"]][-1] == "legacy/mongodb/uri"


def test_variant_applies_add_remove_replace_in_order(tmp_path: Path) -> None:
    path = _variant(
        tmp_path,
        "extends: default\n"
        "description: three ops\n"
        "patch:\n"
        "  - {op: replace, path: /aws/kms_keys/0/rotation, value: false}\n"
        "  - {op: remove, path: /aws/secrets/2}\n"
        "  - {op: add, path: /aws/secrets/-, value: {name: extra, kms_key: null, tags: {}, value: x}}\n"
        "  - {op: add, path: /aws/ecs/task_definitions/0/tags/owner, value: team-a}\n",
    )
    estate = load_estate(path)
    assert estate["aws"]["kms_keys"][0]["rotation"] is False
    assert [s["name"] for s in estate["aws"]["secrets"]] == ["prod/mongodb/uri", "prod/mongodb/reference-uri", "extra"]
    assert estate["aws"]["ecs"]["task_definitions"][0]["tags"]["owner"] == "team-a"


def test_pointer_escapes_are_decoded(tmp_path: Path) -> None:
    path = _variant(
        tmp_path,
        "extends: default\npatch:\n  - {op: add, path: /aws/secrets/0/tags/a~1b~0c, value: v}\n",
    )
    assert load_estate(path)["aws"]["secrets"][0]["tags"]["a/b~c"] == "v"


@pytest.mark.parametrize(
    "op, message",
    [
        ("{op: move, path: /aws, from: /atlas}", "patch[1]"),
        ("{op: remove, path: /aws/nope}", "no such location"),
        ("{op: replace, path: /aws/secrets/9, value: 1}", "no such location"),
        ("{op: add, path: aws/secrets, value: 1}", "JSON-pointer"),
        ("{op: add, path: /aws/x}", "needs a `value`"),
    ],
)
def test_bad_op_names_file_and_op_index(tmp_path: Path, op: str, message: str) -> None:
    path = _variant(
        tmp_path,
        f"extends: default\npatch:\n  - {{op: add, path: /aws/x, value: 1}}\n  - {op}\n",
    )
    with pytest.raises(BadInputError) as caught:
        load_estate(path)
    text = caught.value.diagnostic()
    assert str(path) in text and "patch[1]" in text and message in text
    assert f"{path}:4" in text


def test_unknown_base_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "v.yaml"
    path.write_text("extends: nowhere\npatch: []\n")
    with pytest.raises(BadInputError, match="file not found"):
        load_estate(path)


def test_every_shipped_variant_loads() -> None:
    for path in sorted(ESTATES_DIR.glob("*.yaml")):
        assert isinstance(load_estate(path)["aws"], dict), path.name
