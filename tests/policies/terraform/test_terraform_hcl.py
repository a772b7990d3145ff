"""python-hcl2 view of Terraform: declared resources with addresses, attributes and file:line."""
from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from attest.cli import main
from attest.core.errors import BadInputError
from attest.collector.snapshot import Identity, Snapshot
from attest.policies.terraform.hcl import load_directory

PROD = Path(__file__).parent / "fixtures" / "prod"


def test_prod_fixture_declares_resources_with_locations() -> None:
    declared = {d.address: d for d in load_directory(PROD)}
    secret = declared["aws_secretsmanager_secret.prod_uri"]
    assert secret.location == "tests/policies/terraform/fixtures/prod/secrets.tf:1"
    assert secret.attributes["name"] == "prod/mongodb/uri"
    assert secret.attributes["kms_key_id"] == "${aws_kms_key.prod_mongodb.arn}"
    assert secret.attributes["tags"] == {"data_class": "phi"}
    assert secret.attribute_location("kms_key_id") == "tests/policies/terraform/fixtures/prod/secrets.tf:3"
    assert declared["data.mongodbatlas_project.reference"].mode == "data"


def test_local_module_resources_get_module_addresses() -> None:
    task = {d.address: d for d in load_directory(PROD)}["module.shopping_app.aws_ecs_task_definition.this"]
    assert task.file == f"{PROD.as_posix()}/modules/ecs_task/main.tf"
    assert task.attributes["lifecycle"] == [{"ignore_changes": ["container_definitions"]}]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('resource "a" "b" {\n  x = 1\n  y =\n}\n', 3),
        ('resource "a" "b" {\n  x = "unterminated\n}\n', 2),
        ('resource "a" "b" {\n  x = 1\n', 3),
    ],
)
def test_syntax_errors_name_file_and_line(tmp_path: Path, text: str, line: int) -> None:
    (tmp_path / "main.tf").write_text(text)
    with pytest.raises(BadInputError) as caught:
        load_directory(tmp_path)
    assert caught.value.where == f"{(tmp_path / 'main.tf').as_posix()}:{line}"


def test_missing_module_source_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "./absent"\n}\n')
    with pytest.raises(BadInputError, match="absent"):
        load_directory(tmp_path)


def test_not_a_directory_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError):
        load_directory(tmp_path / "nope")


DEEP = {
    "deep-list.tf": 'resource "aws_kms_key" "k" {\n  policy = ' + "[" * 3000 + "1" + "]" * 3000 + "\n}\n",
    "deep-blocks.tf": 'resource "aws_kms_key" "k" {\n' + "  a {\n" * 400 + "  }\n" * 400 + "}\n",
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_nesting_too_deep_is_bad_input_naming_the_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(DEEP[name])
    with pytest.raises(BadInputError, match="nested too deeply") as caught:
        load_directory(tmp_path)
    assert caught.value.where.startswith((tmp_path / name).as_posix())


def test_nesting_too_deep_exits_2_from_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "deep-list.tf").write_text(DEEP["deep-list.tf"])
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(Snapshot.build(collected_at=datetime(2026, 3, 1, tzinfo=timezone.utc), collector_version="t",
                                       identity=Identity(), scope={}, resources=(), gaps=()).to_json())
    config = Path(__file__).resolve().parents[3] / "sandbox" / "attest.local.yaml"
    code = main(["check", "--snapshot", str(snapshot), "--config", str(config), "--terraform", str(infra)])
    err = capsys.readouterr().err
    assert code == 2 and err.strip() == f"attest: {(infra / 'deep-list.tf').as_posix()}: nested too deeply to read " \
                                        "(Python's recursion limit)"


def _git_repo(root: Path, infra: str) -> Path:
    """A git repository at `root` holding one Terraform file under `infra`."""
    (root / infra).mkdir(parents=True)
    (root / infra / "main.tf").write_text('resource "aws_kms_key" "k" {\n  enable_key_rotation = true\n}\n')
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
    return root / infra


def test_locations_are_relative_to_the_repository_root_on_every_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = _git_repo(tmp_path / "home" / "alice" / "src" / "app", "infra/prod")
    other = _git_repo(tmp_path / "runner" / "work" / "app", "infra/prod")
    monkeypatch.chdir(other / "..")
    seen = {load_directory(one)[0].location, load_directory(other)[0].location, load_directory(Path("prod"))[0].location}
    assert seen == {"infra/prod/main.tf:1"}


def test_outside_a_repository_locations_are_relative_to_the_directory(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_kms_key" "k" {}\n')
    (declared,) = load_directory(tmp_path)
    assert declared.location == "main.tf:1" and declared.file == (tmp_path / "main.tf").as_posix()
