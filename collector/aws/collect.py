"""The AWS half of a collection: open each account (role, identity), then read each service.

Work is split into small jobs (open each account, then its identity and one job per place `plan`
names) so the orchestrator can run them on a bounded pool alongside the Atlas collector.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Mapping

from botocore.exceptions import BotoCoreError, ClientError

from attest.collector.aws import acm, awsconfig, cloudfront, cloudtrail, ec2, ecs, elbv2, identity, kms, secrets
from attest.collector.aws.reading import MalformedAnswer, Reading
from attest.collector.aws.session import AwsSettings, ClientFactory, assume_role, base_credentials
from attest.collector.config import AwsAccount
from attest.collector.snapshot import Gap, Resource

READERS: Mapping[str, ModuleType] = {
    "ec2": ec2, "kms": kms, "secretsmanager": secrets, "ecs": ecs, "cloudtrail": cloudtrail, "config": awsconfig,
    "elbv2": elbv2, "acm": acm, "cloudfront": cloudfront,
}
ALL_TYPES: tuple[str, ...] = tuple(sorted(t for module in READERS.values() for t in module.RESOURCE_TYPES))


@dataclass(frozen=True)
class Part:
    """What one job produced."""

    resources: tuple[Resource, ...] = ()
    gaps: tuple[Gap, ...] = ()
    notes: tuple[str, ...] = ()
    caller_arn: str | None = None


@dataclass(frozen=True)
class AccountAccess:
    """An account opened for reading: its clients (None when the role could not be assumed)."""

    account: AwsAccount
    clients: ClientFactory | None
    part: Part


def _part(r: Reading, caller_arn: str | None = None) -> Part:
    return Part(tuple(r.resources), tuple(r.gaps), tuple(r.notes), caller_arn)


def base_factory(environ: Mapping[str, str], settings: AwsSettings) -> ClientFactory:
    """The factory for the environment's own credentials; every assumed role shares its Session."""
    return ClientFactory(base_credentials(environ), environ, settings)


def plan(account: AwsAccount) -> tuple[tuple[str, str], ...]:
    """(region, service) of every read of the account. A global service (its reader names a
    HOME_REGION: CloudFront) is read once, in the region its API is served from, whether or not the
    account's regions include it: otherwise an account outside that region would go unread, with no gap."""
    return tuple(
        (region, service)
        for service, module in READERS.items()
        for region in ((module.HOME_REGION,) if hasattr(module, "HOME_REGION") else account.regions)
    )


def open_account(account: AwsAccount, base: ClientFactory, salt: str) -> AccountAccess:
    """Assume the account's role when it names one (one call); a refusal is a gap in each region
    `plan` would have read, naming the types it would have read there."""
    if not account.role_arn:
        return AccountAccess(account, base, Part())
    try:
        creds = assume_role(base, account.regions[0], account.role_arn)
    except (BotoCoreError, ClientError, KeyError) as exc:
        cause = MalformedAnswer(f"AssumeRole answer has no {exc}") if isinstance(exc, KeyError) else exc
        unread: dict[str, list[str]] = {}
        for region, service in plan(account):
            unread.setdefault(region, []).extend(READERS[service].RESOURCE_TYPES)
        gaps: list[Gap] = []
        for region, types in unread.items():
            probe = Reading(account.id, region, base, salt)
            probe.gap("sts:AssumeRole", tuple(types), cause)
            gaps.extend(probe.gaps)
        return AccountAccess(account, None, Part(gaps=tuple(gaps)))
    return AccountAccess(account, base.assumed(creds), Part())


def read_identity(access: AccountAccess, salt: str) -> Part:
    """The caller ARN the snapshot records for the account (its own job: no reader waits for it)."""
    if access.clients is None:
        return Part()
    r = Reading(access.account.id, access.account.regions[0], access.clients, salt)
    return _part(r, identity.caller_arn(r))


def width(service: str) -> int:
    """How many calls the service's reader may have in flight at once (its PARALLEL, else one)."""
    return int(getattr(READERS[service], "PARALLEL", 1))


def read_service(access: AccountAccess, region: str, service: str, salt: str, parallel: int = 1) -> Part:
    """One reader over one account and region, with up to `parallel` calls in flight."""
    if access.clients is None:
        return Part()
    r = Reading(access.account.id, region, access.clients, salt, parallel, regions=tuple(access.account.regions))
    READERS[service].read(r)
    return _part(r)
