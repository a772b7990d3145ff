"""The shape of a generated estate: accounts, regions, Atlas projects and how many of each resource.

Sizes scale with the requested resource count so that 100,000 resources give 20 AWS accounts x 3
regions and 10 Atlas projects, about what a mid-sized organisation runs. `Tally` records, per rule,
the status every planted resource must get, so a test can check the engine against the plan.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

# The collection's moment: every generated date is relative to it, never to the clock, so a seed
# gives the same bytes on any day.
COLLECTED_AT = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
APPROVED = ("10.0.0.0/8", "198.51.100.0/24")
VPC_ENDPOINT_NAMES = ("atlas-reference", "s3", "ecr-api", "ecr-dkr", "logs", "sts")
PL_NAME = "atlas-reference"
# Rules by the resource type they judge: a gap in a type gives each of them one `error`.
RULES_BY_TYPE = {
    "aws.ecs.service": ("ATL-CM-004", "ATL-ECS-002", "ATL-ECS-003"),
    "atlas.access_list_entry": ("ATL-CM-003", "ATL-DB-002", "ATL-DB-003", "ATL-DB-004"),
    "atlas.database_user": ("ATL-CM-002", "ATL-DB-005"),
}
# Per AWS account-region and per Atlas project, at 100,000 resources.
UNIT_BASE = {"sg": 480, "endpoints": 12, "keys": 40, "services": 50, "revisions": 10, "other_secrets": 400,
             "balancers": 2}
# Per unit: a network ACL, two prefix lists, a Config recorder and (a third of the time) a trail;
# per project an encryptionAtRest; one org settings: in place of that many security groups.
NETWORK_EXTRAS = 6
# Edge resources per unit (synth_edge.py), also in place of security groups: per public balancer
# two listeners and a certificate; besides them an internal listener, a spare certificate and (a
# third of the time) the account's CloudFront distribution and its certificate, rounded up.
EDGE_PER_BALANCER, EDGE_EXTRAS = 3, 3
# CloudTrail change records per service: a registration, mostly its deployment, now and then a
# scaling by hand (2.0 on average); the margin keeps the planned estate under the requested size,
# and the filler security groups take up the rest.
CHANGE_EVENTS_PER_SERVICE = 2.1
PROJECT_BASE = {"users": 300, "entries": 400, "roles": 10}


@dataclass(frozen=True)
class Unit:
    """One AWS account in one region."""

    number: int
    account: str
    region: str

    @property
    def atlas_region(self) -> str:
        return self.region.upper().replace("-", "_")


@dataclass(frozen=True)
class Project:
    number: int
    id: str
    name: str
    role: str

    @property
    def cluster(self) -> str:
        return f"{self.name}-{'main' if self.role == 'phi' else 'ref'}"

    @property
    def database(self) -> str:
        return "app" if self.role == "phi" else "cms"


@dataclass
class Tally:
    """Expected findings: rule id -> status -> count."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, rule: str, status: str, times: int = 1) -> None:
        self.counts.setdefault(rule, Counter())[status] += times

    def to_dict(self) -> dict[str, dict[str, int]]:
        return {rule: dict(sorted(c.items())) for rule, c in sorted(self.counts.items())}


@dataclass(frozen=True)
class Shape:
    units: tuple[Unit, ...]
    projects: tuple[Project, ...]
    unit_sizes: dict[str, int]
    project_sizes: dict[str, int]

    @property
    def accounts(self) -> list[str]:
        return sorted({u.account for u in self.units})

    def phi_projects(self) -> list[Project]:
        return [p for p in self.projects if p.role == "phi"]

    def reference_projects(self) -> list[Project]:
        return [p for p in self.projects if p.role == "reference"]

    def reference_for(self, unit: Unit) -> Project:
        refs = self.reference_projects()
        return refs[unit.number % len(refs)]

    def phi_for(self, unit: Unit) -> Project:
        phis = self.phi_projects()
        return phis[unit.number % len(phis)]


def shape_for(resources: int) -> Shape:
    """Accounts and projects grow with the square root of the size; so do the counts in each."""
    root = math.sqrt(resources / 100_000)
    accounts = max(2, round(20 * root))
    projects = max(4, round(10 * root))
    units = tuple(
        Unit(a * len(REGIONS) + r, f"{210000000000 + a:012d}", region)
        for a in range(accounts) for r, region in enumerate(REGIONS)
    )
    per_unit = 0.93 * resources / len(units) / 1545
    per_project = 0.07 * resources / projects / 714
    unit_sizes = {k: max(1, int(v * per_unit)) for k, v in UNIT_BASE.items() if k != "revisions"}
    unit_sizes["revisions"] = UNIT_BASE["revisions"]
    unit_sizes["services"] = max(2, int(UNIT_BASE["services"] * per_unit))
    edge = EDGE_PER_BALANCER * unit_sizes["balancers"] + EDGE_EXTRAS + math.ceil(CHANGE_EVENTS_PER_SERVICE * unit_sizes["services"])
    unit_sizes["sg"] = max(1, unit_sizes["sg"] - NETWORK_EXTRAS - edge)
    project_sizes = {k: max(4, int(v * per_project)) for k, v in PROJECT_BASE.items()}
    return Shape(
        units=units,
        projects=tuple(
            Project(i, f"6b70{i:020x}", f"proj-{i:02d}", "phi" if i % 2 == 0 else "reference") for i in range(projects)
        ),
        unit_sizes=unit_sizes,
        project_sizes=project_sizes,
    )
