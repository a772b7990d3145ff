"""`--base`: only what the change introduced is reported (a temporary git repo per test)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from guard_cases import FIXTURE_APP

OLD_WRITE = """import { getReferenceDb } from "@/lib/db";
export async function legacy() {
  const db = await getReferenceDb();
  await db.collection("formularies_staging").deleteMany({});
}
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.invalid", "PATH": "/usr/bin:/bin", "HOME": str(repo)})


def _repo(tmp_path: Path, under: str = "") -> Path:
    """The fixture app with an old write, committed on `main` of a git repo (at `under` below its
    top level), and a `feature` branch checked out; the app's directory."""
    top = tmp_path / "repo"
    repo = top / under if under else top
    shutil.copytree(FIXTURE_APP, repo)
    (repo / "src/lib/legacy.ts").write_text(OLD_WRITE, encoding="utf-8")
    _git(top, "init", "-q", "-b", "main")
    _git(top, "add", "-A")
    _git(top, "commit", "-q", "-m", "base")
    _git(top, "checkout", "-q", "-b", "feature")
    return repo


def test_base_reports_only_what_the_change_introduced(tmp_path: Path, guard) -> None:
    repo = _repo(tmp_path)
    fallback = repo / "src/lib/drug-tier-fallback.ts"
    fallback.write_text(fallback.read_text(encoding="utf-8").replace(
        "formularies.countDocuments({ planId })", "formularies.deleteOne({ planId })"), encoding="utf-8")
    (repo / "src/lib/new.ts").write_text(OLD_WRITE.replace("legacy", "fresh").replace("deleteMany", "insertOne"),
                                         encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "change")
    everything = guard(repo)
    assert ("reference-write", "src/lib/legacy.ts:4") in everything.sites()
    run = guard(repo, "--base", "main")
    assert run.code == 1
    assert run.sites() == [("reference-write", "src/lib/drug-tier-fallback.ts:15"),
                           ("reference-write", "src/lib/new.ts:4")]
    assert run.json()["base"] == "main"


def test_change_to_a_helper_flags_its_unchanged_callers(tmp_path: Path, guard) -> None:
    repo = _repo(tmp_path)
    (repo / "src/lib/legacy.ts").unlink()
    (repo / "src/lib/caller.ts").write_text(
        'import { getReferenceDb } from "@/lib/db";\nimport { listPosts } from "@/lib/repo";\n'
        "export const run = async () => listPosts(await getReferenceDb());\n", encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "caller reads")
    _git(repo, "branch", "-f", "main")
    posts = repo / "src/lib/repo/posts.ts"
    posts.write_text(posts.read_text(encoding="utf-8").replace(
        'return db.collection("posts").find({}).toArray();', 'return db.collection("posts").deleteMany({});'),
        encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "helper now writes")
    run = guard(repo, "--base", "main")
    assert run.sites() == [("reference-write", "src/lib/caller.ts:3")]
    # shown where the change is: the write the pull request added, not the untouched caller
    assert run.json()["violations"][0]["location"] == {"file": "src/lib/repo/posts.ts", "line": 8, "column": 33,
                                                        "end_line": 8, "end_column": 47}


def test_new_call_of_an_unchanged_writing_helper_is_shown_at_the_call(tmp_path: Path, guard) -> None:
    repo = _repo(tmp_path)
    _git(repo, "branch", "-f", "main")
    (repo / "src/lib/seed.ts").write_text(
        'import { getReferenceDb } from "@/lib/db";\nimport { insertPost } from "@/lib/repo";\n\n'
        'export const seed = async () => insertPost(await getReferenceDb(), { title: "t" });\n', encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "seed")
    located = guard(repo, "--base", "main").json()["violations"][0]["location"]
    assert (located["file"], located["line"]) == ("src/lib/seed.ts", 4)
    without_base = guard(repo).json()["violations"]
    assert {(v["location"]["file"], v["location"]["line"]) for v in without_base
            if v["file"] == "src/lib/seed.ts"} == {("src/lib/repo/posts.ts", 4)}


