"""Guard-side Terraform checks on the declared resources (policies/terraform/hcl.py): read-only
database users on the reference project, and the data class of the secret behind the reference URI."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from attest.policies.guard.config import GuardConfig
from attest.policies.guard.containers import bindings
from attest.policies.guard.model import Hop
from attest.policies.terraform.hcl import Declared, load_directory

SECRET_REF = re.compile(r"aws_secretsmanager_secret(?:_version)?\.([A-Za-z0-9_-]+)\.(?:arn|id)")


@dataclass(frozen=True)
class TfHit:
    """One Terraform problem: rule, message, the hops of its path, and the reference store it reaches."""

    rule: str
    message: str
    path: tuple[Hop, ...]
    edges: tuple[str, ...]  # into each hop, then into the reference cluster
    address: str  # the declared resource judged: the finding's resource, as the Terraform plane names it


def load(repo: Path, config: GuardConfig) -> list[Declared]:
    """Every declared resource under the configured Terraform directories, file paths repo-relative."""
    seen: dict[tuple[str, int], Declared] = {}
    for top in config.terraform_dirs:
        base = repo / top
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            if not any(f.endswith(".tf") for f in filenames):
                continue
            for item in load_directory(Path(dirpath)):
                rel = os.path.relpath(item.file, repo).replace(os.sep, "/")
                seen.setdefault((rel, item.line), _rebase(item, rel))
    return [seen[k] for k in sorted(seen)]


def _rebase(item: Declared, rel: str) -> Declared:
    return Declared(item.mode, item.type, item.name, item.address, rel, item.line, item.attributes,
                    item.attribute_lines, item.variables)


def _line_of(repo: Path, item: Declared, needle: str) -> int:
    """The first line at or after the resource's start that contains `needle` (nested blocks)."""
    try:
        lines = (repo / item.file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return item.line
    for number in range(item.line, len(lines) + 1):
        if needle in lines[number - 1]:
            return number
    return item.line


def _is_reference_project(item: Declared, by_address: dict[str, Declared], config: GuardConfig) -> bool:
    project = str(item.attributes.get("project_id", ""))
    texts = [project.lower()]
    match = re.search(r"mongodbatlas_project\.([A-Za-z0-9_-]+)", project)
    if match and f"mongodbatlas_project.{match.group(1)}" in by_address:
        texts.append(str(by_address[f"mongodbatlas_project.{match.group(1)}"].attributes.get("name", "")).lower())
    return any(p.lower() in t for p in config.reference_projects for t in texts)


def check(repo: Path, declared: list[Declared], config: GuardConfig) -> list[TfHit]:
    by_address = {d.address: d for d in declared}
    hits: list[TfHit] = []
    for item in declared:
        if item.mode == "resource" and item.type == "mongodbatlas_database_user":
            if _is_reference_project(item, by_address, config):
                hits += _user(repo, item)
        elif item.mode == "resource" and item.type == "aws_ecs_task_definition":
            hits += _task(repo, item, by_address, config)
        elif item.mode == "resource" and item.type == "aws_secretsmanager_secret":
            hits += _named_secret(item)
    return hits


def _data_class(secret: Declared) -> str:
    """The secret's `data_class` tag, also from `merge(local.tags, { data_class = "..." })`."""
    tags = secret.attributes.get("tags") or {}
    if isinstance(tags, dict):
        return str(tags.get("data_class", ""))
    match = re.search(r'\bdata_class"?\s*[=:]\s*"([^"]+)"', str(tags))
    return match.group(1) if match else ""


def _named_secret(item: Declared) -> list[TfHit]:
    """A secret named as the reference URI (e.g. `prod/app/mongodb-reference-uri`) must be public,
    whether or not a task definition binds it yet."""
    name = str(item.attributes.get("name", item.name)).lower()
    if "reference" not in name or not re.search(r"ur[il]", name) or _data_class(item) == "public":
        return []
    hop = Hop(item.file, item.attribute_lines.get("tags", item.line),
              f"{item.address} data_class={_data_class(item) or '(none)'}")
    return [TfHit("tf-secret-class", f"{item.address} holds the reference URI but is classed "
                  f"{_data_class(item) or '(unclassified)'}, not public", (hop,), ("classifies", "points_to"), item.address)]


def _user(repo: Path, item: Declared) -> list[TfHit]:
    """ATL-DB-005 judged on the declared roles and scopes (policies/reference_user.py: the rule's own
    conditions). Roles or scopes the guard cannot read (a `dynamic` block, no roles at all, an
    interpolated role name) are `tf-user-unresolved` errors, not a pass."""
    # imported here: the policy set loads only when a reference-project user is declared, so a guard
    # run on code alone starts without it
    from attest.policies.reference_user import RULE_ID, DeclaredUser, problems

    user = Hop(item.file, item.line, f"{item.address} on the reference project")
    hits: list[TfHit] = []
    roles = item.attributes.get("roles") or []
    dynamic = {key for block in item.attributes.get("dynamic") or [] if isinstance(block, dict) for key in block}
    if "roles" in dynamic or not roles:
        hits.append(TfHit("tf-user-unresolved", f"{item.address} has no literal roles block (a dynamic block or "
                          "none), so the guard cannot tell whether it can write", (user,), ("uses", "can_write"), item.address))
    names = [str(role.get("role_name", "")) if isinstance(role, dict) else ""
             for role in (roles if isinstance(roles, list) else [roles])]
    for name in names:
        if "${" in name:
            hits.append(TfHit("tf-user-unresolved", f"{item.address} takes its role from an expression ({name}), "
                              "so the guard cannot tell whether it can write", (user,), ("uses", "can_write"), item.address))
    if "scopes" in dynamic:
        hits.append(TfHit("tf-user-unresolved", f"{item.address} sets its scopes with a dynamic block, so the "
                          "guard cannot tell which clusters it reaches", (user,), ("uses", "can_read"), item.address))
    if hits:
        return hits
    databases = [str(role.get("database_name", "")) if isinstance(role, dict) else "" for role in
                 (roles if isinstance(roles, list) else [roles])]
    scopes = [str(s.get("name", "")) for s in _blocks(item.attributes.get("scopes"))]
    for problem in problems(DeclaredUser(tuple(zip(names, databases)), tuple(scopes))):
        if problem.attribute == "roles":
            name = _first_breaking_role(names, databases)
            hop = Hop(item.file, _line_of(repo, item, f'"{name}"') if name else item.attribute_lines.get("roles", item.line),
                      f"role {name or '(none)'} can write")
            hits.append(TfHit(RULE_ID, f"{item.address} on the reference project: {problem.message}",
                              (user, hop), ("uses", "grants", "can_write"), item.address))
        else:
            hits.append(TfHit(RULE_ID, f"{item.address} on the reference project: {problem.message}",
                              (user,), ("uses", "can_read"), item.address))
    return hits


def _first_breaking_role(names: list[str], databases: list[str]) -> str:
    """The first role the rule rejects on its own (where the annotation goes)."""
    from attest.policies.reference_user import DeclaredUser, problems

    return next((name for name, db in zip(names, databases)
                 if any(p.attribute == "roles" for p in problems(DeclaredUser(((name, db),), ("any",))))), "")


def _blocks(value: object) -> list[dict[str, object]]:
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _task(repo: Path, item: Declared, by_address: dict[str, Declared], config: GuardConfig) -> list[TfHit]:
    hits: list[TfHit] = []
    pairs = bindings(item.attributes.get("container_definitions", "[]"))
    if pairs is None:
        hop = Hop(item.file, item.attribute_lines.get("container_definitions", item.line),
                  f"{item.address} container_definitions")
        return [TfHit("tf-secret-unresolved", f"{item.address} builds its container definitions or their "
                      "secrets with an expression the guard cannot read, so its secret bindings are unknown",
                      (hop,), ("binds_secret", "points_to"), item.address)]
    for env, source in pairs:
        if env != config.reference_uri_env:
            continue
        line = _line_of(repo, item, f'"{env}"')
        binding = Hop(item.file, line, f"{item.address} binds {env}")
        match = SECRET_REF.search(source)
        secret = by_address.get(f"aws_secretsmanager_secret.{match.group(1)}") if match else None
        if secret is None:
            hits.append(TfHit("tf-secret-unresolved", f"{item.address} binds {env} to {source}, which is not a "
                              "secret declared here, so its data class is unknown", (binding,), ("binds_secret", "points_to"), item.address))
            continue
        data_class = _data_class(secret)
        where = Hop(secret.file, secret.attribute_lines.get("tags", secret.line),
                    f"{secret.address} data_class={data_class or '(none)'}")
        if data_class == "public":
            continue
        rule = "tf-phi-secret" if data_class == "phi" else "tf-secret-class"
        hits.append(TfHit(rule, f"{item.address} binds {env} to {secret.address}, classed "
                          f"{data_class or '(unclassified)'}; the reference URI secret must be public",
                          (where, binding), ("classifies", "bound_by", "points_to"),
                          item.address))
    return hits
