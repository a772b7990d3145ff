"""One client per service and region serves every account; each call is signed as the account
whose read runs it, and a call outside any account's read is refused, never signed as another."""
from __future__ import annotations

import pytest
from botocore.exceptions import NoCredentialsError

from collector.aws.session import AwsSettings, ClientFactory, Credentials

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
