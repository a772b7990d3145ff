"""Mutations for the forms of issue 13: shapes of public Next.js and Express MongoDB apps (a shared
client module caching its promise on `global`, a `connectToDatabase(uri)` helper, a config object,
connect-mongo's session store, async generators, static getters), hand-written. Each must become a
violation or an `error`; its read-only twin passes."""
from __future__ import annotations

from guard_cases import HEADER, Case, mutant

MONGO = 'import { MongoClient } from "mongodb";\n'
CONNECT_HELPER = MONGO + """const { MONGODB_REFERENCE_URI } = process.env;

async function connectToDatabase(uri: string) {
  const client = new MongoClient(uri);
  await client.connect();
  await client.db("reference").collection("formularies_staging").{op}({});
}
export const sync = () => connectToDatabase(MONGODB_REFERENCE_URI as string); // SITE
"""
CONFIG_OBJECT = MONGO + """const config = {
  port: Number(process.env.PORT ?? 3000),
  refUri: process.env.MONGODB_REFERENCE_URI as string,
};
export async function f() {
  const client = new MongoClient(config.refUri);
  await client.db("reference").collection("formularies_staging").{op}({}); // SITE
  return config.port;
}
"""
TEMPLATE = MONGO + """export async function f() {
  const client = new MongoClient(`${process.env.MONGODB_REFERENCE_URI}?retryWrites=true&w=majority`);
  await client.db("reference").collection("formularies_staging").{op}({}); // SITE
}
"""
ASSIGNED_ENV = MONGO + """const env = Object.assign({}, process.env, { NODE_ENV: "production" });
export async function f() {
  const client = new MongoClient(env.{op} as string);
  await client.db("reference").collection("formularies_staging").deleteOne({}); // SITE
}
"""
RETURNED_ENV = MONGO + """function settings() {
  return process.env;
}
export async function f() {
  const { {op}: uri } = settings();
  const client = new MongoClient(uri as string);
  await client.db("reference").collection("formularies_staging").insertOne({}); // SITE
}
"""
# A shared client module in the shape of the Next.js example, with the helper renamed to the
# reference one: the URI variable is the app's own, the client is cached on `global`.
SHARED_CLIENT = MONGO + """const uri = process.env.REFERENCE_DATABASE_URL as string;

declare global {
  var _referenceClientPromise: Promise<MongoClient> | undefined;
}

if (!global._referenceClientPromise) {
  const client = new MongoClient(uri);
  global._referenceClientPromise = client.connect();
}
const clientPromise = global._referenceClientPromise!;

export async function getReferenceDb() {
  return (await clientPromise).db("reference");
}
export default clientPromise;

clientPromise.then((client) => client.db("reference").collection("formularies_staging").{op}({ planId: 1 })); // SITE
"""
SHARED = "src/lib/reference-client.ts"
SESSION_STORE = """import MongoStore from "connect-mongo";
import clientPromise from "@/lib/reference-client";

export const store = MongoStore.create({ {op}, collectionName: "sessions" }); // SITE
"""
NESTED = HEADER + """export function handler() {
  return () => () => () => () => () => async () => {
    const db = await getReferenceDb();
    await db.collection("formularies_staging").{op}({}); // SITE
  };
}
"""


def chain(depth: int, op: str) -> str:
    """Local functions calling each other `depth` deep, the last one using the handle (16 deep: the
    last is past the inline limit, and the guard fails closed there)."""
    lines = [HEADER, "export async function f() {", "  const db = await getReferenceDb();"]
    for level in range(depth):
        lines.append(f"  async function step{level}(d: any) {{ return step{level + 1}(d); }}")
    lines.append(f"  async function step{depth}(d: any) {{ // DEEP\n    return d.collection(\"formularies_staging\").{op}({{}});\n  }}")
    lines += ["  return step0(db);", "}", ""]
    return "\n".join(lines)


def many(op: str) -> str:
    """An array holding 16 instances of a repo class, then the reference collection."""
    items = ",\n    ".join("new Cache()" for _ in range(16))
    return (HEADER + "class Cache {}\nexport async function f() {\n  const db = await getReferenceDb();\n"
            f"  const all = [{items}, db.collection(\"formularies_staging\")];\n"
            f"  for (const c of all) await (c as any).{op}({{}}); // SITE\n}}\n")


REQUIRE_ENV = MONGO + """function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
export async function f() {
  const client = new MongoClient(requireEnv("{op}"));
  await client.db("reference").collection("formularies_staging").insertOne({}); // SITE
}
"""
COMPUTED_ENV = MONGO + """const KEYS = { reference: ["MONGODB", "REFERENCE", "URI"].join("_") };
export async function f() {
  const client = new MongoClient(`${{op}}`); // SITE
  return client.db("reference").collection("formularies_staging").findOne({});
}
"""

WRAPPER = ("src/lib/ref-wrap.ts", "", HEADER + """export async function openStaging() {
  return (await getReferenceDb()).collection("formularies_staging");
}
""")

