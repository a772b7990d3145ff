"""Inline waivers on the line above: active ones waive (and are listed); expired or malformed don't."""
from __future__ import annotations

from pathlib import Path

WRITER = """import {{ getReferenceDb }} from "@/lib/db";
export async function backfill() {{
  const db = await getReferenceDb();
  {comment}
  await db.collection("formularies_staging").updateMany({{}}, {{ $set: {{ v: 2 }} }});
}}
"""
GOOD = '// attest-guard: allow reference-write reason="one-off backfill by ingest" issue=#42 until=2026-12-31'


def _write(app: Path, comment: str) -> None:
    (app / "src/lib/backfill.ts").write_text(WRITER.format(comment=comment), encoding="utf-8")


def test_active_waiver_waives_and_is_listed(app: Path, guard) -> None:
    _write(app, GOOD)
    run = guard(app)
    assert run.code == 0
    assert run.sites("waived") == [("reference-write", "src/lib/backfill.ts:5")]
    doc = run.json()
    assert doc["waivers"][0]["state"] == "active" and doc["waivers"][0]["issue"] == "#42"
    text = guard(app, fmt="text").out
    assert "WAIVED reference-write src/lib/backfill.ts:5" in text
    assert "src/lib/backfill.ts:4 active allow reference-write #42 until 2026-12-31" in text


def test_expired_waiver_does_not_apply(app: Path, guard) -> None:
    _write(app, GOOD.replace("2026-12-31", "2026-01-31"))
    run = guard(app)
    assert run.code == 1
    assert run.sites("fail") == [("reference-write", "src/lib/backfill.ts:5")]
    assert run.json()["waivers"][0]["state"] == "expired"


def test_malformed_waiver_does_not_apply(app: Path, guard) -> None:
    _write(app, GOOD.replace(' reason="one-off backfill by ingest"', ""))
    run = guard(app)
    assert run.code == 1
    assert run.json()["waivers"][0]["state"] == "malformed"


def test_waiver_for_another_rule_does_not_apply(app: Path, guard) -> None:
    _write(app, GOOD.replace("allow reference-write", "allow dynamic-use"))
    assert guard(app).code == 1


def test_waiver_with_unknown_rule_is_malformed(app: Path, guard) -> None:
    _write(app, GOOD.replace("allow reference-write", "allow everything"))
    run = guard(app)
    assert run.code == 1
    assert "unknown rule" in run.json()["waivers"][0]["problem"]


def test_terraform_waiver_with_hash_comment(app: Path, guard) -> None:
    tf = app / "infra/envs/prod/atlas.tf"
    tf.write_text(tf.read_text(encoding="utf-8").replace(
        '    role_name     = "read"',
        '    # attest-guard: allow ATL-DB-005 reason="migration window" issue=#7 until=2026-07-01\n'
        '    role_name     = "readWrite"'), encoding="utf-8")
    run = guard(app)
    assert run.code == 0
    assert run.sites("waived") == [("ATL-DB-005", "infra/envs/prod/atlas.tf:13")]
