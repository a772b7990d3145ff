"""ACM certificates with their validity dates and where they are in use (edge TLS evidence).

`ListCertificates` leaves out certificates nobody asks for (botocore's acm model, ListCertificates
and Filters): by default only RSA_1024 and RSA_2048 keys, no ACME key-pair origin and no Amazon N2
root hierarchy, which a call lists only when it names it, and then lists nothing else. Unasked, an
EC or RSA 3072/4096 certificate would never be judged by ATL-TLS-002 and no gap would say so. So the
list is read twice, both times with every key type and key-pair origin: once as is, once for the N2
hierarchies; a certificate both name is described once, and a first listing that fails stands for
both (one gap: the second would fail the same way).
"""
from __future__ import annotations

from typing import Any

from attest.collector.aws.reading import MalformedAnswer, Reading, need

ACTIONS = ("acm:ListCertificates", "acm:DescribeCertificate")
RESOURCE_TYPES = ("aws.acm.certificate",)
SOURCE = ACTIONS
# The enums of the installed model, spelled out so that a value AWS adds fails a test
# (tests/collector/aws/test_acm_reads.py) instead of going unasked.
KEY_TYPES = ("RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1")
KEY_PAIR_ORIGINS = ("AWS_MANAGED", "ACME", "CUSTOMER_PROVIDED")
ROOT_HIERARCHIES = ("N2_AMAZON_MANAGED", "N2_SFG2_AMAZON_MANAGED")
_EVERY_KIND: dict[str, Any] = {"Includes": {"keyTypes": list(KEY_TYPES)}, "CertificateKeyPairOrigins": list(KEY_PAIR_ORIGINS)}
LISTINGS: tuple[dict[str, Any], ...] = (_EVERY_KIND, {**_EVERY_KIND, "RootHierarchyTypes": list(ROOT_HIERARCHIES)})


def read(r: Reading) -> None:
    client = r.client("acm")
    seen: set[str] = set()
    for params in LISTINGS:
        summaries = r.attempt("acm:ListCertificates", RESOURCE_TYPES, lambda: r.paginate(
            client, "list_certificates", "CertificateSummaryList", "acm:ListCertificates", **params))
        if summaries is None:
            return
        for summary in summaries:
            arn = summary.get("CertificateArn") if isinstance(summary, dict) else None
            if not isinstance(arn, str):  # nothing to describe it by (botocore itself would refuse the call)
                r.gap("acm:ListCertificates", RESOURCE_TYPES,
                      MalformedAnswer("ListCertificates answer has a summary without a string 'CertificateArn'"))
                continue
            if arn in seen:
                continue
            seen.add(arn)
            found = r.attempt("acm:DescribeCertificate", RESOURCE_TYPES, lambda: _describe(client, arn))
            if found is not None:
                r.add(found["CertificateArn"], "aws.acm.certificate", SOURCE, found)


def _describe(client: Any, arn: str) -> dict[str, Any]:
    certificate = dict(need(client.describe_certificate(CertificateArn=arn), "Certificate", "DescribeCertificate"))
    need(certificate, "CertificateArn", "DescribeCertificate")
    return certificate
