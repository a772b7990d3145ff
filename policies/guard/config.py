"""The guard's settings, read from `.attest-guard.yaml` in the app repo (or `--config`)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attest.core.yamlfile import Locator, load_yaml
from attest.policies.guard.testfiles import DEFAULT_TEST_FILES, POLICIES

DEFAULT_FILE = ".attest-guard.yaml"
KEYS = {
    "reference_helpers",
    "reference_uri_env",
    "read_only_packages",
    "classification",
    "terraform_dirs",
    "reference_projects",
    "exclude",
    "test_files",
    "test_policy",
}


@dataclass(frozen=True)
class GuardConfig:
    reference_helpers: tuple[str, ...] = ("getReferenceDb",)
    reference_uri_env: str = "MONGODB_REFERENCE_URI"
    read_only_packages: tuple[str, ...] = ()
    classification: tuple[str, ...] = (
        "data-classification.yaml",
        "docs/infrastructure/data-classification.md",
    )
    terraform_dirs: tuple[str, ...] = ("infra",)
    reference_projects: tuple[str, ...] = ("reference",)
    # Anchored at the repo root, except `**/` entries (see sources.excluded).
    exclude: tuple[str, ...] = ("**/node_modules", "**/.git", ".next", "dist", "build", "coverage", "out")
    test_files: tuple[str, ...] = DEFAULT_TEST_FILES  # globs; `**/` any depth
    test_policy: str = "report"  # report | enforce (see testfiles.py)
    source: str = "(defaults)"
    configured: bool = False  # the guard file names the reference helper or URI variable itself


def _strings(data: dict[str, Any], key: str, loc: Locator) -> tuple[str, ...] | None:
    if key not in data:
        return None
    value = data[key]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise loc.error((key,), "must be a list of non-empty strings")
    return tuple(value)


def load_config(repo: Path, explicit: str | None = None) -> GuardConfig:
    """Defaults, overridden by the repo's guard file; unknown keys and wrong types name file:line."""
    path = Path(explicit) if explicit else repo / DEFAULT_FILE
    if explicit is None and not path.is_file():
        return GuardConfig()
    data, loc = load_yaml(path)
    if data is None:
        return GuardConfig(source=str(path))
    if not isinstance(data, dict):
        raise loc.error((), "must be a mapping")
    for key in sorted(data):
        if key not in KEYS:
            raise loc.error((key,), f"unknown key (expected one of {', '.join(sorted(KEYS))})")
    base = GuardConfig()
    uri = data.get("reference_uri_env", base.reference_uri_env)
    if not isinstance(uri, str) or not uri.isidentifier():
        raise loc.error(("reference_uri_env",), "must be an environment variable name")
    policy = data.get("test_policy", base.test_policy)
    if policy not in POLICIES:
        raise loc.error(("test_policy",), f"must be one of {', '.join(POLICIES)}")
    values: dict[str, Any] = {"reference_uri_env": uri, "source": str(path), "test_policy": policy,
                              "configured": "reference_helpers" in data or "reference_uri_env" in data}
    for key in ("reference_helpers", "read_only_packages", "classification", "terraform_dirs",
                "reference_projects", "exclude", "test_files"):
        got = _strings(data, key, loc)
        if got is not None:
            values[key] = got
    return GuardConfig(**{**base.__dict__, **values})
