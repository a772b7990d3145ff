"""One `check` run from files: snapshot + config + policy directory + waivers -> Results, and its
plain-text rendering. `attest check` and `attest demo` both go through here.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

from attest.collector.config import EstateConfig, load_config
from attest.core.errors import BadInputError, EvaluationError
from attest.core.gcpause import paused_gc
from attest.collector.merge import merge_snapshots
from attest.collector.snapshot import GAP_REASON_LABELS, Snapshot, load_snapshot
from attest.policies.engine import evaluate
from attest.policies.findings import Results, Status
from attest.policies.rule_loader import POLICIES_DIR, PolicySet, load_policy_set
from attest.policies.terraform.mapping import load_mapping
from attest.policies.waivers import Waiver, load_waivers


def parse_day(text: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInputError(f"not a date (YYYY-MM-DD): {text!r}", where=where) from None


def load_check_waivers(path: str | Path, policy: PolicySet, today: dt.date) -> tuple[Waiver, ...]:
    """Waivers may name any rule attest evaluates: the live rules and the Terraform plane's own
    (drift, change records), so a drift waiver is valid whether or not --terraform is given."""
    known = {r.id for r in policy.rules} | set(load_mapping().rules)
    return load_waivers(path, sorted(known), today)


def load_snapshots(paths: Sequence[str | Path]) -> Snapshot:
    """One snapshot, or the merge of partial ones (one per job of a CI matrix); a resource that two
    partials describe differently is bad input naming the second file."""
    return merge_snapshots([load_snapshot(str(p)) for p in paths], [str(p) for p in paths])


def require_coverage(snapshot: Snapshot, config: EstateConfig) -> None:
    """Merged partials must cover every account and project the config lists: a group whose job
    wrote no partial would otherwise leave its resources unjudged, and its rules could pass."""
    covered = {a.get("id") for a in snapshot.scope.get("aws_accounts", [])}
    covered |= {p.get("id") for p in snapshot.scope.get("atlas_projects", [])}
    missing = sorted(({a.id for a in config.aws_accounts} | {p.id for p in config.atlas_projects}) - covered)
    if missing:
        raise EvaluationError(f"no snapshot given covers {', '.join(missing)}, listed in the config", where=config.path)


def run_check(
    snapshot_paths: str | Path | Sequence[str | Path],
    config_path: str | Path,
    *,
    policies_dir: str | Path = POLICIES_DIR,
    waivers_path: str | Path | None = None,
    today: dt.date | None = None,
) -> Results:
    """Load every input (each bad one is a located BadInputError) and evaluate."""
    with paused_gc():  # once a big snapshot is in memory, every automatic collection walks all of it
        return _run_check(snapshot_paths, config_path, policies_dir, waivers_path, today)


def _run_check(
    snapshot_paths: str | Path | Sequence[str | Path],
    config_path: str | Path,
    policies_dir: str | Path,
    waivers_path: str | Path | None,
    today: dt.date | None,
) -> Results:
    paths = [snapshot_paths] if isinstance(snapshot_paths, (str, Path)) else list(snapshot_paths)
    snapshot = load_snapshots(paths)
    config = load_config(config_path)
    if len(paths) > 1:
        require_coverage(snapshot, config)
    return check_loaded(snapshot, config, policies_dir, waivers_path, today)


def check_loaded(snapshot: Snapshot, config: EstateConfig, policies_dir: str | Path,
                 waivers_path: str | Path | None, today: dt.date | None, *, evidence: bool = True) -> Results:
    """Evaluate a snapshot and config already in hand (the Terraform plane reuses them); `evidence`
    as `engine.evaluate`'s."""
    policy = load_policy_set(policies_dir)
    day = today or snapshot.collected_at.date()
    waivers = load_check_waivers(waivers_path or Path(policies_dir) / "waivers.yaml", policy, day)
    return evaluate(snapshot, config, policy, waivers, today=day, evidence=evidence)


def gap_line(gap: dict[str, Any]) -> str:
    """One source that could not be read, and the controls that rest on it (text output)."""
    where = f"{gap.get('scope')}/{gap['region']}" if gap.get("region") else str(gap.get("scope"))
    label = gap.get("label") or GAP_REASON_LABELS.get(str(gap.get("reason")), str(gap.get("reason")))
    controls = gap.get("controls")
    rests = ("controls resting on it: " + ", ".join(controls)) if controls else (
        "no control in scope rests on it" if controls is not None else "controls resting on it not recorded")
    return f"GAP     {gap.get('pointer', '')} {gap.get('operation')} in {where}: {label} ({gap.get('detail')}); {rests}"


def render_text(results: Results) -> str:
    """One line per finding that is not a pass, then one summary line per control, then waivers."""
    lines = []
    for f in results.findings:
        if f.status is not Status.PASS:
            target = f.resource_id or "-"
            lines.append(f"{f.status.value.upper():7} {f.rule_id} {f.severity} {target} {f.evidence}: {f.message}")
    lines.extend(gap_line(gap) for gap in results.gaps)
    if lines:
        lines.append("")
    # Counted once, not once per control, and by the Status itself: `.value` is a descriptor call,
    # twice per finding when counted by it.
    by_rule = Counter((f.rule_id, f.status) for f in results.findings)
    for control in results.controls:
        counts: dict[Status, int] = {}
        for rule_id in set(control.rule_ids):
            for status in Status:
                if (rule_id, status) in by_rule:
                    counts[status] = counts.get(status, 0) + by_rule[(rule_id, status)]
        summary = ", ".join(f"{counts[s]} {s.value}" for s in Status if s in counts) or "no automated findings"
        manual = f"; {len(control.attestations)} attestation(s)" if control.attestations else ""
        limited = f"; scope limited by {', '.join(control.scope_limitations)}" if control.scope_limitations else ""
        lines.append(f"{control.control_id}: {control.status.value.upper()} ({summary}{manual}{limited})")
    for waiver in results.waivers:
        if waiver.status != "active":
            detail = waiver.problem or f"expires {waiver.expires}"
            lines.append(f"waiver {waiver.id} {waiver.status}: {detail}")
    return "\n".join(lines) + "\n"
