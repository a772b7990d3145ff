"""ACM certificates with their validity dates and where they are in use (edge TLS evidence)."""
from __future__ import annotations

from typing import Any

from attest.collector.aws.reading import Reading, need

ACTIONS = ("acm:ListCertificates", "acm:DescribeCertificate")
RESOURCE_TYPES = ("aws.acm.certificate",)
SOURCE = ACTIONS


def read(r: Reading) -> None:
    client = r.client("acm")
    summaries = r.attempt("acm:ListCertificates", RESOURCE_TYPES, lambda: r.paginate(
        client, "list_certificates", "CertificateSummaryList", "acm:ListCertificates"))
    for summary in summaries or ():
        arn = summary.get("CertificateArn") if isinstance(summary, dict) else None
        found = r.attempt("acm:DescribeCertificate", RESOURCE_TYPES, lambda: _describe(client, arn))
        if found is not None:
            r.add(found["CertificateArn"], "aws.acm.certificate", SOURCE, found)


def _describe(client: Any, arn: Any) -> dict[str, Any]:
    certificate = dict(need(client.describe_certificate(CertificateArn=arn), "Certificate", "DescribeCertificate"))
    need(certificate, "CertificateArn", "DescribeCertificate")
    return certificate
