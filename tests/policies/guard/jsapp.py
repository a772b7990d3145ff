"""A hand-written app, not derived from the guard's fixture: code under `app/` and `lib/`, a
`jsconfig.json` with a `@lib/*` alias, CSS modules, and an import of a generated module that is not
checked in (a build step writes it). `PR` is a pull request on it, as {path: new text}."""
from __future__ import annotations

import subprocess
from pathlib import Path

BASE = {
    "jsconfig.json": '{ "compilerOptions": { "baseUrl": ".", "paths": { "@lib/*": ["lib/*"] } } }\n',
    "package.json": '{ "name": "plans", "private": true, "dependencies": { "mongodb": "^6.0.0", "next": "^14" } }\n',
    "data-classification.yaml": (
        "collections:\n"
        "  plans: { class: public, cluster: reference }\n"
        "  views: { class: public, cluster: reference }\n"),
    "lib/mongo.js": (
        'import { MongoClient } from "mongodb";\n'
        "\n"
        "let client;\n"
        "export async function getReferenceDb() {\n"
        "  client = client || new MongoClient(process.env.MONGODB_REFERENCE_URI);\n"
        "  await client.connect();\n"
        '  return client.db("reference");\n'
        "}\n"),
    "lib/plans.js": (
        "export async function listPlans(db) {\n"
        '  return db.collection("plans").find({}).toArray();\n'
        "}\n"
        "\n"
        "export async function touchPlan(db, id) {\n"
        "  return db\n"
        '    .collection("plans")\n'
        "    .updateOne({ id }, { $set: { seen: true } });\n"
        "}\n"),
    "app/plans/page.module.css": ".list { margin: 0; }\n",
    "app/plans/page.jsx": (
        'import styles from "./page.module.css";\n'
        'import { getReferenceDb } from "@lib/mongo";\n'
        'import { listPlans } from "@lib/plans";\n'
        'import { track } from "../../generated/analytics";\n'
        "\n"
        "export default async function Page() {\n"
        '  track("plans");\n'
        "  const plans = await listPlans(await getReferenceDb());\n"
        "  return <ul className={styles.list}>{plans.map((p) => <li key={p.id}>{p.name}</li>)}</ul>;\n"
        "}\n"),
    ".gitignore": "generated/\nnode_modules/\n",
}

# The pull request: a new server action calls the (unchanged) writing helper, and the (unchanged)
# page's read helper now also writes, in a chain spread over lines.
PR = {
    "app/plans/actions.js": (
        '"use server";\n'
        'import { getReferenceDb } from "@lib/mongo";\n'
        'import { touchPlan } from "@lib/plans";\n'
        "\n"
        "export async function markSeen(id) {\n"
        "  await touchPlan(await getReferenceDb(), id);\n"
        "}\n"),
    "lib/plans.js": BASE["lib/plans.js"].replace(
        '  return db.collection("plans").find({}).toArray();\n',
        '  await db.collection("views")\n    .insertOne({ at: new Date() });\n'
        '  return db.collection("plans").find({}).toArray();\n'),
}
# Where each PR finding must be shown: on the lines the pull request added.
PR_LOCATIONS = [("app/plans/actions.js", 6), ("lib/plans.js", 3)]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
                               "PATH": "/usr/bin:/bin", "HOME": str(repo)})
    return done.stdout


def write(repo: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def pr_repo(tmp_path: Path, change: dict[str, str] | None = None, base: dict[str, str] | None = None,
            name: str = "plans-app") -> Path:
    """A git repo with the app (`base`, default this module's) on `main` and the pull request
    committed on `feature` (checked out)."""
    repo = tmp_path / name
    write(repo, BASE if base is None else base)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, PR if change is None else change)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pull request")
    return repo


def added_lines(repo: Path, base: str = "main") -> set[tuple[str, int]]:
    """(file, line) of every line the pull request adds, read from `git diff` independently."""
    out: set[tuple[str, int]] = set()
    current = ""
    for row in git(repo, "diff", "-U0", f"{base}...HEAD").splitlines():
        if row.startswith("+++ "):
            current = row[6:] if row.startswith("+++ b/") else ""
        elif row.startswith("@@"):
            plus = row.split(" ")[2][1:]
            start, _sep, count = plus.partition(",")
            out |= {(current, n) for n in range(int(start), int(start) + int(count or "1"))}
    return out
