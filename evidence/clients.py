"""boto3 clients for the evidence stage (S3 locker, KMS signing).

Like the collector, credentials and endpoints come from the environment mapping given (boto3's own
variable names: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN or AWS_PROFILE, and
AWS_ENDPOINT_URL_<SERVICE> or AWS_ENDPOINT_URL), falling back to boto3's default chain.
"""
from __future__ import annotations

from typing import Any, Mapping

import boto3
from botocore.config import Config

RETRIES = Config(retries={"mode": "standard", "max_attempts": 5}, user_agent_extra="attest-evidence")


def region_for(environ: Mapping[str, str], arn: str | None = None) -> str:
    """The region of an ARN when given one; otherwise AWS_REGION / AWS_DEFAULT_REGION, else us-east-1."""
    parts = arn.split(":") if arn and arn.startswith("arn:") else []
    if len(parts) > 3 and parts[3]:
        return parts[3]
    return environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def aws_client(service: str, environ: Mapping[str, str], region: str) -> Any:
    access_key = environ.get("AWS_ACCESS_KEY_ID") or None
    session = boto3.Session(
        aws_access_key_id=access_key,
        aws_secret_access_key=environ.get("AWS_SECRET_ACCESS_KEY") or None,
        aws_session_token=environ.get("AWS_SESSION_TOKEN") or None,
        profile_name=None if access_key else environ.get("AWS_PROFILE") or None,
        region_name=region,
    )
    endpoint = environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or environ.get("AWS_ENDPOINT_URL") or None
    return session.client(service, endpoint_url=endpoint, config=RETRIES)
