"""Fail closed: unparseable code exits 3 naming file:line (and every output format still says so);
each grammar rejects the other's syntax;
a reference value handed to a third-party package is an error unless the package is read-only."""
from __future__ import annotations

import json
from pathlib import Path


def test_syntax_error_exits_3_with_file_and_line(app: Path, guard) -> None:
    (app / "src/lib/broken.ts").write_text("export function f() {\n  const x = ;\n}\n", encoding="utf-8")
    run = guard(app)
    assert run.code == 3
    assert "src/lib/broken.ts:2" in run.err
    assert run.json()["not_analysed"] == [{"where": "src/lib/broken.ts:2", "message": run.json()["not_analysed"][0]["message"]}]
    assert run.json()["violations"] == []


def test_exit_3_still_writes_sarif_github_and_text(app: Path, guard) -> None:
    (app / "src/lib/broken.ts").write_text("export function f() {\n  const x = ;\n}\n", encoding="utf-8")
    sarif = guard(app, fmt="sarif")
    assert sarif.code == 3
    invocation = json.loads(sarif.out)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    note = invocation["toolExecutionNotifications"][0]
    assert note["level"] == "error" and note["locations"][0]["physicalLocation"]["region"] == {"startLine": 2}
    github = guard(app, fmt="github")
    assert github.code == 3
    assert github.out.startswith("::error file=src/lib/broken.ts,line=2,title=attest guard could not analyse::")
    text = guard(app, fmt="text").out
    assert "NOT ANALYSED src/lib/broken.ts:2: " in text and "could not analyse the repository" in text


def test_jsx_in_a_ts_file_is_a_parse_error(app: Path, guard) -> None:
    (app / "src/lib/view.ts").write_text("export const v = <div>hi</div>;\n", encoding="utf-8")
    run = guard(app)
    assert run.code == 3
    assert "src/lib/view.ts:1" in run.err


def test_angle_cast_in_a_tsx_file_is_a_parse_error(app: Path, guard) -> None:
    (app / "src/components/Cast.tsx").write_text("const n = 1;\nexport const v = <number>n;\n", encoding="utf-8")
    run = guard(app)
    assert run.code == 3
    assert "src/components/Cast.tsx:2" in run.err


def test_angle_cast_in_a_ts_file_and_jsx_in_js_parse(app: Path, guard) -> None:
    (app / "src/lib/cast.ts").write_text("const n: unknown = 1;\nexport const v = <number>n;\n", encoding="utf-8")
    (app / "src/components/Old.jsx").write_text("export const Old = () => <p>old</p>;\n", encoding="utf-8")
    assert guard(app).code == 0


THIRD_PARTY = """import session from "express-session";
import MongoStore from "connect-mongo";
import { getReferenceDb } from "@/lib/db";

export async function store() {
  const db = await getReferenceDb();
  return session({ store: MongoStore.create({ client: db }) });
}
"""


def test_handle_handed_to_a_third_party_package_is_an_error(app: Path, guard) -> None:
    (app / "src/lib/session.ts").write_text(THIRD_PARTY, encoding="utf-8")
    run = guard(app)
    assert run.code == 3
    assert ("third-party-handle", "src/lib/session.ts:7") in run.sites("error")


def test_read_only_package_may_receive_the_handle(app: Path, guard) -> None:
    (app / "src/lib/session.ts").write_text(THIRD_PARTY, encoding="utf-8")
    (app / ".attest-guard.yaml").write_text("read_only_packages: [connect-mongo]\n", encoding="utf-8")
    run = guard(app)
    assert run.code == 0, run.out


def test_other_uris_are_not_attributed_to_the_reference_cluster(app: Path, guard) -> None:
    (app / "src/lib/other.ts").write_text(
        'import { MongoClient } from "mongodb";\n'
        "export async function f() {\n"
        "  const c = new MongoClient(process.env.ANALYTICS_URI as string);\n"
        '  await c.db("a").collection("events").insertOne({});\n'
        "}\n", encoding="utf-8")
    assert guard(app).code == 0


def test_handle_handed_to_an_unresolvable_import_is_an_error(app: Path, guard) -> None:
    (app / "src/lib/lost.ts").write_text(
        'import { archive } from "./db";\nimport { getReferenceDb } from "@/lib/db";\n'
        "export async function f() {\n  await archive(await getReferenceDb());\n}\n", encoding="utf-8")
    run = guard(app)
    assert run.code == 3
    assert ("dynamic-use", "src/lib/lost.ts:4") in run.sites("error")


LOCAL_IMPORT = 'import { getReferenceDb as g } from "{spec}";\nexport const f = async () => (await g()).collection("x").find({});\n'


