"""Rule schema and controls lint: every mistake is a BadInputError naming file:line."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from attest.core.errors import BadInputError
from attest.policies.rule_loader import POLICIES_DIR, load_policy_set

GOOD_RULE = """\
rules:
  - id: ATL-TST-001
    title: A test rule
    severity: low
    controls: [SOC2-CC6.6]
    resource: atlas.cluster
    expect:
      - {path: attributes.name, op: present}
    rationale: Because.
    remediation:
      console: [Do the thing.]
      terraform: "# nothing"
"""
CONTROLS = """\
controls:
  - id: SOC2-CC6.6
    framework: SOC 2
    title: Boundary
    summary: Ours.
    narrative: How.
    rules:
      - {rule: ATL-TST-001, reason: It checks the boundary.}
  - id: SOC2-CC8.1
    framework: SOC 2
    title: Change
    summary: Ours.
    narrative: How.
    attestations:
      - {statement: Reviewed., attested_by: a@b.example, attested_on: "2026-01-01", valid_until: "2026-12-31"}
"""


def _policies(tmp_path: Path, rule: str = GOOD_RULE, controls: str = CONTROLS) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "test.yaml").write_text(rule)
    (tmp_path / "controls.yaml").write_text(controls)
    return tmp_path


def _error(tmp_path: Path, **files: str) -> str:
    with pytest.raises(BadInputError) as caught:
        load_policy_set(_policies(tmp_path, **files))
    return caught.value.diagnostic()


def test_shipped_policies_load_and_lint() -> None:
    policy = load_policy_set()
    assert len(policy.rules) >= 23
    assert [c.id for c in policy.controls] == [
        "HIPAA-164.312(e)(1)", "HIPAA-164.312(a)(2)(iv)", "HIPAA-164.312(b)", "SOC2-CC6.6", "SOC2-CC6.7", "SOC2-CC8.1",
    ]
    assert policy.digest.startswith("sha256:")


def test_good_test_policy_loads(tmp_path: Path) -> None:
    policy = load_policy_set(_policies(tmp_path))
    assert [r.id for r in policy.rules] == ["ATL-TST-001"]


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("    severity: low\n", "    severity: low\n    colour: red\n", 5, "unknown key"),
        ("op: present", "op: exists", 8, "unknown operator 'exists'"),
        ("controls: [SOC2-CC6.6]", "controls: [SOC2-CC9.9]", 5, "unknown control 'SOC2-CC9.9'"),
        ("path: attributes.name, op: present", "path: 'attributes.[name', op: present", 8, "invalid JMESPath"),
        ("path: attributes.name, op: present", "path: 'nope(attributes)', op: present", 8, "invalid JMESPath"),
        ("path: attributes.name, op: present", "path: related.owns, op: present", 8, "unknown edge kind"),
        ("path: attributes.name, op: present", "path: facts.delcared, op: present", 8, "unknown fact 'delcared'"),
        ("op: present}", "op: eq}", 8, "needs exactly one of value or value_from"),
        ("op: present}", "op: regex, value: '('}", 8, "regular expression"),
        ("resource: atlas.cluster", "resource: aws.s3.bucket", 6, "unknown resource type"),
        ("severity: low", "severity: urgent", 4, "severity"),
        ("id: ATL-TST-001", "id: rule-1", 2, "rule ids look like"),
    ],
)
def test_rule_schema_errors_name_file_and_line(tmp_path: Path, old: str, new: str, line: int, words: str) -> None:
    text = _error(tmp_path, rule=GOOD_RULE.replace(old, new))
    assert f"rules/test.yaml:{line}:" in text
    assert words in text


def test_duplicate_rule_id_across_files(tmp_path: Path) -> None:
    root = _policies(tmp_path)
    (root / "rules" / "again.yaml").write_text(GOOD_RULE)
    with pytest.raises(BadInputError, match="already defined"):
        load_policy_set(root)


@pytest.mark.parametrize(
    ("controls", "words"),
    [
        (CONTROLS.replace("      - {rule: ATL-TST-001, reason: It checks the boundary.}\n",
                          "      - {rule: ATL-TST-001, reason: One.}\n      - {rule: ATL-TST-001, reason: Two.}\n"), "mapped to SOC2-CC6.6 twice"),
        (CONTROLS.replace("rule: ATL-TST-001", "rule: ATL-TST-999"), "unknown rule id 'ATL-TST-999'"),
        (CONTROLS.replace("    attestations:\n      - {statement: Reviewed., attested_by: a@b.example, attested_on: \"2026-01-01\", valid_until: \"2026-12-31\"}\n", ""),
         "neither rules nor a manual attestation"),
        (CONTROLS.replace("id: SOC2-CC8.1", "id: SOC2-CC6.6"), "declared twice"),
        (CONTROLS.replace('valid_until: "2026-12-31"', 'valid_until: "2025-12-31"'), "ends before"),
    ],
)
def test_controls_lint(tmp_path: Path, controls: str, words: str) -> None:
    text = _error(tmp_path, controls=controls)
    assert "controls.yaml:" in text and words in text


def test_rule_control_not_mapped_back_is_an_error(tmp_path: Path) -> None:
    text = _error(tmp_path, rule=GOOD_RULE.replace("controls: [SOC2-CC6.6]", "controls: [SOC2-CC6.6, SOC2-CC8.1]"))
    assert "lists SOC2-CC8.1, but that control does not map it" in text


def test_shipped_rule_files_lint_when_copied(tmp_path: Path) -> None:
    """The lint runs over a copy too (a policy directory is relocatable)."""
    shutil.copytree(POLICIES_DIR / "rules", tmp_path / "rules")
    shutil.copy(POLICIES_DIR / "controls.yaml", tmp_path / "controls.yaml")
    assert load_policy_set(tmp_path).digest == load_policy_set().digest


def test_every_rule_is_documented() -> None:
    """A row of docs/policies.md's rule table, under an anchor named for the id (the SARIF `helpUri`)."""
    text = (POLICIES_DIR.parent / "docs" / "policies.md").read_text()
    missing = [r.id for r in load_policy_set().rules if f'| <a id="{r.id}"></a>{r.id} |' not in text]
    assert not missing


def test_fact_names_are_exactly_the_facts_the_graph_produces(local_config) -> None:
    from policy_fixtures import seeded_doc

    from attest.collector.snapshot import snapshot_from_dict
    from attest.policies.graph import FACT_NAMES, build_graph

    graph = build_graph(snapshot_from_dict(seeded_doc(), "fixture"), local_config)
    produced = {name for data in graph.nodes.values() for name in data["facts"]}
    assert produced == FACT_NAMES
