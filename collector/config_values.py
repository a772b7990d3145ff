"""The estate config's values: what is in scope and what it means.

Plain frozen dataclasses with no parsing, so every stage can hold a config without depending on how
it was read (collector/config.py reads and validates `attest.yaml` into these).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

ROLES = ("phi", "reference")
VPCE_ID = re.compile(r"vpce-[0-9a-f]{8,17}")
DATA_CLASSES = ("phi", "public", "internal")


@dataclass(frozen=True)
class AwsAccount:
    id: str
    name: str
    regions: tuple[str, ...]
    role_arn: str | None = None


@dataclass(frozen=True)
class AtlasCluster:
    name: str
    role: str
    databases: tuple[str, ...] = ()


@dataclass(frozen=True)
class AtlasProject:
    id: str
    name: str
    role: str
    clusters: tuple[AtlasCluster, ...]
    database_users: tuple[str, ...] = ()
    access_list: tuple[str, ...] = ()
    endpoint_service_regions: tuple[str, ...] = ()
    # Approved ranges: any live access-list entry inside one is declared (none has to exist).
    access_ranges: tuple[str, ...] = ()


@dataclass(frozen=True)
class PrivateLink:
    """One AWS interface endpoint paired with one Atlas endpoint service.

    The endpoint is named by its Name tag (`vpc_endpoint_name`, which may also hold a `vpce-` id),
    by its id (`vpc_endpoint_id`), or by neither: then it is the endpoint in the account and region
    that the Atlas endpoint service has registered (policies/graph_pairing.py).
    """

    name: str
    aws_account: str
    region: str
    vpc_endpoint_name: str | None
    atlas_project: str
    atlas_region: str
    port_ranges: tuple[tuple[int, int], ...]
    vpc_endpoint_id: str | None = None


@dataclass(frozen=True)
class SecretRef:
    """A connection-string secret and the cluster (`project/cluster`) it points at."""

    name: str
    points_to: str
    env_var: str


@dataclass(frozen=True)
class EcsService:
    account: str
    region: str
    cluster: str
    service: str


@dataclass(frozen=True)
class Collection:
    cluster: str
    database: str
    collection: str
    data_class: str


@dataclass(frozen=True)
class Vendor:
    name: str
    services: tuple[str, ...]
    data_classes: tuple[str, ...]
    baa_signed: bool
    baa_aws_accounts: tuple[str, ...]
    baa_atlas_projects: tuple[str, ...]
    notes: str = ""


@dataclass(frozen=True)
class EvidenceConfig:
    """Where bundles go, how long they are retained, how often one is due, and how they are signed."""

    locker: str = "attest-evidence"
    cadence_hours: int = 26
    retention_mode: str = "COMPLIANCE"
    retention_days: int = 2192
    kms_key_id: str | None = None
    public_key_pem: str | None = None


@dataclass(frozen=True)
class EstateConfig:
    path: str
    digest: str
    aws_accounts: tuple[AwsAccount, ...]
    deploy_principals: tuple[str, ...]
    provenance_tags: tuple[str, ...]
    vpc_endpoint_names: tuple[str, ...]
    atlas_org_id: str | None
    atlas_projects: tuple[AtlasProject, ...]
    approved_ranges: tuple[str, ...]
    privatelinks: tuple[PrivateLink, ...]
    secrets: tuple[SecretRef, ...]
    ecs_services: tuple[EcsService, ...]
    collections: tuple[Collection, ...]
    vendors: tuple[Vendor, ...]
    evidence: EvidenceConfig = EvidenceConfig()
    terraform_manages: tuple[str, ...] = ()
    certificate_min_days: int = 30  # ATL-TLS-002: an in-use certificate must outlive the collection by this much

    def project(self, name_or_id: str) -> AtlasProject | None:
        return next((p for p in self.atlas_projects if name_or_id in (p.id, p.name)), None)

    def to_scope(self) -> dict[str, Any]:
        """The part of the config a snapshot records as its scope."""
        return {
            "aws_accounts": [
                {"id": a.id, "name": a.name, "regions": list(a.regions)} for a in self.aws_accounts
            ],
            "atlas_org_id": self.atlas_org_id,
            "atlas_projects": [
                {"id": p.id, "name": p.name, "role": p.role} for p in self.atlas_projects
            ],
            "config_digest": self.digest,
        }
