"""Run checkov (from its own pinned venv, as a subprocess) and map its results onto our rules.

checkov pins old networkx and boto3 and ships an `hcl2` module that collides with python-hcl2, so
it never shares our interpreter. Its open-source results carry no severity: severity, title and
controls come from the rule each check is mapped onto (mapping.yaml). The directory is parsed with
python-hcl2 first (once; the caller may pass that parse) so that a syntax error is reported with its
file and line (exit 2). Reports are cached by the content hash of the tree (checkov_cache.py).

Our checks say why in checkov's `details`: that sentence is the finding's message, and a check that
could not decide (`attest:undetermined`) is an `error`, never dropped; `attest:not-applicable`
results are left out.
"""
from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attest.core.errors import EvaluationError
from attest.policies.findings import Finding, Status
from attest.policies.terraform import checkov_cache
from attest.policies.terraform.checkov_locate import FIX, checkov_env, locate_checkov
from attest.policies.terraform.checks.attest_values import NOT_APPLICABLE, UNDETERMINED
from attest.policies.terraform.hcl import Declared, evidence_path, evidence_root, load_directory
from attest.policies.terraform.mapping import MAPPING_FILE, TerraformRules, RuleInfo, load_mapping

CHECKS_DIR = Path(__file__).with_name("checks")
_STATUS = {"passed_checks": Status.PASS, "failed_checks": Status.FAIL, "skipped_checks": Status.FAIL}
_ORDER = (Status.FAIL, Status.ERROR, Status.PASS)


@dataclass(frozen=True)
class CheckovSettings:
    """Where checkov and our checks live; tests and unusual layouts may point elsewhere.
    `checkov` None: found when run (`checkov_locate`: ATTEST_CHECKOV, .venv-checkov, PATH)."""

    checkov: Path | None = None
    checks_dir: Path = CHECKS_DIR
    mapping_file: Path = MAPPING_FILE
    timeout_seconds: int = 600
    cache: bool = True
    cache_dir: Path | None = None  # None: ATTEST_CACHE_DIR, else the user cache directory


@dataclass(frozen=True)
class CheckResult:
    """One checkov result, before merging per rule and resource."""

    check_id: str
    check_name: str
    status: Status
    address: str
    evidence: str
    note: str
    sentence: str = ""


def run_terraform_checks(directory: str | Path, config: CheckovSettings = CheckovSettings(),
                         declared: tuple[Declared, ...] | None = None) -> tuple[Finding, ...]:
    """checkov over `directory` with our checks and the mapped built-ins, as plane=terraform findings.

    `declared` is the directory's parse when the caller has it (its syntax is then already checked).
    """
    root = Path(directory)
    if declared is None:
        declared = load_directory(root)
    mapping = load_mapping(config.mapping_file)
    check_ids = sorted(mapping.checks)
    if not config.cache:
        return merge_results(parse_report(_run_checkov(root, config, check_ids), root), mapping)
    checkov = _require_checkov(config)
    cache = config.cache_dir or checkov_cache.cache_dir(os.environ)
    checkov_cache.require_outside(cache, [root])
    inputs = [checkov.resolve(), config.mapping_file, *sorted(Path(config.checks_dir).glob("*.py"))]
    key = checkov_cache.report_key(root, {Path(d.file).parent for d in declared}, inputs, check_ids)
    report = checkov_cache.load(cache, key)
    if report is None:
        report = _run_checkov(root, config, check_ids)
        parse_report(report, root)  # a report we cannot read is never kept
        checkov_cache.store(cache, key, report)
    return merge_results(parse_report(report, root), mapping)


def _require_checkov(config: CheckovSettings) -> Path:
    """The checkov to run: the configured one, else the one `locate_checkov` finds; it must be executable."""
    checkov = config.checkov or locate_checkov().require()
    if not (checkov.is_file() and os.access(checkov, os.X_OK)):
        raise EvaluationError(f"checkov not found at {checkov}: {FIX}")
    return checkov


