"""Mutations of the fixture app: each turns one form of access into a write (or a classification
or Terraform fault); its read-only twin makes the same edit with a read and must pass.

An edit is (file, old, new): `new` replaces `old` (`old == ""` appends, creating the file). `{op}` in `new` is
the write in the mutation and the read in the twin. The expected site is the first line of `site`'s
file that contains `needle` (a `SITE` comment unless given)."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

FIXTURE_APP = Path(__file__).resolve().parent / "fixtures" / "app"
FALLBACK = "src/lib/drug-tier-fallback.ts"
FIND = "const hit = await formularies.findOne({ planId, rxcui });"
MUTANT = "src/lib/mutant.ts"


@dataclass(frozen=True)
class Case:
    name: str
    rule: str
    edits: tuple[tuple[str, str, str], ...]
    write: str
    read: str
    site: str = MUTANT
    needle: str = "SITE"


def on_fallback(method: str, read: str = "findOne") -> Case:
    edit = (FALLBACK, FIND, "const hit = await formularies.{op}({ planId, rxcui }); // SITE")
    return Case(f"method-{method}", "reference-write", (edit,), method, read, FALLBACK)


def mutant(name: str, rule: str, body: str, write: str, read: str, *extra: tuple[str, str, str]) -> Case:
    return Case(name, rule, ((MUTANT, "", body), *extra), write, read)


HEADER = 'import { getReferenceDb } from "@/lib/db";\n'
METHODS = (
    "insertOne", "insertMany", "updateOne", "updateMany", "replaceOne", "deleteOne", "deleteMany", "bulkWrite",
    "findOneAndUpdate", "findOneAndDelete", "findOneAndReplace", "createIndex", "createIndexes",
    "createSearchIndex", "createSearchIndexes", "updateSearchIndex", "drop", "dropIndex", "dropIndexes", "rename",
)

CASES: tuple[Case, ...] = (
    *(on_fallback(m) for m in METHODS),
    mutant("db-createCollection", "reference-write", HEADER + """
export async function setup() {
  const db = await getReferenceDb();
  await db.{op}("scratch"); // SITE
}
""", "createCollection", "listCollections"),
    mutant("db-dropDatabase", "reference-write", HEADER + """
export async function wipe() {
  const db = await getReferenceDb();
  await db.{op}(); // SITE
}
""", "dropDatabase", "stats"),
    mutant("command-collMod", "reference-write", HEADER + """
export async function tune() {
  const db = await getReferenceDb();
  await db.command({ {op}: "formularies_staging" }); // SITE
}
""", "collMod", "collStats"),
    mutant("aggregate-merge-inline", "reference-write", HEADER + """
export async function roll() {
  const db = await getReferenceDb();
  await db.collection("formularies_staging").aggregate([{ $match: {} }, { {op}: { into: "x" } }]).toArray(); // SITE
}
""", "$merge", "$project"),
    mutant("aggregate-out-variable", "reference-write", HEADER + """
const stage = { {op}: "formularies_copy" };
export async function copy() {
  const db = await getReferenceDb();
  const pipeline = [{ $match: {} }];
  pipeline.push(stage);
  await db.collection("formularies_staging").aggregate(pipeline).toArray(); // SITE
}
""", "$out", "$limit"),
    mutant("aggregate-merge-local-push", "reference-write", HEADER + """
export async function roll(id: string) {
  const db = await getReferenceDb();
  const stage = { {op}: { into: "rollup" } };
  const pipeline: object[] = [{ $match: { id } }];
  pipeline.push(stage);
  await db.collection("formularies_staging").aggregate(pipeline).toArray(); // SITE
}
""", "$merge", "$sort"),
    mutant("helper-decoy-in-sibling-function", "reference-write", HEADER + """import { insertPost } from "@/lib/repo";
import { getDb } from "@/lib/db";
export async function reads() {
  const db = await getReferenceDb();
  return db.collection("formularies_staging").findOne({});
}
export async function writes() {
  const db = await {op}();
  await insertPost(db, { title: "x" }); // SITE
}
""", "getReferenceDb", "getDb"),
    mutant("gridfs-bucket", "reference-write", HEADER + """import { GridFSBucket } from "mongodb";
