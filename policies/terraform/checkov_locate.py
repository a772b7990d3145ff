"""Which checkov executable `check --terraform` runs, and how it was found.

checkov lives in its own environment (it pins old networkx and boto3 and ships an `hcl2` module
that collides with python-hcl2), so attest never imports it: it looks for an executable, in this
order, and the first place that names one wins:

1. `ATTEST_CHECKOV`, a path to the executable (an installed attest, the nightly workflow);
2. `.venv-checkov/bin/checkov` beside the source tree (`make setup` in a clone);
3. `checkov` on PATH (`pipx install checkov`).

An `ATTEST_CHECKOV` that names no executable file is an error, never a reason to fall back: the
caller asked for that checkov.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from attest.core.errors import EvaluationError

ENV_VAR = "ATTEST_CHECKOV"
SOURCE_ROOT = Path(__file__).resolve().parents[2]
FIX = "set ATTEST_CHECKOV to a checkov executable, put checkov on PATH, or run `make setup` in a clone"


@dataclass(frozen=True)
class CheckovLocation:
    """The executable found (None: none) and the rule that found it (`ATTEST_CHECKOV`, ...)."""

    path: Path | None
    source: str

    def require(self) -> Path:
        """The executable, or an evaluation error that says where attest looked."""
        if self.path is None:
            raise EvaluationError(f"checkov not found ({self.source}): {FIX}")
        return self.path


def locate_checkov(environ: Mapping[str, str] | None = None, source_root: Path = SOURCE_ROOT) -> CheckovLocation:
    """The checkov to run, by the order in the module docstring."""
    env = os.environ if environ is None else environ
    named = env.get(ENV_VAR, "")
    if named:
        path = Path(named).expanduser()
        if not _executable(path):
            raise EvaluationError(f"{ENV_VAR} names {named}, which is not an executable file: {FIX}")
        return CheckovLocation(path, ENV_VAR)
    beside = source_root / ".venv-checkov" / "bin" / "checkov"
    if _executable(beside):
        return CheckovLocation(beside, ".venv-checkov")
    on_path = shutil.which("checkov", path=env.get("PATH", ""))
    if on_path:
        return CheckovLocation(Path(on_path), "PATH")
    return CheckovLocation(None, f"{ENV_VAR} unset, no {beside}, none on PATH")


def checkov_version(path: Path, timeout_seconds: int = 120) -> str:
    """What `checkov --version` prints, or an evaluation error if it cannot say."""
    try:
        done = subprocess.run([str(path), "--version"], capture_output=True, text=True,
                              timeout=timeout_seconds, check=False, env=checkov_env())
    except OSError as exc:
        raise EvaluationError(f"checkov at {path} could not start ({exc.strerror}): {FIX}") from None
    except subprocess.TimeoutExpired:
        raise EvaluationError(f"checkov at {path} did not say its version within {timeout_seconds}s") from None
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        raise EvaluationError(f"checkov at {path} did not say its version (exit {done.returncode}): {FIX}")
    return lines[-1]


def checkov_env() -> dict[str, str]:
    """Our venv's variables must not leak into checkov's interpreter (PYTHONPATH, VIRTUAL_ENV)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["BC_SKIP_MAPPING"] = "TRUE"
    return env


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)
