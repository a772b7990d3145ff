"""A running Atlas emulator over the default estate, plus the estate config and credentials for it."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from attest.collector.config import EstateConfig, load_config
from attest.sandbox.atlas import AtlasEmulator

from atlas_env import OWNER_KEY, VPCE_ID

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def emulator() -> Iterator[AtlasEmulator]:
    section = copy.deepcopy(yaml.safe_load((ROOT / "sandbox" / "estates" / "default.yaml").read_text())["atlas"])
    section["api_keys"].append({"public_key": "owner-key", "private_key": OWNER_KEY["MONGODB_ATLAS_PRIVATE_API_KEY"], "role": "GROUP_OWNER"})
    with AtlasEmulator(section, {"atlas-reference": VPCE_ID}) as running:
        yield running


@pytest.fixture()
def atlas(emulator: AtlasEmulator) -> Iterator[AtlasEmulator]:
    """The emulator with a clean fault plan before and after the test."""
    emulator.faults.clear()
    yield emulator
    emulator.faults.clear()


@pytest.fixture(scope="session")
def config() -> EstateConfig:
    return load_config(ROOT / "sandbox" / "attest.local.yaml")
