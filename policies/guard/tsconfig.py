"""Path aliases from tsconfig.json / jsconfig.json (`compilerOptions.paths`, e.g. `@/*`), following
`extends` chains: each setting is relative to the file that sets it."""
from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from typing import Callable

from attest.core.errors import BadInputError
from attest.core.nesting import MAX_DEPTH, deeper_than, json_depth_exceeded
from attest.core.textfile import read_utf8


def _strip_jsonc(text: str) -> str:
    """tsconfig is JSON with comments and trailing commas; drop both outside strings."""
    out = re.sub(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', lambda m: m.group(1) or "", text, flags=re.S)
    return re.sub(r",(\s*[}\]])", r"\1", out)


def load_aliases(repo: Path, exists: Callable[[str], bool]) -> tuple[list[tuple[str, list[str]]], str | None]:
    """`compilerOptions.paths` of the repo's tsconfig.json (else jsconfig.json), following `extends`,
    and its `baseUrl` (repo-relative), under which a bare specifier may name a repo module."""
    for name in ("tsconfig.json", "jsconfig.json"):
        if exists(name):
            base_url, paths, paths_dir = _compiler_options(repo, name, exists, frozenset({name}))
            if not isinstance(paths, dict):
                raise BadInputError("compilerOptions.paths must be an object", where=name)
            root = base_url if base_url is not None else paths_dir
            aliases = [
                (prefix, [posixpath.normpath(posixpath.join(root, t)) for t in targets])
                for prefix, targets in sorted(paths.items(), key=lambda kv: -len(kv[0]))
                if isinstance(targets, list)
            ]
            return aliases, base_url
    return [], None


def _compiler_options(repo: Path, rel: str, exists: Callable[[str], bool],
                      seen: frozenset[str]) -> tuple[str | None, object, str]:
    """(baseUrl, paths, directory of the file that set paths) after `extends`: each setting is
    relative to the file that sets it, and the extending file overrides its bases."""
    try:
        text = _strip_jsonc(read_utf8(repo / rel, rel))
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputError(f"not valid JSON: {exc.msg}", where=f"{rel}:{exc.lineno}") from None
    except RecursionError:
        place = json_depth_exceeded(text)
        where = f"{rel}:{place[0]}:{place[1]}" if place else rel
        raise BadInputError(f"not accepted: JSON nested deeper than {MAX_DEPTH} levels", where=where) from None
    if deeper_than(data):
        place = json_depth_exceeded(text)
        raise BadInputError(f"not accepted: JSON nested deeper than {MAX_DEPTH} levels",
                            where=f"{rel}:{place[0]}:{place[1]}" if place else rel)
    if not isinstance(data, dict):
        raise BadInputError("must be a JSON object", where=rel)
    base_url: str | None = None
    paths: object = {}
    paths_dir = ""
    parents = data.get("extends") or []
    for parent in [parents] if isinstance(parents, str) else parents if isinstance(parents, list) else []:
        target = _extended(rel, str(parent), exists)
        if target is None or target in seen:
            continue
        got_base, got_paths, got_dir = _compiler_options(repo, target, exists, seen | {target})
        base_url = got_base if got_base is not None else base_url
        if got_paths:
            paths, paths_dir = got_paths, got_dir
    options = data.get("compilerOptions") or {}
    here = posixpath.dirname(rel)
    if isinstance(options, dict) and isinstance(options.get("baseUrl"), str):
        base_url = posixpath.normpath(posixpath.join(here, options["baseUrl"]))
    if isinstance(options, dict) and "paths" in options:
        paths, paths_dir = options["paths"], here
    return base_url, paths, paths_dir


def _extended(rel: str, spec: str, exists: Callable[[str], bool]) -> str | None:
    """The repo file an `extends` names; a relative one that is missing is bad input, a package one
    (e.g. `next/tsconfig`) that is not installed in the repo is skipped."""
    if spec.startswith("."):
        base = posixpath.normpath(posixpath.join(posixpath.dirname(rel), spec))
        found = next((c for c in (base, base + ".json") if exists(c)), None)
        if found is None:
            raise BadInputError(f"extends {spec!r}, which does not exist", where=rel)
        return found
    base = posixpath.normpath(posixpath.join("node_modules", spec))
    return next((c for c in (base, base + ".json", base + "/tsconfig.json") if exists(c)), None)
