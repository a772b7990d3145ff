"""boto3 clients for the evidence stage, built like the collector's: credentials and endpoints from the
environment mapping given (boto3's own variable names), never from the process environment behind it."""
from __future__ import annotations

from typing import Any, Mapping

from collector.aws.session import AwsSettings, ClientFactory, base_credentials


def region_for(environ: Mapping[str, str], arn: str | None = None) -> str:
    """The region of an ARN when given one; otherwise AWS_REGION / AWS_DEFAULT_REGION, else us-east-1."""
    if arn and arn.startswith("arn:") and len(arn.split(":")) > 3 and arn.split(":")[3]:
        return arn.split(":")[3]
    return environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def aws_client(service: str, environ: Mapping[str, str], region: str) -> Any:
    return ClientFactory(base_credentials(environ), region, environ, AwsSettings.from_env(environ)).client(service)
