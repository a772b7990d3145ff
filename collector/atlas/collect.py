"""Readers for the Atlas projects in scope: each API answer becomes a Resource, each failed call a Gap.

Shapes follow docs/resources.md. Calls run on a bounded thread pool; a call that needs another's
answer (processArgs after the cluster list, an interface endpoint after its service) is queued
when that answer arrives. A failure never stops the other calls: it becomes a Gap naming the
operation, the project and every resource type it leaves unknown.
"""
from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable
from urllib.parse import quote

from attest.collector.atlas.client import AtlasApiError, AtlasClient, AtlasSettings
from attest.collector.config import EstateConfig
from attest.collector.redact import marker
from attest.collector.snapshot import Gap, Resource

V2023, V2024 = "2023-01-01", "2024-08-05"
# Keys whose values are credentials if an answer ever carries one (passwords; the legacy AWS KMS
# `secretAccessKey`, Azure Key Vault `secret`, GCP `serviceAccountKey` of encryptionAtRest).
_SECRET_KEYS = ("password", "secretAccessKey", "secret", "serviceAccountKey")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AtlasResult:
    resources: tuple[Resource, ...]
    gaps: tuple[Gap, ...]
    principal: str | None


@dataclass(frozen=True)
class _Outcome:
    """What one call produced: resources, gaps, and the calls its answer makes possible."""

    resources: tuple[Resource, ...] = ()
    gaps: tuple[Gap, ...] = ()
    follow_ups: tuple[Callable[[], _Outcome], ...] = ()


def collect_atlas(
    config: EstateConfig,
    settings: AtlasSettings,
    *,
    salt: str,
    max_workers: int = 4,
    on_progress: Callable[[], None] | None = None,
) -> AtlasResult:
    """Read every project in `config.atlas_projects`; never raises for an API failure."""
    client = AtlasClient(settings)
    readers = [_Reader(client, project.id, salt) for project in config.atlas_projects]
    tasks = [task for reader in readers for task in reader.first_calls()]
    if config.atlas_org_id and readers:
        tasks.append(_OrgReader(client, config.atlas_org_id, salt).settings)
    resources: list[Resource] = []
    gaps: list[Gap] = []
    try:
        with ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="atlas") as pool:
            pending: set[Future[_Outcome]] = {pool.submit(task) for task in tasks}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    outcome = future.result()
                    resources.extend(outcome.resources)
                    gaps.extend(outcome.gaps)
                    pending |= {pool.submit(task) for task in outcome.follow_ups}
                    if on_progress is not None:
                        on_progress()
    finally:
        client.close()
    return AtlasResult(
        resources=tuple(sorted(resources, key=lambda r: (r.id, r.type))),
        gaps=tuple(sorted(gaps, key=lambda g: (g.scope, g.operation, g.detail))),
        principal=settings.principal or None,
    )


