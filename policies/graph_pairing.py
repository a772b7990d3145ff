"""Which AWS VPC endpoint each `privatelink` entry of the estate config stands for, by identity.

An entry pairs, in its AWS account and region, the endpoints it names: by `vpc_endpoint_id`, or by
`vpc_endpoint_name` (the Name tag, or a `vpce-` id written there). When it names none that was
collected (or names none at all), it pairs the endpoint the Atlas side has registered: the
`interfaceEndpointId` of an interface endpoint of the entry's Atlas endpoint service (same project
and region). An endpoint pairs with one entry at most. For an entry that pairs nothing, `why` says
what was collected there and why none of it paired, for the messages of the rules that then have
nothing to judge.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from attest.collector.config import EstateConfig, PrivateLink
from attest.collector.snapshot import Resource
from attest.policies.attributes import tag

_SHOWN = 5


def atlas_region(text: Any) -> str:
    """`us-east-1` and `US_EAST_1` name the same region."""
    return str(text or "").upper().replace("-", "_")


def endpoint_id(resource: Resource) -> str | None:
    value = resource.attributes.get("VpcEndpointId")
    return value if isinstance(value, str) else None


def names_endpoint(reference: str, resource: Resource) -> bool:
    """Whether a config reference (a Name tag or a `vpce-` id) names this endpoint."""
    return reference in (tag(resource.attributes, "Name"), endpoint_id(resource))


@dataclass
class Pairing:
    """endpoint resource id -> entry name; entry name -> [endpoint ids]; entry name -> why none."""

    link_of: dict[str, str] = field(default_factory=dict)
    endpoints_of: dict[str, list[str]] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)


def _describe(resource: Resource) -> str:
    name = tag(resource.attributes, "Name")
    return f"{endpoint_id(resource) or resource.id} ({f'Name tag {name!r}' if name else 'no Name tag'})"


def _wanted(link: PrivateLink) -> str:
    named = [f"Name tag or id {link.vpc_endpoint_name!r}"] if link.vpc_endpoint_name else []
    named += [f"id {link.vpc_endpoint_id!r}"] if link.vpc_endpoint_id else []
    return " or ".join(named) if named else "no name or id (pairing by Atlas registration only)"


def _registered(config: EstateConfig, link: PrivateLink, by_type: dict[str, list[Resource]]) -> set[str]:
    """AWS endpoint ids the link's Atlas endpoint service has registered as interface endpoints."""
    project = config.project(link.atlas_project)
    if project is None:
        return set()
    services = {
        s.attributes["id"] for s in by_type.get("atlas.endpoint_service", [])
        if isinstance(s.attributes.get("id"), str) and s.scope == project.id and atlas_region(s.attributes.get("regionName")) == atlas_region(link.atlas_region)
    }
    return {
        str(i.attributes.get("interfaceEndpointId")) for i in by_type.get("atlas.interface_endpoint", [])
        if i.scope == project.id and isinstance(i.attributes.get("endpointServiceId"), str)
        and i.attributes["endpointServiceId"] in services
    }


def pair_endpoints(config: EstateConfig, by_type: dict[str, list[Resource]]) -> Pairing:
    pairing = Pairing()
    endpoints = by_type.get("aws.ec2.vpc_endpoint", [])
    for link in config.privatelinks:
        here = [e for e in endpoints if e.scope == link.aws_account and e.region == link.region]
        free = [e for e in here if e.id not in pairing.link_of]
        chosen = [e for e in free if (link.vpc_endpoint_id and endpoint_id(e) == link.vpc_endpoint_id)
                  or (link.vpc_endpoint_name and names_endpoint(link.vpc_endpoint_name, e))]
        registered = _registered(config, link, by_type)
        if not chosen:
            chosen = [e for e in free if endpoint_id(e) in registered]
        for endpoint in chosen:
            pairing.link_of[endpoint.id] = link.name
            pairing.endpoints_of.setdefault(link.name, []).append(endpoint.id)
        if not chosen:
            seen = ", ".join(_describe(e) for e in here[:_SHOWN]) + (f" and {len(here) - _SHOWN} more" if len(here) > _SHOWN else "")
            pairing.why[link.name] = (
                f"privatelink {link.name!r} pairs no VPC endpoint: it names {_wanted(link)}; "
                f"collected in {link.aws_account}/{link.region}: {seen or 'no VPC endpoint'}; "
                f"the Atlas endpoint service of {link.atlas_project}/{link.atlas_region} has registered "
                f"{', '.join(sorted(registered)) or 'no interface endpoint'}"
            )
    return pairing
