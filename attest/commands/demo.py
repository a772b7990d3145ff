"""`attest demo`: the whole pipeline on the bundled local estate, reports into ./out/, a period view into ./out/period/.

Starts moto's server and the Atlas emulator on loopback, seeds the estate of ../shared/DESIGN.md,
collects it, checks it, renders every report, writes a chained evidence bundle, verifies it, and
stops the estate. It exits 0 once all of that is written and verified: the verdict on the seeded
estate (which has planted failures) is printed, and `attest check` is the command whose exit code
carries a verdict.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from attest.period_demo import NIGHTS, simulate
from attest.pipeline import ExportRun, copy_files, export_snapshot, newest_bundle
from attest.collector.config import load_config
from attest.collector.run import collect
from attest.evidence.lockers import open_locker
from attest.evidence.verify import Verification, verify_locker
from attest.policies.findings import Status
from attest.policies.rule_loader import POLICIES_DIR


def register(sub: Any) -> None:
    parser = sub.add_parser("demo", help="run collect, check, report and export on the bundled local estate")
    parser.add_argument("--output", "-o", default="out", help="directory for the reports and evidence (default: out)")
    parser.add_argument("--estate", default="default", help="seeded estate name or file (default: default)")
    parser.add_argument("--config", help="estate config (default: the local estate's)")
    parser.set_defaults(run=run)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _summary(done: ExportRun, out: Path, verification: Verification, period: str) -> str:
    lines = ["", f"attest demo: the seeded estate, judged against {len(done.results.controls)} controls", ""]
    for control in done.results.controls:
        lines.append(f"  {control.status.value.upper():7} {control.control_id}  {control.title}")
    lines.append("")
    for finding in done.results.findings:
        if finding.status is not Status.PASS:
            lines.append(f"  {finding.status.value:7} {finding.rule_id}  {finding.resource_id or '-'}")
    bundle = done.published.manifest.bundle_id
    lines += [
        "",
        f"  reports:   {out / 'reports'}/ (control-mapping.html, findings.html, vendor-register.html, ...)",
        f"  snapshot:  {out / 'snapshot.json'}",
        f"  findings:  {out / 'findings.json'}",
        f"  evidence:  {out / 'evidence' / bundle} "
        f"({len(verification.bundles)} bundle(s) in the chain, {len(verification.problems)} problem(s))",
        f"  verdict:   exit code {done.exit_code} from `attest check` on this snapshot",
        f"  period:    {period}",
        "",
    ]
    lines += [f"  evidence problem: {p.line()}" for p in verification.problems]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from attest.sandbox import LOCAL_CONFIG  # the [sandbox] extra: imported only when asked for
    from attest.sandbox.local import local_estate

    out = Path(args.output)
    config = load_config(args.config or LOCAL_CONFIG)
    fresh = newest_bundle(str(out / "evidence"), config.evidence, {}) is None
    sys.stderr.write("attest demo: starting the local estate (moto server and Atlas emulator on 127.0.0.1)\n")
    with local_estate(args.estate) as estate:
        environ = dict(estate.env)
        snapshot = collect(config, environ, now=_now)
        done = export_snapshot(
            snapshot,
            config,
            locker_location=str(out / "evidence"),
            policies=POLICIES_DIR,
            waivers_path=None,
            environ=environ,
            now=_now,
            new_chain=fresh,
        )
    copy_files({k: v for k, v in done.files.items() if not k.startswith("config/")}, out)
    settings = config.evidence
    locker = open_locker(str(out / "evidence"), settings, environ, create=False)
    verification = verify_locker(locker, settings.public_key_pem, timedelta(hours=settings.cadence_hours))
    sys.stderr.write(f"attest demo: simulating {NIGHTS} nights of evidence from this collection for the period view\n")
    first, last, page = simulate(snapshot, config, out / "period")
    period = f"{page} (SOC 2 Type II view of {first} to {last}: simulated nightly chain in {out / 'period' / 'evidence'})"
    sys.stdout.write(_summary(done, out, verification, period))
    return 0 if not verification.problems else 1
