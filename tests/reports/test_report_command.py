"""`attest report` end to end: from a bundle directory or loose files, and inconsistent input -> exit 2."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from types import ModuleType

import pytest

from attest.cli import main
from attest.collector.config import EstateConfig
from attest.collector.snapshot import Snapshot
from attest.evidence.manifest import Manifest, file_entries
from attest.policies.findings import Results
from attest.reports.bundle import BundleRef, Provenance
from attest.reports.render import render_all


def write_bundle(root: Path, fx: ModuleType, results: Results, snapshot: Snapshot) -> Path:
    """A bundle as the evidence stage lays it out: files plus a manifest of their sha256."""
    bundle = root / "bundle-test-0001"
    (bundle / "sources" / "infra/envs/prod").mkdir(parents=True)
    (bundle / "sources" / "app/src/db").mkdir(parents=True)
    (bundle / "snapshot.json").write_text(snapshot.to_json(), encoding="utf-8")
    (bundle / "findings.json").write_text(results.to_json(), encoding="utf-8")
    (bundle / "sources" / fx.TF_FILE).write_text('resource "aws_secretsmanager_secret" "reference_uri" {}\n')
    (bundle / "sources" / fx.TS_FILE).write_text("export const reference = client.db('cms');\n")
    files = {p.relative_to(bundle).as_posix(): p.read_bytes() for p in bundle.rglob("*") if p.is_file()}
    moment = snapshot.collected_at
    manifest = Manifest(
        bundle_id="bundle-test-0001", run_started=moment, run_finished=moment, attest_version="test",
        collector_identity=snapshot.identity.to_dict(), policy_digest=results.policy_digest,
        config_digest="sha256:" + "0" * 64, previous=None, files=file_entries(files),
    )
    (bundle / "manifest.json").write_bytes(manifest.to_bytes())
    return bundle


def remanifest(bundle: Path) -> None:
    """Re-list the bundle's files in its manifest after a test changed them (a consistent rewrite)."""
    manifest = json.loads((bundle / "manifest.json").read_text())
    files = {p.relative_to(bundle).as_posix(): p.read_bytes() for p in bundle.rglob("*") if p.is_file()}
    del files["manifest.json"]
    manifest["files"] = [entry.to_dict() for entry in file_entries(files)]
    (bundle / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture()
def config_file(tmp_path: Path, fx: ModuleType) -> Path:
    path = tmp_path / "attest.yaml"
    path.write_text(fx.CONFIG_YAML, encoding="utf-8")
    return path


def test_renders_every_format_from_a_bundle(
    tmp_path: Path, fx: ModuleType, results: Results, snapshot: Snapshot, config: EstateConfig, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = write_bundle(tmp_path, fx, results, snapshot)
    out = tmp_path / "out"
    assert main(["report", str(bundle), "--config", str(config_file), "--output", str(out)]) == 0
    written = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest_sha256 = hashlib.sha256((bundle / "manifest.json").read_bytes()).hexdigest()
    provenance = Provenance(
        run_started="2026-11-20T03:00:00Z", run_finished="2026-11-20T03:00:00Z", attest_version="test",
        manifest_sha256=manifest_sha256, previous_id=None, previous_sha256=None, signing_key=None, signed=False,
    )
    ref = BundleRef("bundle-test-0001", {f["path"]: f["sha256"] for f in manifest["files"]}, provenance)
    expected = render_all(results, snapshot, config, bundle=ref)
    assert written.keys() == expected.keys()
    assert written["oscal-assessment-results.json"] == expected["oscal-assessment-results.json"]
    assert "bundle-test-0001" in written["control-mapping.md"]
    assert f"| Manifest sha256 | {manifest_sha256} |" in written["control-mapping.md"]
    assert "none: first bundle of its chain" in written["findings.html"]
    assert "unsigned: no evidence.signing.kms_key_id" in written["waiver-register.md"]
    assert sorted(capsys.readouterr().out.split()) == sorted(str(out / n) for n in expected)


def test_summary_to_stdout_from_loose_files(
    tmp_path: Path, results: Results, snapshot: Snapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "findings.json").write_text(results.to_json(), encoding="utf-8")
    (tmp_path / "snapshot.json").write_text(snapshot.to_json(), encoding="utf-8")
    code = main(["report", str(tmp_path / "findings.json"), "--snapshot", str(tmp_path / "snapshot.json"), "--format", "summary"])
    assert code == 0
    assert capsys.readouterr().out.startswith("### attest: 6 finding(s) need attention")


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    err = capsys.readouterr().err
    return code, err


def test_a_finding_citing_a_file_not_in_the_bundle(
    tmp_path: Path, fx: ModuleType, results: Results, snapshot: Snapshot, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stray = dataclasses.replace(results.findings[1], evidence="inventory.json#/accounts/0")
    bad = dataclasses.replace(results, findings=(results.findings[0], stray, *results.findings[2:]))
    bundle = write_bundle(tmp_path, fx, bad, snapshot)
    code, err = _run(["report", str(bundle), "--config", str(config_file), "--output", str(tmp_path / "o")], capsys)
    assert code == 2
    assert "cites inventory.json, which is not in bundle bundle-test-0001" in err
    assert "findings.json#/findings/" in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_a_source_location_outside_the_bundle_is_cited_as_repository_source(
    tmp_path: Path, fx: ModuleType, results: Results, snapshot: Snapshot, config_file: Path
) -> None:
    """Bundles need not carry the source tree: a Terraform file:line is cited without a digest."""
    bundle = write_bundle(tmp_path, fx, results, snapshot)
    for source in (bundle / "sources").rglob("*.t[fs]"):
        source.unlink()
    remanifest(bundle)
    assert main(["report", str(bundle), "--config", str(config_file), "--output", str(tmp_path / "o")]) == 0
    text = (tmp_path / "o" / "control-mapping.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if f"| `{fx.TF_SECRET}`" in line)
    assert "| not bundled | `infra/envs/prod/secrets.tf` | - | `line 12` |" in row


def test_the_bundled_config_is_used_when_none_is_given(
    tmp_path: Path, fx: ModuleType, results: Results, snapshot: Snapshot, config_file: Path
) -> None:
    bundle = write_bundle(tmp_path, fx, results, snapshot)
    (bundle / "config").mkdir()
    (bundle / "config" / "attest.yaml").write_bytes(config_file.read_bytes())
    remanifest(bundle)
    assert main(["report", str(bundle), "--output", str(tmp_path / "a")]) == 0
    assert main(["report", str(bundle), "--config", str(config_file), "--output", str(tmp_path / "b")]) == 0
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_a_pointer_that_is_not_in_the_snapshot(
    tmp_path: Path, results: Results, snapshot: Snapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    stray = dataclasses.replace(results.findings[0], evidence="/resources/99")
    bad = dataclasses.replace(results, findings=(stray, *results.findings[1:]))
    (tmp_path / "findings.json").write_text(bad.to_json(), encoding="utf-8")
    (tmp_path / "snapshot.json").write_text(snapshot.to_json(), encoding="utf-8")
    code, err = _run(["report", str(tmp_path / "findings.json"), "--snapshot", str(tmp_path / "snapshot.json"), "--format", "sarif"], capsys)
    assert code == 2 and "cites /resources/99, which does not exist in the snapshot" in err


def test_an_absent_field_inside_a_resource_is_cited_at_its_parent(
    tmp_path: Path, results: Results, snapshot: Snapshot, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Findings written before citations recorded `missing` (or by hand) still render: the nearest
    existing parent is cited, the absent keys named beside it."""
    first = next(f for f in results.findings if f.evidence.startswith("/resources/"))
    index = first.evidence.split("/")[2]
    stray = dataclasses.replace(first, evidence=f"/resources/{index}/attributes/no_such_key/deeper")
    bad = dataclasses.replace(results, findings=tuple(stray if f is first else f for f in results.findings))
    (tmp_path / "findings.json").write_text(bad.to_json(), encoding="utf-8")
    (tmp_path / "snapshot.json").write_text(snapshot.to_json(), encoding="utf-8")
    code, err = _run(["report", str(tmp_path / "findings.json"), "--snapshot", str(tmp_path / "snapshot.json"),
                    "--config", str(config_file), "--output", str(tmp_path / "out")], capsys)
    assert code == 0, err
    text = (tmp_path / "out" / "findings.md").read_text()
    assert f"`snapshot.json#/resources/{index}/attributes`" in text


def test_schema_invalid_findings(tmp_path: Path, results: Results, snapshot: Snapshot, capsys: pytest.CaptureFixture[str]) -> None:
    raw = json.loads(results.to_json())
    raw["findings"][4]["severity"] = "catastrophic"
    (tmp_path / "findings.json").write_text(json.dumps(raw), encoding="utf-8")
    (tmp_path / "snapshot.json").write_text(snapshot.to_json(), encoding="utf-8")
    code, err = _run(["report", str(tmp_path / "findings.json"), "--snapshot", str(tmp_path / "snapshot.json"), "--format", "junit"], capsys)
    assert code == 2 and f"{tmp_path / 'findings.json'}#/findings/4/severity" in err


def test_findings_from_another_snapshot(
    tmp_path: Path, results: Results, snapshot: Snapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "findings.json").write_text(results.to_json(), encoding="utf-8")
    other = dataclasses.replace(snapshot, collector_version="9.9.9")
    (tmp_path / "snapshot.json").write_text(other.to_json(), encoding="utf-8")
    code, err = _run(["report", str(tmp_path / "findings.json"), "--snapshot", str(tmp_path / "snapshot.json"), "--format", "oscal"], capsys)
    assert code == 2 and "the findings were computed from snapshot sha256:" in err


def test_a_tampered_bundle_file(
    tmp_path: Path, fx: ModuleType, results: Results, snapshot: Snapshot, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = write_bundle(tmp_path, fx, results, snapshot)
    (bundle / "snapshot.json").write_text(snapshot.to_json().replace("contractor", "contracter"), encoding="utf-8")
    code, err = _run(["report", str(bundle), "--config", str(config_file), "--output", str(tmp_path / "o")], capsys)
    assert code == 1 and "PROBLEM bundle-test-0001/snapshot.json: changed" in err and "--unverified" in err
    assert not (tmp_path / "o").exists()
    args = ["report", str(bundle), "--config", str(config_file), "--output", str(tmp_path / "o"), "--unverified"]
    code, err = _run(args, capsys)
    assert code == 2 and "does not match the manifest" in err


def test_several_files_need_an_output_directory(
    tmp_path: Path, fx: ModuleType, results: Results, snapshot: Snapshot, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = write_bundle(tmp_path, fx, results, snapshot)
    code, err = _run(["report", str(bundle), "--config", str(config_file), "--format", "md"], capsys)
    assert code == 2 and "pass --output DIR" in err


def test_documents_need_the_estate_config(
    tmp_path: Path, fx: ModuleType, results: Results, snapshot: Snapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = write_bundle(tmp_path, fx, results, snapshot)
    code, err = _run(["report", str(bundle), "--output", str(tmp_path / "o")], capsys)
    assert code == 2 and "needs the estate config: pass --config" in err