def _run_checkov(directory: Path, config: CheckovSettings, check_ids: list[str]) -> Any:
    checkov = _require_checkov(config)
    command = [
        str(checkov), "-d", str(directory), "--framework", "terraform",
        "--external-checks-dir", str(config.checks_dir), "--check", ",".join(check_ids),
        "-o", "json", "--compact", "--skip-download",
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=config.timeout_seconds,
                              check=False, env=checkov_env())
    except OSError as exc:
        raise EvaluationError(f"checkov could not start ({exc.strerror}): {FIX}") from None
    except subprocess.TimeoutExpired:
        raise EvaluationError(f"checkov did not finish within {config.timeout_seconds}s") from None
    if "Cannot load external check" in done.stderr:
        raise EvaluationError(f"checkov could not load a check from {config.checks_dir}: {_last_line(done.stderr)}")
    if done.returncode not in (0, 1):
        raise EvaluationError(f"checkov failed (exit {done.returncode}): {_last_line(done.stderr)}; {FIX}")
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        raise EvaluationError(f"checkov gave no JSON report: {_last_line(done.stderr or done.stdout)}") from None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


def parse_report(report: Any, directory: Path) -> tuple[CheckResult, ...]:
    """Results of a checkov JSON report (one framework, or a list of them, or a bare summary)."""
    reports = report if isinstance(report, list) else [report]
    base = evidence_root(directory)
    found: list[CheckResult] = []
    for one in reports:
        if not isinstance(one, dict):
            raise EvaluationError("checkov report is not a JSON object")
        results = one.get("results")
        if results is None:
            continue
        errors = results.get("parsing_errors") or []
        if errors:
            raise EvaluationError(f"checkov could not parse {', '.join(sorted(map(str, errors)))}")
        for key, status in _STATUS.items():
            for item in results.get(key) or []:
                result = _result(item, status, key, directory, base)
                if result is not None:
                    found.append(result)
    return tuple(found)


def _result(item: dict[str, Any], status: Status, key: str, directory: Path, base: Path) -> CheckResult | None:
    """One checkov result (None when our check found it not applicable); its evidence path is
    repository-relative like the drift findings'."""
    relative = str(item.get("file_path", "")).lstrip("/")
    start = (item.get("file_line_range") or [0])[0]
    note = "suppressed inline by checkov:skip (use an attest waiver instead)" if key == "skipped_checks" else ""
    details = [str(d) for d in item.get("details") or []]
    sentence = details[0] if details else ""
    if sentence.startswith(NOT_APPLICABLE) and status is Status.PASS:
        return None
    if sentence.startswith(UNDETERMINED):
        sentence = "cannot tell: " + sentence[len(UNDETERMINED):].strip()
        status = Status.FAIL if note else Status.ERROR
    return CheckResult(
        check_id=str(item["check_id"]),
        check_name=str(item.get("check_name", "")),
        status=status,
        address=str(item.get("resource", "")),
        evidence=f"{evidence_path(directory / relative, base)}:{start}",
        note=note,
        sentence=sentence,
    )


def merge_results(results: tuple[CheckResult, ...], mapping: TerraformRules) -> tuple[Finding, ...]:
    """One finding per (rule, resource): several checks may implement one rule; the worst wins."""
    grouped: dict[tuple[str, str], list[CheckResult]] = {}
    for result in results:
        rule = mapping.checks.get(result.check_id)
        if rule is None:
            raise EvaluationError(f"checkov reported {result.check_id}, which no mapping entry names")
        grouped.setdefault((rule.id, result.address), []).append(result)
    findings = [_finding(mapping.rule(rule_id), group) for (rule_id, _), group in grouped.items()]
    return tuple(sorted(findings, key=Finding.sort_key))


def _finding(rule: RuleInfo, group: list[CheckResult]) -> Finding:
    """The worst verdict, in the words of every check that reached it, naming the declaration."""
    group = sorted(group, key=lambda r: (_ORDER.index(r.status), r.check_id))
    worst = group[0]
    reasons = sorted({_reason(r) for r in group if r.status is worst.status})
    return rule.finding(worst.status, worst.address, worst.evidence,
                        f"{worst.address} ({worst.evidence}) " + "; ".join(reasons))


def _reason(result: CheckResult) -> str:
    """Our check's sentence; a built-in's name, said as met or not met."""
    if result.sentence:
        text = result.sentence
    elif result.status is Status.PASS:
        text = f"meets checkov {result.check_id}: {result.check_name}"
    else:
        text = f"does not meet checkov {result.check_id}: {result.check_name}"
    return text + (f" ({result.note})" if result.note else "")
