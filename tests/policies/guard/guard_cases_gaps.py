"""Mutations for the fail-open gaps a review found: forms the guard once passed silently. Same table
style as guard_cases.py; each must become a violation or an `error`, and its read-only twin pass."""
from __future__ import annotations

from guard_cases import HEADER, Case, mutant

ECS = "infra/envs/prod/ecs.tf"
SECRETS_BLOCK = """      secrets = [
        { name = "MONGODB_URI", valueFrom = aws_secretsmanager_secret.mongodb_uri.arn },
        { name = "MONGODB_REFERENCE_URI", valueFrom = aws_secretsmanager_secret.mongodb_reference_uri.arn },
      ]
"""
DEFINITIONS = """  container_definitions = jsonencode([
    {
      name  = "app"
      image = "app:latest"
""" + SECRETS_BLOCK + """    }
  ])
"""
HEREDOC = """  container_definitions = <<JSON
[{"name": "app", "image": "app:latest", "secrets": {op}}]
JSON
"""
LITERAL_JSON_SECRETS = (
    '[{"name": "MONGODB_URI", "valueFrom": "${aws_secretsmanager_secret.mongodb_uri.arn}"}, '
    '{"name": "MONGODB_REFERENCE_URI", "valueFrom": "${aws_secretsmanager_secret.mongodb_reference_uri.arn}"}]'
)

GAP_CASES: tuple[Case, ...] = (
    Case("tf-jsonencode-secrets-from-local", "tf-secret-unresolved", ((ECS, SECRETS_BLOCK, "{op}"),),
         "      secrets = local.app_secrets\n", SECRETS_BLOCK, ECS, "container_definitions"),
    Case("tf-heredoc-json-spliced-secrets", "tf-secret-unresolved", ((ECS, DEFINITIONS, HEREDOC),),
         "${jsonencode(local.app_secrets)}", LITERAL_JSON_SECRETS, ECS, "container_definitions"),
)

ROUTE = HEADER + """
export async function POST() {
  const db = await getReferenceDb();
  await db.collection("formularies_staging").{op}({}); // SITE
  return Response.json({ ok: true });
}
"""
GAP_CASES += (
    Case("route-under-a-nested-build-directory", "reference-write", (("src/app/api/build/route.ts", "", ROUTE),),
         "deleteMany", "countDocuments", "src/app/api/build/route.ts"),
    Case("route-under-a-nested-out-directory", "reference-write", (("src/app/out/route.ts", "", ROUTE),),
         "insertOne", "findOne", "src/app/out/route.ts"),
)

