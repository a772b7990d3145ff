"""boto3 sessions and clients for one account: credentials, optional role, retries and timeouts.

Credentials and endpoints come from the environment given to the collector (boto3's own names:
AWS_ACCESS_KEY_ID, AWS_PROFILE, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, AWS_MAX_ATTEMPTS),
so a test or the local estate can pass its own without touching the process environment.
"""
from __future__ import annotations

import copy
import logging
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

import boto3
from botocore.config import Config
from botocore.credentials import Credentials as BotoCredentials
from botocore.exceptions import NoCredentialsError

from attest.collector.aws.retries import AccountRetries
from attest.collector.envvars import positive_number

ROLE_SESSION_NAME = "attest-collect"
# botocore logs raw request params and response bodies at DEBUG; an ECS `environment` value is in
# such a body before the collector can redact it, so these two never log below INFO.
WIRE_LOGGERS = ("botocore.parsers", "botocore.endpoint")


def silence_wire_logs() -> None:
    for name in WIRE_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:
            logger.setLevel(logging.INFO)


@dataclass(frozen=True)
class AwsSettings:
    max_attempts: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    page_size: int | None = None
    connections: int = 64  # per shared client: as many as calls may be in flight (the collector's Bounds.workers)
    change_window_days: int = 90  # CloudTrail change records read back from the collection (90: all it keeps)

    @staticmethod
    def from_env(environ: Mapping[str, str]) -> AwsSettings:
        """Read the tunables; a value that is not a positive number is bad input naming the variable."""
        return AwsSettings(
            max_attempts=int(positive_number(environ, "AWS_MAX_ATTEMPTS", 5)),
            connect_timeout=positive_number(environ, "ATTEST_AWS_CONNECT_TIMEOUT", 5.0),
            read_timeout=positive_number(environ, "ATTEST_AWS_READ_TIMEOUT", 30.0),
            page_size=int(positive_number(environ, "ATTEST_AWS_PAGE_SIZE", 0)) or None,
            change_window_days=int(positive_number(environ, "ATTEST_CHANGE_WINDOW_DAYS", 90)),
        )

    def config(self) -> Config:
        return Config(
            retries={"mode": "standard", "total_max_attempts": self.max_attempts},
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            user_agent_extra="attest-collector",
            max_pool_connections=self.connections,
        )

    def pages(self, minimum: int = 1) -> dict[str, Any]:
        """PaginationConfig for a paginated call (page size only, never a cap on items)."""
        return {"PageSize": max(self.page_size, minimum)} if self.page_size else {}


@dataclass(frozen=True)
class Credentials:
    """Either explicit keys (from the environment or an assumed role) or boto3's default chain."""

    access_key: str | None = None
    secret_key: str | None = None
    token: str | None = None
    profile: str | None = None


def base_credentials(environ: Mapping[str, str]) -> Credentials:
    return Credentials(
        access_key=environ.get("AWS_ACCESS_KEY_ID") or None,
        secret_key=environ.get("AWS_SECRET_ACCESS_KEY") or None,
        token=environ.get("AWS_SESSION_TOKEN") or None,
        profile=environ.get("AWS_PROFILE") or None,
    )


_SIGNING: ContextVar[Any] = ContextVar("attest_aws_signing")


def _sign_as_current(context: dict[str, Any], **_: Any) -> None:
    """`before-call` handler of every shared client: sign with the keys of the account whose read
    is running in this thread (`ClientFactory.signing`). A call made outside any account's read
    fails as unsigned, never falls back on another account's keys."""
    creds = _SIGNING.get(None)
    if creds is None:
        raise NoCredentialsError()
    context.setdefault("signing", {})["request_credentials"] = creds


# Services whose clients may be shared by every account: their endpoint rules do not use the
# account id, and botocore keeps no identity cache for them (S3 Express and DynamoDB do both).
# acm, cloudtrail, config, elbv2 (regional) and cloudfront (global) were added for issue 17: none
# of their endpoint rulesets takes an account id.
SHARED_SERVICES = frozenset({
    "acm", "cloudfront", "cloudtrail", "config", "ec2", "ecs", "elbv2", "kms", "secretsmanager", "sts",
})
_PLACEHOLDER = {"aws_access_key_id": "attest-signs-per-call", "aws_secret_access_key": "attest-signs-per-call"}


class ClientFactory:
    """Clients for one account in any region: shared by every account, signed per call.

    Building a botocore client is most of a collection's CPU (a class with a method per operation,
    about 600 for EC2, and a copy of the session's event handlers, every time), so one client per
    service and region serves every account: the base one and each reached through an assumed role.
    Each call is signed with the keys of the account whose `signing()` block it runs in, passed to
    botocore's signer as the request's credentials (a `before-call` handler). A Session is not
    thread-safe, so jobs take turns creating clients; the clients themselves are thread-safe.
    """

    def __init__(self, creds: Credentials, environ: Mapping[str, str], settings: AwsSettings) -> None:
        silence_wire_logs()
        self._session = boto3.Session(
            aws_access_key_id=creds.access_key,
            aws_secret_access_key=creds.secret_key,
            aws_session_token=creds.token,
            profile_name=None if creds.access_key else creds.profile,
        )
        self._credentials = self._session.get_credentials()  # None: no credentials; every call is a gap
        self._environ = environ
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        self.settings = settings

    def assumed(self, creds: Credentials) -> ClientFactory:
        """A factory for the same clients that signs with `creds`, an assumed role's keys."""
        other = copy.copy(self)
        other._credentials = BotoCredentials(creds.access_key or "", creds.secret_key or "", creds.token or "")
        return other

    @contextmanager
    def signing(self) -> Iterator[None]:
        """Calls made by this thread inside the block are signed with this factory's account keys."""
        token = _SIGNING.set(self._credentials)
        try:
            yield
        finally:
            _SIGNING.reset(token)

    def client(self, service: str, region: str) -> Any:
        specific = f"AWS_ENDPOINT_URL_{service.upper().replace('-', '_')}"
        endpoint = self._environ.get(specific) or self._environ.get("AWS_ENDPOINT_URL") or None
        if service not in SHARED_SERVICES:
            raise ValueError(f"{service} clients are not reviewed for signing per account (SHARED_SERVICES)")
        with self._lock:
            made = self._clients.get((service, region))
            if made is None:  # keys that sign nothing: a call that escaped the handler would fail, not pass as the base
                made = self._session.client(service, region_name=region, endpoint_url=endpoint,
                                            config=self.settings.config(), **_PLACEHOLDER)
                made.meta.events.register_first("before-call", _sign_as_current)
                AccountRetries(made, self.settings.max_attempts, lambda: _SIGNING.get(None))
                self._clients[(service, region)] = made
            return made


def assume_role(base: ClientFactory, region: str, role_arn: str) -> Credentials:
    """Temporary credentials for `role_arn`; errors propagate for the caller to record as a gap."""
    with base.signing():
        answer = base.client("sts", region).assume_role(RoleArn=role_arn, RoleSessionName=ROLE_SESSION_NAME)
    creds = answer["Credentials"]
    return Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
