from __future__ import annotations

from pathlib import Path

import pytest

from attest.collector.config import load_config
from attest.core.errors import BadInputError

LOCAL = Path(__file__).parents[2] / "sandbox" / "attest.local.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "attest.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_local_example_config_loads() -> None:
    config = load_config(LOCAL)
    assert [p.role for p in config.atlas_projects] == ["phi", "reference"]
    assert config.privatelinks[0].port_ranges == ((1024, 65535),)
    assert config.digest.startswith("sha256:")
    assert config.project("reference") is config.project("6a7000000000000000000002")


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("version: 1\nbogus: 2\n", 2, "bogus: unknown key"),
        ("version: 2\n", 1, "unsupported config version"),
        ("version: 1\naws:\n  accounts:\n    - id: 12345\n      regions: [us-east-1]\n", 4, "12 digits"),
        ("version: 1\naws:\n  accounts:\n    - id: '123456789012'\n", 4, "missing required key 'regions'"),
        (
            "version: 1\natlas:\n  projects:\n    - {id: 6b1000000000000000000001, name: p, role: secret}\n",
            4,
            "must be one of phi, reference",
        ),
        ("version: 1\natlas:\n  approved_access_ranges: [10.0.0.0/33]\n", 3, "not a CIDR block"),
        ("version: 1\nsecrets:\n  - {name: s, points_to: nope/none, env_var: X}\n", 3, "no cluster 'nope/none'"),
        ("version: 1\nversion: 1\n", 2, "duplicate key 'version'"),
        ("version: [1\n", 2, "not valid YAML"),
    ],
)
def test_bad_config_names_file_and_line(tmp_path: Path, text: str, line: int, needle: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(BadInputError) as caught:
        load_config(path)
    diagnostic = caught.value.diagnostic()
    assert diagnostic.startswith(f"{path}:{line}: "), diagnostic
    assert needle in diagnostic
    assert "\n" not in diagnostic


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="file not found"):
        load_config(tmp_path / "absent.yaml")


def test_empty_config_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="empty"):
        load_config(write(tmp_path, ""))


def test_port_range_must_run_low_to_high(tmp_path: Path) -> None:
    text = LOCAL.read_text(encoding="utf-8").replace('ports: ["1024-65535"]', 'ports: ["65535-1024"]')
    with pytest.raises(BadInputError, match="low to high"):
        load_config(write(tmp_path, text))