def test_clean_change_passes(tmp_path: Path, guard) -> None:
    repo = _repo(tmp_path)
    (repo / "src/lib/extra.ts").write_text("export const n = 1;\n", encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "harmless")
    run = guard(repo, "--base", "main")
    assert run.code == 0 and run.sites() == []


def test_unknown_base_is_bad_input(tmp_path: Path, guard) -> None:
    run = guard(_repo(tmp_path), "--base", "no-such-ref")
    assert run.code == 2
    assert "git merge-base" in run.err


def test_registry_filled_by_a_new_module_flags_the_unchanged_writer(tmp_path: Path, guard) -> None:
    repo = _repo(tmp_path)
    (repo / "src/lib/legacy.ts").unlink()
    (repo / "src/lib/registry.ts").write_text("export const registry: Record<string, any> = {};\n", encoding="utf-8")
    (repo / "src/lib/use.ts").write_text(
        'import { registry } from "./registry";\n'
        "export const use = () => registry.formularies.find({}).toArray();\n"
        "export const wipe = () => registry.formularies.deleteMany({});\n", encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "registry")
    _git(repo, "branch", "-f", "main")
    (repo / "src/lib/fill.ts").write_text(
        'import { registry } from "./registry";\nimport { getReferenceDb } from "@/lib/db";\n'
        'export async function fill() { registry.formularies = (await getReferenceDb()).collection("formularies_staging"); }\n',
        encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "fill the registry from the reference handle")
    run = guard(repo, "--base", "main")
    assert ("reference-write", "src/lib/use.ts:3") in run.sites()


WAIVER = '// attest-guard: allow reference-write reason="one-off backfill" issue=#42 until=2026-12-31\n'
WAIVED_WRITE = '  await db.collection("formularies_staging").deleteMany({});'
# (name, [(file, old, new)], rule, file of the expected site, needle on its line). Each edit only
# deletes; the twin adds a comment line at the top of each edited file instead (every line shifts).
DELETIONS = (
    ("tf-scopes-block-deleted", [("infra/envs/prod/atlas.tf",
                                  '  scopes {\n    name = "reference"\n    type = "CLUSTER"\n  }\n', "")],
     "ATL-DB-005", "infra/envs/prod/atlas.tf", '"app_read_staging" {'),
    ("data-class-tag-deleted", [("infra/envs/prod/secrets.tf", '  tags = {\n    data_class = "public"\n  }\n', "")],
     "tf-secret-class", "infra/envs/prod/ecs.tf", '"MONGODB_REFERENCE_URI"'),
    ("registry-row-deleted", [("data-classification.yaml", "  formularies_staging: { class: public, cluster: reference }\n", ""),
                              ("docs/infrastructure/data-classification.md", "| formularies_staging | public | reference |\n", "")],
     "unclassified-collection", "src/lib/drug-tier-fallback.ts", 'db.collection<DrugTier>("formularies_staging")'),
    ("waiver-deleted", [("src/lib/legacy.ts", WAIVER, "")], "reference-write", "src/lib/legacy.ts", WAIVED_WRITE),
)


def _deletion_repo(tmp_path: Path) -> Path:
    repo = _repo(tmp_path)
    legacy = repo / "src/lib/legacy.ts"
    legacy.write_text(OLD_WRITE.replace(WAIVED_WRITE, WAIVER.replace("\n", "") + "\n" + WAIVED_WRITE), encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "waive the legacy write")
    _git(repo, "branch", "-f", "main")
    return repo


@pytest.mark.parametrize("case", DELETIONS, ids=lambda c: c[0])
def test_deletion_that_opens_a_path_is_reported(case, tmp_path: Path, guard) -> None:
    _name, edits, rule, site, needle = case
    repo = _deletion_repo(tmp_path)
    assert guard(repo, "--base", "main").sites() == []
    for rel, old, new in edits:
        path = repo / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "delete")
    line = next(n for n, t in enumerate((repo / site).read_text(encoding="utf-8").splitlines(), 1) if needle in t)
    run = guard(repo, "--base", "main")
    assert (rule, f"{site}:{line}") in run.sites(), run.out
    assert run.code in (1, 3)


