"""What one reader produces, and how a failed AWS call becomes a Gap instead of an exception.

Every call goes through `Reading.attempt`, which turns botocore's errors into the gap reasons of
docs/resources.md, so a denied or throttled operation is recorded and the rest of the read goes on.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Callable, Iterator, TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    HTTPClientError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.parsers import ResponseParserError

from attest.collector.aws.session import ClientFactory
from attest.collector.snapshot import Gap, Resource

T = TypeVar("T")
log = logging.getLogger(__name__)
_THROTTLING = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled", "SlowDown",
    "EC2ThrottledException", "BandwidthLimitExceeded", "LimitExceededException",
}
_AUTH_FAILED = {
    "InvalidClientTokenId", "UnrecognizedClientException", "ExpiredToken", "ExpiredTokenException",
    "SignatureDoesNotMatch", "AuthFailure", "InvalidSignatureException", "IncompleteSignature",
}
_NOT_FOUND = {"ResourceNotFoundException", "NotFoundException", "ClusterNotFoundException", "ServiceNotFoundException"}
_DETAIL_LIMIT = 300


class MalformedAnswer(Exception):
    """An answer that parsed but lacks the shape the API documents."""


def classify(exc: Exception) -> tuple[str, str]:
    """(gap reason, one-line detail) for an exception raised by a boto3 call."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        detail = f"{code}: {error.get('Message', '')}".strip()
        if code.startswith("AccessDenied") or code in ("UnauthorizedOperation", "AuthorizationError"):
            return "access_denied", detail
        if code in _THROTTLING:
            return "throttled", f"{detail} (after retries)"
        if code in _AUTH_FAILED:
            return "auth_failed", detail
        if code in _NOT_FOUND:
            return "not_found", detail
        return "server_error", f"{detail} (HTTP {status})" if status else detail
    if isinstance(exc, (ConnectTimeoutError, ReadTimeoutError)):
        return "timeout", str(exc)
    if isinstance(exc, (EndpointConnectionError, BotoConnectionError, HTTPClientError)):
        return "unreachable", str(exc)
    if isinstance(exc, (ResponseParserError, MalformedAnswer)):
        return "malformed", str(exc)
    if isinstance(exc, NoCredentialsError):
        return "auth_failed", str(exc)
    return "server_error", f"{exc.__class__.__name__}: {exc}"


def plain(value: Any) -> Any:
    """The API's answer as JSON data: datetimes become UTC ISO 8601 strings, metadata is dropped."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def need(answer: Any, key: str, operation: str) -> Any:
    """`answer[key]`, or MalformedAnswer when the documented key is missing."""
    if not isinstance(answer, dict) or key not in answer:
        raise MalformedAnswer(f"{operation} answer has no {key!r}")
    return answer[key]


@dataclass
class Reading:
    """One reader's view of one account and region, accumulating resources, gaps and notes."""

    account: str
    region: str
    clients: ClientFactory
    salt: str
    parallel: int = 1  # calls `each` may have in flight: the scheduler counts the job this wide
    # The account's regions that are read (the planner's), so a reader can keep what is homed in
    # none of them in the first; empty when only this region is known to be read.
    regions: tuple[str, ...] = ()
    resources: list[Resource] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def home_or_first(self, home: str) -> str:
        """Where a resource homed in `home` and listed in every read region is kept: its home when
        that is read, else the first region read, so it is neither counted twice nor lost."""
        read = self.regions or (self.region,)
        return home if home in read else read[0]

    def client(self, service: str) -> Any:
        return self.clients.client(service, self.region)

    def attempt(self, operation: str, types: tuple[str, ...], call: Callable[[], T]) -> T | None:
        """Run `call`; on a botocore failure record a gap for `types` and return None.

        A KeyError or TypeError while reading the answer means the answer lacks the documented shape:
        a `malformed` gap for this operation, not an abort of the whole collect. Only the exception's
        class is recorded or logged: its text may quote the answer.
        """
        try:
            with self.clients.signing():
                return call()
        except (BotoCoreError, ClientError, ResponseParserError, MalformedAnswer) as exc:
            self.gap(operation, types, exc)
            return None
        except (KeyError, TypeError) as exc:
            log.warning("%s: unreadable answer (%s)", operation, exc.__class__.__name__)
            self.gap(operation, types, MalformedAnswer(f"{operation} answer could not be read ({exc.__class__.__name__})"))
            return None

    def gap(self, operation: str, types: tuple[str, ...], exc: Exception) -> None:
        reason, detail = classify(exc)
        self.gaps.append(
            Gap(
                provider="aws",
                operation=operation,
                scope=self.account,
                region=self.region,
                reason=reason,
                detail=" ".join(detail.split())[:_DETAIL_LIMIT],
                resource_types=tuple(sorted(types)),
            )
        )

    def each(self, calls: list[Callable[[], T]]) -> list[T]:
        """The answers of calls that do not need each other's, in order, made a few at a time so
        that none waits on another's latency (each should go through `attempt`)."""
        if len(calls) <= 1 or self.parallel <= 1:
            return [call() for call in calls]
        with ThreadPoolExecutor(max_workers=min(self.parallel, len(calls)), thread_name_prefix="attest-read") as pool:
            return list(pool.map(lambda call: call(), calls))

    def paginate(self, client: Any, method: str, key: str, operation: str, *, min_page: int = 1, **params: Any) -> list[Any]:
        """Every item of `key` over all pages (raises; wrap in `attempt`). `min_page`: the API's floor."""
        items: list[Any] = []
        pages: Iterator[Any] = client.get_paginator(method).paginate(
            **params, PaginationConfig=self.clients.settings.pages(min_page)
        )
        for page in pages:
            items.extend(need(page, key, operation))
        return items

    def add(self, resource_id: str, type_: str, source: tuple[str, ...], attributes: dict[str, Any]) -> None:
        self.resources.append(
            Resource(
                id=resource_id,
                type=type_,
                provider="aws",
                scope=self.account,
                region=self.region,
                source=source,
                attributes=plain(attributes),
            )
        )
