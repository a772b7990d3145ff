"""What the Terraform roots manage, so drift judges only that: a root that manages one Atlas project
says nothing about another project's users.

By default a root manages the Atlas projects its resources name (`project_id`, resolved) and, on
AWS, the resource types it declares. The config's `terraform.manages` (AWS account ids, Atlas
project names or ids) replaces that inference: everything drift knows in those accounts and projects.
Live resources outside are not compared; `summary` lists them once, counted by project or account.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Resource
from attest.policies.terraform.hcl import Declared
from attest.policies.terraform.projects import project_key
from attest.policies.terraform.resolve import Resolver


@dataclass(frozen=True)
class Scope:
    """The Atlas projects and the AWS accounts or live types the roots manage."""

    projects: frozenset[str]
    aws_types: frozenset[str]
    accounts: frozenset[str] | None  # None: any account (inferred scope keys AWS by type)

    def covers(self, resource: Resource) -> bool:
        if resource.provider == "atlas":
            return resource.scope in self.projects
        if self.accounts is not None:
            return resource.scope in self.accounts
        return resource.type in self.aws_types


def managed_scope(declared: tuple[Declared, ...], resolver: Resolver, config: EstateConfig,
                  kinds: Iterable[tuple[str, tuple[str, ...]]]) -> Scope:
    """`kinds`: (live type, Terraform types) for each kind drift compares."""
    if config.terraform_manages:
        projects = {p.id for name in config.terraform_manages if (p := config.project(name)) is not None}
        accounts = {a.id for a in config.aws_accounts if a.id in config.terraform_manages}
        return Scope(frozenset(projects), frozenset(), frozenset(accounts))
    resources = [d for d in declared if d.mode == "resource"]
    projects = {key for d in resources if d.type.startswith("mongodbatlas_")
                and (key := project_key(d, resolver, config)) is not None}
    types = {d.type for d in resources}
    aws_types = {live for live, tf_types in kinds if live.startswith("aws.") and types & set(tf_types)}
    return Scope(frozenset(projects), frozenset(aws_types), None)


def summary(outside: list[Resource]) -> str:
    """One line: how many live resources drift left out, by project or account and type."""
    counts = Counter(f"{r.provider} {r.scope} {r.type}" for r in outside)
    return "; ".join(f"{n} {what}" for what, n in sorted(counts.items()))