export async function upload() {
  const bucket = new GridFSBucket(await getReferenceDb(), { bucketName: "docs" });
  return bucket.{op}("file.pdf"); // SITE
}
""", "openUploadStream", "openDownloadStreamByName"),
    mutant("alias", "reference-write", HEADER + """
export async function f() {
  const db = await getReferenceDb();
  const ref = db;
  const coll = ref.collection("formularies_staging");
  const again = coll;
  await again.{op}({}); // SITE
}
""", "deleteMany", "find"),
    mutant("destructuring", "reference-write", HEADER + """
async function open() {
  return { ref: await getReferenceDb(), name: "x" };
}
export async function f() {
  const { ref: handle } = await open();
  const [first] = [handle.collection("providers_staging")];
  await first.{op}({}); // SITE
}
""", "updateMany", "countDocuments"),
    mutant("then-callback", "reference-write", HEADER + """
export function f() {
  return getReferenceDb().then((db) => db.collection("formularies_staging").{op}({})); // SITE
}
""", "insertOne", "findOne"),
    mutant("subscript-collection", "reference-write", HEADER + """
export async function f() {
  const db: any = await getReferenceDb();
  await db["formularies_staging"].{op}({}); // SITE
}
""", "replaceOne", "findOne"),
    mutant("class-field", "reference-write", HEADER + """
export class FormularyStore {
  private db = getReferenceDb();
  async touch() {
    const db = await this.db;
    await db.collection("formularies_staging").{op}({}); // SITE
  }
}
""", "updateOne", "findOne"),
    mutant("class-getter", "reference-write", HEADER + """
export class Catalog {
  get db() {
    return getReferenceDb();
  }
  async touch() {
    await (await this.db).collection("formularies_staging").{op}({}); // SITE
  }
}
""", "deleteMany", "countDocuments"),
    mutant("map-registry", "reference-write", HEADER + """
const handles = new Map<string, any>();
export async function register() {
  handles.set("formularies", (await getReferenceDb()).collection("formularies_staging"));
}
export async function use() {
  await handles.get("formularies").{op}({}); // SITE
}
""", "insertMany", "aggregate"),
    mutant("module-registry", "reference-write", HEADER + """
const registry: Record<string, any> = {};
export async function init() {
  registry.formularies = (await getReferenceDb()).collection("formularies_staging");
}
export async function use() {
  await registry.formularies.{op}({}); // SITE
}
""", "bulkWrite", "estimatedDocumentCount"),
    mutant("direct-reference-uri", "reference-write", """import { MongoClient } from "mongodb";
export async function f() {
  const client = new MongoClient(process.env.MONGODB_REFERENCE_URI as string);
  await client.db("reference").collection("formularies_staging").{op}({}); // SITE
}
""", "deleteOne", "findOne"),
    mutant("helper-via-barrel-alias", "reference-write", HEADER + """import { {op} } from "@/lib/repo";
export async function f() {
  const db = await getReferenceDb();
  await {op}(db, { title: "x" }); // SITE
}
""", "insertPost", "listPosts"),
    mutant("helper-via-relative-barrel", "reference-write", HEADER + """import { {op} } from "./repo";
export async function f() {
  const db = await getReferenceDb();
  await {op}(db, { title: "x" }); // SITE
}
""", "insertPost", "listPosts"),
    mutant("helper-via-namespace", "reference-write", HEADER + """import * as repo from "@/lib/repo";
export async function f() {
  const db = await getReferenceDb();
  await repo.{op}(db, { title: "x" }); // SITE
}
""", "insertPost", "listPosts"),
    mutant("helper-default-export-collection", "reference-write", HEADER + """import save from "./save";
export async function f() {
  const db = await getReferenceDb();
  await save(db.collection("formularies_staging")); // SITE
}
""", "updateMany", "find", ("src/lib/save.ts", "", """import type { Collection } from "mongodb";
export default async function save(coll: Collection) {
  await coll.{op}({});
}
""")),
    mutant("returned-across-modules", "reference-write", """import { formularies } from "./handles";
