"""moto's server on 127.0.0.1: the real AWS wire protocol for the local estate.

In-process (a thread) for tests and the demo; `attest sandbox up` runs the whole local estate in a
background process instead (see `sandbox.local`), which hosts this same server.
"""
from __future__ import annotations

from types import TracebackType

import requests
from moto.server import ThreadedMotoServer

HOST = "127.0.0.1"


class MotoServer:
    """A moto server on a free loopback port; `url` is valid between start() and stop()."""

    def __init__(self, port: int = 0) -> None:
        self._server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
        self.url = ""

    def start(self) -> MotoServer:
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        self._server.stop()

    def reset(self) -> None:
        """Forget every resource (moto's own reset endpoint), so the estate can be seeded anew."""
        requests.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
