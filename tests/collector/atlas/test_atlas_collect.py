"""collect_atlas over the running emulator: resources as docs/resources.md says, failures as gaps."""
from __future__ import annotations

import json
import logging

import pytest

from attest.collector.atlas import AtlasResult, AtlasSettings, collect_atlas
from attest.collector.config import EstateConfig
from attest.sandbox.atlas import AtlasEmulator

from atlas_env import API_KEY, OWNER_KEY, SERVICE_ACCOUNT, VPCE_ID

PROD, REF = "6a7000000000000000000001", "6a7000000000000000000002"
ORG = "6a7000000000000000000a00"
SERVICE = "6a70000000000000000000e1"
EXPECTED = {
    f"atlas:{PROD}/project/prod": "atlas.project",
    f"atlas:{PROD}/cluster/prod-cluster": "atlas.cluster",
    f"atlas:{PROD}/database_user/admin/app_prod": "atlas.database_user",
    f"atlas:{PROD}/access_list_entry/10.20.0.0/16": "atlas.access_list_entry",
    f"atlas:{REF}/project/reference": "atlas.project",
    f"atlas:{REF}/cluster/reference-cluster": "atlas.cluster",
    f"atlas:{REF}/database_user/admin/app_read_staging": "atlas.database_user",
    f"atlas:{REF}/access_list_entry/10.20.0.0/16": "atlas.access_list_entry",
    f"atlas:{REF}/access_list_entry/198.51.100.0/28": "atlas.access_list_entry",
    f"atlas:{REF}/access_list_entry/203.0.113.45/32": "atlas.access_list_entry",
    f"atlas:{REF}/endpoint_service/{SERVICE}": "atlas.endpoint_service",
    f"atlas:{REF}/interface_endpoint/{VPCE_ID}": "atlas.interface_endpoint",
    f"atlas:{PROD}/encryption_at_rest/config": "atlas.encryption_at_rest",
    f"atlas:{REF}/encryption_at_rest/config": "atlas.encryption_at_rest",
    f"atlas:org:{ORG}/org_settings/settings": "atlas.org_settings",
}
AUDIT = {f"atlas:{PROD}/audit_log/config": "atlas.audit_log", f"atlas:{REF}/audit_log/config": "atlas.audit_log"}


def collect(atlas: AtlasEmulator, config: EstateConfig, env: dict[str, str], **kwargs: object) -> AtlasResult:
    settings = AtlasSettings.from_env({**env, "MONGODB_ATLAS_BASE_URL": atlas.base_url})
    return collect_atlas(config, settings, salt="test-salt", **kwargs)  # type: ignore[arg-type]


def by_id(result: AtlasResult) -> dict[str, object]:
    return {r.id: r for r in result.resources}


def gap_keys(result: AtlasResult) -> set[tuple[str, str, str]]:
    return {(g.operation, g.scope, g.reason) for g in result.gaps}


@pytest.mark.parametrize("env, principal", [(API_KEY, "attestro"), (SERVICE_ACCOUNT, "mdb_sa_id_attest_local")], ids=["digest", "oauth"])
def test_read_only_principal_collects_everything_but_the_audit_log(atlas: AtlasEmulator, config: EstateConfig, env: dict[str, str], principal: str) -> None:
    result = collect(atlas, config, env)
    assert {r.id: r.type for r in result.resources} == EXPECTED
    assert gap_keys(result) == {("atlas:getGroupAuditLog", PROD, "access_denied"), ("atlas:getGroupAuditLog", REF, "access_denied")}
    assert all(g.resource_types == ("atlas.audit_log",) and g.provider == "atlas" and g.region is None for g in result.gaps)
    assert result.principal == principal


def test_resource_shapes_follow_the_contract(atlas: AtlasEmulator, config: EstateConfig) -> None:
    resources = by_id(collect(atlas, config, OWNER_KEY))
    assert set(resources) == set(EXPECTED) | set(AUDIT)
    cluster = resources[f"atlas:{REF}/cluster/reference-cluster"]
    assert cluster.source == ("atlas:listGroupClusters", "atlas:getGroupClusterProcessArgs")
    assert cluster.attributes["processArgs"]["minimumEnabledTlsProtocol"] == "TLS1_2"
    assert cluster.attributes["name"] == "reference-cluster" and cluster.scope == REF and cluster.provider == "atlas"
    endpoint = resources[f"atlas:{REF}/interface_endpoint/{VPCE_ID}"]
    assert endpoint.attributes["endpointServiceId"] == SERVICE and endpoint.attributes["connectionStatus"] == "AVAILABLE"
    assert endpoint.source == ("atlas:getGroupPrivateEndpointEndpointServiceEndpoint",)
    service = resources[f"atlas:{REF}/endpoint_service/{SERVICE}"]
    assert service.attributes["interfaceEndpoints"] == [VPCE_ID]
    laptop = resources[f"atlas:{REF}/access_list_entry/203.0.113.45/32"]
    assert laptop.attributes["ipAddress"] == "203.0.113.45"
    assert resources[f"atlas:{PROD}/audit_log/config"].source == ("atlas:getGroupAuditLog",)
    assert resources[f"atlas:{PROD}/project/prod"].source == ("atlas:getGroup",)


