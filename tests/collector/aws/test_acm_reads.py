"""ACM certificates: ListCertificates asks for every kind of certificate, since its defaults hide some.

Real ACM lists only RSA_1024 and RSA_2048 certificates, no ACME key-pair origin and no Amazon N2
hierarchy unless asked; moto applies no such default, so the requests themselves are recorded (a
botocore hook on the reader's own client, against the local estate's moto server) and held to
every value of the installed model's enums. The estate's certificate has an EC P-256 key, which moto
lists only when the request names EC_prime256v1.
"""
from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from attest.collector.aws import acm
from attest.collector.aws.reading import Reading
from attest.collector.aws.session import AwsSettings, ClientFactory, base_credentials
from attest.sandbox.aws_faults import FaultRule
from attest.sandbox.local import LocalEstate

MODEL = botocore.session.get_session().get_service_model("acm")
LIST_INPUT = MODEL.operation_model("ListCertificates").input_shape


def _enum(shape: Any) -> tuple[str, ...]:
    return tuple(shape.member.enum)


def test_every_key_type_origin_and_hierarchy_the_model_knows_is_asked_for() -> None:
    assert acm.KEY_TYPES == _enum(LIST_INPUT.members["Includes"].members["keyTypes"])
    assert acm.KEY_PAIR_ORIGINS == _enum(LIST_INPUT.members["CertificateKeyPairOrigins"])
    assert acm.ROOT_HIERARCHIES == _enum(LIST_INPUT.members["RootHierarchyTypes"])


def test_no_listcertificates_parameter_is_unreviewed() -> None:
    """A parameter AWS adds may come with a default that hides certificates (as keyTypes,
    CertificateKeyPairOrigins and RootHierarchyTypes do): it fails here until someone reads it."""
    assert set(LIST_INPUT.members) == {
        "CertificateStatuses", "Includes", "CertificateKeyPairOrigins", "RootHierarchyTypes", "NextToken", "MaxItems",
        "SortBy", "SortOrder",
    }
    assert set(LIST_INPUT.members["Includes"].members) == {"extendedKeyUsage", "keyUsage", "keyTypes", "exportOption", "managedBy"}


def _reading(estate: LocalEstate, **settings: Any) -> Reading:
    env = dict(estate.env)
    factory = ClientFactory(base_credentials(env), env, AwsSettings(**settings))
    return Reading(account=estate.seeded.account, region=env["AWS_DEFAULT_REGION"], clients=factory, salt="s")


@pytest.mark.integration
def test_both_listings_name_every_kind_and_the_ec_certificate_is_read_once(default_estate: LocalEstate) -> None:
    r = _reading(default_estate)
    requests: list[dict[str, Any]] = []

    def note(params: dict[str, Any], **_: Any) -> None:
        requests.append(dict(params))

    r.client("acm").meta.events.register("before-parameter-build.acm.ListCertificates", note)
    acm.read(r)
    every = {"Includes": {"keyTypes": list(_enum(LIST_INPUT.members["Includes"].members["keyTypes"]))},
             "CertificateKeyPairOrigins": list(_enum(LIST_INPUT.members["CertificateKeyPairOrigins"]))}
    assert requests == [every, {**every, "RootHierarchyTypes": list(_enum(LIST_INPUT.members["RootHierarchyTypes"]))}]
    assert not r.gaps
    (certificate,) = r.resources  # moto ignores RootHierarchyTypes and lists it twice: described once
    assert certificate.attributes["KeyAlgorithm"] == "EC_prime256v1"
    assert certificate.attributes["DomainName"] == "shop.healthshop.example"
    assert default_estate.aws_faults.calls["acm:DescribeCertificate"] == 1


@pytest.mark.integration
def test_a_refused_listing_is_one_gap_and_nothing_is_read(default_estate: LocalEstate) -> None:
    default_estate.aws_faults.set([FaultRule(service="acm", operation="ListCertificates", kind="access_denied")])
    r = _reading(default_estate, max_attempts=1)
    acm.read(r)
    assert [(g.operation, g.reason, g.resource_types) for g in r.gaps] == [
        ("acm:ListCertificates", "access_denied", ("aws.acm.certificate",))]
    assert not r.resources and default_estate.aws_faults.calls["acm:ListCertificates"] == 1
