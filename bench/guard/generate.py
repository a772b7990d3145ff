"""Generate a TypeScript (Next.js-style) repo for benchmarking `attest guard`.

The repo has `files` source files with realistic imports (path aliases, relative siblings, barrel
re-exports, components in .tsx) and planted writes toward the reference cluster in six forms, from a
plain write to a helper in another module that receives the handle. Decoys write to the prod handle
(`getDb()`) in the same forms and must not be flagged. `planted.json` lists each planted site.

    .venv/bin/python bench/guard/generate.py /tmp/guard-bench --files 2000
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

KINDS = ("direct", "alias", "helper", "returned", "then", "merge")
ENTITIES = [f"entity{i}" for i in range(20)]
HANDLES = [f"catalog{i}" for i in range(10)]
COLLECTIONS = ("formularies_staging", "providers_staging")

DB_TS = """import { Db, MongoClient } from "mongodb";

let prod: MongoClient | null = null;
let reference: MongoClient | null = null;

export async function getDb(): Promise<Db> {
  prod ??= new MongoClient(process.env.MONGODB_URI as string);
  return prod.db("app");
}

export async function getReferenceDb(): Promise<Db> {
  reference ??= new MongoClient(process.env.MONGODB_REFERENCE_URI ?? (process.env.MONGODB_URI as string));
  return reference.db("reference");
}
"""


def repo_module(entity: str) -> str:
    name = entity.capitalize()
    return f"""import type {{ Collection, Db }} from "mongodb";

export interface {name} {{
  id: string;
  updatedAt: Date;
}}

export async function save{name}(db: Db, doc: {name}): Promise<void> {{
  await db.collection("{entity}_items").insertOne(doc);
}}

export async function list{name}(db: Db): Promise<{name}[]> {{
  return db.collection<{name}>("{entity}_items").find({{}}).limit(50).toArray();
}}

export async function remove{name}(coll: Collection, id: string): Promise<void> {{
  await coll.deleteOne({{ id }});
}}
"""


def handle_module(name: str, collection: str) -> str:
    return f"""import {{ getDb, getReferenceDb }} from "@/lib/db";

export async function {name}Coll() {{
  const db = await getReferenceDb();
  return db.collection("{collection}");
}}

export async function {name}ProdColl() {{
  const db = await getDb();
  return db.collection("{collection}_copy");
}}
"""


def util_module(index: int, rng: random.Random) -> str:
    deps = sorted({rng.randrange(index) for _ in range(2)}) if index > 1 else []
    imports = "".join(f'import {{ util{d} }} from "./u{d}";\n' for d in deps)
    calls = " + ".join(f"util{d}(x)" for d in deps) or "x * 2"
    return f"""{imports}
export function util{index}(x: number): number {{
  const y = {calls};
  return Math.round(y / {index + 1});
}}

export const label{index} = (s: string): string => s.trim().toLowerCase() + "-{index}";
"""


def component(index: int, utils: int) -> str:
    return f"""import React from "react";
import {{ util{index % utils} }} from "@/lib/util/u{index % utils}";