export async function f() {
  const coll = await formularies();
  await coll.{op}({}); // SITE
}
""", "deleteMany", "findOne", ("src/lib/handles.ts", "", HEADER + """
export async function formularies() {
  const db = await getReferenceDb();
  return db.collection("formularies_staging");
}
""")),
    mutant("exported-module-value", "reference-write", """import { refDb } from "@/lib/ref";
export async function f() {
  const db = await refDb;
  await db.collection("formularies_staging").{op}({}); // SITE
}
""", "insertMany", "findOne", ("src/lib/ref.ts", "", HEADER + "export const refDb = getReferenceDb();\n")),
    mutant("callback-helper", "reference-write", """import { withReferenceDb } from "@/lib/with-reference";
export async function f() {
  await withReferenceDb(async (db) => {
    await db.collection("formularies_staging").{op}({}); // SITE
  });
}
""", "deleteMany", "findOne", ("src/lib/with-reference.ts", "", HEADER + """import type { Db } from "mongodb";
export async function withReferenceDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const db = await getReferenceDb();
  return work(db);
}
""")),
    mutant("constructor-injection", "reference-write", HEADER + """import { FormularyRepo } from "./formulary-repo";
export async function f() {
  const repo = new FormularyRepo(await getReferenceDb()); // SITE
  return repo;
}
""", "updateMany", "find", ("src/lib/formulary-repo.ts", "", """import type { Db } from "mongodb";
export class FormularyRepo {
  constructor(private readonly db: Db) {}
  async refresh() {
    await this.db.collection("formularies_staging").{op}({});
  }
}
""")),
    mutant("static-method-helper", "reference-write", HEADER + """import { Writer } from "./writer";
export async function f() {
  await Writer.put(await getReferenceDb()); // SITE
}
""", "insertOne", "findOne", ("src/lib/writer.ts", "", """import type { Db } from "mongodb";
export class Writer {
  static async put(db: Db) {
    await db.collection("formularies_staging").{op}({});
  }
}
""")),
    mutant("instance-method-helper", "reference-write", HEADER + """import { Store } from "./store";
const store = new Store();
export async function f() {
  await store.save(await getReferenceDb()); // SITE
}
""", "replaceOne", "findOne", ("src/lib/store.ts", "", """import type { Db } from "mongodb";
export class Store {
  async save(db: Db) {
    await db.collection("formularies_staging").{op}({}, {});
  }
}
""")),
    mutant("aliased-helper-function", "reference-write", HEADER + """import { insertPost, listPosts } from "@/lib/repo";
export async function f() {
  const run = {op};
  await run(await getReferenceDb(), { title: "x" }); // SITE
}
""", "insertPost", "listPosts"),
    mutant("object-literal-helper", "reference-write", HEADER + """import repo from "./repo-object";
export async function f() {
  await repo.{op}(await getReferenceDb(), "x"); // SITE
}
""", "remove", "get", ("src/lib/repo-object.ts", "", """import type { Db } from "mongodb";
export default {
  async remove(db: Db, id: string) {
    await db.collection("formularies_staging").deleteOne({ id });
  },
  get: (db: Db, id: string) => db.collection("formularies_staging").findOne({ id }),
};
""")),
    Case("commonjs-require-helper", "reference-write", (("src/lib/legacy/index.js", "", """const { getReferenceDb } = require("../db");
const { {op} } = require("./store");
const store = require("./store");

async function sync() {
  const db = await getReferenceDb();
  await {op}(db, { id: 1 }); // SITE
  await store.{op}(db, { id: 2 });
}

module.exports = { sync };
"""), ("src/lib/legacy/store.js", "", """async function save(db, doc) {
  await db.collection("formularies_staging").insertOne(doc);
}

exports.save = save;
module.exports.load = (db, doc) => db.collection("formularies_staging").findOne(doc);
""")), "save", "load", "src/lib/legacy/index.js"),
    mutant("computed-method", "dynamic-use", HEADER + """
