"""mypy over the installed layout: `attest.collector` is `collector/`, and so on.

mypy finds modules by path and cannot follow pyproject's `package-dir` map (nor the import hook of
an editable install), so this builds `build/typecheck/attest/`, a tree of symlinks in the installed
shape, runs `mypy -p attest` there with pyproject's settings, and prints paths as in the source tree.
Run: `make typecheck` (extra arguments go to mypy).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "build" / "typecheck"


def link_tree() -> list[tuple[str, str]]:
    """Symlink each mapped folder where its package lives; (shown prefix, source prefix), longest first."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package_dir: dict[str, str] = pyproject["tool"]["setuptools"]["package-dir"]
    shutil.rmtree(TREE, ignore_errors=True)
    top = TREE / "attest"
    top.mkdir(parents=True)
    for entry in (ROOT / package_dir["attest"]).iterdir():
        if entry.name != "__pycache__":
            (top / entry.name).symlink_to(entry)
    for package, folder in package_dir.items():
        if package != "attest":
            TREE.joinpath(*package.split(".")).symlink_to(ROOT / folder)
    prefixes = [(package.replace(".", "/") + "/", folder.rstrip("/") + "/") for package, folder in package_dir.items()]
    return sorted(prefixes, key=lambda pair: -len(pair[0]))


def main() -> int:
    prefixes = link_tree()
    command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
               "--cache-dir", str(ROOT / ".mypy_cache"), "-p", "attest", *sys.argv[1:]]
    done = subprocess.run(command, cwd=TREE, env={**os.environ, "MYPYPATH": str(TREE)},
                          capture_output=True, text=True, check=False)
    for line in (done.stdout + done.stderr).splitlines():
        shown, folder = next(((s, f) for s, f in prefixes if line.startswith(s)), ("", ""))
        print(folder + line[len(shown):] if shown else line)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