@pytest.mark.parametrize("case", DELETIONS, ids=lambda c: c[0])
def test_shifting_lines_above_existing_violations_reports_nothing(case, tmp_path: Path, guard) -> None:
    _name, edits, _rule, _site, _needle = case
    repo = _deletion_repo(tmp_path)
    for rel, _old, _new in edits:
        path = repo / rel
        comment = "# moved\n" if rel.endswith((".tf", ".yaml")) else "<!-- moved -->\n" if rel.endswith(".md") else "// moved\n"
        path.write_text(comment + path.read_text(encoding="utf-8"), encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "shift")
    run = guard(repo, "--base", "main")
    assert run.code == 0 and run.sites() == [], run.out


def test_app_in_a_subdirectory_of_the_git_repo(tmp_path: Path, guard) -> None:
    mono = tmp_path / "mono"
    shutil.copytree(FIXTURE_APP, mono / "apps/web")
    (mono / "README.md").write_text("monorepo\n", encoding="utf-8")
    _git(mono, "init", "-q", "-b", "main")
    _git(mono, "add", "-A")
    _git(mono, "commit", "-q", "-m", "base")
    _git(mono, "checkout", "-q", "-b", "feature")
    app = mono / "apps/web"
    atlas = app / "infra/envs/prod/atlas.tf"
    atlas.write_text(atlas.read_text(encoding="utf-8").replace(
        '  scopes {\n    name = "reference"\n    type = "CLUSTER"\n  }\n', "", 1), encoding="utf-8")
    fallback = app / "src/lib/drug-tier-fallback.ts"
    fallback.write_text(fallback.read_text(encoding="utf-8").replace(
        "formularies.countDocuments({ planId })", "formularies.deleteOne({ planId })"), encoding="utf-8")
    _git(mono, "commit", "-q", "-am", "change")
    run = guard(app, "--base", "main")
    assert run.sites() == [("ATL-DB-005", "infra/envs/prod/atlas.tf:6"),
                           ("reference-write", "src/lib/drug-tier-fallback.ts:15")], run.out


def test_merge_base_that_cannot_be_analysed_reports_everything_in_scope(tmp_path: Path, guard, caplog) -> None:
    repo = _repo(tmp_path)
    broken = repo / "src/lib/legacy.ts"
    broken.write_text(OLD_WRITE + "export const oops = ;\n", encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "broken at the base")
    _git(repo, "branch", "-f", "main")
    broken.write_text(OLD_WRITE, encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "fixed")
    run = guard(repo, "--base", "main")
    assert run.sites() == [("reference-write", "src/lib/legacy.ts:4")]
    assert "cannot be analysed" in caplog.text and "src/lib/legacy.ts:6" in caplog.text


def test_clean_change_does_not_analyse_the_merge_base(tmp_path: Path, guard, caplog) -> None:
    """With nothing in HEAD's scope there is nothing for the merge-base to account for: it is not
    analysed (a merge-base that cannot be analysed is then not even read)."""
    repo = _repo(tmp_path)
    broken = repo / "src/lib/legacy.ts"
    broken.write_text(OLD_WRITE + "export const oops = ;\n", encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "broken at the base")
    _git(repo, "branch", "-f", "main")
    broken.write_text(OLD_WRITE.replace("deleteMany", "countDocuments"), encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "fixed, and reads only")
    run = guard(repo, "--base", "main")
    assert run.code == 0 and run.sites() == []
    assert "cannot be analysed" not in caplog.text


