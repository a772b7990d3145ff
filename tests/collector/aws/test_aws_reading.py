"""Gap reasons from botocore's own exceptions, the settings read from the environment, JSON plain data."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError, NoCredentialsError, ReadTimeoutError
from botocore.parsers import ResponseParserError

from attest.collector.aws.permissions import ASSUME_ROLE, PERMISSIONS, all_actions
from attest.collector.aws.reading import MalformedAnswer, Reading, classify, need, plain
from attest.collector.aws.session import AwsSettings, ClientFactory, Credentials
from attest.core.errors import BadInputError


def _client_error(code: str, status: int = 400) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


@pytest.mark.parametrize(
    "exc, reason",
    [
        (_client_error("AccessDeniedException"), "access_denied"),
        (_client_error("AccessDenied", 403), "access_denied"),
        (_client_error("UnauthorizedOperation", 403), "access_denied"),
        (_client_error("ThrottlingException"), "throttled"),
        (_client_error("RequestLimitExceeded", 503), "throttled"),
        (_client_error("ExpiredTokenException"), "auth_failed"),
        (_client_error("ResourceNotFoundException"), "not_found"),
        (_client_error("InternalFailure", 500), "server_error"),
        (ConnectTimeoutError(endpoint_url="http://127.0.0.1:9"), "timeout"),
        (ReadTimeoutError(endpoint_url="http://127.0.0.1:9"), "timeout"),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:9"), "unreachable"),
        (ResponseParserError("bad xml"), "malformed"),
        (MalformedAnswer("no key"), "malformed"),
        (NoCredentialsError(), "auth_failed"),
    ],
)
def test_each_failure_has_its_gap_reason(exc: Exception, reason: str) -> None:
    assert classify(exc)[0] == reason


def test_plain_makes_utc_strings_and_drops_metadata() -> None:
    local = timezone(timedelta(hours=2))
    answer = {"When": datetime(2026, 1, 1, 14, 0, tzinfo=local), "ResponseMetadata": {"x": 1}, "L": [(1, 2)]}
    assert plain(answer) == {"When": "2026-01-01T12:00:00Z", "L": [[1, 2]]}


def test_need_names_the_missing_key() -> None:
    with pytest.raises(MalformedAnswer, match="ListSecrets answer has no 'SecretList'"):
        need({}, "SecretList", "ListSecrets")


def test_settings_from_env() -> None:
    settings = AwsSettings.from_env({"AWS_MAX_ATTEMPTS": "7", "ATTEST_AWS_READ_TIMEOUT": "2.5", "ATTEST_AWS_PAGE_SIZE": "5"})
    assert (settings.max_attempts, settings.read_timeout, settings.page_size) == (7, 2.5, 5)
    assert settings.config().retries == {"mode": "standard", "total_max_attempts": 7}
    assert settings.pages() == {"PageSize": 5}
    assert AwsSettings(page_size=1).pages(minimum=5) == {"PageSize": 5}
    assert AwsSettings.from_env({}).pages() == {}


@pytest.mark.parametrize("name, value", [("AWS_MAX_ATTEMPTS", "0"), ("ATTEST_AWS_READ_TIMEOUT", "soon"), ("ATTEST_AWS_PAGE_SIZE", "-1")])
def test_bad_settings_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(BadInputError) as caught:
        AwsSettings.from_env({name: value})
    assert caught.value.diagnostic() == f"environment variable {name}: must be a positive number (got {value!r})"


def test_permissions_are_read_only_and_cover_every_reader() -> None:
    assert set(PERMISSIONS) == {"acm", "cloudfront", "cloudtrail", "config", "ec2", "ecs", "elbv2", "kms", "secretsmanager", "sts"}
    actions = all_actions()
    assert list(actions) == sorted(set(actions))
    assert "secretsmanager:GetSecretValue" not in actions
    verbs = ("Describe", "List", "Get", "Lookup")  # cloudtrail:LookupEvents reads the event history
    assert all(a.split(":", 1)[1].startswith(verbs) for a in actions)
    assert ASSUME_ROLE == ("sts:AssumeRole",)


@pytest.mark.parametrize("error", [KeyError("CANARY-in-the-answer"), TypeError("CANARY-in-the-answer")])
def test_an_unreadable_answer_is_a_malformed_gap_without_the_payload(
    error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    clients = ClientFactory(Credentials("AKIAEXAMPLEONLY", "example-only"), {}, AwsSettings())
    r = Reading(account="123456789012", region="us-east-1", clients=clients, salt="s")

    def reader() -> None:
        raise error

    assert r.attempt("kms:ListAliases", ("aws.kms.key",), reader) is None
    [gap] = r.gaps
    assert (gap.operation, gap.reason, gap.resource_types) == ("kms:ListAliases", "malformed", ("aws.kms.key",))
    assert type(error).__name__ in gap.detail and "CANARY-" not in gap.detail
    assert "CANARY-" not in caplog.text
