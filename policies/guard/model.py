"""Values of the code analysis: where a reference-derived value came from and what was done to it."""
from __future__ import annotations

from dataclasses import dataclass

MAX_HOPS = 24  # a path shows at most this many steps (display only: the finding is kept whole)
WIDEN_AT = 16  # past this many values, values differing only in origin are merged (paths kept: the first)
# A property read on a driver object is plain data (`coll.collectionName`, `db.databaseName`); on
# anything else (a registry object, a parameter) it may hold a handle, so the value carries over.
PLAIN_PROPERTIES = frozenset({"client", "db", "coll", "uri"})


@dataclass(frozen=True)
class Hop:
    """One step of a path: a code site (file, line) and what happened there."""

    file: str
    line: int
    label: str
    column: int = 0  # 1-based start column; 0 when unknown (Terraform, the registry)
    end_line: int = 0  # where the code of the step ends (0: unknown)
    end_column: int = 0  # 1-based, exclusive

    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Val:
    """An abstract value. `root` is "ref" (the reference cluster), "stage" (an aggregation stage that
    writes: $out/$merge), "inst" (an instance of a class in the repo), a parameter index of the
    function being summarised, or "ctor:<index>" (a constructor parameter kept in a field)."""

    root: str | int
    kind: str  # uri | env (the `process.env` object) | envvar (a variable of it named at run time) |
    # envname (one named by a parameter) | namespace (a module loaded by `import()`, coll names it) |
    # export (one of its functions, coll "module#name") | client | db | coll | any | stage |
    # instance (coll then names "module#Class") | method (a member of a driver object, already
    # checked: `const run = coll.findOne`; `bound` names it, "db.collection")
    coll: str | None
    hops: tuple[Hop, ...]
    field: str | None = None  # the object property it sits in (`{ users: coll }`), None for any
    bound: str | None = None

    @property
    def key(self) -> tuple[object, ...]:
        return (*self.shape, self.hops[0] if self.hops else None)

    @property
    def shape(self) -> tuple[object, ...]:
        """What a finding depends on: everything but the path."""
        return (self.root, self.kind, self.coll, self.field, self.bound)

    def extend(self, *hops: Hop, kind: str | None = None, coll: str | None = None) -> Val:
        joined = (self.hops + hops)[:MAX_HOPS]
        return Val(self.root, kind or self.kind, coll if coll is not None else self.coll, joined, self.field,
                   self.bound)

    def is_handle(self) -> bool:
        return self.kind not in ("uri", "env", "envvar", "envname", "stage", "instance", "method", "namespace",
                                 "export")

    def is_reference(self) -> bool:
        """Derived from the reference cluster (or, in a summary, from a parameter)."""
        return self.root == "ref" or isinstance(self.root, int)


def join(*groups: tuple[Val, ...]) -> tuple[Val, ...]:
    """Union of value sets, deduplicated by key (the first path seen wins). Past `WIDEN_AT` values,
    values that differ only in their origin merge: nothing a finding depends on is dropped, and the
    set stays finite (roots, kinds, collections and properties of one repo)."""
    seen: dict[tuple[object, ...], Val] = {}
    for group in groups:
        for val in group:
            seen.setdefault(val.key, val)
    if len(seen) <= WIDEN_AT:
        return tuple(seen.values())
    widened: dict[tuple[object, ...], Val] = {}
    for val in seen.values():
        widened.setdefault(val.shape, val)
    return tuple(widened.values())


def contained(vals: tuple[Val, ...], field: str | None = None) -> tuple[Val, ...]:
    """Values put into an object (under `field`) or an array: the container holds handles but is not
    a driver object."""
    return tuple(Val(v.root, "any" if v.kind in PLAIN_PROPERTIES else v.kind, v.coll, v.hops,
                     field if field is not None else v.field, v.bound) for v in vals)


@dataclass(frozen=True)
class Effect:
    """What a function does to a value: `kind` is write | access | thirdparty | dynamic.

    In a summary, `param` is the parameter whose value it happens to; in a result, it is "ref".
    `site` is where the violation is waived: the write, or the outermost call passing the value;
    `at` is the step itself (the write call), kept when a caller re-sites the effect."""

    kind: str
    param: str | int
    detail: str
    coll: str | None
    hops: tuple[Hop, ...]
    site: Hop
    at: Hop | None = None

    @property
    def origin(self) -> Hop:
        """Where the effect happens: the write (or the use) itself, wherever it was called from."""
        return self.at or self.site

    @property
    def key(self) -> tuple[object, ...]:
        return (self.kind, self.param, self.detail, self.coll, self.site)


@dataclass(frozen=True)
class Summary:
    """A function's behaviour in terms of its parameters: effects on them and values it returns."""

    effects: tuple[Effect, ...] = ()
    returns: tuple[Val, ...] = ()

    def signature(self) -> tuple[object, ...]:
        return (
            tuple(sorted(repr(e.key) for e in self.effects)),
            tuple(sorted(repr(v.key) for v in self.returns)),
        )