export function Card{index}({{ title, value }}: {{ title: string; value: number }}) {{
  const shown = util{index % utils}(value);
  return (
    <section className="card">
      <h2>{{title}}</h2>
      <p>{{shown > 10 ? <strong>{{shown}}</strong> : <em>{{shown}}</em>}}</p>
    </section>
  );
}}
"""


def body_for(kind: str, source: str, rng: random.Random) -> tuple[list[str], int, list[str]]:
    """Lines of one function that writes through `source`; the index of the write line; imports."""
    entity, handle = rng.choice(ENTITIES), rng.choice(HANDLES)
    coll = rng.choice(COLLECTIONS)
    ref = source == "getReferenceDb"
    if kind == "direct":
        return ([f"  const db = await {source}();",
                 f'  await db.collection("{coll}").updateOne({{ id }}, {{ $set: {{ seen: true }} }});'], 1, [])
    if kind == "alias":
        return ([f"  const db = await {source}();", f'  const coll = db.collection("{coll}");',
                 "  const target = coll;", "  await target.deleteMany({ id });"], 3, [])
    if kind == "helper":
        name = entity.capitalize()
        return ([f"  const db = await {source}();", f"  await save{name}(db, {{ id, updatedAt: new Date() }});"], 1,
                [f'import {{ save{name} }} from "@/lib/repo";'])
    if kind == "returned":
        fn = f"{handle}Coll" if ref else f"{handle}ProdColl"
        return ([f"  const coll = await {fn}();", "  await coll.insertOne({ id });"], 1,
                [f'import {{ {fn} }} from "@/lib/handles/{handle}";'])
    if kind == "then":
        return ([f'  await {source}().then((db) => db.collection("{coll}").replaceOne({{ id }}, {{ id }}));'], 0, [])
    return ([f"  const db = await {source}();", '  const stage = { $merge: { into: "rollup" } };',
             "  const pipeline: object[] = [{ $match: { id } }];", "  pipeline.push(stage);",
             f'  await db.collection("{coll}").aggregate(pipeline).toArray();'], 4, [])


def feature_module(rel: str, index: int, rng: random.Random, utils: int, plant: str | None,
                   decoy: str | None) -> tuple[str, list[dict[str, object]]]:
    imports = {'import { getDb, getReferenceDb } from "@/lib/db";'}
    for d in sorted({rng.randrange(utils) for _ in range(3)}):
        imports.add(f'import {{ util{d} }} from "@/lib/util/u{d}";')
    depth = rel.count("/") - 2  # directories below src/features, where shared.ts lives
    planted: list[dict[str, object]] = []
    functions: list[tuple[list[str], str | None, int]] = []
    functions.append(([
        f"export async function lookup{index}(id: string) {{",
        "  const db = await getReferenceDb();",
        '  const hit = await db.collection("formularies_staging").findOne({ id });',
        "  return hit ? hit.tier : null;", "}"], None, -1))
    functions.append(([
        f"export function score{index}(values: number[]): number {{",
        "  let total = 0;",
        "  for (const v of values) {",
        "    total += v > 0 ? v : -v;",
        "  }",
        "  return total;", "}"], None, -1))
    for kind, source, mark in ((plant, "getReferenceDb", plant), (decoy, "getDb", None)):
        if kind is None:
            continue
        lines, at, extra = body_for(kind, source, rng)
        imports.update(extra)
        functions.append(([f"export async function {kind}{'Ref' if mark else 'Prod'}{index}(id: string) {{",
                           *lines, "}"], mark, at + 1))
    out = [*sorted(imports), f'import {{ helper }} from "{"../" * depth or "./"}shared";' if depth else "", ""]
    for lines, mark, at in functions:
        if mark:
            planted.append({"file": rel, "line": len(out) + at + 1, "kind": mark})
        out += [*lines, ""]
    return "\n".join(out), planted


def generate(root: Path, files: int, seed: int = 7) -> dict[str, object]:
    rng = random.Random(seed)
    written: dict[str, str] = {
        "tsconfig.json": json.dumps({"compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./src/*"]}}}, indent=2),
        "src/lib/db.ts": DB_TS,
        "src/lib/repo/index.ts": "".join(f'export * from "./{e}";\n' for e in ENTITIES),
        "data-classification.yaml": "collections:\n" + "".join(
            f"  {c}: {{ class: public, cluster: reference }}\n" for c in COLLECTIONS),
        "src/features/shared.ts": "export const helper = (s: string): string => s;\n",
    }
    for entity in ENTITIES:
        written[f"src/lib/repo/{entity}.ts"] = repo_module(entity)
    for i, name in enumerate(HANDLES):
        written[f"src/lib/handles/{name}.ts"] = handle_module(name, COLLECTIONS[i % 2])
    utils = 100
    for i in range(utils):
        written[f"src/lib/util/u{i}.ts"] = util_module(i, rng)
    components = 300
    for i in range(components):
        written[f"src/components/Card{i}.tsx"] = component(i, utils)
    code_files = sum(1 for k in written if k.endswith((".ts", ".tsx")))
    remaining = files - code_files
    plants = [KINDS[i % len(KINDS)] for i in range(48)]
    plant_at = dict(zip(rng.sample(range(remaining), len(plants)), plants))
    decoy_at = {i: KINDS[i % len(KINDS)] for i in rng.sample(range(remaining), 48)}
    planted: list[dict[str, object]] = []
    for i in range(remaining):
        rel = f"src/features/f{i // 40}/m{i}.ts"
        text, found = feature_module(rel, i, rng, utils, plant_at.get(i), decoy_at.get(i))
        written[rel] = text
        planted += found
    for rel, text in written.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    manifest = {"files": sum(1 for k in written if k.endswith((".ts", ".tsx"))), "planted": planted}
    (root / "planted.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    manifest = generate(args.root, args.files, args.seed)
    print(f"{manifest['files']} files, {len(manifest['planted'])} planted writes in {args.root}")


if __name__ == "__main__":
    main()
