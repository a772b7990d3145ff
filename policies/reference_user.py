"""ATL-DB-005 ("reference users are read-only"), written once: in policies/rules/atlas.yaml.

The live plane evaluates the rule over a collected `atlas.database_user`. The Terraform plane
(policies/terraform/static.py) and the guard (policies/guard/terraform.py) read a declared user
from source and hand this module its facts, shaped like the collected user; the verdict comes from
the same `expect` conditions, so the three planes cannot drift apart.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from attest.policies.conditions import evaluate
from attest.policies.rule_loader import load_policy_set
from attest.policies.rule_schema import Check, Rule

RULE_ID = "ATL-DB-005"


@dataclass(frozen=True)
class DeclaredUser:
    """A reference-project user as declared in source. `databases` and `clusters` are the project's
    reference databases and clusters, None where the plane has no estate config to tell them."""

    roles: tuple[tuple[str, str], ...]  # (role name, database name)
    scopes: tuple[str, ...]  # cluster names
    databases: tuple[str, ...] | None = None
    clusters: tuple[str, ...] | None = None

    def document(self) -> dict[str, Any]:
        """The collected user's shape (Atlas `listGroupDatabaseUsers`), with the graph's facts."""
        facts: dict[str, Any] = {"project_role": "reference"}
        if self.databases is not None:
            facts["reference_databases"] = list(self.databases)
        if self.clusters is not None:
            facts["reference_clusters"] = list(self.clusters)
        return {
            "attributes": {"roles": [{"roleName": r, "databaseName": d} for r, d in self.roles],
                           "scopes": [{"name": s, "type": "CLUSTER"} for s in self.scopes]},
            "facts": facts,
        }


@functools.cache
def rule() -> Rule:
    """ATL-DB-005 as the policy set defines it."""
    found = load_policy_set().rule(RULE_ID)
    if found is None:  # the shipped policy set always has it; a tree without it is broken
        raise LookupError(f"{RULE_ID} is not in the policy set")
    return found


@dataclass(frozen=True)
class Problem:
    """One condition of the rule the user breaks: its message, and which attribute it reads."""

    message: str
    attribute: str  # "roles" or "scopes"


def problems(user: DeclaredUser) -> list[Problem]:
    """Every condition of ATL-DB-005 the user breaks, in the rule's order. A condition comparing with
    a fact this plane does not know (which databases or clusters are reference) is not judged here:
    the live plane judges it."""
    doc = user.document()
    found: list[Problem] = []
    for condition in rule().expect:
        if isinstance(condition, Check) and condition.value_from is not None \
                and condition.value_from.search(doc) is None:
            continue
        outcome = evaluate(condition, doc)
        if outcome.ok is not True:
            found.append(Problem(outcome.message, "scopes" if "scopes" in _text(condition) else "roles"))
    return found


def _text(condition: Any) -> str:
    return str(condition.path.text) if isinstance(condition, Check) else ""
