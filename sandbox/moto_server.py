"""moto's server on 127.0.0.1: the real AWS wire protocol for the local estate.

Each server is its own process. moto keeps its state in process-wide backends, so two in-process
servers (or a test's own moto) would see each other's resources; a process per server keeps every
seeded estate, and every variant, isolated. The server is stopped with the context manager, and
`pid` is recorded by `attest sandbox up` so a crashed sandbox can still be cleaned up.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from types import TracebackType
from typing import Mapping

import requests

HOST = "127.0.0.1"
START_TIMEOUT = 30.0
PORT_TRIES = 3


def free_port(port: int = 0) -> int:
    """`port` (or any free one, for 0) after checking it can be bound now; OSError when taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, port))
        return int(probe.getsockname()[1])


class MotoServer:
    """A moto server process on a free loopback port; `url` is valid between start() and stop()."""

    def __init__(self, port: int = 0, environ: Mapping[str, str] | None = None) -> None:
        self._port = port
        self._environ = dict(environ or {})
        self._process: subprocess.Popen[bytes] | None = None
        self.url = ""

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> MotoServer:
        """Start on the given port, or on a free one (retried: another process may take it first)."""
        for _ in range(1 if self._port else PORT_TRIES):
            try:
                port = free_port(self._port)
            except OSError:
                raise RuntimeError(f"moto server did not start: port {self._port} is taken") from None
            self._process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)],
                env={**os.environ, **self._environ},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            self.url = f"http://{HOST}:{port}"
            if self._wait_ready():
                return self
        raise RuntimeError(f"moto server did not start on {self.url}")

    def _wait_ready(self) -> bool:
        """True once moto answers; False if it exited (its port was taken)."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                return False
            try:
                requests.get(f"{self.url}/moto-api/", timeout=2)
                return True
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not answer within {START_TIMEOUT:.0f}s")

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
