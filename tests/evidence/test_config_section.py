"""The optional `evidence:` section of attest.yaml: defaults, values, and located errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from attest.collector.config import EvidenceConfig, load_config
from attest.core.errors import BadInputError

BASE = "version: 1\n"


def config_with(tmp_path: Path, section: str) -> Path:
    path = tmp_path / "attest.yaml"
    path.write_text(BASE + section)
    return path


def test_defaults_without_a_section(tmp_path: Path) -> None:
    settings = load_config(config_with(tmp_path, "")).evidence
    assert settings == EvidenceConfig()
    assert (settings.cadence_hours, settings.retention_mode, settings.retention_days) == (26, "COMPLIANCE", 2192)


def test_values_are_read(tmp_path: Path) -> None:
    section = (
        "evidence:\n  locker: s3://bucket/attest\n  cadence_hours: 30\n"
        "  retention: {mode: GOVERNANCE, days: 400}\n"
        "  signing:\n    kms_key_id: alias/attest\n    public_key: |\n"
        "      -----BEGIN PUBLIC KEY-----\n      AAAA\n      -----END PUBLIC KEY-----\n"
    )
    settings = load_config(config_with(tmp_path, section)).evidence
    assert (settings.locker, settings.cadence_hours, settings.retention_mode, settings.retention_days) == (
        "s3://bucket/attest", 30, "GOVERNANCE", 400
    )
    assert settings.kms_key_id == "alias/attest" and settings.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")


@pytest.mark.parametrize(
    ("section", "line", "text"),
    [
        ("evidence:\n  lockr: x\n", 3, "unknown key"),
        ("evidence:\n  retention: {mode: FOREVER}\n", 3, "must be one of COMPLIANCE, GOVERNANCE"),
        ("evidence:\n  cadence_hours: 0\n", 3, "positive whole number"),
        ("evidence:\n  signing:\n    public_key: not a key\n", 4, "PEM public key"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, section: str, line: int, text: str) -> None:
    path = config_with(tmp_path, section)
    with pytest.raises(BadInputError) as raised:
        load_config(path)
    assert raised.value.where == f"{path}:{line}" and text in raised.value.message
