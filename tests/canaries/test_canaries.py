"""Secret canaries never leave: not in a file attest writes, a log line, stdout/stderr or a message.

The `ecs-env-secret` estate plants `CANARY-` values in Secrets Manager secret strings, in a task
definition's plaintext `environment`, in Atlas database-user passwords, and in the emulator's own
API key and service-account secret (which attest reads from the environment). The guard's fixture
app gets a TypeScript file and a Terraform file holding connection strings with CANARY passwords.
Every mode runs in-process at DEBUG (`-vv`, the root logger captured too), including runs where a
fault makes the collector describe a failure (the gap detail of an answer that held a canary).

Left out on purpose: `attest sandbox up`, whose job is to print the emulator's API key (a
sandbox-only canary) so the user can point `attest collect` at the sandbox.
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from unittest import mock

import pytest

from attest.cli import main
from attest.reports.guard_output import FORMATS
from attest.sandbox.aws_faults import FaultRule
from attest.sandbox.local import LocalEstate, local_estate

pytestmark = pytest.mark.integration
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LOCAL_CONFIG = str(ROOT / "sandbox" / "attest.local.yaml")
GUARD_APP = ROOT / "tests" / "policies" / "guard" / "fixtures" / "app"
GUARD_CANARIES = ("CANARY-GUARD-TS-PW-7c1e0a", "CANARY-GUARD-TS-INLINE-2d8f61", "CANARY-GUARD-TF-PW-3b9d2f",
                  "CANARY-GUARD-TF-ENV-e4a17c")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    log: str

    def texts(self) -> tuple[str, ...]:
        return self.out, self.err, self.log


def _estate_canaries(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _estate_canaries(item)
    elif isinstance(value, list):
        for item in value:
            yield from _estate_canaries(item)
    elif isinstance(value, str) and "CANARY-" in value:
        yield value[value.index("CANARY-"):].split("@")[0]


def _attest(env: dict[str, str], *argv: str) -> Run:
    """`attest -vv ARGV` in process with exactly `env`, capturing stdout, stderr and every log record."""
    out, err, log = io.StringIO(), io.StringIO(), io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        with mock.patch.dict(os.environ, env, clear=True), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["-vv", *argv])
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    return Run(code, out.getvalue(), err.getvalue(), log.getvalue())


def _leaks(canaries: tuple[str, ...], *texts: str) -> list[str]:
    return sorted({c for c in canaries for t in texts if c in t} | ({"CANARY-"} if any("CANARY-" in t for t in texts) else set()))


def _files_with_canaries(directory: Path) -> list[str]:
    return sorted(str(p) for p in directory.rglob("*") if p.is_file() and b"CANARY-" in p.read_bytes())


@dataclass(frozen=True)
class World:
    estate: LocalEstate
    env: dict[str, str]
    work: Path
    canaries: tuple[str, ...]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with local_estate("ecs-env-secret") as estate:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), **estate.env,
               "ATTEST_REDACTION_SALT": "canary-suite", "AWS_MAX_ATTEMPTS": "2"}
        canaries = tuple(sorted(set(_estate_canaries(dict(estate.estate))) | set(GUARD_CANARIES)))
        yield World(estate, env, tmp_path_factory.mktemp("canary"), canaries)


@pytest.fixture(scope="module")
def collected(world: World) -> tuple[Run, Path]:
    snapshot = world.work / "snapshot.json"
    return _attest(world.env, "collect", "--config", LOCAL_CONFIG, "--output", str(snapshot)), snapshot


@pytest.fixture(scope="module")
def findings(world: World, collected: tuple[Run, Path]) -> tuple[Run, Path]:
    target = world.work / "findings.json"
    run = _attest(world.env, "check", "--snapshot", str(collected[1]), "--config", LOCAL_CONFIG, "--format", "json",
                  "--output", str(target))
    return run, target


def test_the_estate_plants_every_kind_of_canary(world: World) -> None:
    kinds = ("CANARY-SECRET-", "CANARY-ENV-", "CANARY-ATLAS-PW-", "CANARY-ATLAS-APIKEY-", "CANARY-ATLAS-SA-SECRET-")
    for kind in kinds:
        assert any(c.startswith(kind) for c in world.canaries), kind
    assert world.env["MONGODB_ATLAS_PRIVATE_API_KEY"].startswith("CANARY-")


def test_collect(world: World, collected: tuple[Run, Path]) -> None:
    run, snapshot = collected
    assert run.code == 0 and "collected" in run.err
    assert "botocore" in run.log or "atlas" in run.log      # DEBUG logging really was on
    assert _leaks(world.canaries, *run.texts(), snapshot.read_text()) == []
    assert "[redacted sha256:" in snapshot.read_text()


def test_collect_when_answers_holding_canaries_are_malformed_or_denied(world: World) -> None:
    """Failure paths describe what went wrong: their messages must not quote what the answer held."""
    world.estate.aws_faults.set([
        FaultRule(service="ecs", operation="DescribeTaskDefinition", kind="malformed"),
        FaultRule(service="secretsmanager", kind="access_denied"),
    ])
    world.estate.atlas.faults.malform("listGroupDatabaseUsers", "truncated")
    try:
        out = world.work / "faulted.json"
        run = _attest(world.env, "collect", "--config", LOCAL_CONFIG, "--output", str(out))
    finally:
        world.estate.aws_faults.clear()
        world.estate.atlas.faults.clear()
    text = out.read_text()
    assert run.code == 0 and '"reason": "malformed"' in text and '"reason": "access_denied"' in text
    assert _leaks(world.canaries, *run.texts(), text) == []


def test_check(world: World, findings: tuple[Run, Path]) -> None:
    run, target = findings
    assert run.code == 1
    text = _attest(world.env, "check", "--snapshot", str(world.work / "snapshot.json"), "--config", LOCAL_CONFIG)
    assert text.code == 1 and "ATL-ECS-001" in text.out     # the env canary's finding is reported, not quoted
    assert _leaks(world.canaries, *run.texts(), *text.texts(), target.read_text()) == []


def test_report(world: World, collected: tuple[Run, Path], findings: tuple[Run, Path]) -> None:
    out = world.work / "reports"
    run = _attest(world.env, "report", str(findings[1]), "--snapshot", str(collected[1]), "--config", LOCAL_CONFIG,
                  "--output", str(out))
    assert run.code == 0 and len(list(out.iterdir())) >= 5
    assert _leaks(world.canaries, *run.texts()) == [] and _files_with_canaries(out) == []


def test_export_and_verify(world: World) -> None:
    locker, copy, summary = world.work / "locker", world.work / "artifact", world.work / "summary.md"
    exported = _attest(world.env, "export", "--config", LOCAL_CONFIG, "--locker", str(locker), "--new-chain",
                       "--copy-to", str(copy), "--summary", str(summary))
    assert exported.code == 1                                    # the planted failures: a verdict, written anyway
    verified = [_attest(world.env, "verify", str(locker), "--format", fmt) for fmt in ("text", "json")]
    assert all(v.code == 0 for v in verified), verified
    assert len([p for p in locker.rglob("*") if p.is_file()]) >= 5
    assert _leaks(world.canaries, exported.out, exported.err, exported.log, *(t for v in verified for t in v.texts())) == []
    assert _files_with_canaries(world.work) == []


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("guard") / "app"
    shutil.copytree(GUARD_APP, target)
    shutil.copyfile(HERE / "fixtures" / "legacy-db.ts", target / "src" / "lib" / "legacy-db.ts")
    shutil.copyfile(HERE / "fixtures" / "legacy.tf", target / "infra" / "envs" / "prod" / "legacy.tf")
    return target


@pytest.mark.parametrize("fmt", FORMATS)
def test_guard(world: World, app: Path, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"guard.{fmt}"
    to_file = _attest(world.env, "guard", str(app), "--today", "2026-06-01", "--format", fmt, "--output", str(out))
    to_stdout = _attest(world.env, "guard", str(app), "--today", "2026-06-01", "--format", fmt)
    assert to_file.code == to_stdout.code == 1                  # the planted write toward reference is found
    assert "legacy-db.ts" in out.read_text()
    assert _leaks(world.canaries, *to_file.texts(), *to_stdout.texts(), out.read_text()) == []


def test_check_with_terraform(world: World, app: Path, collected: tuple[Run, Path]) -> None:
    """checkov reads the .tf holding CANARY passwords; nothing it reports may carry them on."""
    out = world.work / "terraform-findings.json"
    run = _attest(world.env, "check", "--snapshot", str(collected[1]), "--config", LOCAL_CONFIG,
                  "--terraform", str(app / "infra" / "envs" / "prod"), "--format", "json", "--output", str(out))
    assert run.code == 1 and '"plane": "terraform"' in out.read_text()
    assert _leaks(world.canaries, *run.texts(), out.read_text()) == []
