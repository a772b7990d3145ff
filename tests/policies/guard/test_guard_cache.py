"""The content-addressed cache (`--cache-dir`, $ATTEST_GUARD_CACHE): results with a warm cache are
the results without one, byte for byte; a damaged or foreign cache is rebuilt, never trusted.

The repo is hand-written (an inventory service, not the fixture app): a `~/` alias, a barrel with
`export *`, a CommonJS module loaded by `require`, a namespace import from a `.tsx` page that also
imports a stylesheet, and a nightly job that writes through the prod handle."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest

from attest.policies.guard.cache import ENV, SCHEMA, IndexCache, import_specs
from attest.policies.guard.config import GuardConfig
from attest.policies.guard.modules import Resolver
from attest.policies.guard.sources import discover, parse
from guard_run import GuardRun

INDEX = f"index-v{SCHEMA}.json"
FILES = {
    "tsconfig.json": '{ "compilerOptions": { "baseUrl": ".", "paths": { "~/*": ["./app/*"] } } }\n',
    "data-classification.yaml": "collections:\n  stock_ref: { class: public, cluster: reference }\n"
                                "  orders: { class: internal, cluster: prod }\n",
    "app/db/reference.ts": 'import { MongoClient } from "mongodb";\n'
                           "const client = new MongoClient(process.env.MONGODB_REFERENCE_URI!);\n"
                           "export async function getReferenceDb() {\n  await client.connect();\n"
                           '  return client.db("ref");\n}\n',
    "app/db/prod.ts": 'import { MongoClient } from "mongodb";\nconst client = new MongoClient(process.env.MONGODB_URI!);\n'
                      'export async function getDb() {\n  return client.db("prod");\n}\n',
    "app/db/index.ts": 'export * from "./reference";\nexport { getDb } from "./prod";\n',
    "app/stock/read.ts": 'import { getReferenceDb } from "~/db";\n\nexport async function levels() {\n'
                         "  const db = await getReferenceDb();\n"
                         '  return db.collection("stock_ref").find({}).toArray();\n}\n',
    "app/stock/sync.js": 'const prod = require("../db/prod");\n\nasync function copy(rows) {\n'
                         "  const db = await prod.getDb();\n"
                         '  await db.collection("orders").insertMany(rows);\n}\n\nmodule.exports = { copy };\n',
    "app/pages/report.tsx": 'import "./report.css";\nimport * as stock from "~/stock/read";\n\n'
                            "export default function Report() {\n  return <div>{String(stock.levels)}</div>;\n}\n",
    "app/pages/report.css": "div { color: black; }\n",
    "app/jobs/nightly.ts": 'import { levels } from "~/stock/read";\nimport { copy } from "../stock/sync";\n\n'
                           "export async function nightly() {\n  await copy(await levels());\n}\n",
}
PLANTED = ("\nexport async function reset() {\n  const db = await getReferenceDb();\n"
           '  await db.collection("stock_ref").deleteMany({});\n}\n')
Guard = Callable[..., GuardRun]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.invalid", "PATH": "/usr/bin:/bin", "HOME": str(repo)})


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "inventory"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    return root


def _plant(repo: Path) -> None:
    """On a branch: one new write in app/stock/read.ts, the only file changed."""
    _git(repo, "checkout", "-q", "-b", "change")
    path = repo / "app/stock/read.ts"
    path.write_text(path.read_text(encoding="utf-8") + PLANTED, encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "reset")


def _entries(cache: Path) -> dict[str, object]:
    entries = json.loads((cache / INDEX).read_text(encoding="utf-8"))["entries"]
    assert isinstance(entries, dict)
    return entries


def test_warm_cache_gives_the_same_bytes_and_only_the_edited_file_is_new(repo: Path, tmp_path: Path,
                                                                          guard: Guard) -> None:
    cache = tmp_path / "cache"
    plain = guard(repo)
    assert plain.code == 0, plain.out
    assert guard(repo, "--cache-dir", str(cache)).out == plain.out  # cold: fills the cache
    before = _entries(cache)
    assert len(before) == 7  # every code file; the stylesheet is not code
    assert guard(repo, "--cache-dir", str(cache)).out == plain.out  # warm
    _plant(repo)
    diff = guard(repo, "--base", "main")
    assert diff.code == 1
    assert diff.sites() == [("reference-write", "app/stock/read.ts:10")]
    warm = guard(repo, "--base", "main", "--cache-dir", str(cache))
    assert warm.out == diff.out and warm.code == diff.code
    after = _entries(cache)
    # the edited file at HEAD is new; its merge-base version is not kept, because the merge-base was
    # not analysed (the new write's line is not in it, so nothing there could match the finding)
    assert len(set(after) - set(before)) == 1 and len(set(before) - set(after)) == 1
    assert all(after[key] == entry for key, entry in before.items() if key in after)
    settled = (cache / INDEX).stat().st_ino
    assert guard(repo, "--base", "main", "--cache-dir", str(cache)).out == diff.out  # fully warm
    assert (cache / INDEX).stat().st_ino == settled  # nothing new: not rewritten
    assert guard(repo, "--cache-dir", str(cache)).out == guard(repo).out


def _flip(path: Path) -> None:
    """Change one byte inside an import specifier: still JSON, but the entry now names another file."""
    text = path.read_text(encoding="utf-8")
    at = text.index("~/db")
    path.write_text(text[:at] + "~/dx" + text[at + 4:], encoding="utf-8")


@pytest.mark.parametrize("damage", [
    _flip,
    lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    lambda p: p.write_text(p.read_text(encoding="utf-8").replace('"attest":"', '"attest":"0.0.0-', 1),
                           encoding="utf-8"),
    lambda p: p.write_text('{"schema": 1, "entries": []}', encoding="utf-8"),
], ids=["flipped-byte", "truncated", "foreign-version", "wrong-shape"])
def test_a_damaged_cache_is_rebuilt_never_trusted(repo: Path, tmp_path: Path, guard: Guard,
                                                  damage: Callable[[Path], object]) -> None:
    cache = tmp_path / "cache"
    guard(repo, "--cache-dir", str(cache))
    _plant(repo)
    expected = guard(repo, "--base", "main")
    damage(cache / INDEX)
    run = guard(repo, "--base", "main", "--cache-dir", str(cache))
    assert run.out == expected.out and run.code == 1
    assert "~/db" in (cache / INDEX).read_text(encoding="utf-8")  # rewritten whole


def test_flipped_entry_alone_is_dropped(repo: Path, tmp_path: Path, guard: Guard) -> None:
    cache = tmp_path / "cache"
    guard(repo, "--cache-dir", str(cache))
    _flip(cache / INDEX)
    index = IndexCache(cache, GuardConfig())
    text = (repo / "app/stock/read.ts").read_bytes()
    assert index.get("app/stock/read.ts", text) is None
    assert index.get("app/jobs/nightly.ts", (repo / "app/jobs/nightly.ts").read_bytes()) == ("../stock/sync",
                                                                                            "~/stock/read")


def _edit(path: Path, change: Callable[[dict[str, Any]], object]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_resolved_imports_are_kept_by_path_content_and_resolver(repo: Path, tmp_path: Path, guard: Guard) -> None:
    """A later run over the same code files takes a file's import edges as stored, without its
    specifiers; other code files, or a damaged edge entry, resolve again from the specifiers."""
    cache = tmp_path / "cache"
    guard(repo, "--cache-dir", str(cache))
    rel = "app/jobs/nightly.ts"
    files = set(discover(repo, GuardConfig().exclude))
    key = IndexCache(cache, GuardConfig()).key(rel, (repo / rel).read_bytes())
    parsed: list[str] = []

    def specs() -> tuple[str, ...]:
        parsed.append(rel)
        return import_specs(parse(repo, rel))

    imports = frozenset({"app/stock/read.ts", "app/stock/sync.js"})
    _edit(cache / INDEX, lambda d: d["entries"][key]["specs"].pop())  # its specifiers no longer check
    assert IndexCache(cache, GuardConfig()).edges(rel, key, Resolver(repo, files), specs) == imports
    assert parsed == []
    fewer = Resolver(repo, files - {"app/stock/sync.js"})
    assert IndexCache(cache, GuardConfig()).edges(rel, key, fewer, specs) == {"app/stock/read.ts"}
    assert parsed == [rel]
    _edit(cache / INDEX, lambda d: next(iter(d["edges"].values()))[rel][0][1].pop())  # an edge dropped
    assert IndexCache(cache, GuardConfig()).edges(rel, key, Resolver(repo, files), specs) == imports
    assert parsed == [rel, rel]


def test_key_holds_the_config_and_the_grammar(repo: Path, tmp_path: Path, guard: Guard) -> None:
    cache = tmp_path / "cache"
    guard(repo, "--cache-dir", str(cache))
    text = (repo / "app/jobs/nightly.ts").read_bytes()
    assert IndexCache(cache, GuardConfig()).get("app/jobs/nightly.ts", text) is not None
    assert IndexCache(cache, GuardConfig(reference_helpers=("openRef",))).get("app/jobs/nightly.ts", text) is None
    assert IndexCache(cache, GuardConfig()).get("app/jobs/nightly.tsx", text) is None


def test_env_variable_turns_it_on_and_it_is_off_by_default(repo: Path, tmp_path: Path, guard: Guard,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    guard(repo)
    assert not (tmp_path / "env-cache").exists()
    monkeypatch.setenv(ENV, str(tmp_path / "env-cache"))
    guard(repo)
    assert len(_entries(tmp_path / "env-cache")) == 7


def test_a_file_that_does_not_parse_is_never_cached_and_still_fails_closed(repo: Path, tmp_path: Path,
                                                                           guard: Guard) -> None:
    cache = tmp_path / "cache"
    guard(repo, "--cache-dir", str(cache))
    _git(repo, "checkout", "-q", "-b", "broken")
    (repo / "app/jobs/nightly.ts").write_text("export async function nightly( {\n", encoding="utf-8")
    (repo / "app/stock/read.ts").write_text(FILES["app/stock/read.ts"] + PLANTED, encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "broken")
    for _ in range(2):
        run = guard(repo, "--base", "main", "--cache-dir", str(cache))
        assert run.code == 3 and "app/jobs/nightly.ts:1" in run.out
    assert len(_entries(cache)) == 7
