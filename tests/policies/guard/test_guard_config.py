"""The guard config: helper names and the URI variable are configurable; bad config names file:line."""
from __future__ import annotations

from pathlib import Path

WRITE_VIA_CUSTOM = """import { openCatalog } from "./catalog";
export async function f() {
  const db = await openCatalog();
  await db.collection("formularies_staging").insertOne({});
}
"""


def test_custom_helper_name(app: Path, guard) -> None:
    (app / "src/lib/catalog.ts").write_text("export async function openCatalog(): Promise<any> { return null; }\n",
                                             encoding="utf-8")
    (app / "src/lib/writer.ts").write_text(WRITE_VIA_CUSTOM, encoding="utf-8")
    assert guard(app).code == 0
    (app / ".attest-guard.yaml").write_text("reference_helpers: [getReferenceDb, openCatalog]\n", encoding="utf-8")
    run = guard(app)
    assert run.code == 1
    assert ("reference-write", "src/lib/writer.ts:4") in run.sites()


def test_custom_uri_variable(app: Path, guard) -> None:
    (app / "src/lib/direct.ts").write_text(
        'import { MongoClient } from "mongodb";\n'
        "const client = new MongoClient(process.env.CMS_URI as string);\n"
        'export const drop = () => client.db("x").dropDatabase();\n', encoding="utf-8")
    assert guard(app).code == 0
    (app / ".attest-guard.yaml").write_text("reference_uri_env: CMS_URI\n", encoding="utf-8")
    run = guard(app)
    assert ("reference-write", "src/lib/direct.ts:3") in run.sites()


def test_unknown_config_key_is_bad_input_with_line(app: Path, guard) -> None:
    (app / ".attest-guard.yaml").write_text("reference_uri_env: X\nhelpers: [a]\n", encoding="utf-8")
    run = guard(app)
    assert run.code == 2
    assert ".attest-guard.yaml:2" in run.err and "unknown key" in run.err


def test_explicit_config_file_must_exist(app: Path, guard) -> None:
    run = guard(app, "--config", str(app / "missing.yaml"))
    assert run.code == 2
    assert "file not found" in run.err


def test_default_excludes_are_anchored_at_the_repo_root(app: Path, guard) -> None:
    write = ('import { getReferenceDb } from "@/lib/db";\n'
             'export const f = async () => (await getReferenceDb()).collection("x").deleteMany({});\n')
    for rel in ("build/gen.ts", "out/gen.ts", "node_modules/pkg/index.ts", "src/vendor/node_modules/pkg/index.ts"):
        (app / rel).parent.mkdir(parents=True, exist_ok=True)
        (app / rel).write_text(write, encoding="utf-8")
    assert guard(app).code == 0


def test_tsconfig_extends_that_does_not_exist_is_bad_input(app: Path, guard) -> None:
    (app / "tsconfig.json").write_text('{ "extends": "./tsconfig.missing.json" }\n', encoding="utf-8")
    run = guard(app)
    assert run.code == 2
    assert "tsconfig.json" in run.err and "tsconfig.missing.json" in run.err


def test_tsconfig_extends_an_uninstalled_package_and_a_local_base(app: Path, guard) -> None:
    (app / "tsconfig.json").write_text('{ "extends": ["next/tsconfig.json", "./tsconfig.paths.json"] }\n',
                                       encoding="utf-8")
    (app / "tsconfig.paths.json").write_text('{ "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }\n',
                                             encoding="utf-8")
    assert guard(app).code == 0
