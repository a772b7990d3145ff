"""The Atlas Admin API v2 emulator as a server on a loopback port, in a background thread."""
from __future__ import annotations

import threading
from types import TracebackType
from typing import Any, Mapping

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from attest.sandbox.atlas.api import AtlasApi
from attest.sandbox.atlas.estate import build_estate
from attest.sandbox.atlas.faults import FaultPlan

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class _QuietHandler(WSGIRequestHandler):
    """Keep-alive, and no access log: results and tests own stdout/stderr."""

    protocol_version = "HTTP/1.1"

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class AtlasEmulator:
    """Serves the estate's Atlas projects; clients append `/api/atlas/v2` to `base_url`."""

    def __init__(self, atlas_section: dict[str, Any], vpce_ids: Mapping[str, str], host: str = "127.0.0.1", port: int = 0) -> None:
        if host not in LOOPBACK:
            raise ValueError(f"the Atlas emulator listens on loopback only, not {host!r}")
        self.faults = FaultPlan()
        self.app = AtlasApi(build_estate(atlas_section, vpce_ids), self.faults)
        self._host, self._port = host, port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    def start(self) -> None:
        if self._server is not None:
            return
        server = make_server(self._host, self._port, self.app, threaded=True, request_handler=_QuietHandler)
        self._server = server
        host = f"[{self._host}]" if ":" in self._host else self._host
        self.base_url = f"http://{host}:{server.server_port}"
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="atlas-emulator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    def revoke_tokens(self) -> None:
        """Expire every service-account token now (clients must fetch a new one)."""
        self.app.auth.revoke_tokens()

    def __enter__(self) -> AtlasEmulator:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
