"""`attest report BUNDLE` renders only from a bundle that verifies (files, signature, link to the bundle
before it); `--unverified` renders anyway and every page says it is not verified.

The bundles are written by the real export pipeline (policies, reports, KMS signing in moto) from a
hand-written estate config whose evidence section names the signing key.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import pytest
from evidence_helpers import NIGHT, START, snapshot_at

from attest.cli import main
from attest.collector.config import load_config
from attest.evidence.canonical import compact_json, sha256_hex
from attest.pipeline import export_snapshot
from attest.policies.rule_loader import POLICIES_DIR
from attest.reports.unverified import NOTICE

CONFIG = """\
version: 1
aws:
  accounts:
    - {{id: "123456789012", name: storefront, regions: [us-east-1]}}
evidence:
  signing:
    kms_key_id: {key}
"""


@pytest.fixture
def env(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"AWS_ENDPOINT_URL": moto_url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
              "AWS_DEFAULT_REGION": "us-east-1"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def bundles(tmp_path: Path, aws: Callable[[str], Any], env: dict[str, str]) -> list[Path]:
    """Two nights exported into a local locker, signed with a fresh KMS key."""
    key = aws("kms").create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
    config_path = tmp_path / "attest.yaml"
    config_path.write_text(CONFIG.format(key=key))
    config = load_config(config_path)
    locker = tmp_path / "locker"
    written = []
    for night in range(2):
        moment = START + NIGHT * night
        done = export_snapshot(
            snapshot_at(moment), config, locker_location=str(locker), policies=POLICIES_DIR, waivers_path=None,
            environ=env, now=_clock(moment), new_chain=night == 0,
        )
        written.append(locker / done.published.manifest.bundle_id)
    return written


def _clock(moment: datetime) -> Callable[[], datetime]:
    ticks = iter(moment + timedelta(seconds=s) for s in range(1000))
    return lambda: next(ticks)


def doctor(bundle: Path, path: str, old: bytes, new: bytes) -> None:
    """Change a file and re-hash it into the manifest: a consistent rewrite, as an editor would."""
    data = (bundle / path).read_bytes().replace(old, new)
    assert old in (bundle / path).read_bytes()
    (bundle / path).write_bytes(data)
    manifest = json.loads((bundle / "manifest.json").read_bytes())
    for entry in manifest["files"]:
        if entry["path"] == path:
            entry.update(size=len(data), sha256=sha256_hex(data))
    (bundle / "manifest.json").write_bytes(compact_json(manifest))


def report(bundle: Path, out: Path, *extra: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["report", str(bundle), "--output", str(out), *extra])
    return code, capsys.readouterr().err


def test_an_intact_bundle_renders(bundles: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = report(bundles[1], tmp_path / "out", capsys=capsys)
    assert code == 0, err
    pages = list((tmp_path / "out").glob("*.md")) + list((tmp_path / "out").glob("*.html"))
    assert pages and not any(NOTICE in p.read_text() for p in pages)


@pytest.mark.parametrize(
    ("attack", "problem"),
    [
        ("doctored findings, manifest re-hashed", "{new}/signature.json: signature: the signed statement names another manifest.json"),
        ("doctored findings, manifest re-hashed, signature removed", "{new}/signature.json: unsigned: no signature, but the bundle's config/attest.yaml names signing key"),
        ("previous bundle's manifest rewritten", "{new}/manifest.json: chain: the manifest of {old} is not the one this bundle links to"),
        ("a file changed", "{new}/findings.json: changed: content differs from the manifest"),
    ],
)
def test_a_doctored_bundle_is_refused_unless_unverified(
    bundles: list[Path], tmp_path: Path, attack: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = bundles
    if attack.startswith("doctored"):
        doctor(new, "findings.json", b'"status": "fail"', b'"status": "pass"')
        if "signature removed" in attack:
            (new / "signature.json").unlink()
    elif attack.startswith("previous"):
        manifest = json.loads((old / "manifest.json").read_bytes())
        manifest["collector_identity"] = {"aws_caller_arns": ["arn:aws:sts::123456789012:assumed-role/someone-else/x"]}
        (old / "manifest.json").write_bytes(compact_json(manifest))
    else:
        (new / "findings.json").write_bytes((new / "findings.json").read_bytes() + b" ")
    code, err = report(new, tmp_path / "refused", capsys=capsys)
    assert code == 1 and f"PROBLEM {problem.format(new=new.name, old=old.name)}" in err, err
    assert "not rendered: the bundle does not verify" in err and "--unverified" in err
    assert not (tmp_path / "refused").exists()
    if attack == "a file changed":
        return
    code, err = report(new, tmp_path / "forced", "--unverified", capsys=capsys)
    assert code == 0, err
    pages = [p for p in (tmp_path / "forced").iterdir() if p.suffix in (".md", ".html")]
    assert len(pages) >= 8 and all(NOTICE in p.read_text() for p in pages)
