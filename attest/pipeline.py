"""Snapshot -> check -> reports -> evidence bundle: the run that `attest export` and `attest demo` share.

It lives in `attest/` because it wires three stages together (policies, reports, evidence), and
only the command layer may import all of them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Mapping

from attest.collector.config import EstateConfig, EvidenceConfig
from attest.core.errors import BadInputError
from attest.collector.snapshot import Snapshot
from attest.evidence.bundle import Published, Seen, newest_link, write_bundle
from attest.evidence.canonical import sha256_hex
from attest.evidence.export import CONFIG, FINDINGS, SNAPSHOT, bundle_files, kms_signer
from attest.evidence.freshness import freshness_finding
from attest.evidence.lockers import open_locker
from attest.evidence.manifest import bundle_id_for
from attest.policies.check import load_check_waivers
from attest.policies.engine import evaluate
from attest.policies.findings import Finding, Results, Status
from attest.policies.planes import StaticPlanes, judged_apart, revisions
from attest.policies.rule_loader import load_policy_set
from attest.collector.snapshot import format_time
from attest.core import __version__
from attest.reports.bundle import BundleRef, Provenance
from attest.reports.render import SUMMARY_FILE, render_all
from attest.reports.summary_cap import cap


@dataclass(frozen=True)
class ExportRun:
    """What one export produced: the verdicts, the files of the bundle, and where it was published."""

    results: Results
    freshness: Finding
    files: Mapping[str, bytes]
    published: Published
    locker: str
    swept: tuple[str, ...] = ()
    refused: BadInputError | None = None  # bad input in a static root: the bundle holds it as an error finding

    @property
    def exit_code(self) -> int:
        """The check's exit code, except that a stale locker is a violation of its own and bad input in
        a Terraform or code root is bad input (2), though the bundle was written."""
        if self.refused is not None:
            return self.refused.exit_code
        return 1 if self.freshness.status is Status.FAIL else self.results.exit_code()

    def summary(self) -> str:
        """Markdown for $GITHUB_STEP_SUMMARY: the bundle, the counts, then the reports' own summary."""
        counts = {s: sum(1 for f in self.results.findings if f.status is s) for s in Status}
        signed = " (signed with KMS)" if self.published.signed else " (unsigned: no evidence.signing.kms_key_id)"
        lines = [
            "## Evidence bundle",
            "",
            f"- bundle `{self.published.manifest.bundle_id}` in `{self.locker}`{signed}",
            f"- manifest sha256 `{self.published.manifest_sha256}`",
            "- findings: " + ", ".join(f"{counts[s]} {s.value}" for s in Status),
            f"- {self.freshness.rule_id} **{self.freshness.status.value}**: {self.freshness.message}",
            "",
        ]
        reports = self.files.get(f"reports/{SUMMARY_FILE}", b"").decode("utf-8")
        where = f"reports/findings.md in bundle `{self.published.manifest.bundle_id}` of `{self.locker}`"
        return cap("\n".join(lines) + "\n" + reports, where)


def check_snapshot(snapshot: Snapshot, config: EstateConfig, policies: str | Path, waivers_path: str | Path | None,
                   planes: StaticPlanes = StaticPlanes()) -> tuple[Results, BadInputError | None]:
    """The same evaluation as `attest check`, on the snapshot in hand and the static planes given, as
    of the snapshot's collection date. Bad input in a Terraform or code root does not cost the live
    verdicts nor the other plane's: they are kept with an `error` finding naming the input
    (`not_judged`), and the error is returned for the caller to report once the bundle is written."""
    policy = load_policy_set(policies)
    day = snapshot.collected_at.date()
    waivers = load_check_waivers(waivers_path or Path(policies) / "waivers.yaml", policy, day)
    live = evaluate(snapshot, config, policy, waivers, today=day)
    return judged_apart(live, planes, snapshot, config, policies_dir=policies, waivers_path=waivers_path, today=day)


def export_snapshot(
    snapshot: Snapshot,
    config: EstateConfig,
    *,
    locker_location: str,
    policies: str | Path,
    waivers_path: str | Path | None,
    environ: Mapping[str, str],
    now: Callable[[], datetime],
    new_chain: bool = False,
    planes: StaticPlanes = StaticPlanes(),
) -> ExportRun:
    """Check the snapshot, render every report, and publish one chained (and, if configured, signed) bundle.

    An empty locker starts a chain only when `new_chain` says so: otherwise a mistyped locker would
    silently start a fresh chain that passes freshness. The static planes' findings join the live
    ones, and the bundle records which revision of each root was judged.
    """
    locker = open_locker(locker_location, config.evidence, environ, create=True)
    started = now()
    swept = tuple(locker.sweep(started))
    previous = newest_link(locker)
    require_chain_choice(locker.location, previous[0].bundle_id if previous else None, new_chain)
    cadence = timedelta(hours=config.evidence.cadence_hours)
    freshness = freshness_finding(
        previous[1] if previous else None, started, cadence, locker.location, starting=new_chain
    )
    snapshot_json = snapshot.to_json()
    results, refused = check_snapshot(snapshot, config, policies, waivers_path, planes)
    findings_json = results.to_json()
    bundle_id = bundle_id_for(started, snapshot_json.encode("utf-8"))
    digests = {
        SNAPSHOT: sha256_hex(snapshot_json.encode("utf-8")),
        FINDINGS: sha256_hex(findings_json.encode("utf-8")),
        CONFIG: config.digest.removeprefix("sha256:"),  # findings cite its entries (the BAA records, ...)
    }
    provenance = Provenance(
        run_started=format_time(started),
        run_finished=None,
        attest_version=__version__,
        manifest_sha256=None,
        previous_id=previous[0].bundle_id if previous else None,
        previous_sha256=previous[0].manifest_sha256 if previous else None,
        signing_key=config.evidence.kms_key_id,
        signed=config.evidence.kms_key_id is not None,
    )
    bundle = BundleRef(bundle_id, digests, provenance)
    reports = render_all(results, snapshot, config, bundle=bundle, source=FINDINGS)
    files = bundle_files(config, snapshot_json, findings_json, freshness, reports, revisions(planes))
    published = write_bundle(
        locker,
        bundle_id=bundle_id,
        files=files,
        run_started=started,
        run_finished=now(),
        identity=snapshot.identity.to_dict(),
        policy_digest=results.policy_digest,
        config_digest=config.digest,
        signer=kms_signer(config, environ, now),
        seen=Seen(previous[0].bundle_id if previous else None),
    )
    return ExportRun(results, freshness, files, published, locker.location, swept, refused)


def newest_bundle(location: str, settings: EvidenceConfig, environ: Mapping[str, str]) -> str | None:
    """The newest complete bundle's id in a locker, None when it is empty (or a directory not yet made)."""
    if not location.startswith("s3://") and not Path(location).is_dir():
        return None
    link = newest_link(open_locker(location, settings, environ, create=False))
    return link[0].bundle_id if link else None


def require_chain_choice(location: str, newest: str | None, new_chain: bool) -> None:
    """An empty locker needs an explicit new chain; a locker with a chain must not be given one."""
    if newest is None and not new_chain:
        raise BadInputError(
            "the evidence locker holds no bundle; check the location, or pass --new-chain to start a chain there",
            where=location,
        )
    if newest is not None and new_chain:
        raise BadInputError(f"--new-chain given, but the locker already holds a chain (newest {newest})", where=location)


def copy_files(files: Mapping[str, bytes], directory: str | Path) -> None:
    for path, data in files.items():
        target = Path(directory) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
