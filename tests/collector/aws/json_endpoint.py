"""A loopback endpoint speaking AWS's JSON protocol, for answers moto cannot give (a malformed one,
an organisation trail seen from a member account): the canned answer for each operation
(`X-Amz-Target`), keeping the requests it was sent. Real boto3 clients talk to it.
"""
from __future__ import annotations

import contextlib
import http.server
import json
import threading
from typing import Any, Iterator, Mapping

from attest.collector.aws.collect import base_factory
from attest.collector.aws.session import AwsSettings, ClientFactory


class Endpoint(http.server.ThreadingHTTPServer):
    def __init__(self, answers: Mapping[str, Any]) -> None:
        super().__init__(("127.0.0.1", 0), _JsonProtocol)
        self.answers = answers
        self.requests: list[tuple[str, Any]] = []


class _JsonProtocol(http.server.BaseHTTPRequestHandler):
    """AWS's JSON protocol: the server's answer for the request's X-Amz-Target."""

    def do_POST(self) -> None:
        assert isinstance(self.server, Endpoint)
        target = self.headers["X-Amz-Target"]
        sent = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append((target, json.loads(sent or b"{}")))
        body = json.dumps(self.server.answers[target]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet: the tests assert on the reading, not the server's log."""


@contextlib.contextmanager
def serving(answers: Mapping[str, Any]) -> Iterator[tuple[ClientFactory, Endpoint]]:
    """A client factory whose every call goes to a loopback endpoint giving `answers`."""
    server = Endpoint(answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        environ = {"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
        yield base_factory(environ, AwsSettings.from_env(environ)), server
    finally:
        server.shutdown()
        server.server_close()
