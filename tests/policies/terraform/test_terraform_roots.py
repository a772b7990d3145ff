"""`attest check --terraform` on hand-written roots (fixtures/roots, not derived from examples/ or
the demo estate): static-only runs with and without a config, the reference project found through
tfvars, locals and data sources, drift on every declared attribute scoped to what a root manages,
and checkov's report cached by content."""
from __future__ import annotations

import json
import logging
import os
import shutil
import stat
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from attest.cli import main
from attest.collector.config import load_config
from attest.collector.snapshot import Identity, Resource, Snapshot
from attest.core.errors import UsageError
from attest.policies.terraform.checkov_run import CheckovSettings, run_terraform_checks
from attest.policies.terraform.checkov_locate import locate_checkov
from attest.policies.terraform.drift import detect_drift, out_of_scope
from attest.policies.terraform.hcl import load_directory
from attest.policies.terraform.mapping import load_mapping
from attest.policies.terraform.static import static_findings

ROOTS = Path(__file__).parent / "fixtures" / "roots"
CATALOG, EDGE, CONFIG = ROOTS / "catalog", ROOTS / "edge", ROOTS / "catalog.attest.yaml"
SHOWN = "tests/policies/terraform/fixtures/roots/catalog"
CATALOG_ID, CLINIC_ID = "65f1c0ffee0000000000c001", "65f1c0ffee0000000000c002"
NOW = datetime(2026, 11, 2, 6, 0, tzinfo=timezone.utc)


