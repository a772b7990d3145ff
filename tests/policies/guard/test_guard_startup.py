"""`attest guard` starts light: networkx, importlib.metadata and the report and AWS stacks are not
imported to start it, and a run never imports networkx, even one that confirms a chain (the guard's
path check is its own, docs/architecture.md; a warm diff scan is mostly start-up, bench/README.md
"The guard cache"). Checked in a fresh interpreter by what it imported, never by time."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("networkx", "importlib.metadata", "jinja2", "boto3", "botocore")
READS = {
    "lib/reference.ts": 'import { MongoClient } from "mongodb";\n'
                        "const client = new MongoClient(process.env.MONGODB_REFERENCE_URI!);\n"
                        'export async function getReferenceDb() {\n  return client.db("ref");\n}\n',
    "app/levels.ts": 'import { getReferenceDb } from "../lib/reference";\n\nexport async function levels() {\n'
                     "  const db = await getReferenceDb();\n"
                     '  return db.collection("stock").find({}).toArray();\n}\n',
}
WRITE = ('\nexport async function reset() {\n  const db = await getReferenceDb();\n'
         '  await db.collection("stock").deleteMany({});\n}\n')


def _heavy_after(code: str) -> list[str]:
    """The heavy modules a fresh interpreter has imported after running `code`."""
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    found: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def _guard(repo: Path, out: Path) -> str:
    return (f"from attest.cli import main\n"
            f"main(['guard', {str(repo)!r}, '--format', 'sarif', '--output', {str(out)!r}])")


def _repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_starting_the_guard_command_imports_nothing_heavy() -> None:
    assert _heavy_after("import attest.cli, attest.commands.guard") == []


def test_a_run_imports_nothing_heavy_with_or_without_a_finding(tmp_path: Path) -> None:
    clean = _repo(tmp_path / "clean", READS)
    assert _heavy_after(_guard(clean, tmp_path / "clean.sarif")) == []
    writes = _repo(tmp_path / "writes", {**READS, "app/levels.ts": READS["app/levels.ts"] + WRITE})
    assert _heavy_after(_guard(writes, tmp_path / "writes.sarif")) == []
    results = json.loads((tmp_path / "writes.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["reference-write"]
