"""The demo's short evidence chain: fourteen simulated nights from one real collection, and their period view.

Each night is the collected snapshot moved to 02:00 UTC of that night, with the story an auditor
meets in a real period: KMS key rotation switched off on nights 4-7 (a fault appearing and being
fixed), a new task-definition revision from the deploy pipeline on night 8, no export on night 10
(a missed night), and the laptop access-list waiver expiring on night 9 (waived, then failing).
Every night is checked, rendered and exported by the same pipeline as a real one, into its own
locker, and `attest period` reads it back through verification.
"""
from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import yaml

from attest.output import write_files
from attest.collector.config import EstateConfig
from attest.collector.snapshot import Snapshot, snapshot_from_dict
from attest.evidence.lockers import open_local
from attest.evidence.window import verified_window
from attest.pipeline import export_snapshot
from attest.policies.rule_loader import POLICIES_DIR
from attest.reports.period.render import period_model, render_period

NIGHTS = 14
FAULT_NIGHTS = range(4, 8)
CHANGE_NIGHT = 8
WAIVER_EXPIRES_NIGHT = 9
MISSED_NIGHT = 10
DEMO_WAIVER = "WVR-001"


def _night_snapshot(base: dict[str, Any], night: int, moment: datetime, deployer: str | None) -> Snapshot:
    raw = json.loads(json.dumps(base))
    raw["collected_at"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if night >= CHANGE_NIGHT:
        raw = _new_revision(raw, moment.replace(hour=0) - timedelta(hours=14), deployer)
    for resource in raw["resources"]:
        if resource["type"] == "aws.kms.key" and night in FAULT_NIGHTS:
            resource["attributes"]["KeyRotationEnabled"] = False
    return snapshot_from_dict(raw, f"demo night {night}")


def _new_revision(raw: dict[str, Any], registered: datetime, deployer: str | None) -> dict[str, Any]:
    """The running task definition replaced by the next revision, registered by the deploy pipeline."""
    task = next((r for r in raw["resources"] if r["type"] == "aws.ecs.task_definition"), None)
    if task is None:
        return raw
    old = task["id"]
    family, _, revision = old.rpartition(":")
    new = f"{family}:{int(revision) + 1}"
    raw = json.loads(json.dumps(raw).replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1]))
    task = next(r for r in raw["resources"] if r["id"] == new)
    task["attributes"]["revision"] = int(revision) + 1
    task["attributes"]["registeredAt"] = registered.strftime("%Y-%m-%dT%H:%M:%SZ")
    task["attributes"]["tags"] = [{"key": "git_sha", "value": "9f3c2e1"}]
    if deployer:
        task["attributes"]["registeredBy"] = deployer
    return raw


def _waivers_file(target: Path, expires: date) -> Path:
    """The policy set's waivers, with the demo waiver expiring inside the simulated period."""
    data = yaml.safe_load((POLICIES_DIR / "waivers.yaml").read_text(encoding="utf-8")) or {"waivers": []}
    for waiver in data.get("waivers") or []:
        if waiver.get("id") == DEMO_WAIVER:
            waiver["expires"] = expires.isoformat()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return target


def _clock(moment: datetime) -> Iterator[datetime]:
    step = 0
    while True:
        yield moment + timedelta(seconds=step)
        step += 1


def simulate(snapshot: Snapshot, config: EstateConfig, out: Path) -> tuple[date, date, Path]:
    """Export the simulated nights into `out/evidence` (made afresh) and render the period view into `out`."""
    last = snapshot.collected_at.date() - timedelta(days=1)
    first = last - timedelta(days=NIGHTS - 1)
    shutil.rmtree(out / "evidence", ignore_errors=True)
    waivers = _waivers_file(out / "waivers.yaml", first + timedelta(days=WAIVER_EXPIRES_NIGHT - 1))
    base = snapshot.to_dict()
    deployer = config.deploy_principals[0] if config.deploy_principals else None
    for night in range(1, NIGHTS + 1):
        if night == MISSED_NIGHT:
            continue
        day = first + timedelta(days=night - 1)
        moment = datetime(day.year, day.month, day.day, 2, 0, tzinfo=timezone.utc)
        ticks = _clock(moment)
        export_snapshot(
            _night_snapshot(base, night, moment, deployer), config, locker_location=str(out / "evidence"),
            policies=POLICIES_DIR, waivers_path=waivers, environ={}, now=lambda: next(ticks), new_chain=night == 1,
        )
    locker = open_local(str(out / "evidence"), create=False)
    window = verified_window(locker, None, timedelta(hours=config.evidence.cadence_hours), first, last, skip_signatures=False)
    write_files(render_period(period_model(locker, window, 3, "demo")), out)
    return first, last, out / "period.html"
