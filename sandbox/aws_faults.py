"""A loopback HTTP proxy in front of moto that injects the failures real AWS produces.

The collector always talks to this proxy. Each rule matches a service (from the SigV4 credential
scope) and optionally an operation (from `X-Amz-Target` or the query protocol's `Action` field)
and a text its decoded parameters contain (`contains`: one account's role ARN, say), and answers AccessDenied, throttling, a 5xx, a delay or a malformed body, with the error shape of
that service's protocol so botocore parses it as it would a real answer. Rules are set from Python
(`FaultProxy.set`) or with `POST /_faults {"rules": [...]}`; `GET /_faults` shows rules and counts.
"""
from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import parse_qs, unquote_plus, urlsplit

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

KINDS = ("access_denied", "throttle", "server_error", "delay", "malformed")
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
# Services whose errors are XML `<ErrorResponse>`: the query protocol's, and CloudFront's (rest-xml,
# same shape). A JSON error body there parses as a bare HTTP status, never as the error it stands for.
_XML_ERRORS = {"ec2", "sts", "iam", "sns", "sqs", "rds", "elasticloadbalancing", "cloudfront"}
# Reads moto does not implement (its server answers HTTP 500, which botocore retries as a transient
# failure). The proxy answers them at once with the error CloudTrail documents for an operation it
# does not support, so the collector records its gap without waiting out the retries. No data is
# made up: the local estate simply has no CloudTrail event history.
_UNSUPPORTED = {("cloudtrail", "LookupEvents")}
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


