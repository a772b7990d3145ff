"""One client per service and region serves every account; each call is signed as the account
whose read runs it, and a call outside any account's read is refused, never signed as another."""
from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.exceptions import NoCredentialsError
from botocore.retries import standard

from attest.collector.aws.reading import Reading
from attest.collector.aws.session import AwsSettings, ClientFactory, Credentials

DEAD_ENDPOINT = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}  # never reached: the refusal comes first


def _base() -> ClientFactory:
    return ClientFactory(Credentials("AKIABASEEXAMPLE", "base-example"), DEAD_ENDPOINT, AwsSettings(max_attempts=1))


def test_accounts_share_clients() -> None:
    base = _base()
    other = base.assumed(Credentials("ASIAOTHEREXAMPLE", "other-example", "token"))
    assert other.client("ec2", "us-east-1") is base.client("ec2", "us-east-1")
    assert base.client("ec2", "eu-west-1") is not base.client("ec2", "us-east-1")


def test_a_call_outside_any_accounts_read_is_refused() -> None:
    client = _base().client("sts", "us-east-1")
    with pytest.raises(NoCredentialsError):
        client.get_caller_identity()


def test_each_call_is_signed_with_the_keys_of_the_block_it_runs_in() -> None:
    base = _base()
    other = base.assumed(Credentials("ASIAOTHEREXAMPLE", "other-example", "token"))
    client = base.client("sts", "us-east-1")
    seen: list[str] = []

    def stop(request, **_: object) -> None:  # type: ignore[no-untyped-def]
        seen.append(request.headers["Authorization"].decode().split("Credential=")[1].split("/")[0])
        raise NoCredentialsError()  # stop before the network

    client.meta.events.register("before-send", stop)
    for factory in (other, base, other):
        with factory.signing(), pytest.raises(NoCredentialsError):
            client.get_caller_identity()
    assert seen == ["ASIAOTHEREXAMPLE", "AKIABASEEXAMPLE", "ASIAOTHEREXAMPLE"]


class _Endpoint(BaseHTTPRequestHandler):
    """Answers ECS ListClusters: always throttles one account's key; fails every other key's first call."""

    calls: Counter[str] = Counter()

    def log_message(self, *_: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        key = self.headers["Authorization"].split("Credential=")[1].split("/")[0]
        self.calls[key] += 1
        if key == "ASIATHROTTLED" or self.calls[key] == 1:
            error = b'{"__type":"ThrottlingException"}' if key == "ASIATHROTTLED" else b'{"__type":"ServerException"}'
            self._answer(400 if key == "ASIATHROTTLED" else 500, error)
        else:
            self._answer(200, b'{"clusterArns": []}')

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_one_throttled_account_does_not_spend_the_retries_of_another(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore keeps one retry quota per client; shared clients keep one per account instead."""
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{server.server_port}"}
        base = ClientFactory(Credentials("AKIABASEEXAMPLE", "base-example"), env, AwsSettings(max_attempts=5))
        throttled = Reading("111111111111", "us-east-1", base.assumed(Credentials("ASIATHROTTLED", "s", "t")), "salt")
        for _ in range(30):  # 4 retries each: far more than one quota of 500 holds
            throttled.attempt("ecs:ListClusters", (), lambda: throttled.client("ecs").list_clusters())
        assert {g.reason for g in throttled.gaps} == {"throttled"}
        healthy = Reading("222222222222", "us-east-1", base.assumed(Credentials("ASIAHEALTHY", "s", "t")), "salt")
        answer = healthy.attempt("ecs:ListClusters", (), lambda: healthy.client("ecs").list_clusters())
        assert answer is not None and answer["clusterArns"] == [] and not healthy.gaps
        assert _Endpoint.calls["ASIAHEALTHY"] == 2  # its one server error was retried
    finally:
        server.shutdown()


def test_only_reviewed_services_get_shared_clients() -> None:
    """S3 (Express identity cache) and DynamoDB (account-id endpoints) would not sign per account."""
    with pytest.raises(ValueError, match="not reviewed"):
        _base().client("s3", "us-east-1")
