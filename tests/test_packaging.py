"""The distribution: every package folder listed, every data file shipped, and a wheel that installs
and runs in a clean virtual environment with the runtime alone (no moto, no test tools).

The [sandbox] extra's `attest demo` from a wheel takes minutes (moto's server and its ~60
dependencies), so it is `tools/check_wheel.py --sandbox`, not a test.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from attest.core import __version__

ROOT = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
PACKAGE_DIR: dict[str, str] = SETUPTOOLS["package-dir"]


def _source_files() -> dict[str, Path]:
    """Wheel path -> source file, for every file under the mapped folders (caches left out)."""
    files = {}
    for package, folder in PACKAGE_DIR.items():
        base = ROOT / folder
        nested = [ROOT / f for p, f in PACKAGE_DIR.items() if p != package and (ROOT / f).is_relative_to(base)]
        for path in base.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and not any(path.is_relative_to(n) for n in nested):
                files["/".join((*package.split("."), *path.relative_to(base).parts))] = path
    return files


def test_every_folder_with_an_init_is_a_listed_package() -> None:
    found = {name.rsplit("/", 1)[0].replace("/", ".") for name in _source_files() if name.endswith("/__init__.py")}
    assert found == set(SETUPTOOLS["packages"])


def test_the_data_files_include_rules_templates_and_estates() -> None:
    data = {name for name in _source_files() if not name.endswith(".py")}
    assert "attest/policies/rules/network.yaml" in data and "attest/policies/terraform/mapping.yaml" in data
    assert "attest/reports/templates/style.css" in data and "attest/sandbox/estates/default.yaml" in data


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    (built,) = out.glob("attest_compliance-*.whl")
    return built


def test_the_wheel_holds_every_module_and_data_file_and_nothing_beside_attest(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(_source_files()) - names == set()
    assert {name.split("/", 1)[0] for name in names} == {"attest", f"attest_compliance-{__version__}.dist-info"}


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "ATTEST_CHECKOV")}


@pytest.fixture(scope="module")
def runtime_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with the hash-pinned runtime and the wheel, nothing else."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--quiet"]
    subprocess.run([*pip, "install", "--require-hashes", "--no-deps", "-r", str(ROOT / "constraints-runtime.txt")],
                   check=True, capture_output=True, timeout=900, env=_clean_env())
    subprocess.run([*pip, "install", "--no-deps", str(wheel)], check=True, capture_output=True, timeout=300, env=_clean_env())
    subprocess.run([*pip, "check"], check=True, capture_output=True, timeout=300, env=_clean_env())
    return venv


def _attest(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "bin" / "attest"), *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd, env=_clean_env(), check=False)


def test_the_installed_cli_says_its_version_and_helps(runtime_venv: Path, tmp_path: Path) -> None:
    version = _attest(runtime_venv, "--version", cwd=tmp_path)
    assert (version.returncode, version.stdout.strip()) == (0, f"attest {__version__}")
    helped = _attest(runtime_venv, "check", "--help", cwd=tmp_path)
    assert helped.returncode == 0 and "--snapshot" in helped.stdout and "--terraform" in helped.stdout


def test_the_runtime_alone_has_no_moto_and_says_which_extra_to_install(runtime_venv: Path, tmp_path: Path) -> None:
    python = str(runtime_venv / "bin" / "python")
    probe = subprocess.run([python, "-c", "import importlib.util as u; print(u.find_spec('moto'))"],
                           capture_output=True, text=True, cwd=tmp_path, env=_clean_env(), check=True)
    assert probe.stdout.strip() == "None"
    demo = _attest(runtime_venv, "demo", "--output", str(tmp_path / "out"), cwd=tmp_path)
    assert demo.returncode == 2
    assert demo.stderr.count("\n") == 1 and "[sandbox]" in demo.stderr and "pip install" in demo.stderr
    imported = subprocess.run([python, "-c", "import attest.sandbox"], capture_output=True, text=True,
                              cwd=tmp_path, env=_clean_env(), check=False)
    assert imported.returncode != 0 and "UsageError: the local estate needs the [sandbox] extra" in imported.stderr
    doctor = _attest(runtime_venv, "doctor", cwd=tmp_path)
    assert "sandbox: missing moto, werkzeug: pip install 'attest-compliance[sandbox]'" in doctor.stdout
