"""libyaml parses for speed; the values must be PyYAML's, and errors stay one located line."""
from __future__ import annotations

import pytest
import yaml

from attest.core.errors import BadInputError
from attest.core.yamlfile import parse_yaml

SAME_AS_PYYAML = [
    "a: 1\nb: [x, y]\n", "a: !\n", "- !\n", "a: !!str 1\n", "\ufeffa: 1\n", "\ufeff\ufeffa: 1\n",
    "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n", "a: &x [1, 2]\nb: *x\n", "%YAML 1.1\n---\na: yes\n",
    "a: |\n  text\n  more\n", "a: 'quoted # not a comment'\n", "a: 2001-12-14\n", "a: 0o17\nb: 017\n", "",
]


@pytest.mark.parametrize("text", SAME_AS_PYYAML)
def test_values_are_pyyamls(text: str) -> None:
    assert parse_yaml(text, "x.yaml")[0] == yaml.load(text, Loader=yaml.SafeLoader)


@pytest.mark.parametrize(("text", "message"), [
    ("? [a, b]\n: 1\n", "x.yaml:1: not valid YAML"),
    ("a: [1\n", "x.yaml:2: not valid YAML"),
    ("a: 1\na: 2\n", "x.yaml:2: duplicate key 'a'"),
])
def test_bad_yaml_is_one_located_line(text: str, message: str) -> None:
    with pytest.raises(BadInputError) as caught:
        parse_yaml(text, "x.yaml")
    assert caught.value.diagnostic().startswith(message)
