"""Test files and fixtures fall under their own policy (`test_files`, `test_policy`): a test that
swaps a module-level collection for an in-memory one is reported as `test`, never blocking; with
`test_policy: enforce` it is a violation like any code; production code is never relaxed."""
from __future__ import annotations

from pathlib import Path

from attest.policies.guard.testfiles import DEFAULT_TEST_FILES, is_test_file

STORE = (
    'import { getReferenceDb } from "@/lib/db";\n'
    "export let plans = null;\n"
    "export async function open() {\n"
    '  plans = (await getReferenceDb()).collection("formularies_staging");\n'
    "}\n"
    "export const use = (c) => { plans = c; };\n"
    "export const count = () => plans.countDocuments({});\n")
SWAP_TEST = (
    'import { use, plans, count } from "@/lib/store";\n'
    'import { memoryCollection } from "./memory";\n'
    "\n"
    'test("counts", async () => {\n'
    "  use(memoryCollection());\n"
    '  await plans.insertOne({ name: "basic" });\n'
    "  expect(await count()).toBe(1);\n"
    "});\n")
MEMORY = "export const memoryCollection = () => ({ insertOne: async () => {}, countDocuments: async () => 1 });\n"


def _app(app: Path, test_path: str) -> None:
    (app / "src/lib/store.ts").write_text(STORE, encoding="utf-8")
    target = app / test_path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(SWAP_TEST, encoding="utf-8")
    (target.parent / "memory.ts").write_text(MEMORY, encoding="utf-8")


def test_in_memory_swap_in_a_test_is_not_a_blocking_reference_write(app: Path, guard) -> None:
    _app(app, "src/lib/__tests__/store.test.ts")
    run = guard(app)
    assert run.code == 0
    assert run.sites("test") == [("reference-write", "src/lib/__tests__/store.test.ts:6")]
    assert run.json()["summary"]["test"] == 1
    assert "1 in test files (not blocking)" in guard(app, fmt="text").out
    assert guard(app, fmt="github").out.startswith("::notice file=src/lib/__tests__/store.test.ts,line=6,")


def test_enforce_policy_treats_tests_like_any_code(app: Path, guard) -> None:
    _app(app, "src/lib/__tests__/store.test.ts")
    (app / ".attest-guard.yaml").write_text("test_policy: enforce\n", encoding="utf-8")
    run = guard(app)
    assert run.code == 1
    assert run.sites("fail") == [("reference-write", "src/lib/__tests__/store.test.ts:6")]


def test_the_same_code_outside_a_test_file_is_a_violation(app: Path, guard) -> None:
    _app(app, "src/lib/sync/store-user.ts")
    run = guard(app)
    assert run.code == 1
    assert run.sites("fail") == [("reference-write", "src/lib/sync/store-user.ts:6")]


def test_test_files_are_configurable(app: Path, guard) -> None:
    _app(app, "src/lib/checks/store-check.ts")
    (app / ".attest-guard.yaml").write_text('test_files: ["src/lib/checks/**"]\n', encoding="utf-8")
    assert guard(app).sites("test") == [("reference-write", "src/lib/checks/store-check.ts:6")]


def test_default_test_file_patterns() -> None:
    for rel in ("a.test.ts", "src/x.spec.tsx", "src/__tests__/a.ts", "tests/e2e/a.ts", "app/fixtures/seed.js",
                "__mocks__/mongodb.js", "cypress/e2e/a.cy.ts"):
        assert is_test_file(rel, DEFAULT_TEST_FILES), rel
    for rel in ("src/lib/store.ts", "src/testing-utils.ts", "src/latest/a.ts", "app/contest/page.tsx"):
        assert not is_test_file(rel, DEFAULT_TEST_FILES), rel


def test_bad_test_policy_is_bad_input(app: Path, guard) -> None:
    (app / ".attest-guard.yaml").write_text("test_policy: skip\n", encoding="utf-8")
    run = guard(app)
    assert run.code == 2 and ".attest-guard.yaml:1: test_policy: must be one of report, enforce" in run.err