class _Reader:
    """The calls for one project. Each returns an _Outcome and catches its own API errors."""

    def __init__(self, client: AtlasClient, project_id: str, salt: str) -> None:
        self.client, self.pid, self.salt = client, project_id, salt
        self.base = f"/groups/{quote(project_id, safe='')}"

    def first_calls(self) -> list[Callable[[], _Outcome]]:
        return [
            self.project, self.clusters, self.endpoint_services, self.database_users,
            self.access_list, self.custom_db_roles, self.audit_log, self.encryption_at_rest,
        ]

    def project(self) -> _Outcome:
        return self._guard("getGroup", ("atlas.project",), lambda: self._one(
            "atlas.project", "project", lambda d: _text(d, "name"),
            self.client.get_object(self.base, V2023, "getGroup"), ("getGroup",),
        ))

    def clusters(self) -> _Outcome:
        def read() -> _Outcome:
            items = self.client.get_all(f"{self.base}/clusters", V2024, "listGroupClusters")
            names = [_text(item, "name") for item in items]
            return _Outcome(follow_ups=tuple(self._process_args_call(item, name) for item, name in zip(items, names)))

        return self._guard("listGroupClusters", ("atlas.cluster",), read)

    def _process_args_call(self, item: dict[str, Any], name: str) -> Callable[[], _Outcome]:
        def call() -> _Outcome:
            path = f"{self.base}/clusters/{quote(name, safe='')}/processArgs"
            gap: tuple[Gap, ...] = ()
            try:
                args: dict[str, Any] | None = self.client.get_object(path, V2024, "getGroupClusterProcessArgs")
            except AtlasApiError as err:
                args = None
                gap = (self._gap("getGroupClusterProcessArgs", ("atlas.cluster",), err.reason, f"cluster {name}: {err.detail}"),)
            sources = ("listGroupClusters", "getGroupClusterProcessArgs")
            resource = self._resource("atlas.cluster", f"cluster/{name}", {**item, "processArgs": args}, sources)
            return _Outcome(resources=(resource,), gaps=gap)

        return call

    def endpoint_services(self) -> _Outcome:
        op = "listGroupPrivateEndpointEndpointService"

        def read() -> _Outcome:
            services = self.client.get_array(f"{self.base}/privateEndpoint/AWS/endpointService", V2023, op)
            resources: list[Resource] = []
            follow_ups: list[Callable[[], _Outcome]] = []
            for service in services:
                sid = _text(service, "id")
                resources.append(self._resource("atlas.endpoint_service", f"endpoint_service/{sid}", service, (op,)))
                endpoint_ids = service.get("interfaceEndpoints") or []
                if not isinstance(endpoint_ids, list) or not all(isinstance(e, str) and e for e in endpoint_ids):
                    raise AtlasApiError("malformed", f"{op}: service {sid} has a bad interfaceEndpoints list")
                follow_ups.extend(self._endpoint_call(sid, eid) for eid in endpoint_ids)
            return _Outcome(resources=tuple(resources), follow_ups=tuple(follow_ups))

        return self._guard(op, ("atlas.endpoint_service", "atlas.interface_endpoint"), read)

    def _endpoint_call(self, sid: str, eid: str) -> Callable[[], _Outcome]:
        op = "getGroupPrivateEndpointEndpointServiceEndpoint"

        def read() -> _Outcome:
            path = f"{self.base}/privateEndpoint/AWS/endpointService/{quote(sid, safe='')}/endpoint/{quote(eid, safe='')}"
            answer = self.client.get_object(path, V2023, op)
            attributes = {**answer, "endpointServiceId": sid}
            return _Outcome(resources=(self._resource("atlas.interface_endpoint", f"interface_endpoint/{eid}", attributes, (op,)),))

        return lambda: self._guard(op, ("atlas.interface_endpoint",), read, subject=f"endpoint {eid}")

    def database_users(self) -> _Outcome:
        op = "listGroupDatabaseUsers"
        return self._guard(op, ("atlas.database_user",), lambda: self._many(
            "atlas.database_user", lambda d: f"database_user/{_text(d, 'databaseName')}/{_text(d, 'username')}",
            self.client.get_all(f"{self.base}/databaseUsers", V2023, op), op,
        ))

    def access_list(self) -> _Outcome:
        op = "listGroupAccessListEntries"
        return self._guard(op, ("atlas.access_list_entry",), lambda: self._many(
            "atlas.access_list_entry", lambda d: f"access_list_entry/{_access_key(d)}",
            self.client.get_all(f"{self.base}/accessList", V2023, op), op,
        ))

    def custom_db_roles(self) -> _Outcome:
        op = "listGroupCustomDbRoleRoles"
        return self._guard(op, ("atlas.custom_db_role",), lambda: self._many(
            "atlas.custom_db_role", lambda d: f"custom_db_role/{_text(d, 'roleName')}",
            self.client.get_array(f"{self.base}/customDBRoles/roles", V2023, op), op,
        ))

    def audit_log(self) -> _Outcome:
        op = "getGroupAuditLog"
        return self._guard(op, ("atlas.audit_log",), lambda: self._one(
            "atlas.audit_log", "audit_log", lambda _: "config",
            self.client.get_object(f"{self.base}/auditLog", V2023, op), (op,),
        ))

    def encryption_at_rest(self) -> _Outcome:
        op = "getGroupEncryptionAtRest"
        return self._guard(op, ("atlas.encryption_at_rest",), lambda: self._one(
            "atlas.encryption_at_rest", "encryption_at_rest", lambda _: "config",
            self.client.get_object(f"{self.base}/encryptionAtRest", V2023, op), (op,),
        ))

    def _one(self, rtype: str, kind: str, name: Callable[[dict[str, Any]], str], doc: dict[str, Any], ops: tuple[str, ...]) -> _Outcome:
        return _Outcome(resources=(self._resource(rtype, f"{kind}/{name(doc)}", doc, ops),))

    def _many(self, rtype: str, tail: Callable[[dict[str, Any]], str], items: Iterable[dict[str, Any]], op: str) -> _Outcome:
        return _Outcome(resources=tuple(self._resource(rtype, tail(item), item, (op,)) for item in items))

    def _resource(self, rtype: str, tail: str, attributes: dict[str, Any], ops: tuple[str, ...]) -> Resource:
        return Resource(
            id=f"atlas:{self.pid}/{tail}",
            type=rtype,
            provider="atlas",
            scope=self.pid,
            region=None,
            source=tuple(f"atlas:{op}" for op in ops),
            attributes=_without_secrets(attributes, self.salt),
        )

    def _guard(self, op: str, types: tuple[str, ...], read: Callable[[], _Outcome], subject: str = "") -> _Outcome:
        """Run one read; an API error, or an answer missing an identifying field, becomes a Gap."""
        try:
            return read()
        except AtlasApiError as err:
            detail = f"{subject}: {err.detail}" if subject else err.detail
            return _Outcome(gaps=(self._gap(op, types, err.reason, detail),))

    def _gap(self, op: str, types: tuple[str, ...], reason: str, detail: str) -> Gap:
        log.info("atlas gap: %s in project %s: %s", op, self.pid, reason)
        return Gap(provider="atlas", operation=f"atlas:{op}", scope=self.pid, region=None, reason=reason, detail=detail, resource_types=types)


