"""Business-associate coverage: which signed BAA, if any, covers each AWS account and Atlas project.

PHI may only sit on, or travel through, a vendor's infrastructure under a signed business-associate
agreement. A vendor's BAA covers a scope when it is signed, lists the scope (by id, or an Atlas
project by name), and, where the vendor declares `data_classes`, those classes include every class
of data the scope holds: a vendor declared for `[public]` does not cover a PHI project. A vendor
that declares no data classes is not bounded by them.

The classes a scope holds: an Atlas project, the class of its role and of its declared clusters
(`phi` for role phi, `public` for reference) and classified collections, or `phi` when the config
does not describe it; an AWS account, the `data_class` tags of its secrets and the classes of the clusters its
declared secrets point at, or `phi` when the evidence shows none (fail closed: an account in a
HIPAA estate is presumed to handle PHI until its resources say otherwise).

A scope the evidence shows but no covering BAA lists is a finding (ATL-BAA-001), and the vendor
register (reports/vendors.py) shows the same coverage from this one computation.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from attest.collector.config import EstateConfig, Vendor
from attest.collector.snapshot import Resource
from attest.policies.attributes import tag
from attest.policies.pointers import config_pointer

Scope = tuple[str, str]  # (provider, account id or project id)
PRESUMED = ("phi",)


def cluster_class(role: str) -> str:
    return "phi" if role == "phi" else "public"


@dataclass(frozen=True)
class Listing:
    """One vendor's BAA listing one scope: whether it covers it, and where the config says so."""

    vendor: str
    covers: bool
    why: str
    pointers: tuple[str, ...]


def _project_ids(config: EstateConfig, names: tuple[str, ...]) -> list[tuple[int, str]]:
    """BAA lists may name a project by id or by name; compare by id (position, id)."""
    out = []
    for i, name in enumerate(names):
        project = config.project(name)
        out.append((i, project.id if project else name))
    return out


def scope_classes(config: EstateConfig, resources: Iterable[Resource]) -> dict[Scope, tuple[str, ...]]:
    """The data classes each scope holds (see the module docstring); absent scopes hold PRESUMED."""
    out: dict[Scope, set[str]] = {}
    for project in config.atlas_projects:
        classes = {cluster_class(c.role) for c in project.clusters} | {
            c.data_class for c in config.collections if c.cluster.split("/", 1)[0] == project.name
        }
        classes.add(cluster_class(project.role))
        out[("atlas", project.id)] = classes
    targets = {s.name: s.points_to for s in config.secrets}
    roles = {f"{p.name}/{c.name}": c.role for p in config.atlas_projects for c in p.clusters}
    for resource in resources:
        if resource.provider != "aws" or resource.type != "aws.secretsmanager.secret":
            continue
        classes = out.setdefault(("aws", resource.scope), set())
        tagged = tag(resource.attributes, "data_class")
        if isinstance(tagged, str) and tagged:
            classes.add(tagged)
        target = targets.get(str(resource.attributes.get("Name")))
        if target in roles:
            classes.add(cluster_class(roles[target]))
    return {scope: tuple(sorted(classes)) or PRESUMED for scope, classes in out.items()}


def _judge(vendor: Vendor, v_index: int, classes: tuple[str, ...], pointer: str) -> Listing:
    pointers = [pointer, config_pointer("vendors", v_index, "baa", "signed")]
    if not vendor.baa_signed:
        return Listing(vendor.name, False, f"{vendor.name}'s BAA is not signed", tuple(pointers))
    if vendor.data_classes:
        pointers.append(config_pointer("vendors", v_index, "data_classes"))
        missing = [c for c in classes if c not in vendor.data_classes]
        if missing:
            why = f"{vendor.name} is declared for [{', '.join(vendor.data_classes)}], not for {', '.join(missing)}"
            return Listing(vendor.name, False, why, tuple(pointers))
    return Listing(vendor.name, True, f"covered by {vendor.name}", tuple(pointers))


def baa_listings(config: EstateConfig, resources: Iterable[Resource]) -> dict[Scope, tuple[Listing, ...]]:
    """Every scope some vendor's BAA lists, with each listing judged against the scope's classes."""
    return listings_for(config, scope_classes(config, resources))


def listings_for(config: EstateConfig, classes: dict[Scope, tuple[str, ...]]) -> dict[Scope, tuple[Listing, ...]]:
    """`baa_listings` for classes already worked out (`scope_classes` reads every resource)."""
    listed: dict[Scope, list[Listing]] = {}
    for v_index, vendor in enumerate(config.vendors):
        for i, account in enumerate(vendor.baa_aws_accounts):
            pointer = config_pointer("vendors", v_index, "baa", "aws_accounts", i)
            scope = ("aws", account)
            listed.setdefault(scope, []).append(_judge(vendor, v_index, classes.get(scope, PRESUMED), pointer))
        for i, project_id in _project_ids(config, vendor.baa_atlas_projects):
            pointer = config_pointer("vendors", v_index, "baa", "atlas_projects", i)
            scope = ("atlas", project_id)
            listed.setdefault(scope, []).append(_judge(vendor, v_index, classes.get(scope, PRESUMED), pointer))
    return {scope: tuple(sorted(items, key=lambda x: x.vendor)) for scope, items in listed.items()}


def baa_coverage(config: EstateConfig, resources: Iterable[Resource] = ()) -> dict[Scope, tuple[str, ...]]:
    """Every scope some signed BAA covers, with the (sorted) names of the vendors that cover it."""
    out: dict[Scope, tuple[str, ...]] = {}
    for scope, listings in baa_listings(config, resources).items():
        names = tuple(sorted({x.vendor for x in listings if x.covers}))
        if names:
            out[scope] = names
    return out
