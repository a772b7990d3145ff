"""A real reader (KMS) against a loopback endpoint whose answer lacks a documented field: a gap, not an abort."""
from __future__ import annotations

import http.server
import json
import threading
from typing import Iterator

import pytest

from attest.collector.aws import kms
from attest.collector.aws.collect import base_factory
from attest.collector.aws.reading import Reading
from attest.collector.aws.session import AwsSettings

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/k1"
ANSWERS = {
    "TrentService.ListKeys": {"Keys": [{"KeyId": "k1", "KeyArn": KEY_ARN}]},
    "TrentService.ListAliases": {"Aliases": [{"TargetKeyId": "k1", "AliasArn": "CANARY-alias-arn"}]},
    "TrentService.DescribeKey": {"KeyMetadata": {"KeyId": "k1", "Arn": KEY_ARN}},
    "TrentService.GetKeyRotationStatus": {"KeyRotationEnabled": True},
}


class _Kms(http.server.BaseHTTPRequestHandler):
    """KMS's JSON protocol; ListAliases answers an alias without its AliasName."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps(ANSWERS[self.headers["X-Amz-Target"]]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet: the test asserts on the reading, not the server's log."""


@pytest.fixture
def endpoint() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Kms)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_missing_alias_name_is_a_malformed_gap_and_the_keys_are_still_read(endpoint: str) -> None:
    environ = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    r = Reading("123456789012", "us-east-1", base_factory(environ, AwsSettings.from_env(environ)), "salt")
    kms.read(r)
    assert [(g.operation, g.reason) for g in r.gaps] == [("kms:ListAliases", "malformed")]
    assert "KeyError" in r.gaps[0].detail and "CANARY-" not in r.gaps[0].detail
    [key] = r.resources
    assert key.id == KEY_ARN and key.attributes["Aliases"] is None