class _OrgReader(_Reader):
    """The organisation's settings (MFA required, API access list required): one resource whose
    scope is the organisation id, `atlas:org:<orgId>/org_settings/settings`."""

    def __init__(self, client: AtlasClient, org_id: str, salt: str) -> None:
        super().__init__(client, f"org:{org_id}", salt)
        self.org_id = org_id

    def settings(self) -> _Outcome:
        op = "getOrgSettings"

        def read() -> _Outcome:
            doc = self.client.get_object(f"/orgs/{quote(self.org_id, safe='')}/settings", V2023, op)
            resource = self._resource("atlas.org_settings", "org_settings/settings", doc, (op,))
            return _Outcome(resources=(replace(resource, scope=self.org_id),))

        outcome = self._guard(op, ("atlas.org_settings",), read)
        return replace(outcome, gaps=tuple(replace(g, scope=self.org_id) for g in outcome.gaps))


def _text(doc: dict[str, Any], key: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value:
        raise AtlasApiError("malformed", f"an item has no {key!r}")
    return value


def _access_key(doc: dict[str, Any]) -> str:
    for key in ("cidrBlock", "awsSecurityGroup"):
        value = doc.get(key)
        if isinstance(value, str) and value:
            return value
    raise AtlasApiError("malformed", "an access-list entry has neither 'cidrBlock' nor 'awsSecurityGroup'")


def _without_secrets(value: Any, salt: str) -> Any:
    """The API never returns passwords; if one ever does, keep only a salted marker of it."""
    if isinstance(value, dict):
        return {
            k: marker(v, salt) if k in _SECRET_KEYS and isinstance(v, str) else _without_secrets(v, salt)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_without_secrets(v, salt) for v in value]
    return value
