"""Change records: a change under infra/ must add a change-log line naming an issue or ADR."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from attest.core.errors import BadInputError, EvaluationError
from attest.policies.findings import Status
from attest.policies.terraform.changelog import ChangeLogSettings, check_change_log

LOG = "docs/infrastructure/change-log.md"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.email", "t@example.com")
    _git(tmp_path, "config", "user.name", "t")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text('resource "aws_kms_key" "k" {}\n')
    (tmp_path / LOG).parent.mkdir(parents=True)
    (tmp_path / LOG).write_text("# Infrastructure change log\n\n- 2026-01-10 initial estate (ENG-100)\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "base")
    return tmp_path


def _append(repo: Path, line: str) -> None:
    with (repo / LOG).open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def test_no_infra_change_needs_no_record(repo: Path) -> None:
    assert check_change_log(repo, ["src/app.ts", "README.md"], base="HEAD") == ()


def test_infra_change_without_log_change_fails_at_the_infra_file(repo: Path) -> None:
    (finding,) = check_change_log(repo, ["infra/main.tf"], base="HEAD")
    assert (finding.rule_id, finding.status, finding.evidence) == ("ATL-CHG-001", Status.FAIL, "infra/main.tf")
    assert finding.resource_id == LOG and finding.controls == ("SOC2-CC8.1",)


@pytest.mark.parametrize("reference", [
    "#42", "ENG-412", "ADR-0007", "https://github.com/o/r/issues/9", "https://jira.example/browse/OPS-77",
    "docs/adr/0007-privatelink.md",
])
def test_added_line_naming_an_issue_or_adr_passes(repo: Path, reference: str) -> None:
    _append(repo, f"- 2026-03-01 widen the endpoint to a third subnet ({reference})")
    (finding,) = check_change_log(repo, ["./infra/main.tf", LOG], base="HEAD")
    assert finding.status is Status.PASS
    assert finding.evidence == f"{LOG}:4"


@pytest.mark.parametrize("lookalike", ["SHA-256", "UTF-8", "TLS-1", "TLS-1.2", "ISO-27001", "CVE-2024-1234", "/issues/9"])
def test_standards_and_encodings_are_not_issue_references(repo: Path, lookalike: str) -> None:
    _append(repo, f"- 2026-03-01 switch the endpoint to {lookalike}")
    (finding,) = check_change_log(repo, ["infra/main.tf", LOG], base="HEAD")
    assert finding.status is Status.FAIL and "no added change-log line names an issue or ADR" in finding.message


def test_added_line_without_reference_fails_even_if_old_lines_have_one(repo: Path) -> None:
    _append(repo, "- 2026-03-01 tweak things")
    (finding,) = check_change_log(repo, ["infra/main.tf", LOG], base="HEAD")
    assert finding.status is Status.FAIL
    assert finding.evidence == f"{LOG}:4"


def test_watched_paths_and_log_are_configurable(repo: Path) -> None:
    settings = ChangeLogSettings(watched=("terraform/",), log="CHANGES.md")
    (repo / "CHANGES.md").write_text("- move state bucket (ADR-12)\n")
    assert check_change_log(repo, ["infra/main.tf"], settings, base="HEAD") == ()
    (finding,) = check_change_log(repo, ["terraform/x.tf", "CHANGES.md"], settings, base="HEAD")
    assert finding.status is Status.PASS and finding.resource_id == "CHANGES.md"


def test_without_base_every_line_of_the_log_counts(repo: Path) -> None:
    (finding,) = check_change_log(repo, ["infra/main.tf", LOG])
    assert finding.status is Status.PASS


def test_unknown_base_cannot_be_evaluated(repo: Path) -> None:
    with pytest.raises(EvaluationError):
        check_change_log(repo, ["infra/main.tf", LOG], base="no-such-branch")


def test_bad_reference_pattern_is_bad_input() -> None:
    with pytest.raises(BadInputError):
        ChangeLogSettings(reference="(unclosed")
