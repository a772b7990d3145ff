"""The app repo's data-classification registry: YAML (`collections:`) or the Markdown table in
docs/infrastructure/data-classification.md. Every entry keeps the file:line it came from."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from attest.core.errors import BadInputError
from attest.core.textfile import read_utf8
from attest.core.yamlfile import load_yaml

CLASSES = ("phi", "pii", "confidential", "internal", "public")


@dataclass(frozen=True)
class Entry:
    collection: str
    data_class: str
    cluster: str
    where: str


def load_registry(repo: Path, paths: tuple[str, ...]) -> dict[str, Entry]:
    """All entries of the configured registry files that exist; conflicting entries are bad input."""
    registry: dict[str, Entry] = {}
    for rel in paths:
        path = repo / rel
        if not path.is_file():
            continue
        entries = _markdown(path, rel) if rel.endswith(".md") else _yaml(path, rel)
        for entry in entries:
            known = registry.get(entry.collection)
            if known is not None and (known.data_class, known.cluster) != (entry.data_class, entry.cluster):
                raise BadInputError(
                    f"collection {entry.collection!r} classified differently at {known.where}", where=entry.where
                )
            registry.setdefault(entry.collection, entry)
    return registry


def _check_class(value: object, where: str) -> str:
    if not isinstance(value, str) or value.lower() not in CLASSES:
        raise BadInputError(f"data class must be one of {', '.join(CLASSES)}", where=where)
    return value.lower()


def _yaml(path: Path, rel: str) -> list[Entry]:
    data, loc = load_yaml(path)
    loc = type(loc)(rel, loc.lines)
    if not isinstance(data, dict) or not isinstance(data.get("collections"), dict):
        raise loc.error(("collections",), "must be a mapping of collection name to {class, cluster}")
    entries: list[Entry] = []
    for name, spec in data["collections"].items():
        keypath = ("collections", name)
        if not isinstance(spec, dict):
            raise loc.error(keypath, "must be a mapping with `class` and `cluster`")
        unknown = sorted(set(spec) - {"class", "cluster", "notes"})
        if unknown:
            raise loc.error((*keypath, unknown[0]), "unknown key (expected class, cluster, notes)")
        cluster = spec.get("cluster", "")
        if not isinstance(cluster, str):
            raise loc.error((*keypath, "cluster"), "must be a string")
        data_class = _check_class(spec.get("class"), loc.where((*keypath, "class")))
        entries.append(Entry(str(name), data_class, cluster.lower(), loc.where(keypath)))
    return entries


def _cells(line: str) -> list[str]:
    return [c.strip().strip("`").strip() for c in line.strip().strip("|").split("|")]


def _markdown(path: Path, rel: str) -> list[Entry]:
    """The first table whose header names a collection and a class column."""
    lines = read_utf8(path, rel).splitlines()
    entries: list[Entry] = []
    columns: dict[str, int] | None = None
    for number, line in enumerate(lines, start=1):
        if not line.lstrip().startswith("|"):
            if columns is not None and entries:
                break
            columns = None
            continue
        cells = _cells(line)
        if columns is None:
            names = [c.lower() for c in cells]
            col = next((i for i, n in enumerate(names) if "collection" in n), None)
            cls = next((i for i, n in enumerate(names) if "class" in n), None)
            if col is not None and cls is not None:
                at = next((i for i, n in enumerate(names) if "cluster" in n), -1)
                columns = {"collection": col, "class": cls, "cluster": at}
            continue
        if re.fullmatch(r"[\s|:-]*", line):
            continue
        if len(cells) <= max(columns.values()):
            raise BadInputError("table row has fewer cells than the header", where=f"{rel}:{number}")
        place = f"{rel}:{number}"
        cluster = cells[columns["cluster"]].lower() if columns["cluster"] >= 0 else ""
        entries.append(Entry(cells[columns["collection"]], _check_class(cells[columns["class"]], place), cluster, place))
    return entries
