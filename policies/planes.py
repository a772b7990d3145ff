"""The static planes beside a snapshot: Terraform roots and app code, judged in that order onto the
live results. `attest check` and `attest export` both go through here, so the nightly bundle holds
the same three planes, in the same findings, as a check run by hand."""
from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, overload

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Snapshot
from attest.core.errors import AttestError, BadInputError
from attest.policies.findings import Finding, Mapping, Results, Status
from attest.policies.rollup import rerolled
from attest.policies.rule_loader import POLICIES_DIR
from attest.policies.terraform.hcl import evidence_path, evidence_root

if TYPE_CHECKING:  # the planes are imported when one is judged: a check of a snapshot alone starts without them
    from attest.policies.terraform.plane import TerraformInputs


@dataclass(frozen=True)
class StaticPlanes:
    """What to judge besides the snapshot: Terraform roots (with what resolves them) and code roots."""

    terraform: TerraformInputs | None = None
    code: tuple[Path, ...] = ()

    def apart(self) -> tuple[StaticPlanes, ...]:
        """Each plane given, alone (Terraform first): judged one by one, bad input in one costs only it."""
        return tuple(p for p in (StaticPlanes(terraform=self.terraform), StaticPlanes(code=self.code)) if p.roots())

    def roots(self) -> tuple[tuple[str, Path], ...]:
        """(plane, root) for every root judged, in the order they are judged."""
        tf = self.terraform.roots if self.terraform is not None else ()
        return tuple(("terraform", r) for r in tf) + tuple(("code", r) for r in self.code)


@overload
def with_static_planes(results: Results, planes: StaticPlanes, snapshot: Snapshot | None,
                       config: EstateConfig | None, *, policies_dir: str | Path = ...,
                       waivers_path: str | Path | None = ..., today: dt.date | None = ...) -> Results: ...
@overload
def with_static_planes(results: None, planes: StaticPlanes, snapshot: Snapshot | None,
                       config: EstateConfig | None, *, policies_dir: str | Path = ...,
                       waivers_path: str | Path | None = ..., today: dt.date | None = ...) -> Results | None: ...
def with_static_planes(results: Results | None, planes: StaticPlanes, snapshot: Snapshot | None,
                       config: EstateConfig | None, *, policies_dir: str | Path = POLICIES_DIR,
                       waivers_path: str | Path | None = None, today: dt.date | None = None) -> Results | None:
    """`results` (None: no snapshot was judged) with the Terraform plane, then the code plane, folded in."""
    if planes.terraform is not None:
        from attest.policies.terraform.plane import with_terraform

        results = with_terraform(results, planes.terraform, snapshot, config, policies_dir=policies_dir,
                                 waivers_path=waivers_path, today=today)
    if planes.code:
        from attest.policies.code_plane import with_code

        results = with_code(results, planes.code, live=snapshot is not None, policies_dir=policies_dir, today=today)
    return results


NOT_JUDGED = "static-planes-not-judged"
_NOT_JUDGED_REASON = ("The Terraform or code roots given to this run could not be read (bad input), so the "
                      "evidence this control takes from them is missing for the run.")


def judged_apart(results: Results, planes: StaticPlanes, snapshot: Snapshot | None, config: EstateConfig | None,
                 *, policies_dir: str | Path = POLICIES_DIR, waivers_path: str | Path | None = None,
                 today: dt.date | None = None) -> tuple[Results, BadInputError | None]:
    """`with_static_planes`, a plane at a time: bad input in the Terraform roots does not cost the code
    plane its verdicts (nor the other way round). Each plane refused is `not_judged`; the first refusal
    is returned for the caller to report."""
    refused: BadInputError | None = None
    for plane in planes.apart():
        try:
            results = with_static_planes(results, plane, snapshot, config, policies_dir=policies_dir,
                                         waivers_path=waivers_path, today=today)
        except BadInputError as exc:
            results = not_judged(results, plane, exc)
            refused = refused or exc
    return results, refused


def not_judged(results: Results, plane: StaticPlanes, error: AttestError) -> Results:
    """The results plus one `error` finding naming the bad input that stopped one static plane, on
    every control that plane evidences (each rolled up again): a run that keeps its other evidence says
    what it lacks, and never passes for it. The input is named in the message (it may lie outside any
    repository the bundle cites), not as evidence."""
    ((name, _), *_) = plane.roots()
    controls = _static_controls(plane)
    title = f"The {'Terraform' if name == 'terraform' else 'code'} roots could not be judged"
    finding = Finding(NOT_JUDGED, title, Status.ERROR, "high", tuple(sorted(controls)), None, "",
                      f"not judged: {error.diagnostic()}", plane=name)
    findings = tuple(sorted((*results.findings, finding), key=Finding.sort_key))
    mapping = Mapping(NOT_JUDGED, _NOT_JUDGED_REASON)
    rolled = tuple(rerolled(c if mapping in c.mappings else replace(c, mappings=(*c.mappings, mapping)), findings,
                            results.evaluated_on) if c.control_id in controls else c for c in results.controls)
    return replace(results, findings=findings, controls=rolled)


def _static_controls(planes: StaticPlanes) -> frozenset[str]:
    """The controls the given planes evidence: the code plane's (its rules' controls) and the
    Terraform plane's (the rules its checks implement)."""
    controls: set[str] = set()
    if planes.code:
        from attest.policies.code_plane import REASONS

        controls |= set(REASONS)
    if planes.terraform is not None:
        from attest.policies.terraform.mapping import load_mapping

        controls |= {c for rule in load_mapping().rules.values() for c in rule.controls}
    return frozenset(controls)


@dataclass(frozen=True)
class Revision:
    """Which version of a root was judged: its path from the git top level, the commit checked out,
    and whether the tree held uncommitted changes under the root; None where git could not tell
    (outside a repository, no commit yet, git refused), never a guess of "clean"."""

    plane: str
    path: str
    commit: str | None
    uncommitted: bool | None

    def to_dict(self) -> dict[str, object]:
        return {"plane": self.plane, "path": self.path, "commit": self.commit, "uncommitted_changes": self.uncommitted}


def revisions(planes: StaticPlanes) -> tuple[Revision, ...]:
    """The revision of every root the planes judge, so evidence names the code behind its file:line citations."""
    return tuple(_revision(plane, root) for plane, root in planes.roots())


def _revision(plane: str, root: Path) -> Revision:
    top = evidence_root(root)
    commit = _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    status = _git(root, "status", "--porcelain", "--", ".") if commit is not None else None
    return Revision(plane, evidence_path(root, top), commit, None if status is None else bool(status))


def _git(root: Path, *args: str) -> str | None:
    """git's output in `root`; None when git is missing, fails or `root` is not in a repository."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
