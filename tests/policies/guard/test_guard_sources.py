"""The guard says what it found: how many reference sources (helper definitions and calls, URI reads,
clients built for the helper) in every format, and a repo that names the reference helper or URI
variable where none was found is an error, not a clean pass. Also: a destructured collection is
reported under its own name only, and the evaluator's modules import one another in no cycle."""
from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import pytest

from guard_cases import FIXTURE_APP, Case, materialise
from guard_cases_forms import FORM_CASES

GUARD_PACKAGE = Path(__file__).resolve().parents[3] / "policies" / "guard"
FIXTURE_SOURCES = {"helper_calls": 1, "helper_clients": 1, "helper_definitions": 1, "uri_reads": 1}


def test_every_format_states_the_sources_found(guard) -> None:
    assert guard(FIXTURE_APP).json()["reference_sources"] == FIXTURE_SOURCES
    text = guard(FIXTURE_APP, fmt="text").out
    assert ("reference sources: 1 helper definition(s), 1 helper call(s), 1 URI read(s), "
            "1 client(s) built for the helper") in text
    sarif = json.loads(guard(FIXTURE_APP, fmt="sarif").out)
    assert sarif["runs"][0]["properties"]["referenceSources"] == FIXTURE_SOURCES
    assert "::notice title=attest guard::reference sources: 1 helper definition(s)" in guard(FIXTURE_APP, fmt="github").out


def _write(repo: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    return repo


# An Express service whose settings pick the URI by a computed key: the guard cannot see the read.
EXPRESS_LOST = {
    "src/settings.ts": 'const KEY = ["MONGODB", "REFERENCE", "URI"].join("_"); // MONGODB_REFERENCE_URI\n'
                       "export const referenceUri = process.env[KEY];\n",
    "src/server.ts": 'import express from "express";\nimport { referenceUri } from "./settings";\n'
                     "const app = express();\napp.get(\"/health\", (_req, res) => res.json({ ok: Boolean(referenceUri) }));\n"
                     "app.listen(3000);\n",
}
EXPRESS_PLAIN = {
    "src/server.ts": 'import express from "express";\nconst app = express();\n'
                     "app.get(\"/health\", (_req, res) => res.json({ ok: true }));\napp.listen(3000);\n",
}


def test_a_mention_with_no_source_found_is_an_error(guard, tmp_path: Path) -> None:
    run = guard(_write(tmp_path / "svc", EXPRESS_LOST))
    assert run.code == 3, run.out
    assert run.sites() == [("reference-source-missing", "src/settings.ts:1")]
    assert run.json()["reference_sources"] == {"helper_calls": 0, "helper_clients": 0, "helper_definitions": 0,
                                               "uri_reads": 0}


def test_a_repo_that_never_names_the_reference_passes_with_zero_sources(guard, tmp_path: Path) -> None:
    run = guard(_write(tmp_path / "svc", EXPRESS_PLAIN))
    assert run.code == 0, run.out
    assert "reference sources: 0 helper definition(s), 0 helper call(s), 0 URI read(s)" in guard(
        tmp_path / "svc", fmt="text").out


def test_a_guard_file_naming_the_helper_with_no_source_is_an_error(guard, tmp_path: Path) -> None:
    repo = _write(tmp_path / "svc", {**EXPRESS_PLAIN, ".attest-guard.yaml": "reference_helpers: [getCatalogDb]\n"})
    run = guard(repo)
    assert run.code == 3, run.out
    assert run.sites() == [("reference-source-missing", ".attest-guard.yaml:1")]
    (repo / "src/catalog.ts").write_text(
        'import { getCatalogDb } from "./db";\nexport const list = async () => (await getCatalogDb())'
        '.collection("items").find({}).toArray();\n', encoding="utf-8")
    (repo / "src/db.ts").write_text("export async function getCatalogDb(): Promise<any> { return null; }\n",
                                    encoding="utf-8")
    assert guard(repo).code == 0


def test_destructured_collections_are_reported_under_their_own_name(guard, tmp_path: Path) -> None:
    case: Case = next(c for c in FORM_CASES if c.name == "destructured-collections-from-a-function")
    materialise(case, tmp_path / "app", case.write)
    violations = guard(tmp_path / "app").json()["violations"]
    assert [(v["rule_id"], v["message"]) for v in violations] == [
        ("reference-write", "insertOne writes to collection 'formularies_staging' on the reference cluster")]


def _imports(path: Path) -> set[str]:
    """The guard modules `path` imports, at run time or for type checking alike."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("attest.policies.guard."):
            found.add(node.module.rsplit(".", 1)[1])
    return found


def test_guard_modules_import_each_other_in_no_cycle() -> None:
    graph = {p.stem: _imports(p) for p in GUARD_PACKAGE.glob("*.py")}
    state: dict[str, int] = {}

    def visit(name: str, trail: tuple[str, ...]) -> None:
        assert state.get(name) != 1, f"import cycle: {' -> '.join((*trail, name))}"
        if state.get(name) == 2:
            return
        state[name] = 1
        for dep in sorted(graph.get(name, ())):
            visit(dep, (*trail, name))
        state[name] = 2

    for name in sorted(graph):
        visit(name, ())


def _commit_all(repo: Path, message: str) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "PATH": "/usr/bin:/bin", "HOME": str(repo)}
    for args in (("add", "-A"), ("commit", "-qm", message)):
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.mark.parametrize("guard_file", [".attest-guard.yaml", "ci/guard.yaml"])
def test_a_lost_source_the_merge_base_already_had_is_not_reported_as_new(guard, tmp_path: Path,
                                                                      guard_file: str) -> None:
    """The guard file's site names the same file in both trees, whatever the file is called, so a
    pull request that changes nothing about the reference is not charged with the old loss."""
    repo = _write(tmp_path / "svc", {**EXPRESS_PLAIN, guard_file: "reference_helpers: [getCatalogDb]\n"})
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, capture_output=True)
    _commit_all(repo, "base")
    subprocess.run(["git", "-C", str(repo), "checkout", "-qb", "feature"], check=True, capture_output=True)
    _write(repo, {"src/health.ts": "export const ok = () => true;\n"})
    _commit_all(repo, "an unrelated change")
    chosen = () if guard_file == ".attest-guard.yaml" else ("--config", str(repo / guard_file))
    assert guard(repo, *chosen).sites() == [("reference-source-missing", f"{guard_file}:1")]
    run = guard(repo, "--base", "main", *chosen)
    assert run.code == 0, run.out
    assert run.sites() == []