FORM_CASES: tuple[Case, ...] = (
    mutant("dynamic-import-of-a-wrapper", "reference-write", """export async function f() {
  const { openStaging } = await import("@/lib/ref-wrap");
  const staging = await openStaging();
  await staging.{op}({}); // SITE
}
""", "insertOne", "findOne", WRAPPER),
    mutant("require-inside-a-function", "reference-write", """export async function f() {
  const wrap = require("./ref-wrap");
  const staging = await wrap.openStaging();
  await staging.{op}({}); // SITE
}
""", "deleteOne", "countDocuments", WRAPPER),
    mutant("uri-named-through-require-env", "reference-write", REQUIRE_ENV, "MONGODB_REFERENCE_URI", "ANALYTICS_URI"),
    mutant("uri-from-a-computed-env-key", "dynamic-use", COMPUTED_ENV, "process.env[KEYS.reference]",
           "process.env.ANALYTICS_URI"),
    mutant("uri-destructured-into-connect-helper", "reference-write", CONNECT_HELPER, "insertOne", "findOne"),
    mutant("uri-in-config-object", "reference-write", CONFIG_OBJECT, "updateMany", "countDocuments"),
    mutant("uri-in-template-literal", "reference-write", TEMPLATE, "deleteMany", "find"),
    mutant("uri-from-object-assign-env", "reference-write", ASSIGNED_ENV, "MONGODB_REFERENCE_URI", "ANALYTICS_URI"),
    mutant("uri-from-function-returned-env", "reference-write", RETURNED_ENV, "MONGODB_REFERENCE_URI",
           "ANALYTICS_URI"),
    Case("helper-module-bootstrap-createIndexes", "reference-write", ((SHARED, "", SHARED_CLIENT),),
         "createIndexes", "indexes", SHARED),
    mutant("helper-client-to-connect-mongo", "third-party-handle", SESSION_STORE, "clientPromise",
           "mongoUrl: process.env.SESSION_STORE_URI", (SHARED, "", SHARED_CLIENT.replace("{op}", "indexes"))),
    mutant("uri-to-connect-mongo-mongo-url", "third-party-handle", """import MongoStore from "connect-mongo";
export const store = MongoStore.create({ mongoUrl: process.env.{op}, collectionName: "sessions" }); // SITE
""", "MONGODB_REFERENCE_URI", "SESSION_STORE_URI"),
    mutant("write-five-arrow-functions-deep", "reference-write", NESTED, "insertOne", "findOne"),
    Case("local-calls-past-the-inline-limit", "dynamic-use", (("src/lib/mutant.ts", "", "{op}"),),
         chain(16, "insertOne"), chain(3, "findOne"), needle="DEEP"),
    mutant("seventeenth-value-of-an-array", "reference-write", "{op}", many("deleteMany"), many("findOne")),
    mutant("collection-destructured-from-db", "reference-write", HEADER + """
export async function f() {
  const db = await getReferenceDb();
  const { collection } = db;
  await collection("formularies_staging").{op}({}); // SITE
}
""", "replaceOne", "findOne"),
    mutant("collection-bound-to-db", "reference-write", HEADER + """
export async function f() {
  const db = await getReferenceDb();
  const collection = db.collection.bind(db);
  await collection("formularies_staging").{op}({}); // SITE
}
""", "insertMany", "distinct"),
    mutant("yield-from-async-generator", "reference-write", HEADER + """
async function* stagingCollections() {
  const db = await getReferenceDb();
  yield db.collection("formularies_staging");
}
export async function f() {
  for await (const coll of stagingCollections()) {
    await coll.{op}({}); // SITE
  }
}
""", "deleteOne", "findOne"),
    mutant("static-class-getter", "reference-write", HEADER + """
class Stores {
  static get staging() {
    return getReferenceDb().then((db) => db.collection("formularies_staging"));
  }
}
export async function f() {
  const staging = await Stores.staging;
  await staging.{op}({}); // SITE
}
""", "updateOne", "findOne"),
    mutant("destructured-collections-from-a-function", "reference-write", HEADER + """
async function collections() {
  const db = await getReferenceDb();
  return { staging: db.collection("formularies_staging"), providers: db.collection("providers_staging") };
}
export async function f() {
  const { staging, providers } = await collections();
  await providers.findOne({});
  await staging.{op}({}); // SITE
}
""", "insertOne", "findOne"),
    mutant("baseurl-import-is-a-repo-module", "reference-write", HEADER + """import { {op} } from "src/lib/repo/posts";
export async function f() {
  await {op}(await getReferenceDb(), { title: "x" }); // SITE
}
""", "insertPost", "listPosts"),
    mutant("collections-through-object-values", "reference-write", HEADER + """
export async function f() {
  const db = await getReferenceDb();
  const registry = { staging: db.collection("formularies_staging") };
  for (const coll of Array.from(Object.values(registry))) await coll.{op}({}); // SITE
}
""", "deleteMany", "findOne"),
    mutant("computed-collection-name-written", "reference-write", HEADER + """
export async function f(name: string) {
  const db = await getReferenceDb();
  await db[name as "x"].{op}({}); // SITE
}
""", "insertOne", "findOne"),
)
