"""Output formats: SARIF 2.1.0 valid against the official schema (waivers as suppressions), GitHub
workflow annotations with file and line, and the text path."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from guard_cases import FIXTURE_APP

from attest.policies.guard.rules import RULES

SCHEMA = Path(__file__).resolve().parents[2] / "vendored" / "schemas" / "sarif-schema-2.1.0.json"


def _mutate(app: Path) -> None:
    (app / "src/lib/sync.ts").write_text(
        'import { insertPost } from "@/lib/repo";\n'
        'import { getReferenceDb } from "@/lib/db";\n'
        "export async function sync() {\n"
        "  const db = await getReferenceDb();\n"
        '  // attest-guard: allow reference-write reason="seeding, tracked" issue=#9 until=2026-12-31\n'
        '  await db.collection("providers_staging").insertOne({});\n'
        '  await insertPost(db, { title: "t" });\n'
        "}\n", encoding="utf-8")


def test_sarif_is_valid_and_carries_paths_and_suppressions(app: Path, guard) -> None:
    _mutate(app)
    run = guard(app, fmt="sarif")
    assert run.code == 1
    doc = json.loads(run.out)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text(encoding="utf-8")))
    results = doc["runs"][0]["results"]
    by_site = {r["properties"]["site"]: r for r in results}
    assert by_site["src/lib/sync.ts:6"]["suppressions"][0]["kind"] == "inSource"
    through = by_site["src/lib/sync.ts:7"]
    assert "suppressions" not in through
    hops = [loc["location"]["physicalLocation"] for loc in through["codeFlows"][0]["threadFlows"][0]["locations"]]
    assert [h["artifactLocation"]["uri"] for h in hops][-1] == "src/lib/repo/posts.ts"
    # shown at the write call itself (the helper's line), the whole path as related locations
    assert through["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "src/lib/repo/posts.ts",
                                                                               "uriBaseId": "%SRCROOT%"}
    assert through["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 4, "startColumn": 32, "endLine": 4, "endColumn": 47}
    assert [r["physicalLocation"]["region"]["startLine"] for r in through["relatedLocations"]] == [4, 7, 3, 4, 4]
    assert all(r["level"] == "error" and r["partialFingerprints"]["attestFinding/v1"] for r in results)


def test_github_annotations(app: Path, guard) -> None:
    _mutate(app)
    lines = guard(app, fmt="github").out.splitlines()
    assert any(line.startswith("::error file=src/lib/repo/posts.ts,line=4,endLine=4,col=32,endColumn=47,"
                               "title=attest guard reference-write (fail)::") for line in lines)
    assert any(line.startswith("::notice file=src/lib/sync.ts,line=6,") for line in lines)
    error = next(line for line in lines if line.startswith("::error"))
    assert "%0Apath: src/lib/sync.ts:4 getReferenceDb() opens the reference database" in error
    assert "src/lib/repo/posts.ts:4 .insertOne() writes" in error


def test_text_shows_each_hop(app: Path, guard) -> None:
    _mutate(app)
    out = guard(app, fmt="text").out
    assert "FAIL reference-write src/lib/sync.ts:7: insertOne writes to collection 'posts'" in out
    assert "    src/lib/repo/posts.ts:3  parameter db of insertPost" in out


def test_output_file(app: Path, guard, tmp_path: Path) -> None:
    _mutate(app)
    target = tmp_path / "out" / "guard.json"
    run = guard(app, "--output", str(target))
    assert run.code == 1 and run.out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["summary"] == {"error": 0, "fail": 1, "waived": 1, "test": 0}


def test_findings_are_ordered_by_file_then_line_number(app: Path, guard) -> None:
    body = "\n".join(f'  await db.collection("formularies_staging").deleteOne({{ n: {n} }});' for n in range(12))
    (app / "src/lib/many.ts").write_text(
        'import { getReferenceDb } from "@/lib/db";\nexport async function f() {\n'
        f"  const db = await getReferenceDb();\n{body}\n}}\n", encoding="utf-8")
    lines = [int(site.split(":")[1]) for _rule, site in guard(app).sites()]
    assert lines == list(range(4, 16))


def test_clean_sarif_is_valid_and_lists_every_rule(guard) -> None:
    doc = json.loads(guard(FIXTURE_APP, fmt="sarif").out)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert doc["runs"][0]["results"] == []
    assert len(doc["runs"][0]["tool"]["driver"]["rules"]) == len(RULES)