TSCONFIG = '''{
  // Next.js defaults
  "compilerOptions": {
    "strict": true,
    "baseUrl": ".",
    "paths": { "@/*": ["./src/*"] },
  },
}
'''
EXTENDS = '{\n  "extends": "./config/tsconfig.base.json",\n  "compilerOptions": { "strict": true }\n}\n'
BASE_TSCONFIG = '{\n  "compilerOptions": {\n    "baseUrl": "..",\n    "paths": { "@/*": ["./src/*"] }\n  }\n}\n'
COLL = HEADER + """
export async function f() {
  const coll = (await getReferenceDb()).collection("formularies_staging");
"""
GAP_CASES += (
    mutant("then-named-function", "reference-write", HEADER + """import type { Db } from "mongodb";
async function touch(db: Db) {
  await db.collection("formularies_staging").{op}({});
}
export function f() {
  return getReferenceDb().then(touch); // SITE
}
""", "deleteMany", "findOne"),
    mutant("then-imported-named-function", "reference-write", HEADER + """import { {op} } from "@/lib/repo";
export function f() {
  return getReferenceDb().then({op}); // SITE
}
""", "insertPost", "listPosts"),
    mutant("callback-parameter-no-caller", "dynamic-use", HEADER + """
export async function withReference(cb: (db: unknown) => Promise<void>) {
  const db = await getReferenceDb();
  await cb(db); // SITE
}
{op}
""", "", 'export const use = () => withReference(async (db: any) => db.collection("formularies_staging").findOne({}));'),
    mutant("callback-parameter-unknown-at-caller", "dynamic-use", HEADER + """
async function withReference(cb: (db: unknown) => Promise<void>) {
  const db = await getReferenceDb();
  await cb(db);
}
export const use = (work: (db: unknown) => Promise<void>) => withReference({op}); // SITE
""", "work", 'async (db: any) => db.collection("formularies_staging").findOne({})'),
    mutant("method-bind", "reference-write", COLL + """  const run = coll.{op}.bind(coll); // SITE
  await run({});
}
""", "insertOne", "findOne"),
    mutant("method-call", "reference-write", COLL + """  await coll.{op}.call(coll, {}); // SITE
}
""", "insertOne", "findOne"),
    mutant("method-apply", "reference-write", COLL + """  await coll.{op}.apply(coll, [{}]); // SITE
}
""", "deleteMany", "find"),
    mutant("method-destructured", "reference-write", COLL + """  const { {op}: run } = coll; // SITE
  await run.call(coll, {});
}
""", "insertOne", "findOne"),
    mutant("method-subscript-value", "reference-write", COLL + """  const run = coll["{op}"]; // SITE
  await run.call(coll, {});
}
""", "updateMany", "countDocuments"),
    mutant("unknown-method-on-collection", "dynamic-use", COLL + """  await (coll as any).{op}({}); // SITE
}
""", "frobnicate", "findOne"),
    mutant("env-destructured", "reference-write", """import { MongoClient } from "mongodb";
const { {op}: uri } = process.env;
export async function f() {
  const client = new MongoClient(uri as string);
  await client.db("reference").collection("formularies_staging").deleteOne({}); // SITE
}
""", "MONGODB_REFERENCE_URI", "ANALYTICS_URI"),
    mutant("env-destructured-shorthand", "reference-write", """import { MongoClient } from "mongodb";
export async function f() {
  const { MONGODB_REFERENCE_URI, ANALYTICS_URI } = process.env;
  const client = new MongoClient({op} as string);
  await client.db("reference").collection("formularies_staging").deleteOne({}); // SITE
}
""", "MONGODB_REFERENCE_URI", "ANALYTICS_URI"),
    mutant("env-subscript", "reference-write", """import { MongoClient } from "mongodb";
export async function f() {
  const client = new MongoClient(process.env["{op}"]!);
  await client.db("reference").collection("formularies_staging").insertOne({}); // SITE
}
""", "MONGODB_REFERENCE_URI", "ANALYTICS_URI"),
    mutant("tsconfig-extends-aliased-import", "reference-write", """import { getReferenceDb as g } from "@/lib/db";
export async function f() {
  const db = await g();
  await db.collection("formularies_staging").{op}({}); // SITE
}
""", "deleteMany", "findOne", ("tsconfig.json", TSCONFIG, EXTENDS), ("config/tsconfig.base.json", "", BASE_TSCONFIG)),
)
GAP_CASES += (
    mutant("callback-and-handle-both-passed-in", "reference-write", HEADER + """
function run(db: any, cb: (d: any) => Promise<void>) {
  return cb(db);
}
async function work(d: any) {
  await d.collection("formularies_staging").{op}({});
}
export async function f() {
  await run(await getReferenceDb(), work); // SITE
}
""", "insertOne", "findOne"),
    mutant("unknown-global-callee", "dynamic-use", HEADER + """
declare function mystery(x: unknown): void;
export async function f() {
  const db = await getReferenceDb();
  {op}(db); // SITE
}
""", "mystery", "String"),
    mutant("env-object-alias", "reference-write", """import { MongoClient } from "mongodb";
const env = process.env;
export async function f() {
  const client = new MongoClient(env.{op}!);
  await client.db().collection("formularies_staging").deleteMany({}); // SITE
}
""", "MONGODB_REFERENCE_URI", "ANALYTICS_URI"),
    mutant("env-spread-alias", "reference-write", """import { MongoClient } from "mongodb";
const env = { ...process.env, NODE_ENV: "production" };
export async function f() {
  const { {op}: uri } = env;
  const client = new MongoClient(uri!);
  await client.db().collection("formularies_staging").deleteMany({}); // SITE
}
""", "MONGODB_REFERENCE_URI", "ANALYTICS_URI"),
)
GAP_CASES += (
    mutant("handle-to-method-of-unknown-object", "dynamic-use", HEADER + """
export async function f() {
  const db = await getReferenceDb();
  {op}; // SITE
}
""", "globalThis.keep(db)", "console.log(db)"),
    mutant("class-field-arrow-called-with-handle", "dynamic-use", HEADER + """
export class Job {
  run = async (d: any) => d.collection("formularies_staging").findOne({});
  async read(d: any) {
    return d.collection("formularies_staging").findOne({});
  }
  async go() {
    await this.{op}(await getReferenceDb()); // SITE
  }
}
""", "run", "read"),
)
GAP_CASES += (
    mutant("callback-parameter-via-call", "reference-write", HEADER + """
async function withReference(cb: (db: any) => Promise<void>) {
  const db = await getReferenceDb();
  await cb.call(null, db);
}
export const use = () => withReference(async (db: any) => db.collection("formularies_staging").{op}({})); // SITE
""", "deleteMany", "findOne"),
    mutant("callback-parameter-via-apply", "dynamic-use", HEADER + """
export async function withReference(cb: (db: any) => Promise<void>) {
  const db = await getReferenceDb();
  await cb.apply(null, [{op}]); // SITE
}
""", "db", "1"),
)

