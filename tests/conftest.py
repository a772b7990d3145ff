"""Shared fixtures. `default_estate`: the seeded local estate (moto behind the fault proxy, and
the Atlas emulator), started once per session; faults are cleared after each test that uses it.

    def test_something(default_estate):
        default_estate.env            # AWS_ENDPOINT_URL, MONGODB_ATLAS_BASE_URL, test credentials
        default_estate.aws_faults     # sandbox.aws_faults.FaultProxy (set/clear rules, .calls)
        default_estate.atlas.faults   # the Atlas emulator's FaultPlan
        default_estate.seeded         # ids moto assigned (vpce_ids, secret_arns, ...)

A module- or session-scoped fixture can depend on `_default_estate_session` directly (same estate,
no fault clearing: clear `aws_faults` yourself). Tests must not change the estate's resources (it
is shared); start a private one with `sandbox.local.local_estate("<variant>")` for that.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pytest

if TYPE_CHECKING:
    from attest.sandbox.local import LocalEstate

LOCAL_CONFIG = Path(__file__).resolve().parent.parent / "sandbox" / "attest.local.yaml"


@pytest.fixture(scope="session", autouse=True)
def _private_checkov_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """checkov reports are cached per user; tests keep theirs in a directory of this run's own, shared
    by its xdist workers (entries are keyed by content and written atomically), so a Terraform tree
    that several test files judge costs one checkov run."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "attest-cache"
    shared.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATTEST_CACHE_DIR", str(shared))
        yield


@pytest.fixture(scope="session", autouse=True)
def _reused_moto_servers() -> Iterator[None]:
    """Each local estate gets a moto server emptied by moto's reset instead of a new process."""
    from attest.sandbox.moto_server import reusing_servers

    with reusing_servers():
        yield


@pytest.fixture(scope="session")
def _default_estate_session() -> Iterator[LocalEstate]:
    from attest.sandbox.local import local_estate  # only sessions that use the estate pay for its imports

    with local_estate("default") as running:
        yield running


@pytest.fixture
def default_estate(_default_estate_session: LocalEstate) -> Iterator[LocalEstate]:
    running = _default_estate_session
    running.aws_faults.clear()
    running.atlas.faults.clear()
    yield running
    running.aws_faults.clear()
    running.atlas.faults.clear()


@pytest.fixture
def local_config_path() -> Path:
    """The estate config that matches the seeded local estate."""
    return LOCAL_CONFIG
