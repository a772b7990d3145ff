"""Generate a synthetic estate for the checker benchmark: a snapshot of N resources, the estate
config that matches it, and the findings the engine must give (per rule, per status).

Seeded and deterministic: the same N and seed give byte-identical files.

    .venv/bin/python bench/check/generate.py --out /tmp/check-bench [--resources 100000] [--seed 7]

Writes `snapshot.json`, `attest.yaml` and `expected.json` (rule -> status -> count, and the
resource count). Three gaps are planted: ECS services unreadable in one account-region, the
access list of one Atlas project and the database users of another.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth_atlas import ProjectBuilder  # noqa: E402
from synth_aws import UnitBuilder  # noqa: E402
from synth_edge import CERT_MIN_DAYS, EdgeBuilder  # noqa: E402
from synth_estate import APPROVED, COLLECTED_AT, RULES_BY_TYPE, VPC_ENDPOINT_NAMES, Shape, Tally, shape_for  # noqa: E402

from attest.collector.config import load_config  # noqa: E402
from attest.collector.snapshot import Gap, Identity, Resource, Snapshot  # noqa: E402

ORG_ID = "6b7000000000000000000a00"


def _gaps(shape: Shape) -> list[Gap]:
    unit, entries, users = shape.units[1], shape.projects[2], shape.projects[3]
    return [
        Gap("aws", "ecs:DescribeServices", unit.account, unit.region, "access_denied",
            "AccessDeniedException", ("aws.ecs.service",)),
        Gap("atlas", "atlas:listGroupAccessListEntries", entries.id, None, "server_error",
            "HTTP 503", ("atlas.access_list_entry",)),
        Gap("atlas", "atlas:listGroupDatabaseUsers", users.id, None, "timeout",
            "no answer in 30 s", ("atlas.database_user",)),
    ]


def _config(shape: Shape, projects: list[ProjectBuilder], sections: dict[str, list[Any]]) -> dict[str, Any]:
    return {
        "version": 1,
        "aws": {
            "accounts": [{"id": a, "name": f"acct-{i:02d}", "regions": sorted({u.region for u in shape.units if u.account == a}),
                          "role_arn": f"arn:aws:iam::{a}:role/attest-read"} for i, a in enumerate(shape.accounts)],
            "deploy_principals": [f"arn:aws:iam::{a}:role/github-actions-deploy" for a in shape.accounts],
            "provenance_tags": ["git_sha"],
            "vpc_endpoints": list(VPC_ENDPOINT_NAMES),
            "certificate_min_days": CERT_MIN_DAYS,
        },
        "atlas": {"org_id": ORG_ID, "approved_access_ranges": list(APPROVED),
                  "projects": [b.config_entry() for b in projects]},
        "privatelink": sections["privatelink"],
        "secrets": sections["secrets"],
        "ecs": {"services": sections["ecs_services"]},
        "vendors": [
            {"name": "Amazon Web Services", "services": ["ECS", "Secrets Manager", "KMS", "VPC", "Elastic Load Balancing", "CloudFront"], "data_classes": ["phi", "public"],
             "baa": {"signed": True, "aws_accounts": shape.accounts}},
            {"name": "MongoDB Atlas", "services": ["Atlas clusters"], "data_classes": ["phi", "public"],
             "baa": {"signed": True, "atlas_projects": [p.id for p in shape.projects]}},
        ],
        "data_classification": [
            {"cluster": f"{b.p.name}/{b.p.cluster}", "database": b.p.database, "collection": "members" if b.p.role == "phi" else "providers",
             "class": "phi" if b.p.role == "phi" else "public"} for b in projects
        ],
    }


def _declared(tally: Tally, shape: Shape, config: dict[str, Any], docs: list[dict[str, Any]]) -> None:
    """ATL-CM-005: every declared item is found, except those behind a gap (error) and endpoint
    service regions no unit pairs with (fail)."""
    rule, ecs_gap, entries_gap, users_gap = "ATL-CM-005", shape.units[1], shape.projects[2], shape.projects[3]
    names = {t["Value"] for d in docs if d["type"] == "aws.ec2.vpc_endpoint" for t in d["attributes"]["Tags"]}
    services = {(d["scope"], d["attributes"]["regionName"]) for d in docs if d["type"] == "atlas.endpoint_service"}
    tally.add(rule, "pass", len(config["secrets"]) + len(config["privatelink"]))
    linked = {p.get("vpc_endpoint_name") for p in config["privatelink"]} | {p.get("vpc_endpoint_id") for p in config["privatelink"]}
    for name in VPC_ENDPOINT_NAMES:  # one a privatelink entry names is that entry's item, not a second one
        if name not in linked:
            tally.add(rule, "pass" if name in names else "fail")
    # Declared services are keyed by account/region/cluster/service: one item per declaration.
    for svc in config["ecs"]["services"]:
        tally.add(rule, "error" if (svc["account"], svc["region"]) == (ecs_gap.account, ecs_gap.region) else "pass")
    for project in config["atlas"]["projects"]:
        tally.add(rule, "pass", 1 + len(project["clusters"]))
        tally.add(rule, "error" if project["id"] == users_gap.id else "pass", len(project["database_users"]))
        tally.add(rule, "error" if project["id"] == entries_gap.id else "pass", len(project["access_list"]))
        for region in project.get("endpoint_service_regions", []):
            tally.add(rule, "pass" if (project["id"], region) in services else "fail")


def generate(out: Path, resources: int, seed: int) -> dict[str, Any]:
    """Write the three files into `out`; returns the expectation written to expected.json."""
    shape, rng, tally = shape_for(resources), random.Random(seed), Tally()
    gaps = _gaps(shape)
    sections: dict[str, list[Any]] = {"privatelink": [], "secrets": [], "ecs_services": []}
    builders = [UnitBuilder(unit, shape, rng, tally, sections) for unit in shape.units]
    for builder in builders:
        builder.build(with_services=builder.unit != shape.units[1])
        builder.out.extend(EdgeBuilder(builder.unit, shape, rng, tally).build(builder.releases))
    projects = [ProjectBuilder(project, shape, rng, tally) for project in shape.projects]
    atlas_docs: list[dict[str, Any]] = []
    for builder_p in projects:
        p = builder_p.p
        atlas_docs.extend(builder_p.build(with_users=p != shape.projects[3], with_entries=p != shape.projects[2]))
        if p.role == "reference":
            atlas_docs.extend(builder_p.privatelink([u for u in shape.units if shape.reference_for(u) == p]))
    atlas_docs.append({"id": f"atlas:org:{ORG_ID}/org_settings/settings", "type": "atlas.org_settings", "provider": "atlas",
                       "scope": ORG_ID, "region": None, "source": ["atlas:getOrgSettings"],
                       "attributes": {"multiFactorAuthRequired": True, "apiAccessListRequired": True}})
    tally.add("ATL-DB-008", "pass")
    total = len(atlas_docs) + sum(len(b.out) for b in builders)
    for extra in range(max(0, resources - total)):
        builders[extra % len(builders)].add_filler_sg(shape.unit_sizes["sg"] + extra // len(builders))
    docs = [d for b in builders for d in b.out] + atlas_docs
    for gap in gaps:
        for rule in (*RULES_BY_TYPE[gap.resource_types[0]], "ATL-CM-005"):
            tally.add(rule, "error")
    out.mkdir(parents=True, exist_ok=True)
    config_path = out / "attest.yaml"
    config_doc = _config(shape, projects, sections)
    _declared(tally, shape, config_doc, docs)
    tally.add("ATL-BAA-001", "pass", len(shape.accounts) + len(shape.projects))
    config_path.write_text(yaml.safe_dump(config_doc, sort_keys=False, width=200), encoding="utf-8")
    config = load_config(config_path)
    snapshot = Snapshot.build(
        collected_at=COLLECTED_AT, collector_version="bench-generated",
        identity=Identity(aws_caller_arns=tuple(f"arn:aws:sts::{a}:assumed-role/attest-read/attest" for a in shape.accounts),
                          atlas_principal="bench-api-key"),
        scope=config.to_scope(), resources=(_resource(d) for d in docs), gaps=gaps,
    )
    (out / "snapshot.json").write_text(snapshot.to_json(), encoding="utf-8")
    expected = {"resources": len(snapshot.resources), "seed": seed, "findings": tally.to_dict()}
    (out / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return expected


def _resource(doc: dict[str, Any]) -> Resource:
    return Resource(id=doc["id"], type=doc["type"], provider=doc["provider"], scope=doc["scope"], region=doc["region"],
                    source=tuple(doc["source"]), attributes=doc["attributes"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    expected = generate(args.out, args.resources, args.seed)
    print(f"{expected['resources']} resources -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