ATLAS = "infra/envs/prod/atlas.tf"
ROLES = '  roles {\n    role_name     = "read"\n    database_name = "reference"\n  }\n'
GAP_CASES += (
    Case("tf-roles-dynamic-block", "tf-user-unresolved", ((ATLAS, ROLES, "{op}"),),
         '  dynamic "roles" {\n    for_each = var.reference_roles\n    content {\n      role_name     = roles.value\n'
         '      database_name = "reference"\n    }\n  }\n', ROLES, ATLAS,
         'resource "mongodbatlas_database_user" "app_read_staging"'),
    Case("tf-role-from-variable", "tf-user-unresolved", ((ATLAS, ROLES, "{op}"),),
         ROLES.replace('"read"', "var.reference_role"), ROLES, ATLAS,
         'resource "mongodbatlas_database_user" "app_read_staging"'),
    Case("tf-scopes-dynamic-block", "tf-user-unresolved", ((ATLAS, '  scopes {\n    name = "reference"\n    type = "CLUSTER"\n  }\n', "{op}"),),
         '  dynamic "scopes" {\n    for_each = ["reference"]\n    content {\n      name = scopes.value\n      type = "CLUSTER"\n'
         '    }\n  }\n', '  scopes {\n    name = "reference"\n    type = "CLUSTER"\n  }\n', ATLAS,
         'resource "mongodbatlas_database_user" "app_read_staging"'),
)
GAP_CASES += (
    mutant("client-from-namespace-constructor", "reference-write", """import * as mongodb from "mongodb";
export async function f() {
  const client = new mongodb.MongoClient(process.env.{op}!);
  await client.db().collection("formularies_staging").insertOne({}); // SITE
}
""", "MONGODB_REFERENCE_URI", "ANALYTICS_URI"),
    mutant("map-constructed-with-handles", "reference-write", HEADER + """
export async function f() {
  const handles = new Map([["f", (await getReferenceDb()).collection("formularies_staging")]]);
  await handles.get("f").{op}({}); // SITE
}
""", "deleteMany", "findOne"),
    mutant("handle-to-unknown-constructor", "dynamic-use", HEADER + """
declare class Keeper { constructor(x: unknown); }
export async function f() {
  const db = await getReferenceDb();
  return new Keeper({op}); // SITE
}
""", "db", '"db"'),
)
