"""Every attribute a rule reads, made absent, null, or of the wrong type, on the Northwind estate."""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Iterator

from attest.policies.graph import EDGE_KINDS
from attest.policies.rule_schema import Rule

_READ = re.compile(r"(?:related\.(?P<kind>\w+)\[[^\]]*\]\.)?attributes\.(?P<attr>\w+)")
# Attributes a rule reads through its node's facts (policies/graph_facts.py, graph_declared.py).
FACT_READS = {
    "aws.ec2.vpc_endpoint": ("Tags", "VpcEndpointId"),
    "atlas.access_list_entry": ("cidrBlock",),
    "atlas.database_user": ("username",),
    "aws.ecs.service": ("serviceName", "clusterArn"),
    "aws.secretsmanager.secret": ("Name", "Tags"),
}
VARIANTS = ("absent", "null", "wrong-type")


def reads(rule: Rule) -> list[tuple[str, str]]:
    """(live resource type, attribute) pairs the rule reads, directly or through facts."""
    out: set[tuple[str, str]] = set()
    for text in rule.expressions():
        for match in _READ.finditer(text):
            kind = match["kind"]
            types = EDGE_KINDS[kind][0] if kind else frozenset({rule.resource})
            out |= {(t, match["attr"]) for t in types if not t.startswith(("data.", "config.", "evidence."))}
        if "facts." in text and rule.resource in FACT_READS:
            out |= {(rule.resource, a) for a in FACT_READS[rule.resource]}
    return sorted(out)


def _wrong(value: Any) -> Any:
    if isinstance(value, str):
        return 42
    if isinstance(value, (list, dict)):
        return "not-a-" + type(value).__name__
    return "not-a-" + type(value).__name__


@dataclass(frozen=True)
class Mutation:
    resource_type: str
    attribute: str
    variant: str

    def apply(self, doc: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """A copy of the snapshot document with the mutation, and the ids of the resources changed."""
        out = copy.deepcopy(doc)
        changed = []
        for resource in out["resources"]:
            if resource["type"] != self.resource_type:
                continue
            attrs = resource["attributes"]
            if self.variant == "absent":
                if self.attribute not in attrs:
                    continue
                del attrs[self.attribute]
            elif self.variant == "null":
                attrs[self.attribute] = None
            else:
                attrs[self.attribute] = _wrong(attrs.get(self.attribute, ""))
            changed.append(resource["id"])
        return out, changed


def mutations(rules: tuple[Rule, ...]) -> Iterator[tuple[str, Mutation]]:
    for rule in rules:
        for resource_type, attribute in reads(rule):
            for variant in VARIANTS:
                yield rule.id, Mutation(resource_type, attribute, variant)
