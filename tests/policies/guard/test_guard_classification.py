"""The classification registry: YAML and the Markdown table both count; bad entries name file:line."""
from __future__ import annotations

from pathlib import Path

from attest.policies.guard.classification import load_registry

PATHS = ("data-classification.yaml", "docs/infrastructure/data-classification.md")


def test_markdown_table_is_imported(app: Path) -> None:
    (app / "data-classification.yaml").unlink()
    registry = load_registry(app, PATHS)
    assert registry["members"].data_class == "phi"
    assert registry["members"].where == "docs/infrastructure/data-classification.md:7"
    assert registry["formularies_staging"].cluster == "reference"


def test_markdown_phi_on_reference_fails(app: Path, guard) -> None:
    (app / "data-classification.yaml").unlink()
    md = app / "docs/infrastructure/data-classification.md"
    md.write_text(md.read_text(encoding="utf-8").replace("| members | phi | prod |", "| members | phi | reference |"),
                  encoding="utf-8")
    run = guard(app)
    assert ("phi-on-reference", "docs/infrastructure/data-classification.md:7") in run.sites()


def test_unknown_class_is_bad_input(app: Path, guard) -> None:
    path = app / "data-classification.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("class: internal", "class: secretish"), encoding="utf-8")
    run = guard(app)
    assert run.code == 2
    assert "data-classification.yaml:6" in run.err


def test_unclassified_collection_read_through_reference_is_an_error(app: Path, guard) -> None:
    (app / "src/lib/plans.ts").write_text(
        'import { getReferenceDb } from "@/lib/db";\n'
        'export const plans = async () => (await getReferenceDb()).collection("plans_staging").find().toArray();\n',
        encoding="utf-8")
    run = guard(app)
    assert run.code == 3
    assert ("unclassified-collection", "src/lib/plans.ts:2") in run.sites("error")
