"""What an export puts in a bundle besides the reports, and the KMS signer it signs with.

Bundle layout (paths inside `<locker>/<bundle_id>/`):
  snapshot.json        the collector's snapshot, as collected
  findings.json        the policy engine's Results
  freshness.json       the EVD-FRESH-001 finding about the locker before this export
  config/attest.yaml   the estate config the run used (no secrets by design), for re-rendering
  sources.json         the revision (git commit, uncommitted changes) of each Terraform and code root
                       judged, when any was: what the findings' file:line citations refer to
  reports/...          every rendered report
  manifest.json        written by the bundle writer; signature.json when a KMS key is configured
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping, Sequence

from attest.collector.config import EstateConfig
from attest.core.errors import BadInputError
from attest.evidence.bundle import Signer
from attest.evidence.clients import aws_client, region_for
from attest.evidence.signing import sign_bundle
from attest.policies.findings import Finding
from attest.policies.planes import Revision

SNAPSHOT = "snapshot.json"
FINDINGS = "findings.json"
FRESHNESS = "freshness.json"
CONFIG = "config/attest.yaml"
SOURCES = "sources.json"
REPORTS = "reports/"


def _bytes(content: str | bytes) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def bundle_files(
    config: EstateConfig,
    snapshot_json: str,
    findings_json: str,
    freshness: Finding,
    reports: Mapping[str, str | bytes],
    sources: Sequence[Revision] = (),
) -> dict[str, bytes]:
    """Every file of the bundle except manifest.json and signature.json; `sources.json` only when
    Terraform or code roots were judged (which revision of each)."""
    try:
        config_bytes = Path(config.path).read_bytes()
    except OSError as exc:
        raise BadInputError(f"cannot re-read the config: {exc.strerror or exc}", where=config.path) from None
    files = {
        SNAPSHOT: snapshot_json.encode("utf-8"),
        FINDINGS: findings_json.encode("utf-8"),
        FRESHNESS: (json.dumps(freshness.to_dict(), indent=2, sort_keys=True) + "\n").encode("utf-8"),
        CONFIG: config_bytes,
    }
    if sources:
        listed = {"roots": [s.to_dict() for s in sources]}
        files[SOURCES] = (json.dumps(listed, indent=2, sort_keys=True) + "\n").encode("utf-8")
    files.update({REPORTS + name: _bytes(content) for name, content in reports.items()})
    return files


def kms_signer(config: EstateConfig, environ: Mapping[str, str], clock: Callable[[], datetime]) -> Signer | None:
    """A signer over the configured KMS key, or None when no key is configured."""
    key_id = config.evidence.kms_key_id
    if key_id is None:
        return None
    kms = aws_client("kms", environ, region_for(environ, key_id))
    return lambda bundle_id, digest: sign_bundle(kms, key_id, bundle_id, digest, clock())
