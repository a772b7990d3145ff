"""The cover: every document states who collected, the scope and its limitations, and the bundle's digests."""
from __future__ import annotations

import dataclasses
from typing import Any

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Snapshot
from attest.policies.findings import Results
from attest.reports.bundle import BundleRef
from attest.reports.documents import DOCUMENTS
from attest.reports.render import render_all


def test_every_document_has_the_same_cover_facts(
    results: Results, snapshot: Snapshot, config: EstateConfig, bundle: BundleRef, fx: Any
) -> None:
    files = render_all(results, snapshot, config, bundle=bundle)
    assert bundle.provenance is not None
    for d in DOCUMENTS:
        for ext in ("md", "html"):
            text = str(files[f"{d.name}.{ext}"])
            assert f"arn:aws:iam::{fx.ACCOUNT}:role/attest-collector" in text
            assert "attest-reader" in text
            assert bundle.provenance.manifest_sha256 in text and bundle.provenance.previous_sha256 in text
            assert "2026-11-20T02:59:40Z to 2026-11-20T03:01:05Z" in text
            assert "infra/envs/prod" in text
            gap = ("`ecs:DescribeServices` in `123456789012/us-east-1`: access denied" if ext == "md" else
                   "<code>ecs:DescribeServices</code> in <code>123456789012/us-east-1</code>: access denied")
            assert gap in text and "1 source could not be read" in text
            assert bundle.provenance.signing_key in text


def test_outside_a_bundle_the_cover_says_what_is_not_known(
    results: Results, snapshot: Snapshot, config: EstateConfig
) -> None:
    text = str(render_all(results, snapshot, config, bundle=None)["findings.md"])
    assert "| Evidence bundle | none: rendered from a findings file |" in text
    assert "| Manifest sha256 | none: rendered outside any evidence bundle |" in text
    assert "| Signing | not known (rendered outside any evidence bundle) |" in text


def test_inside_its_own_bundle_the_cover_explains_the_missing_manifest_digest(
    results: Results, snapshot: Snapshot, config: EstateConfig, bundle: BundleRef
) -> None:
    assert bundle.provenance is not None
    inside = dataclasses.replace(bundle, provenance=dataclasses.replace(bundle.provenance, manifest_sha256=None,
                                                                        run_finished=None))
    text = str(render_all(results, snapshot, config, bundle=inside)["findings.md"])
    assert "this report is inside the bundle" in text
    assert "2026-11-20T02:59:40Z to (the run had not finished when this report was rendered inside it)" in text