class _QuietHandler(WSGIRequestHandler):
    """No access log: the proxy's callers are tests and the demo, whose stderr must stay readable."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


@dataclass(frozen=True)
class FaultRule:
    """Fail `rate` of the calls to `service` (and `operation`, when given) in the way `kind` says."""

    service: str
    kind: str
    operation: str | None = None
    rate: float = 1.0
    delay_seconds: float = 0.0
    status: int = 503
    contains: str | None = None  # only requests whose decoded parameters contain this (e.g. one account's role ARN)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (one of {', '.join(KINDS)})")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate is a share between 0 and 1")

    def matches(self, service: str, operation: str, params: str = "") -> bool:
        return self.service == service and self.operation in (None, operation) and (self.contains or "") in params


def _error(service: str, operation: str, code: str, message: str, status: int) -> Response:
    """The error body of the service's protocol: query XML (EC2's own, or the generic one) or JSON."""
    if service == "ec2":
        body = (
            f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code>"
            f"<Message>{message}</Message></Error></Errors><RequestID>fault-proxy</RequestID></Response>"
        )
        return Response(body, status=status, content_type="text/xml")
    if service in _XML_ERRORS:
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
            f"</Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
        )
        return Response(body, status=status, content_type="text/xml")
    body = json.dumps({"__type": code, "message": message})
    return Response(body, status=status, content_type="application/x-amz-json-1.1", headers={"x-amzn-ErrorType": code})


def _denied(service: str, operation: str) -> Response:
    if service == "ec2":
        return _error(service, operation, "UnauthorizedOperation", f"You are not authorized to perform: ec2:{operation}", 403)
    code = "AccessDenied" if service in _XML_ERRORS else "AccessDeniedException"
    message = f"User is not authorized to perform: {service}:{operation} (fault proxy)"
    return _error(service, operation, code, message, 400 if code.endswith("Exception") else 403)


def _throttled(service: str, operation: str) -> Response:
    if service == "ec2":
        return _error(service, operation, "RequestLimitExceeded", "Request limit exceeded.", 503)
    code = "Throttling" if service in _XML_ERRORS else "ThrottlingException"
    return _error(service, operation, code, "Rate exceeded", 400)


class FaultProxy:
    """Forwards every request to `upstream` unless a rule says otherwise; counts calls per operation."""

    def __init__(self, upstream: str, *, seed: int = 0, host: str = "127.0.0.1", port: int = 0) -> None:
        target = urlsplit(upstream)
        self._upstream = (target.hostname or "127.0.0.1", target.port or 80)
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._rules: tuple[FaultRule, ...] = ()
        self.calls: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()      # requests being handled now, per service
        self.max_in_flight = 0                          # the most handled at once since clear()
        self.max_in_flight_by: Counter[str] = Counter()  # the same, per service
        self._server = make_server(host, port, self._app, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="aws-fault-proxy", daemon=True
        )

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def set(self, rules: Iterable[FaultRule], *, seed: int | None = None) -> None:
        """Replace every rule (an empty list clears them); `seed` restarts the random draws."""
        with self._lock:
            self._rules = tuple(rules)
            if seed is not None:
                self._rng.seed(seed)

    def clear(self) -> None:
        self.set(())
        with self._lock:
            self.calls.clear()
            self.injected.clear()
            self.max_in_flight = 0
            self.max_in_flight_by.clear()

    def _draw(self, service: str, operation: str, params: str) -> FaultRule | None:
        with self._lock:
            self.calls[f"{service}:{operation}"] += 1
            for rule in self._rules:
                if rule.matches(service, operation, params) and (rule.rate >= 1.0 or self._rng.random() < rule.rate):
                    self.injected[f"{service}:{operation}:{rule.kind}"] += 1
                    return rule
        return None

    def _app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI application: one request in, one response out."""
        return self._handle(Request(environ))(environ, start_response)

    def _handle(self, request: Request) -> Response:
        if request.path == "/_faults":
            return self._control(request)
        body = request.get_data(cache=True)
        service, operation = _identify(request, body)
        with self._lock:
            self.in_flight[service] += 1
            self.max_in_flight = max(self.max_in_flight, sum(self.in_flight.values()))
            self.max_in_flight_by[service] = max(self.max_in_flight_by[service], self.in_flight[service])
        try:
            return self._answer(request, body, service, operation)
        finally:
            with self._lock:
                self.in_flight[service] -= 1

    def _answer(self, request: Request, body: bytes, service: str, operation: str) -> Response:
        params = unquote_plus(request.query_string.decode("latin-1") + "&" + body.decode("utf-8", "replace"))
        rule = self._draw(service, operation, params)
        if rule is None or rule.kind == "delay":
            if rule is not None:
                time.sleep(rule.delay_seconds)
            if (service, operation) in _UNSUPPORTED:
                message = f"{operation} is not implemented by the local estate (moto)"
                return _error(service, operation, "UnsupportedOperationException", message, 400)
            return self._forward(request, body)
        if rule.kind == "access_denied":
            return _denied(service, operation)
        if rule.kind == "throttle":
            return _throttled(service, operation)
        if rule.kind == "server_error":
            return _error(service, operation, "InternalFailure", "The request processing has failed.", rule.status)
        return Response("<<this is not a valid answer", status=200, content_type="application/x-amz-json-1.1")

    def _control(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                raw = json.loads(request.get_data() or b"{}")
                rules = [FaultRule(**item) for item in raw.get("rules", [])]
            except (ValueError, TypeError) as exc:
                return Response(json.dumps({"error": str(exc)}), status=400, content_type="application/json")
            self.set(rules, seed=raw.get("seed"))
        with self._lock:
            state: dict[str, Any] = {
                "rules": [asdict(r) for r in self._rules],
                "calls": dict(sorted(self.calls.items())),
                "injected": dict(sorted(self.injected.items())),
            }
        return Response(json.dumps(state), content_type="application/json")

    def _forward(self, request: Request, body: bytes) -> Response:
        conn = http.client.HTTPConnection(*self._upstream, timeout=60)
        try:
            headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
            conn.request(request.method, request.full_path if request.query_string else request.path, body, headers)
            answer = conn.getresponse()
            data = answer.read()
            out = [(k, v) for k, v in answer.getheaders() if k.lower() not in _HOP_BY_HOP]
            return Response(data, status=answer.status, headers=out)
        finally:
            conn.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


# REST-protocol reads the collector makes, by (service, method, path pattern): they carry neither
# X-Amz-Target nor Action, so the path names the operation.
_REST_OPERATIONS = ((("cloudfront", "GET", re.compile(r"^/\d{4}-\d{2}-\d{2}/distribution/?$")), "ListDistributions"),)


def _identify(request: Request, body: bytes) -> tuple[str, str]:
    """(service, operation) of an AWS request: SigV4 scope, then X-Amz-Target, Action or REST path."""
    found = _SCOPE.search(request.headers.get("Authorization", ""))
    service = found.group(1) if found else "unknown"
    target = request.headers.get("X-Amz-Target")
    if target:
        return service, target.rsplit(".", 1)[-1]
    action = request.args.get("Action")
    if not action and body:
        action = (parse_qs(body.decode("utf-8", "replace")).get("Action") or [""])[0]
    for (rest_service, method, path), name in _REST_OPERATIONS:
        if not action and service == rest_service and request.method == method and path.match(request.path):
            action = name
    return service, action or "unknown"
