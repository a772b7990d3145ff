"""Which Atlas project a declaration targets, and which projects hold reference data.

A declaration names its project through `project_id`: a literal id, a variable set in tfvars, a
local, or a `mongodbatlas_project` resource or data source (by `project_id` or `name`). With an
estate config the projects' roles are the config's, matched by id or name; without one, the
operator names reference projects (`--reference-project`), and a root variable or local whose name
says `reference` and `project` (`reference_project_id`), or a project block labelled or named
`reference`, identifies one. A project only known by name is keyed `name:NAME`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from attest.collector.config import AtlasProject, EstateConfig
from attest.policies.terraform.hcl import Declared
from attest.policies.terraform.resolve import Resolver

_REFERENCE_NAME = re.compile(r"reference", re.IGNORECASE)
_PROJECT_NAME = re.compile(r"project", re.IGNORECASE)
PROJECT_TYPE = "mongodbatlas_project"


@dataclass(frozen=True)
class ProjectRoles:
    """Projects by role; the clusters and databases a reference user may reach (from the config)."""

    reference: frozenset[str]
    reference_clusters: dict[str, frozenset[str]]
    reference_databases: dict[str, frozenset[str]]
    from_config: bool


def project_key(d: Declared, resolver: Resolver, config: EstateConfig | None) -> str | None:
    """The project id (or `name:NAME`) `d.project_id` names, None when source does not tell."""
    raw = d.attributes.get("project_id")
    target = resolver.target(d, raw)
    if target is not None and target.type == PROJECT_TYPE:
        return block_key(target, resolver, config)
    value = resolver.value(d, raw)
    if not isinstance(value, str):
        return None
    project = config.project(value) if config else None
    return project.id if project else value


def block_key(project: Declared, resolver: Resolver, config: EstateConfig | None) -> str | None:
    """A `mongodbatlas_project` resource or data source as a project key."""
    literal = resolver.value(project, project.attributes.get("project_id"))
    if isinstance(literal, str):
        return literal
    name = resolver.value(project, project.attributes.get("name"))
    if not isinstance(name, str):
        return None
    known = config.project(name) if config else None
    return known.id if known else f"name:{name}"


def project_roles(declared: tuple[Declared, ...], resolver: Resolver, config: EstateConfig | None,
                  flagged: tuple[str, ...] = ()) -> ProjectRoles:
    """Reference projects: the config's (and flags'), else what the root's names say."""
    reference = {key for name in flagged for key in (name, f"name:{name}")}
    if config is not None:
        reference |= {k for p in config.atlas_projects if p.role == "reference" for k in _keys(p)}
        clusters = {k: frozenset(c.name for c in p.clusters if c.role == "reference")
                    for p in config.atlas_projects for k in _keys(p)}
        databases = {k: _reference_databases(p, config) for p in config.atlas_projects for k in _keys(p)}
        return ProjectRoles(frozenset(reference), clusters, databases, True)
    reference |= _named_reference(declared, resolver)
    return ProjectRoles(frozenset(reference), {}, {}, False)


def _keys(project: AtlasProject) -> tuple[str, str]:
    return project.id, f"name:{project.name}"


def _reference_databases(project: AtlasProject, config: EstateConfig) -> frozenset[str]:
    clusters = [c for c in project.clusters if c.role == "reference"]
    names = {f"{project.name}/{c.name}" for c in clusters}
    return frozenset({d for c in clusters for d in c.databases}
                     | {c.database for c in config.collections if c.cluster in names})


def _named_reference(declared: tuple[Declared, ...], resolver: Resolver) -> set[str]:
    """Without a config: root variables and locals named like `reference_project_id`, and project
    blocks labelled or named like `reference`."""
    found: set[str] = set()
    for item in declared:
        if item.type == PROJECT_TYPE:
            name = resolver.value(item, item.attributes.get("name"))
            if _REFERENCE_NAME.search(item.name) or (isinstance(name, str) and _REFERENCE_NAME.search(name)):
                key = block_key(item, resolver, None)
                if key:
                    found.add(key)
        for kind, names in (("var", item.variables), ("local", item.locals)):
            for name in names:
                if _REFERENCE_NAME.search(name) and _PROJECT_NAME.search(name):
                    value = resolver.value(item, "${" + f"{kind}.{name}" + "}")
                    if isinstance(value, str):
                        found.add(value)
    return found
