"""Fixtures: an empty local locker, and one holding three nightly bundles."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import boto3
import pytest
from evidence_helpers import NIGHT, START, export_one

from attest.evidence.bundle import Published
from attest.evidence.lockers import LocalLocker
from attest.sandbox.moto_server import MotoServer


@pytest.fixture
def locker(tmp_path: Path) -> LocalLocker:
    return LocalLocker(tmp_path / "locker")


@pytest.fixture
def three_nights(locker: LocalLocker) -> list[Published]:
    """A locker holding three nightly bundles, 24 h apart."""
    return [export_one(locker, START + NIGHT * i) for i in range(3)]



@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """moto's server on 127.0.0.1 for the whole session (KMS, S3, the recorded collector run)."""
    with MotoServer() as server:
        yield server.url


@pytest.fixture
def aws(moto_url: str) -> Callable[[str], Any]:
    """A boto3 client factory pointed at the moto server with throwaway credentials."""

    def client(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=moto_url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return client
