"""The Atlas resources of one generated project (Atlas Admin API v2 shapes, docs/resources.md),
with planted faults recorded in the `Tally`."""
from __future__ import annotations

import random
from typing import Any

from synth_aws import service_name
from synth_estate import REGIONS, Project, Shape, Tally, Unit

Doc = dict[str, Any]


def _atlas(project: Project, kind: str, name: str, attrs: Doc, operation: str) -> Doc:
    return {"id": f"atlas:{project.id}/{kind.split('.', 1)[1]}/{name}", "type": kind, "provider": "atlas",
            "scope": project.id, "region": None, "source": [f"atlas:{operation}"], "attributes": attrs}


class ProjectBuilder:
    def __init__(self, project: Project, shape: Shape, rng: random.Random, tally: Tally) -> None:
        self.p, self.shape, self.rng, self.tally = project, shape, rng, tally
        self.sizes = shape.project_sizes
        self.out: list[Doc] = []
        self.users: list[str] = []
        self.access: list[str] = []

    def build(self, with_users: bool, with_entries: bool) -> list[Doc]:
        p = self.p
        self.out.append(_atlas(p, "atlas.project", p.name, {"id": p.id, "name": p.name, "orgId": "6b7000000000000000000a00",
                                                            "clusterCount": 2, "created": "2025-01-01T00:00:00Z"}, "getGroup"))
        phi = p.role == "phi"
        for name in (p.cluster, f"{p.name}-scratch"):
            tls = "TLS1_0" if self.rng.random() < 0.3 else "TLS1_2"
            provider = "NONE" if name != p.cluster or self.rng.random() < 0.2 else "AWS"
            self.out.append(_atlas(p, "atlas.cluster", name, {
                "name": name, "groupId": p.id, "clusterType": "REPLICASET", "mongoDBMajorVersion": "7.0",
                "stateName": "IDLE", "paused": False, "encryptionAtRestProvider": provider,
                "processArgs": {"minimumEnabledTlsProtocol": tls, "javascriptEnabled": False},
            }, "listGroupClusters"))
            self.tally.add("ATL-DB-001", "fail" if tls == "TLS1_0" else "pass")
            if phi and name == p.cluster:  # only the declared PHI cluster has the role ATL-DB-006 selects
                self.tally.add("ATL-DB-006", "pass" if provider == "AWS" else "fail")
        self.out.append(_atlas(p, "atlas.encryption_at_rest", "config", {
            "awsKms": {"enabled": True, "valid": True, "customerMasterKeyID": f"key-{p.number}", "region": "US_EAST_1"},
            "azureKeyVault": {"enabled": False}, "googleCloudKms": {"enabled": False}}, "getGroupEncryptionAtRest"))
        audit = not phi or self.rng.random() >= 0.5
        self.out.append(_atlas(p, "atlas.audit_log", "config", {"enabled": audit, "auditAuthorizationSuccess": False},
                               "getGroupAuditLog"))
        if phi:
            self.tally.add("ATL-DB-007", "pass" if audit else "fail")
        for j in range(self.sizes["roles"]):
            self.out.append(_atlas(p, "atlas.custom_db_role", f"role-{j}", {
                "roleName": f"role-{j}", "actions": [{"action": "FIND", "resources": [{"db": p.database, "collection": f"c{j}"}]}],
                "inheritedRoles": []}, "listGroupCustomDbRoleRoles"))
        if with_users:
            self._users()
        else:
            self.users = [f"svc-user-{j:04d}" for j in range(self.sizes["users"])]
        if with_entries:
            self._entries()
        else:
            self.access = [f"10.{(j >> 8) & 255}.{j & 255}.0/24" for j in range(self.sizes["entries"])]
        return self.out

    def _users(self) -> None:
        p, reference = self.p, self.p.role == "reference"
        for j in range(self.sizes["users"]):
            name = f"svc-user-{j:04d}"
            draw = self.rng.random()
            roles = [{"roleName": "read" if reference else "readWrite", "databaseName": p.database}]
            scopes = [{"name": p.cluster, "type": "CLUSTER"}]
            if reference and draw < 0.02:
                roles = [{"roleName": "readWrite", "databaseName": p.database}]
            elif reference and draw < 0.04:
                scopes = []
            if reference:
                self.tally.add("ATL-DB-005", "fail" if draw < 0.04 else "pass")
            undeclared = self.rng.random() < 0.02
            if not undeclared:
                self.users.append(name)
            self.tally.add("ATL-CM-002", "fail" if undeclared else "pass")
            self.out.append(_atlas(p, "atlas.database_user", f"admin/{name}", {
                "username": name, "databaseName": "admin", "groupId": p.id, "roles": roles, "scopes": scopes,
                "labels": [], "x509Type": "NONE", "awsIAMType": "NONE"}, "listGroupDatabaseUsers"))

    def _entry(self, key: str, attrs: Doc, *, declared: bool, statuses: dict[str, str]) -> None:
        if declared:
            self.access.append(key)
        self.out.append(_atlas(self.p, "atlas.access_list_entry", key, {"groupId": self.p.id, **attrs},
                               "listGroupAccessListEntries"))
        self.tally.add("ATL-CM-003", "pass" if declared else "fail")
        for rule, status in statuses.items():
            self.tally.add(rule, status)

    def _entries(self) -> None:
        for j in range(self.sizes["entries"]):
            cidr = f"10.{(j >> 8) & 255}.{j & 255}.0/24"
            draw = self.rng.random()
            if draw < 0.01:
                self._entry(f"sg-{self.p.number:04x}{j:08x}", {"awsSecurityGroup": f"sg-{self.p.number:04x}{j:08x}",
                            "comment": "legacy peering"}, declared=False, statuses={"ATL-DB-003": "pass"})
                continue
            comment = draw >= 0.03
            attrs = {"cidrBlock": cidr, **({"comment": f"subnet {j}"} if comment else {})}
            self._entry(cidr, attrs, declared=True, statuses={
                "ATL-DB-002": "pass", "ATL-DB-003": "pass" if comment else "fail", "ATL-DB-004": "pass"})
        if self.rng.random() < 0.5:
            self._entry("0.0.0.0/0", {"cidrBlock": "0.0.0.0/0", "comment": "temporary"}, declared=False,
                        statuses={"ATL-DB-002": "fail", "ATL-DB-003": "pass", "ATL-DB-004": "fail"})
        if self.rng.random() < 0.5:
            self._entry("203.0.113.45/32", {"cidrBlock": "203.0.113.45/32", "comment": "jdoe laptop (ENG-412)"},
                        declared=True, statuses={"ATL-DB-002": "pass", "ATL-DB-003": "pass", "ATL-DB-004": "waived"})

    def privatelink(self, units: list[Unit]) -> list[Doc]:
        """One endpoint service per region the project is paired in, one interface endpoint per unit."""
        out: list[Doc] = []
        for ri, region in enumerate(REGIONS):
            paired = [u for u in units if u.region == region]
            if not paired:
                continue
            service_id = f"6c{self.p.number:06x}{ri:016x}"
            status = "FAILED" if self.rng.random() < 0.1 else "AVAILABLE"
            self.tally.add("ATL-PL-001", "fail" if status == "FAILED" else "pass")
            endpoints = [f"vpce-{u.number:05x}{0:07x}" for u in paired]
            out.append(_atlas(self.p, "atlas.endpoint_service", service_id, {
                "id": service_id, "cloudProvider": "AWS", "regionName": paired[0].atlas_region, "status": status,
                "endpointServiceName": service_name(self.p.number, region), "interfaceEndpoints": endpoints,
                "errorMessage": None}, "listGroupPrivateEndpointEndpointService"))
            for endpoint in endpoints:
                connection = "PENDING" if self.rng.random() < 0.05 else "AVAILABLE"
                self.tally.add("ATL-PL-002", "fail" if connection == "PENDING" else "pass")
                out.append(_atlas(self.p, "atlas.interface_endpoint", endpoint, {
                    "interfaceEndpointId": endpoint, "connectionStatus": connection, "endpointServiceId": service_id,
                    "deleteRequested": False, "errorMessage": None}, "getGroupPrivateEndpointEndpointServiceEndpoint"))
        return out

    def config_entry(self) -> Doc:
        p = self.p
        entry: Doc = {"id": p.id, "name": p.name, "role": p.role,
                      "clusters": [{"name": p.cluster, "role": p.role, "databases": [p.database]}],
                      "database_users": self.users, "access_list": self.access}
        if p.role == "reference":
            entry["endpoint_service_regions"] = [r.upper().replace("-", "_") for r in REGIONS]
        return entry
