"""moto's server on 127.0.0.1: the real AWS wire protocol for the local estate.

Each server is its own process. moto keeps its state in process-wide backends, so two in-process
servers (or a test's own moto) would see each other's resources; a process per server keeps every
seeded estate, and every variant, isolated. The server is stopped with the context manager, and
`pid` is recorded by `attest sandbox up` so a crashed sandbox can still be cleaned up.

Starting a server costs seconds (the process, then moto's EC2 models on the first call), so a block
that starts many estates one after another (the test suite) can keep them: inside `reusing_servers()`,
`moto_server()` hands back an idle server of the same environment, reset to empty, instead of
starting one.
"""
from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
from contextvars import ContextVar
from types import TracebackType
from typing import Iterator, Mapping

import requests

HOST = "127.0.0.1"
# The local estate runs no instances, so moto's catalogue of public AMIs (loaded into every region's
# EC2 backend on its first call, about a second of each server's start) is left out.
QUIET_ENV = {"MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
START_TIMEOUT = 30.0


class MotoServer:
    """A moto server process on a free loopback port; `url` is valid between start() and stop()."""

    def __init__(self, port: int = 0, environ: Mapping[str, str] | None = None) -> None:
        self._port = port
        self.environ: Mapping[str, str] = dict(environ or {})
        self._process: subprocess.Popen[bytes] | None = None
        self.url = ""

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> MotoServer:
        """Start the process. It binds its port (the kernel's choice for 0) before it says which, so no
        other process can take the port between its choice and its use, and no probe can reach
        another server (two test workers start estates at once)."""
        process = subprocess.Popen(
            [sys.executable, "-m", "attest.sandbox.moto_server", HOST, str(self._port)],
            env={**os.environ, **QUIET_ENV, **self.environ},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._process = process
        assert process.stdout is not None
        with process.stdout:
            ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
            said = process.stdout.readline().strip() if ready else b""
        if not said.isdigit():
            self.stop()
            if not ready:
                raise RuntimeError(f"moto server did not answer within {START_TIMEOUT:.0f}s")
            raise RuntimeError("moto server did not start" + (f": port {self._port} is taken" if self._port else ""))
        self.url = f"http://{HOST}:{int(said)}"
        return self

    def stop(self) -> None:
        """Kill the process: moto holds everything in memory, so there is nothing to flush, and
        asked to exit it takes about a second to tear its modules down."""
        if self._process is None:
            return
        self._process.kill()
        self._process.wait(timeout=10)
        self._process = None

    def reset(self) -> bool:
        """Empty every moto backend (moto's own `/moto-api/reset`); False if the server is gone."""
        if self._process is None or self._process.poll() is not None:
            return False
        try:
            return requests.post(f"{self.url}/moto-api/reset", timeout=10).ok
        except requests.RequestException:
            return False

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class ServerPool:
    """Idle servers by environment, each reset to empty when handed back."""

    def __init__(self) -> None:
        self._idle: dict[tuple[tuple[str, str], ...], list[MotoServer]] = {}

    def take(self, environ: Mapping[str, str]) -> MotoServer:
        idle = self._idle.get(_key(environ), [])
        return idle.pop() if idle else MotoServer(environ=environ).start()

    def give_back(self, server: MotoServer) -> None:
        if server.reset():
            self._idle.setdefault(_key(server.environ), []).append(server)
        else:
            server.stop()

    def close(self) -> None:
        for servers in self._idle.values():
            for server in servers:
                server.stop()
        self._idle.clear()


def _key(environ: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(environ.items()))


_POOL: ContextVar[ServerPool | None] = ContextVar("moto_server_pool", default=None)


@contextlib.contextmanager
def reusing_servers() -> Iterator[None]:
    """Within this block, `moto_server()` keeps servers for the next estate instead of stopping them."""
    pool = ServerPool()
    token = _POOL.set(pool)
    try:
        yield
    finally:
        _POOL.reset(token)
        pool.close()


@contextlib.contextmanager
def moto_server(environ: Mapping[str, str]) -> Iterator[MotoServer]:
    """A running, empty server with `environ`: a new one, or inside `reusing_servers()` a kept one."""
    pool = _POOL.get()
    if pool is None:
        with MotoServer(environ=environ) as server:
            yield server
        return
    server = pool.take(environ)
    try:
        yield server
    finally:
        pool.give_back(server)


def serve(host: str, port: int) -> None:
    """The server process: moto's own application and request handler (as `python -m moto.server`
    runs them) on `port`, 0 for any free one; the port bound is printed before anything is served."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    server = make_server(host, port, DomainDispatcherApplication(create_backend_app), threaded=True,
                         request_handler=MotoRequestHandler)
    os.environ["MOTO_PORT"] = str(server.server_port)  # as moto's server sets it: some answers embed it
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