@pytest.mark.parametrize("written", ["src/lib/legacy.ts", "src/lib/added.ts"], ids=["edited file", "new file"])
def test_a_change_that_only_adds_new_code_to_violations_does_not_analyse_the_merge_base(
        tmp_path: Path, guard, caplog, written: str) -> None:
    """Each of HEAD's violations has a step on a line the merge-base does not hold (the new write, or
    a file it lacks), so no merge-base violation can be the same one: all are new, and the merge-base
    (here one that cannot be analysed) is not even read."""
    repo = _repo(tmp_path)
    broken = repo / "src/lib/legacy.ts"
    broken.write_text(OLD_WRITE.replace("deleteMany", "countDocuments") + "export const oops = ;\n",
                      encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "broken at the base")
    _git(repo, "branch", "-f", "main")
    broken.write_text(OLD_WRITE.replace("deleteMany", "countDocuments"), encoding="utf-8")
    (repo / written).write_text(OLD_WRITE.replace("legacy", "added"), encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "fixed, and writes")
    run = guard(repo, "--base", "main")
    assert run.code == 1 and run.sites() == [("reference-write", f"{written}:4")]
    assert "cannot be analysed" not in caplog.text


def test_a_new_file_whose_name_holds_spaces_is_read_as_missing_at_the_merge_base(tmp_path: Path, guard) -> None:
    """git answers `<name> missing` for it: matched whole, not split on spaces."""
    repo = _repo(tmp_path)
    (repo / "src/lib/my new.ts").write_text(OLD_WRITE.replace("legacy", "fresh"), encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "a new file with a write")
    run = guard(repo, "--base", "main")
    assert run.code == 1 and run.sites() == [("reference-write", "src/lib/my new.ts:4")]


def test_an_app_in_a_subdirectory_keeps_its_old_violations_out_of_the_diff(tmp_path: Path, guard) -> None:
    """The merge-base of an app below the git top level is listed in full (ls-tree --full-tree): a
    line shifted above an old write is not reported as new."""
    app = _repo(tmp_path, "apps/web")
    (app / "src/lib/legacy.ts").write_text("// a header\n" + OLD_WRITE, encoding="utf-8")
    _git(app, "commit", "-q", "-am", "shift")
    assert guard(app).code == 1  # the old write is there
    run = guard(app, "--base", "main")
    assert run.code == 0 and run.sites() == []


def test_code_under_the_terraform_directory_is_compared_as_the_merge_base_reads_it(tmp_path: Path, guard) -> None:
    """Code under `infra/` is read from the work tree by both trees (only Terraform, the registry and
    tsconfig come from the merge-base), so an uncommitted edit to an old write's line is not new."""
    repo = _repo(tmp_path)
    (repo / "src/lib/legacy.ts").write_text(OLD_WRITE.replace("deleteMany", "countDocuments"), encoding="utf-8")
    (repo / "infra/job.ts").write_text(OLD_WRITE.replace("legacy", "job"), encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "an old job; legacy reads")
    _git(repo, "branch", "-f", "main")
    db = repo / "src/lib/db.ts"
    db.write_text(db.read_text(encoding="utf-8") + "// reviewed\n", encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "a change the job imports")
    job = repo / "infra/job.ts"
    job.write_text(job.read_text(encoding="utf-8").replace("getReferenceDb();", "getReferenceDb(); // tidy"),
                   encoding="utf-8")
    assert guard(repo).sites() == [("reference-write", "infra/job.ts:4")]
    run = guard(repo, "--base", "main")
    assert run.code == 0 and run.sites() == []


def test_a_new_file_whose_name_is_not_utf8_is_in_the_change(tmp_path: Path, guard) -> None:
    """git's names are read as the file system gives them, as the scan's are: a lossy decode would
    leave the file out of the change, and its write unreported."""
    repo = _repo(tmp_path)
    name = os.fsdecode(b"src/lib/caf\xe9.ts")
    (repo / name).write_text(OLD_WRITE.replace("legacy", "fresh"), encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "a new file with a write")
    run = guard(repo, "--base", "main")
    assert run.code == 1 and run.sites() == [("reference-write", f"{name}:4")]