def _check(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "r.json"
    code = main(["check", "--format", "json", "--output", str(out), *args])
    return code, json.loads(out.read_text())


def _table(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((f["rule_id"], f["status"], f["resource_id"]) for f in results["findings"] if f["status"] != "pass")


def test_a_root_alone_is_judged_without_snapshot_or_config(tmp_path: Path) -> None:
    code, results = _check(tmp_path, "--terraform", str(CATALOG))
    assert code == 1
    assert _table(results) == [
        ("ATL-DB-001", "fail", "mongodbatlas_advanced_cluster.catalog"),
        ("ATL-DB-002", "fail", "mongodbatlas_project_ip_access_list.office"),
        ("ATL-DB-003", "fail", "mongodbatlas_project_ip_access_list.office"),
        ("ATL-DB-005", "fail", "mongodbatlas_database_user.loader"),
    ]
    assert results["snapshot"] == {"collected_at": "", "digest": ""}
    loader = next(f for f in results["findings"] if f["resource_id"] == "mongodbatlas_database_user.loader")
    assert loader["evidence"] == f"{SHOWN}/main.tf:23"
    # the verdict is ATL-DB-005's own conditions (policies/rules/atlas.yaml), as for a live user
    assert "the user holds a role other than read or readAnyDatabase" in loader["message"]
    assert "the user is not scoped to clusters" in loader["message"]
    assert "(declares readWriteAnyDatabase on admin, scopes none)" in loader["message"]
    # without a config the reader's databases and clusters cannot be held to the config's: roles only
    reader = next(f for f in results["findings"] if f["resource_id"] == "mongodbatlas_database_user.reader")
    assert reader["status"] == "pass"
    # a control answers only for what the static plane judged; change management has nothing here
    cc81 = next(c for c in results["controls"] if c["control_id"] == "SOC2-CC8.1")
    assert cc81["status"] == "manual" and cc81["mappings"] == []


def test_with_a_config_projects_clusters_databases_and_ranges_are_the_configs(tmp_path: Path) -> None:
    code, results = _check(tmp_path, "--terraform", str(CATALOG), "--config", str(CONFIG))
    assert code == 1
    assert _table(results) == [
        ("ATL-DB-001", "fail", "mongodbatlas_advanced_cluster.catalog"),
        ("ATL-DB-002", "fail", "mongodbatlas_project_ip_access_list.office"),
        ("ATL-DB-003", "fail", "mongodbatlas_project_ip_access_list.office"),
        ("ATL-DB-004", "fail", "mongodbatlas_project_ip_access_list.office"),
        ("ATL-DB-005", "fail", "mongodbatlas_database_user.auditor"),
        ("ATL-DB-005", "fail", "mongodbatlas_database_user.loader"),
    ]
    auditor = next(f for f in results["findings"] if f["resource_id"] == "mongodbatlas_database_user.auditor")
    assert auditor["message"] == (f"mongodbatlas_database_user.auditor ({SHOWN}/main.tf:43) reference-project user "
                                  "'catalog_auditor': the user can read a database that is not a declared reference "
                                  "database (declares read on billing, scopes catalog-db)")


def _static(source: str, tmp_path: Path, config: bool = False, flags: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    (tmp_path / "main.tf").write_text(source)
    found = static_findings(load_directory(tmp_path), load_config(CONFIG) if config else None, load_mapping(),
                            flags)
    return [(f.status.value, f.resource_id or "") for f in found if f.rule_id == "ATL-DB-005"]


WRITER = ('resource "mongodbatlas_database_user" "w" {\n  project_id = %s\n  username = "w"\n'
          '  auth_database_name = "admin"\n  roles {\n    role_name = "readWrite"\n    database_name = "formulary"\n'
          '  }\n  scopes {\n    name = "catalog-db"\n    type = "CLUSTER"\n  }\n}\n')


def test_a_project_named_by_the_config_is_reference_by_its_id_or_its_name(tmp_path: Path) -> None:
    by_id = 'variable "p" {\n  default = "%s"\n}\n' % CATALOG_ID + WRITER % "var.p"
    assert _static(by_id, tmp_path, config=True) == [("fail", "mongodbatlas_database_user.w")]
    by_name = 'data "mongodbatlas_project" "c" {\n  name = "catalog"\n}\n' + WRITER % "data.mongodbatlas_project.c.id"
    assert _static(by_name, tmp_path, config=True) == [("fail", "mongodbatlas_database_user.w")]
    phi = 'data "mongodbatlas_project" "c" {\n  name = "clinic"\n}\n' + WRITER % "data.mongodbatlas_project.c.id"
    assert _static(phi, tmp_path, config=True) == []  # a PHI-project writer is not this rule's concern


def test_without_a_config_the_operator_names_the_reference_project(tmp_path: Path) -> None:
    source = 'variable "catalog" {\n  default = "%s"\n}\n' % CATALOG_ID + WRITER % "var.catalog"
    assert _static(source, tmp_path) == []  # nothing says this project is the reference one
    assert _static(source, tmp_path, flags=(CATALOG_ID,)) == [("fail", "mongodbatlas_database_user.w")]


def test_a_project_source_cannot_determine_is_an_error_never_a_pass(tmp_path: Path) -> None:
    source = 'variable "reference_project_id" {}\nvariable "p" {}\n' + WRITER % "var.p"
    assert _static(source, tmp_path) == [("error", "mongodbatlas_database_user.w")]


def _resource(kind: str, project: str, ident: str, **attributes: Any) -> Resource:
    return Resource(f"atlas:{project}/{kind.split('.')[1]}/{ident}", kind, "atlas", project, None, ("test",),
                    attributes)


def _user(project: str, name: str, roles: list[dict[str, str]], scopes: list[dict[str, str]]) -> Resource:
    return _resource("atlas.database_user", project, f"admin/{name}", username=name, databaseName="admin",
                     roles=roles, scopes=scopes)


def _live_catalog(tls: str = "TLS1_0", loader_scopes: tuple[dict[str, str], ...] = ()) -> list[Resource]:
    read = [{"roleName": "read", "databaseName": "formulary"}]
    scoped = [{"name": "catalog-db", "type": "CLUSTER"}]
    return [
        _resource("atlas.cluster", CATALOG_ID, "catalog-db", name="catalog-db",
                  processArgs={"minimumEnabledTlsProtocol": tls}),
        _user(CATALOG_ID, "catalog_loader", [{"roleName": "readWriteAnyDatabase", "databaseName": "admin"}],
              list(loader_scopes)),
        _user(CATALOG_ID, "catalog_reader", read, scoped),
        _user(CATALOG_ID, "catalog_auditor", [{"roleName": "read", "databaseName": "billing"}], scoped),
        _resource("atlas.access_list_entry", CATALOG_ID, "0.0.0.0/0", cidrBlock="0.0.0.0/0"),
        _resource("atlas.access_list_entry", CATALOG_ID, "192.0.2.0/28", cidrBlock="192.0.2.0/28",
                  comment="laptop, temporarily"),
    ]


def _clinic_users(count: int) -> list[Resource]:
    return [_user(CLINIC_ID, f"clinician{i}", [{"roleName": "readWrite", "databaseName": "charts"}], [])
            for i in range(count)]


def _snapshot(resources: list[Resource]) -> Snapshot:
    return Snapshot.build(collected_at=NOW, collector_version="test", identity=Identity(), scope={},
                          resources=tuple(resources), gaps=())


def _drift(resources: list[Resource], config_path: Path = CONFIG) -> dict[tuple[str, str], tuple[str, str]]:
    findings = detect_drift(load_directory(CATALOG), _snapshot(resources), load_config(config_path))
    table = {(f.rule_id, f.resource_id or ""): (f.status.value, f.message) for f in findings}
    assert len(table) == len(findings)  # one finding per resource and cause
    return table


def test_drift_compares_every_declared_attribute_with_a_pass_when_equal() -> None:
    table = _drift(_live_catalog())
    assert {k: v[0] for k, v in table.items() if k[0] == "ATL-DRIFT-003"} == {
        ("ATL-DRIFT-003", "mongodbatlas_advanced_cluster.catalog"): "pass",
        ("ATL-DRIFT-003", "mongodbatlas_database_user.auditor"): "pass",
        ("ATL-DRIFT-003", "mongodbatlas_database_user.loader"): "pass",
        ("ATL-DRIFT-003", "mongodbatlas_database_user.reader"): "pass",
        ("ATL-DRIFT-003", "mongodbatlas_project_ip_access_list.build"): "fail",
    }
    status, message = table[("ATL-DRIFT-003", "mongodbatlas_project_ip_access_list.build")]
    assert message.endswith("comment is laptop, temporarily live, build runners declared (" f"{SHOWN}/main.tf:65)")
    assert "advanced_configuration" in table[("ATL-DRIFT-003", "mongodbatlas_advanced_cluster.catalog")][1]


def test_a_cluster_running_older_tls_than_declared_is_drift() -> None:
    status, message = _drift(_live_catalog(tls="TLS1_2"))[("ATL-DRIFT-003", "mongodbatlas_advanced_cluster.catalog")]
    assert status == "fail" and "minimum TLS is TLS1_2 live, TLS1_0 declared" in message


def test_a_scope_added_by_hand_is_drift_on_the_user() -> None:
    live = _live_catalog(loader_scopes=({"name": "catalog-db", "type": "CLUSTER"},))
    status, message = _drift(live)[("ATL-DRIFT-003", "mongodbatlas_database_user.loader")]
    assert status == "fail" and "scopes are [('catalog-db', 'CLUSTER')] live, none declared" in message


def test_drift_leaves_out_a_project_the_root_does_not_manage(caplog: pytest.LogCaptureFixture) -> None:
    live = _live_catalog() + _clinic_users(40)
    table = _drift(live)
    assert not [k for k in table if CLINIC_ID in k[1]]
    assert len(out_of_scope(load_directory(CATALOG), _snapshot(live), load_config(CONFIG))) == 40
    undeclared = _drift(live + [_user(CATALOG_ID, "by_hand", [], [])])
    assert undeclared[("ATL-DRIFT-001", f"atlas:{CATALOG_ID}/database_user/admin/by_hand")][0] == "fail"


def test_terraform_manages_in_the_config_sets_the_scope(tmp_path: Path) -> None:
    config = tmp_path / "attest.yaml"
    config.write_text(CONFIG.read_text() + "terraform:\n  manages: [catalog, clinic]\n")
    table = _drift(_live_catalog() + _clinic_users(2), config)
    assert table[("ATL-DRIFT-001", f"atlas:{CLINIC_ID}/database_user/admin/clinician0")][0] == "fail"
    config.write_text(CONFIG.read_text() + "terraform:\n  manages: [nowhere]\n")
    with pytest.raises(Exception, match="neither an AWS account id"):
        load_config(config)


def test_the_cli_lists_what_drift_left_out_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(_snapshot(_live_catalog() + _clinic_users(12)).to_json())
    with caplog.at_level(logging.WARNING, logger="attest.terraform"):
        code, results = _check(tmp_path, "--snapshot", str(snapshot), "--config", str(CONFIG),
                               "--terraform", str(CATALOG))
    assert code == 1
    left_out = [r.getMessage() for r in caplog.records if "do not manage" in r.getMessage()]
    assert left_out == ["drift left out 12 live resource(s) the Terraform roots do not manage (terraform.manages in "
                        f"the config widens this): 12 atlas {CLINIC_ID} atlas.database_user"]
    assert not [f for f in results["findings"] if CLINIC_ID in (f["resource_id"] or "")
                and f["rule_id"].startswith("ATL-DRIFT")]


def test_a_secrets_class_tag_is_held_to_the_cluster_the_config_says_it_points_at(tmp_path: Path) -> None:
    _, results = _check(tmp_path, "--terraform", str(EDGE), "--config", str(CONFIG))
    judged = {f["resource_id"]: (f["status"], f["message"]) for f in results["findings"] if f["rule_id"] == "ATL-SEC-004"}
    edge = "tests/policies/terraform/fixtures/roots/edge"
    assert judged == {
        "aws_secretsmanager_secret.catalog_uri": ("fail", f"aws_secretsmanager_secret.catalog_uri ({edge}/main.tf:41) "
                                                  "is tagged data_class = phi, but it points at catalog/catalog-db, "
                                                  "which holds public data"),
        "aws_secretsmanager_secret.clinic_uri": ("pass", f"aws_secretsmanager_secret.clinic_uri ({edge}/main.tf:49) "
                                                 "is tagged data_class = phi, the class of clinic/clinic-db"),
    }


def test_several_roots_in_one_run_keep_their_findings_apart(tmp_path: Path) -> None:
    code, results = _check(tmp_path, "--terraform", str(CATALOG), "--terraform", str(EDGE))
    assert code == 1
    edge = sorted((f["rule_id"], f["resource_id"]) for f in results["findings"]
                  if f["status"] == "fail" and "roots/edge:" in f["resource_id"])
    prefix = "tests/policies/terraform/fixtures/roots/edge:"
    assert edge == [("ATL-NET-002", prefix + "aws_security_group.cache"),
                    ("ATL-NET-004", prefix + "aws_security_group.cache"),
                    ("ATL-PL-004", prefix + "aws_vpc_endpoint.atlas"),
                    ("ATL-SEC-002", prefix + "aws_kms_key.edge"),
                    ("ATL-SEC-003", prefix + "aws_kms_key.edge")]
    assert any(f["resource_id"].endswith("roots/catalog:mongodbatlas_database_user.loader") for f in results["findings"])


def test_usage_errors(tmp_path: Path) -> None:
    assert main(["check"]) == 2
    assert main(["check", "--snapshot", str(tmp_path / "s.json")]) == 2
    assert main(["check", "--terraform", str(CATALOG), "--terraform", str(EDGE),
                 "--terraform-state", str(tmp_path / "s.json")]) == 2


def _counting_checkov(tmp_path: Path) -> tuple[Path, Path]:
    """The real checkov behind a script that counts its starts."""
    counter = tmp_path / "starts"
    script = tmp_path / "checkov"
    script.write_text(f'#!/bin/sh\necho run >> "{counter}"\nexec "{locate_checkov().require().resolve()}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, counter


def test_an_unchanged_root_reuses_checkovs_report_and_a_change_reruns_it(tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(CATALOG, root)
    script, counter = _counting_checkov(tmp_path)
    settings = CheckovSettings(checkov=script, cache_dir=tmp_path / "cache")
    first = run_terraform_checks(root, settings)
    assert run_terraform_checks(root, settings) == first
    assert counter.read_text().count("run") == 1
    (root / "terraform.tfvars").write_text('reference_project_id = "65f1c0ffee0000000000c009"\n')
    run_terraform_checks(root, settings)
    assert counter.read_text().count("run") == 2
    assert len(list((tmp_path / "cache").glob("*.json"))) == 2
    assert not any(p.name.startswith(".tmp") for p in (tmp_path / "cache").iterdir())


def test_an_unreadable_cache_entry_is_a_miss_and_a_cache_inside_the_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(EDGE, root)
    settings = CheckovSettings(cache_dir=tmp_path / "cache")
    first = run_terraform_checks(root, settings)
    (entry,) = (tmp_path / "cache").glob("*.json")
    entry.write_text("{not json")
    assert run_terraform_checks(root, settings) == first
    with pytest.raises(UsageError, match="inside the Terraform root"):
        run_terraform_checks(root, CheckovSettings(cache_dir=root / ".cache"))


def test_the_default_cache_is_under_the_users_cache_directory(tmp_path: Path) -> None:
    from attest.policies.terraform.checkov_cache import cache_dir
    assert cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "attest" / "checkov"
    assert cache_dir({"ATTEST_CACHE_DIR": str(tmp_path / "c")}) == tmp_path / "c" / "checkov"
    assert cache_dir({}) == Path(os.path.expanduser("~")) / ".cache" / "attest" / "checkov"



def test_a_parse_is_kept_until_the_root_or_a_module_outside_it_changes(tmp_path: Path) -> None:
    from attest.policies.terraform.parse_cache import load_directory_cached
    (tmp_path / "modules" / "key").mkdir(parents=True)
    (tmp_path / "modules" / "key" / "main.tf").write_text('resource "aws_kms_key" "k" {\n  description = "one"\n}\n')
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text('module "key" {\n  source = "../modules/key"\n}\n')
    cache = tmp_path / "cache"
    first = load_directory_cached(root, cache)
    assert load_directory_cached(root, cache) == first == load_directory(root)
    assert len(list(cache.glob("parse-*.json"))) == 1
    (tmp_path / "modules" / "key" / "main.tf").write_text('resource "aws_kms_key" "k" {\n  description = "two"\n}\n')
    (changed,) = load_directory_cached(root, cache)
    assert changed.address == "module.key.aws_kms_key.k" and changed.attributes["description"] == "two"
