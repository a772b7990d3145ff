"""Loading what `attest report` renders from: a bundle directory, or loose findings + snapshot files.

Files read from a bundle are re-hashed against its manifest first, and the snapshot must be the one
the findings were computed from: a report never cites bytes other than those it was built on.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from attest.collector.config import EstateConfig, load_config
from attest.core.errors import BadInputError
from attest.collector.snapshot import Snapshot, load_snapshot
from attest.policies.findings import Results
from attest.policies.results_io import load_results
from attest.reports.bundle import MANIFEST, BundleRef, hex_digest, load_bundle_ref, verified_path
from attest.reports.citations import SNAPSHOT_FILE

FINDINGS_FILE = "findings.json"
BUNDLED_CONFIG = "config/attest.yaml"


@dataclass(frozen=True)
class ReportInputs:
    results: Results
    snapshot: Snapshot
    config: EstateConfig | None
    bundle: BundleRef | None
    source: str
    config_note: str = ""


def _check_pairing(results: Results, snapshot: Snapshot, snapshot_path: Path, findings_source: str) -> None:
    """The findings must name this snapshot's digest (of its bytes, or of its canonical form)."""
    recorded = hex_digest(results.snapshot_digest)
    candidates = {
        hashlib.sha256(snapshot_path.read_bytes()).hexdigest(),
        hashlib.sha256(snapshot.to_json().encode("utf-8")).hexdigest(),
    }
    if recorded not in candidates:
        raise BadInputError(
            f"the findings were computed from snapshot {results.snapshot_digest}, "
            f"not from {snapshot_path} (sha256:{min(candidates)})",
            where=f"{findings_source}#/snapshot/digest",
        )


def _config_note(results: Results, config: EstateConfig | None, source: str, force: bool) -> str:
    """Refuse a config other than the one the findings were computed with, unless forced; when
    forced, the sentence every page then carries."""
    if config is None or not results.config_digest or config.digest == results.config_digest:
        return ""
    if not force:
        raise BadInputError(
            f"the findings were computed with estate config {results.config_digest}, not with {config.path} "
            f"({config.digest}); pass the config they were computed with, or --force-config to render with this one",
            where=f"{source}#/config_digest",
        )
    return (f"Rendered with estate config {config.path} ({config.digest}), not the config the findings were "
            f"computed with ({results.config_digest}): config-derived content may not match the findings.")


def load_inputs(target: str, snapshot_path: str | None, config_path: str | None, *, force_config: bool = False) -> ReportInputs:
    """`target` is a bundle directory (with manifest.json) or a findings.json file.

    A bundle's own `config/attest.yaml` is used when no --config is given, so a year-old bundle
    re-renders from its own bytes. A config whose digest differs from the one the findings record
    is refused unless `force_config`.
    """
    path = Path(target)
    config = load_config(config_path) if config_path else None
    if path.is_dir():
        bundle = load_bundle_ref(path)
        findings_file = verified_path(path, bundle, FINDINGS_FILE)
        snapshot_file = Path(snapshot_path) if snapshot_path else verified_path(path, bundle, SNAPSHOT_FILE)
        if config is None and bundle.locate(BUNDLED_CONFIG) == BUNDLED_CONFIG:
            config = load_config(verified_path(path, bundle, BUNDLED_CONFIG))
        source = str(findings_file)
    elif path.is_file():
        if path.name == MANIFEST:
            return load_inputs(str(path.parent), snapshot_path, config_path, force_config=force_config)
        if not snapshot_path:
            raise BadInputError("a findings file needs its snapshot: pass --snapshot FILE", where=target)
        bundle, findings_file, snapshot_file, source = None, path, Path(snapshot_path), target
    else:
        raise BadInputError("no such bundle directory or findings file", where=target)
    results = load_results(str(findings_file))
    snapshot = load_snapshot(str(snapshot_file))
    _check_pairing(results, snapshot, snapshot_file, source)
    return ReportInputs(results, snapshot, config, bundle, source, _config_note(results, config, source, force_config))
