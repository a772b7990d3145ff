"""Real readers against a loopback endpoint whose answer lacks a documented field: a `malformed` gap,
not an abort, no call made with the missing value, and no item silently left out.

moto always answers with the documented fields, so the answers come from a loopback endpoint
(json_endpoint.py).
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator, Mapping

from attest.collector.aws import acm, awsconfig, kms
from attest.collector.aws.reading import Reading
from tests.collector.aws.json_endpoint import Endpoint, serving

ACCOUNT = "123456789012"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k1"
CERT_ARN = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/c1"


@contextlib.contextmanager
def _serving(answers: Mapping[str, Any]) -> Iterator[tuple[Reading, Endpoint]]:
    """A Reading whose every call goes to a loopback endpoint giving `answers`."""
    with serving(answers) as (factory, server):
        yield Reading(ACCOUNT, "us-east-1", factory, "salt"), server


def _gaps(r: Reading) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(g.operation, g.reason, g.resource_types) for g in r.gaps}


def test_a_missing_alias_name_is_a_malformed_gap_and_the_keys_are_still_read() -> None:
    answers = {
        "TrentService.ListKeys": {"Keys": [{"KeyId": "k1", "KeyArn": KEY_ARN}]},
        "TrentService.ListAliases": {"Aliases": [{"TargetKeyId": "k1", "AliasArn": "CANARY-alias-arn"}]},  # no AliasName
        "TrentService.DescribeKey": {"KeyMetadata": {"KeyId": "k1", "Arn": KEY_ARN}},
        "TrentService.GetKeyRotationStatus": {"KeyRotationEnabled": True},
    }
    with _serving(answers) as (r, _):
        kms.read(r)
    assert [(g.operation, g.reason) for g in r.gaps] == [("kms:ListAliases", "malformed")]
    assert "KeyError" in r.gaps[0].detail and "CANARY-" not in r.gaps[0].detail
    [key] = r.resources
    assert key.id == KEY_ARN and key.attributes["Aliases"] is None


def test_a_certificate_summary_without_its_arn_is_a_malformed_gap_not_a_describe_call() -> None:
    answers = {
        "CertificateManager.ListCertificates": {"CertificateSummaryList": [
            {"DomainName": "CANARY-no-arn.example"},
            {"CertificateArn": CERT_ARN, "DomainName": "shop.example"},
        ]},
        "CertificateManager.DescribeCertificate": {"Certificate": {"CertificateArn": CERT_ARN, "DomainName": "shop.example"}},
    }
    with _serving(answers) as (r, server):
        acm.read(r)
    assert _gaps(r) == {("acm:ListCertificates", "malformed", acm.RESOURCE_TYPES)}
    assert all("CANARY-" not in g.detail for g in r.gaps)
    assert [params for target, params in server.requests if target.endswith(".DescribeCertificate")] == [{"CertificateArn": CERT_ARN}]
    assert [c.id for c in r.resources] == [CERT_ARN]


def test_a_recorder_without_its_name_is_a_malformed_gap_not_skipped() -> None:
    answers = {
        "StarlingDoveService.DescribeConfigurationRecorders": {"ConfigurationRecorders": [
            {"roleARN": "CANARY-role", "recordingGroup": {"allSupported": True}},
            {"name": "default", "recordingGroup": {"allSupported": True}},
        ]},
        "StarlingDoveService.DescribeConfigurationRecorderStatus": {"ConfigurationRecordersStatus": [
            {"name": "default", "recording": True},
        ]},
    }
    with _serving(answers) as (r, _):
        awsconfig.read(r)
    assert _gaps(r) == {("config:DescribeConfigurationRecorders", "malformed", awsconfig.RESOURCE_TYPES)}
    assert all("CANARY-" not in g.detail for g in r.gaps)
    [recorder] = r.resources
    assert recorder.id == f"arn:aws:config:us-east-1:{ACCOUNT}:config-recorder/default"
    assert recorder.attributes["Status"] == {"name": "default", "recording": True}


def test_a_recording_status_without_its_recorder_s_name_is_a_malformed_gap() -> None:
    """Whose status it is cannot be known, so no recorder of the region may be judged as not recording."""
    answers = {
        "StarlingDoveService.DescribeConfigurationRecorders": {"ConfigurationRecorders": [
            {"name": "default", "recordingGroup": {"allSupported": True}},
        ]},
        "StarlingDoveService.DescribeConfigurationRecorderStatus": {"ConfigurationRecordersStatus": [
            {"recording": True, "lastStatus": "SUCCESS"},
        ]},
    }
    with _serving(answers) as (r, _):
        awsconfig.read(r)
    assert _gaps(r) == {("config:DescribeConfigurationRecorderStatus", "malformed", awsconfig.RESOURCE_TYPES)}
    assert not r.resources
