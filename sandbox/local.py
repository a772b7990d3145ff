"""The local estate: moto behind the fault proxy, and the Atlas emulator, seeded from one estate.

`local_estate()` is what tests and `attest demo` use (everything in-process, stopped on exit);
`serve()` runs the same thing in a background process for `attest sandbox up`, recording its URLs
and pid in a state file so `attest sandbox down` can stop it.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from attest.sandbox.atlas.server import AtlasEmulator
from attest.sandbox.aws_faults import FaultProxy
from attest.sandbox.aws_seed import CREDENTIALS, SeededAws, seed_aws
from attest.sandbox.estate import load_estate
from attest.sandbox.moto_server import moto_server
from attest.sandbox.scale import atlas_section, seed_accounts


@dataclass(frozen=True)
class LocalAws:
    """moto, the fault proxy in front of it, and what the seeding created."""

    moto_url: str
    moto_pid: int
    endpoint_url: str
    faults: FaultProxy
    seeded: SeededAws
    env: Mapping[str, str]


@dataclass(frozen=True)
class LocalEstate:
    """A running local estate. `env` is what the collector needs to read it (no real credentials)."""

    estate: Mapping[str, Any]
    aws_endpoint_url: str
    moto_url: str
    moto_pid: int
    atlas_base_url: str
    env: Mapping[str, str]
    aws_faults: FaultProxy
    atlas: AtlasEmulator
    seeded: SeededAws

    @property
    def vpce_ids(self) -> Mapping[str, str]:
        return self.seeded.vpce_ids


def aws_env(endpoint_url: str, region: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "AWS_DEFAULT_REGION": region,
    }


def atlas_env(base_url: str, atlas: Mapping[str, Any]) -> dict[str, str]:
    """The Atlas CLI's variables for the estate's first API key (the emulator's own credentials)."""
    key = (atlas.get("api_keys") or [{}])[0]
    env = {"MONGODB_ATLAS_BASE_URL": base_url}
    if key:
        env["MONGODB_ATLAS_PUBLIC_API_KEY"] = str(key["public_key"])
        env["MONGODB_ATLAS_PRIVATE_API_KEY"] = str(key["private_key"])
    return env


def quiet_servers() -> None:
    """The servers' per-request access logs would drown the collector's own stderr."""
    for name in ("werkzeug", "moto"):
        logging.getLogger(name).setLevel(logging.ERROR)


DEFAULT_ACCOUNT = "123456789012"  # moto's own account for the `testing` credentials


def moto_environ(estate: Mapping[str, Any]) -> dict[str, str]:
    """moto reports ECS tasks as running only when told how many, process-wide, at CreateService.

    The count is the first service's `running_count` (default: its `desired_count`), so a variant
    can plant a rollout that never completes by setting `running_count: 0`. An estate whose
    account is not moto's default is served as that account (MOTO_ACCOUNT_ID).
    """
    aws = estate.get("aws") or {}
    env = {"MOTO_ACCOUNT_ID": str(aws["account"])} if aws.get("account", DEFAULT_ACCOUNT) != DEFAULT_ACCOUNT else {}
    services = (aws.get("ecs") or {}).get("services") or []
    if services:
        first = services[0]
        env["MOTO_ECS_SERVICE_RUNNING"] = str(first.get("running_count", first.get("desired_count", 1)))
    return env


@contextlib.contextmanager
def local_aws(estate: Mapping[str, Any]) -> Iterator[LocalAws]:
    """moto + fault proxy, seeded with the estate's `aws:` section (and its `scale:` accounts)."""
    quiet_servers()
    with moto_server(moto_environ(estate)) as moto, FaultProxy(moto.url) as proxy:
        seeded = seed_aws(moto.url, estate)
        seed_accounts(moto.url, estate)
        yield LocalAws(moto.url, moto.pid or 0, proxy.url, proxy, seeded, aws_env(proxy.url, seeded.region))


@contextlib.contextmanager
def local_estate(estate: str | Mapping[str, Any] = "default") -> Iterator[LocalEstate]:
    """Start and seed the whole local estate (an estate name, path or already-loaded dict)."""
    data = load_estate(estate) if isinstance(estate, str) else estate
    with local_aws(data) as aws:
        with AtlasEmulator(atlas_section(data), aws.seeded.vpce_ids) as atlas:
            yield LocalEstate(
                estate=data,
                aws_endpoint_url=aws.endpoint_url,
                moto_url=aws.moto_url,
                moto_pid=aws.moto_pid,
                atlas_base_url=atlas.base_url,
                env={**aws.env, **atlas_env(atlas.base_url, data.get("atlas") or {})},
                aws_faults=aws.faults,
                atlas=atlas,
                seeded=aws.seeded,
            )


def serve(estate: str, state_path: Path) -> None:
    """Run the local estate until SIGTERM/SIGINT; the state file exists exactly while it serves."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with local_estate(estate) as running:
        state = {
            "pid": os.getpid(),
            "estate": estate,
            "aws_endpoint_url": running.aws_endpoint_url,
            "moto_url": running.moto_url,
            "moto_pid": running.moto_pid,
            "atlas_base_url": running.atlas_base_url,
            "vpce_ids": dict(running.vpce_ids),
            "env": dict(running.env),
        }
        tmp = state_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(state, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, state_path)
        try:
            stop.wait()
        finally:
            state_path.unlink(missing_ok=True)


if __name__ == "__main__":
    _parser = argparse.ArgumentParser(prog="python -m sandbox.local", description="Serve the local estate (used by `attest sandbox up`).")
    _parser.add_argument("--estate", default="default")
    _parser.add_argument("--state", required=True, type=Path)
    _args = _parser.parse_args()
    serve(_args.estate, _args.state)
