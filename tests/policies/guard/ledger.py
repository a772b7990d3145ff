"""A hand-written Express service, not derived from the guard's fixture app or the estates: a
`tsconfig.json` alias `~/`, the reference handle opened from the URI variable (no helper), a write
reached through a repository class and a write in a chain spread over lines, an inline waiver
(active), one expired and one malformed, a test file that writes, and Terraform whose reference
user may write."""
from __future__ import annotations

from pathlib import Path

from jsapp import write

LEDGER = {
    "tsconfig.json": '{ "compilerOptions": { "baseUrl": ".", "paths": { "~/*": ["server/*"] } } }\n',
    "package.json": '{ "name": "ledger", "private": true, "dependencies": { "express": "^4", "mongodb": "^6" } }\n',
    "data-classification.yaml": (
        "collections:\n"
        "  tariffs: { class: public, cluster: reference }\n"
        "  tariff_audit: { class: internal, cluster: reference }\n"
        "  invoices: { class: phi, cluster: app }\n"),
    "server/refdb.ts": (
        'import { MongoClient } from "mongodb";\n'
        "\n"
        "const client = new MongoClient(process.env.MONGODB_REFERENCE_URI!);\n"
        "export const tariffs = client\n"
        '  .db("reference")\n'
        '  .collection("tariffs");\n'),
    "server/store.ts": (
        'import { tariffs } from "~/refdb";\n'
        "\n"
        "export class TariffStore {\n"
        "  async bump(code: string) {\n"
        "    await tariffs\n"
        "      .updateOne({ code }, { $inc: { version: 1 } });\n"
        "  }\n"
        "  list() {\n"
        "    return tariffs.find({}).toArray();\n"
        "  }\n"
        "}\n"),
    "server/routes.ts": (
        'import express from "express";\n'
        'import { TariffStore } from "~/store";\n'
        'import { tariffs } from "~/refdb";\n'
        "\n"
        "export const router = express.Router();\n"
        "const store = new TariffStore();\n"
        'router.post("/tariffs/:code/bump", async (req, res) => {\n'
        "  await store.bump(req.params.code);\n"
        "  res.sendStatus(204);\n"
        "});\n"
        'router.delete("/tariffs/:code", async (req, res) => {\n'
        '  // attest-guard: allow reference-write reason="retire a tariff, ticketed" issue=#41 until=2027-01-31\n'
        "  await tariffs.deleteOne({ code: req.params.code });\n"
        "  res.sendStatus(204);\n"
        "});\n"
        'router.put("/tariffs", async (_req, res) => {\n'
        '  // attest-guard: allow reference-write reason="bulk load" issue=#12 until=2025-01-01\n'
        "  await tariffs.insertMany([]);\n"
        "  // attest-guard: allow reference-write because I said so\n"
        "  await tariffs.deleteMany({});\n"
        "  res.sendStatus(204);\n"
        "});\n"),
    "server/stamp.ts": (
        "export async function stamp(coll: any, code: string) {\n"
        "  await coll\n"
        "    .updateOne({ code }, { $set: { stampedAt: new Date() } });\n"
        "}\n"),
    "server/admin.ts": (
        'import { tariffs } from "~/refdb";\n'
        'import { mirror } from "ledger-mirror";\n'
        'import { stamp } from "~/stamp";\n'
        "\n"
        "export async function run(op: string) {\n"
        "  await (tariffs as any)[op]({});\n"
        "  await mirror(tariffs);\n"
        "  await stamp(tariffs, op);\n"
        "}\n"),
    "server/__tests__/store.test.ts": (
        'import { tariffs } from "~/refdb";\n'
        "\n"
        'test("reset", async () => {\n'
        "  await tariffs.deleteMany({});\n"
        "});\n"),
    "infra/atlas.tf": (
        'resource "mongodbatlas_project" "reference" {\n'
        '  name   = "reference"\n'
        "  org_id = var.org\n"
        "}\n"
        "\n"
        'resource "mongodbatlas_database_user" "ledger_ref" {\n'
        '  username           = "ledger_ref"\n'
        "  project_id         = mongodbatlas_project.reference.id\n"
        '  auth_database_name = "admin"\n'
        "\n"
        "  roles {\n"
        '    role_name     = "readWrite"\n'
        '    database_name = "reference"\n'
        "  }\n"
        "}\n"),
}


# The pull request: a new route stamps a tariff through the (unchanged) helper that writes.
PR = {"server/routes.ts": LEDGER["server/routes.ts"].replace(
    'import { tariffs } from "~/refdb";\n',
    'import { tariffs } from "~/refdb";\nimport { stamp } from "~/stamp";\n').replace(
    "  await store.bump(req.params.code);\n",
    "  await store.bump(req.params.code);\n  await stamp(tariffs, req.params.code);\n")}


def ledger(root: Path) -> Path:
    write(root, LEDGER)
    return root