export async function f(method: string) {
  const db = await getReferenceDb();
  const m = method || "findOne";
  await (db.collection("formularies_staging") as any)[{op}]({}); // SITE
}
""", "m", '"findOne"'),
    mutant("collection-from-variable", "reference-write", HEADER + """
export async function f(name: string) {
  const db = await getReferenceDb();
  await db.collection(name).{op}({}); // SITE
}
""", "deleteMany", "findOne"),
    mutant("phi-collection-read", "phi-on-reference", HEADER + """
export async function f() {
  const db = await getReferenceDb();
  await db.collection("{op}").find({}).toArray(); // SITE
}
""", "members", "providers_staging"),
    Case("registry-phi-on-reference", "phi-on-reference",
         (("data-classification.yaml", "members: { class: phi, cluster: prod }",
           "members: { class: phi, cluster: {op} } # SITE"),
          ("docs/infrastructure/data-classification.md", "| members | phi | prod |", "| members | phi | {op} |")),
         "reference", "prod", "data-classification.yaml"),
    Case("tf-role-readWrite", "ATL-DB-005", (("infra/envs/prod/atlas.tf", 'role_name     = "read"',
         'role_name     = "{op}" # SITE'),), "readWrite", "readAnyDatabase", "infra/envs/prod/atlas.tf"),
    Case("tf-role-dbAdmin", "ATL-DB-005", (("infra/envs/prod/atlas.tf", 'role_name     = "read"',
         'role_name     = "{op}" # SITE'),), "dbAdmin", "read", "infra/envs/prod/atlas.tf"),
    Case("tf-no-scopes", "ATL-DB-005", (("infra/envs/prod/atlas.tf",
         'scopes {\n    name = "reference"\n    type = "CLUSTER"\n  }', "{op}"),),
         "", 'scopes {\n    name = "reference"\n    type = "CLUSTER"\n  }', "infra/envs/prod/atlas.tf",
         'resource "mongodbatlas_database_user" "app_read_staging"'),
    Case("tf-secret-phi", "tf-phi-secret", (("infra/envs/prod/secrets.tf", 'data_class = "public"',
         'data_class = "{op}"'),), "phi", "public", "infra/envs/prod/ecs.tf", '"MONGODB_REFERENCE_URI"'),
    Case("tf-secret-internal", "tf-secret-class", (("infra/envs/prod/secrets.tf", 'data_class = "public"',
         'data_class = "{op}"'),), "internal", "public", "infra/envs/prod/ecs.tf", '"MONGODB_REFERENCE_URI"'),
    Case("tf-reference-secret-unbound-not-public", "tf-secret-class", (("infra/envs/prod/secrets.tf", "",
         """resource "aws_secretsmanager_secret" "reference_uri_next" {
  name = "prod/app/mongodb-reference-uri-next"
  tags = { data_class = "{op}" } # SITE
}
"""),), "internal", "public", "infra/envs/prod/secrets.tf"),
    Case("tf-task-binds-phi-secret", "tf-phi-secret", (("infra/envs/prod/ecs.tf",
         "valueFrom = aws_secretsmanager_secret.mongodb_reference_uri.arn",
         "valueFrom = aws_secretsmanager_secret.{op}.arn"),), "mongodb_uri", "mongodb_reference_uri",
         "infra/envs/prod/ecs.tf", '"MONGODB_REFERENCE_URI"'),
)


def materialise(case: Case, target: Path, op: str) -> str:
    """Copy the fixture app to `target`, apply the case's edits with `op`; the expected file:line."""
    shutil.copytree(FIXTURE_APP, target)
    for rel, old, new in case.edits:
        path = target / rel
        text = new.replace("{op}", op)
        original = path.read_text(encoding="utf-8") if path.exists() else ""
        if old:
            assert old in original, f"{case.name}: {old!r} not in {rel}"
            text = original.replace(old, text, 1)
        else:
            text = original + text
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    lines = (target / case.site).read_text(encoding="utf-8").splitlines()
    line = next(n for n, t in enumerate(lines, start=1) if case.needle in t)
    return f"{case.site}:{line}"
