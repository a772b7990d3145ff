"""`attest check` with several `--snapshot` files: partial snapshots (one per CI matrix job) are
merged, judged as one, and a pair that disagrees about a resource is bad input (exit 2, one line)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from attest.cli import main
from attest.sandbox.local import LocalEstate

pytestmark = pytest.mark.integration
CONFIG = Path(__file__).resolve().parents[2] / "sandbox" / "attest.local.yaml"


@pytest.fixture(scope="module")
def whole(_default_estate_session: LocalEstate, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real collection of the default estate (the fault proxy cleared first)."""
    estate = _default_estate_session
    estate.aws_faults.clear()
    path = tmp_path_factory.mktemp("merge") / "whole.json"
    env = {**estate.env, "ATTEST_REDACTION_SALT": "merge-test"}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        assert main(["collect", "--config", str(CONFIG), "--output", str(path)]) == 0
    return path


def _partial(doc: dict[str, Any], provider: str) -> dict[str, Any]:
    """The part one matrix job would write: one provider's resources, gaps and scope."""
    part = json.loads(json.dumps(doc))
    part["resources"] = [r for r in doc["resources"] if r["provider"] == provider]
    part["gaps"] = [g for g in doc["gaps"] if g["provider"] == provider]
    part["scope"]["aws_accounts" if provider == "atlas" else "atlas_projects"] = []
    return part


def _write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc))
    return path


def _check(*snapshots: Path, output: Path) -> int:
    args = ["check", "--config", str(CONFIG), "--format", "json", "--output", str(output)]
    for snapshot in snapshots:
        args += ["--snapshot", str(snapshot)]
    return main(args)


def test_partials_merged_judge_exactly_like_the_whole(whole: Path, tmp_path: Path) -> None:
    doc = json.loads(whole.read_text())
    aws = _write(tmp_path / "aws.json", _partial(doc, "aws"))
    atlas = _write(tmp_path / "atlas.json", _partial(doc, "atlas"))
    expected = _check(whole, output=tmp_path / "whole-results.json")
    assert _check(aws, atlas, output=tmp_path / "merged-results.json") == expected == 1
    assert (tmp_path / "merged-results.json").read_bytes() == (tmp_path / "whole-results.json").read_bytes()
    _check(aws, output=tmp_path / "aws-only.json")
    alone = json.loads((tmp_path / "aws-only.json").read_text())["findings"]
    merged = json.loads((tmp_path / "merged-results.json").read_text())["findings"]
    assert sum(f["status"] == "error" for f in alone) > sum(f["status"] == "error" for f in merged)


def test_a_pair_that_disagrees_is_one_line_and_exit_2(whole: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(whole.read_text())
    aws = _write(tmp_path / "aws.json", _partial(doc, "aws"))
    other = _partial(doc, "aws")
    key = next(r for r in other["resources"] if r["type"] == "aws.kms.key")
    key["attributes"]["KeyRotationEnabled"] = not key["attributes"]["KeyRotationEnabled"]
    conflicting = _write(tmp_path / "aws-again.json", other)
    capsys.readouterr()
    assert _check(aws, conflicting, output=tmp_path / "results.json") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(conflicting) in err and key["id"] in err and "differs" in err
    assert not (tmp_path / "results.json").exists()


def test_partials_that_miss_a_configured_project_cannot_be_judged(whole: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(whole.read_text())
    aws = _write(tmp_path / "aws.json", _partial(doc, "aws"))
    atlas = _partial(doc, "atlas")
    dropped = atlas["scope"]["atlas_projects"].pop()
    atlas["resources"] = [r for r in atlas["resources"] if r["scope"] != dropped["id"]]
    atlas["gaps"] = [g for g in atlas["gaps"] if g["scope"] != dropped["id"]]
    capsys.readouterr()
    assert _check(aws, _write(tmp_path / "atlas.json", atlas), output=tmp_path / "results.json") == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and dropped["id"] in err and str(CONFIG) in err


def test_partials_with_terraform_judge_like_the_whole(whole: Path, tmp_path: Path) -> None:
    from attest.policies.terraform.checkov_locate import locate_checkov

    if locate_checkov().path is None:
        pytest.skip("no checkov: run `make setup`")
    prod = Path(__file__).resolve().parents[1] / "policies" / "terraform" / "fixtures" / "prod"
    doc = json.loads(whole.read_text())
    aws = _write(tmp_path / "aws.json", _partial(doc, "aws"))
    atlas = _write(tmp_path / "atlas.json", _partial(doc, "atlas"))
    codes = [
        main(["check", "--config", str(CONFIG), "--format", "json", "--output", str(tmp_path / name), "--terraform", str(prod),
              *[arg for s in snapshots for arg in ("--snapshot", str(s))]])
        for name, snapshots in (("whole.json", [whole]), ("merged.json", [aws, atlas]))
    ]
    assert codes[0] == codes[1]
    assert (tmp_path / "whole.json").read_bytes() == (tmp_path / "merged.json").read_bytes()
