"""Which revision of each static root a run judged (`sources.json` in the bundle): what git says, and
null where git cannot tell, never a guessed "clean"."""
from __future__ import annotations

import subprocess
from pathlib import Path

from attest.policies.planes import StaticPlanes, revisions

GIT = ("git", "-c", "user.name=attest tests", "-c", "user.email=tests@attest.invalid", "-c", "commit.gpgsign=false")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run([*GIT, "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def _only(root: Path) -> dict[str, object]:
    [revision] = revisions(StaticPlanes(code=(root,)))
    return revision.to_dict()


def test_outside_a_repository_nothing_is_known(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    assert _only(tmp_path / "app") == {"plane": "code", "path": ".", "commit": None, "uncommitted_changes": None}


def test_a_repository_with_no_commit_is_not_called_clean(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.ts").write_text("export const a = 1;\n", encoding="utf-8")
    assert _only(tmp_path)["commit"] is None and _only(tmp_path)["uncommitted_changes"] is None


def test_a_root_below_the_top_level_names_its_commit_and_its_own_changes(tmp_path: Path) -> None:
    (tmp_path / "apps/web").mkdir(parents=True)
    (tmp_path / "apps/web/a.ts").write_text("export const a = 1;\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("x\n", encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "one")
    head = _git(tmp_path, "rev-parse", "HEAD")
    (tmp_path / "README.md").write_text("changed outside the root\n", encoding="utf-8")
    assert _only(tmp_path / "apps/web") == {"plane": "code", "path": "apps/web", "commit": head,
                                             "uncommitted_changes": False}
    (tmp_path / "apps/web/a.ts").write_text("export const a = 2;\n", encoding="utf-8")
    assert _only(tmp_path / "apps/web")["uncommitted_changes"] is True