def test_reference_helper_imported_from_a_missing_module_is_a_located_error(app: Path, guard) -> None:
    for spec in ("@/lib/dbx", "~/lib/db", "./missing", "../lib/nope"):
        (app / "src/lib/lost.ts").write_text(LOCAL_IMPORT.replace("{spec}", spec), encoding="utf-8")
        run = guard(app)
        assert run.code == 3, spec
        assert ("dynamic-use", "src/lib/lost.ts:1") in run.sites("error"), spec
        assert spec in run.json()["violations"][0]["message"]


MISSING_GENERATED = (
    'import { build } from "./generated/client";\nimport { getReferenceDb } from "@/lib/db";\n'
    "export const local = () => build({ n: 1 });\n"
    "export const handed = async () => build(await getReferenceDb());\n")


def test_missing_generated_module_is_an_error_only_where_a_reference_value_flows_into_it(app: Path, guard) -> None:
    (app / "src/lib/gen.ts").write_text(MISSING_GENERATED, encoding="utf-8")
    run = guard(app)
    assert run.code == 3
    assert run.sites() == [("dynamic-use", "src/lib/gen.ts:4")]


def test_missing_generated_module_without_reference_values_passes(app: Path, guard) -> None:
    (app / "src/lib/gen.ts").write_text(MISSING_GENERATED.rsplit("export const handed", 1)[0], encoding="utf-8")
    assert guard(app).code == 0


def test_imports_of_missing_non_code_files_are_not_modules(app: Path, guard) -> None:
    """A CSS module, an image or WASM that a build step generates is not code to analyse."""
    (app / "src/components/Card.tsx").write_text(
        'import styles from "./Card.module.css";\nimport logo from "@/assets/logo.svg?url";\n'
        'import init from "../wasm/pkg_bg.wasm";\nimport data from "./gen/tiers.json";\n'
        "export const Card = () => <div className={styles.card}>{String(logo)}{String(init)}{String(data)}</div>;\n",
        encoding="utf-8")
    assert guard(app).code == 0


def test_local_imports_of_existing_non_code_files_pass(app: Path, guard) -> None:
    (app / "src/lib/theme.css").write_text("a { color: red; }\n", encoding="utf-8")
    (app / "src/lib/view.ts").write_text(
        'import "./theme.css";\nimport tiers from "@/lib/tiers.json";\nimport { getReferenceDb as g } from "@/lib/db";\n'
        'export const f = async () => [tiers, await (await g()).collection("formularies_staging").findOne({})];\n',
        encoding="utf-8")
    (app / "src/lib/tiers.json").write_text("[]\n", encoding="utf-8")
    assert guard(app).code == 0


def test_long_expressions_are_analysed(app: Path, guard) -> None:
    expression = " + ".join(["1"] * 2000)
    (app / "src/lib/long.ts").write_text(f"export const n = {expression};\n", encoding="utf-8")
    assert guard(app).code == 0


def test_nesting_past_the_limit_fails_closed(app: Path, guard) -> None:
    expression = " + ".join(["1"] * 40000)
    (app / "src/lib/deep.ts").write_text(f"export const n = {expression};\n", encoding="utf-8")
    run = guard(app)
    assert run.code == 3
    assert "src/lib/deep.ts (top level): code nested too deeply to analyse" in run.err


def test_string_properties_of_handles_are_not_handles(app: Path, guard) -> None:
    (app / "src/lib/names.ts").write_text(
        'import { getReferenceDb } from "@/lib/db";\n'
        "export async function label() {\n"
        '  const coll = (await getReferenceDb()).collection("formularies_staging");\n'
        '  return coll.collectionName.replace("_staging", "").replaceAll("_", " ");\n'
        "}\n", encoding="utf-8")
    assert guard(app).code == 0


def test_unreadable_container_definitions_are_an_error(app: Path, guard) -> None:
    tf = app / "infra/envs/prod/ecs.tf"
    text = tf.read_text(encoding="utf-8")
    start = text.index("  container_definitions = jsonencode(")
    tf.write_text(text[:start] + '  container_definitions = templatefile("${path.module}/app.json.tpl", {})\n}\n',
                  encoding="utf-8")
    run = guard(app)
    assert run.code == 3
    assert ("tf-secret-unresolved", "infra/envs/prod/ecs.tf:7") in run.sites("error")


def test_data_class_inside_merged_tags_is_read(app: Path, guard) -> None:
    tf = app / "infra/envs/prod/secrets.tf"
    text = tf.read_text(encoding="utf-8")
    tf.write_text(text.replace('tags = {\n    data_class = "public"\n  }',
                               'tags = merge(local.tags, { data_class = "{cls}" })'), encoding="utf-8")
    merged = tf.read_text(encoding="utf-8")
    assert "{cls}" in merged
    tf.write_text(merged.replace("{cls}", "public"), encoding="utf-8")
    assert guard(app).code == 0
    tf.write_text(merged.replace("{cls}", "phi"), encoding="utf-8")
    assert ("tf-phi-secret", "infra/envs/prod/ecs.tf:13") in guard(app).sites()