def test_wrong_credentials_leave_every_operation_a_gap(atlas: AtlasEmulator, config: EstateConfig) -> None:
    result = collect(atlas, config, {**API_KEY, "MONGODB_ATLAS_PRIVATE_API_KEY": "CANARY-WRONG-c0ffee"})
    assert result.resources == ()
    operations = {"getGroup", "listGroupClusters", "listGroupPrivateEndpointEndpointService", "listGroupDatabaseUsers",
                  "listGroupAccessListEntries", "listGroupCustomDbRoleRoles", "getGroupAuditLog", "getGroupEncryptionAtRest"}
    assert gap_keys(result) == {(f"atlas:{op}", p, "auth_failed") for op in operations for p in (PROD, REF)} | {
        ("atlas:getOrgSettings", ORG, "auth_failed")}
    endpoint_gap = next(g for g in result.gaps if g.operation == "atlas:listGroupPrivateEndpointEndpointService")
    assert endpoint_gap.resource_types == ("atlas.endpoint_service", "atlas.interface_endpoint")


def test_small_pages_and_throttling_change_nothing(atlas: AtlasEmulator, config: EstateConfig) -> None:
    atlas.faults.page_size(1)
    atlas.faults.throttle(3, retry_after=0)
    paged = collect(atlas, config, OWNER_KEY)
    atlas.faults.clear()
    plain = collect(atlas, config, OWNER_KEY)
    assert paged.gaps == () and plain.gaps == ()
    assert [r.to_dict() for r in paged.resources] == [r.to_dict() for r in plain.resources]


def test_malformed_page_is_a_gap_naming_the_operation(atlas: AtlasEmulator, config: EstateConfig) -> None:
    atlas.faults.page_size(1)
    atlas.faults.malform("listGroupAccessListEntries", "truncated", page=2)
    result = collect(atlas, config, OWNER_KEY)
    gap = next(g for g in result.gaps if g.reason == "malformed")
    assert (gap.operation, gap.scope, gap.resource_types) == ("atlas:listGroupAccessListEntries", REF, ("atlas.access_list_entry",))
    assert "page 2" in gap.detail or "invalid JSON" in gap.detail
    assert len(result.gaps) == 1
    assert not any(r.type == "atlas.access_list_entry" and r.scope == REF for r in result.resources)
    assert f"atlas:{PROD}/access_list_entry/10.20.0.0/16" in by_id(result)


def test_failed_process_args_keep_the_cluster_but_record_a_gap(atlas: AtlasEmulator, config: EstateConfig) -> None:
    atlas.faults.deny("getGroupClusterProcessArgs", "getGroupPrivateEndpointEndpointServiceEndpoint")
    result = collect(atlas, config, OWNER_KEY)
    cluster = by_id(result)[f"atlas:{PROD}/cluster/prod-cluster"]
    assert cluster.attributes["processArgs"] is None
    assert gap_keys(result) == {
        ("atlas:getGroupClusterProcessArgs", PROD, "access_denied"),
        ("atlas:getGroupClusterProcessArgs", REF, "access_denied"),
        ("atlas:getGroupPrivateEndpointEndpointServiceEndpoint", REF, "access_denied"),
    }
    assert any("prod-cluster" in g.detail for g in result.gaps)
    assert f"atlas:{REF}/interface_endpoint/{VPCE_ID}" not in by_id(result)


def test_progress_is_reported_once_per_call_and_one_worker_suffices(atlas: AtlasEmulator, config: EstateConfig) -> None:
    ticks: list[int] = []
    result = collect(atlas, config, OWNER_KEY, max_workers=1, on_progress=lambda: ticks.append(1))
    # per project: 8 first calls + one processArgs per cluster; the reference project's one endpoint;
    # the organisation's settings
    assert len(ticks) == 2 * 9 + 1 + 1
    assert result.gaps == ()


def test_the_same_estate_gives_the_same_result(atlas: AtlasEmulator, config: EstateConfig) -> None:
    first, second = collect(atlas, config, API_KEY), collect(atlas, config, API_KEY, max_workers=8)
    assert first == second


def test_no_canary_reaches_resources_gaps_or_logs(
    atlas: AtlasEmulator, config: EstateConfig, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    results = [collect(atlas, config, env) for env in (API_KEY, SERVICE_ACCOUNT, OWNER_KEY)]
    results.append(collect(atlas, config, {**SERVICE_ACCOUNT, "MONGODB_ATLAS_CLIENT_SECRET": "CANARY-WRONG-5eed"}))
    atlas.faults.server_error(None, status=503, operations=["listGroupDatabaseUsers"])
    atlas.faults.throttle(2, retry_after=0, operations=["getGroup"])
    results.append(collect(atlas, config, API_KEY))
    text = json.dumps([[r.to_dict() for r in res.resources] + [g.to_dict() for g in res.gaps] for res in results])
    captured = capsys.readouterr()
    assert "password" not in text
    for where in (text, caplog.text, captured.out, captured.err, repr(results)):
        assert "CANARY-" not in where
    assert ("atlas:listGroupDatabaseUsers", REF, "server_error") in gap_keys(results[-1])
