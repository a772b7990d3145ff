"""Waiver and vendor registers: states judged as of the evaluation day; BAA coverage from evidence."""
from __future__ import annotations

import dataclasses
from datetime import date

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Snapshot
from attest.policies.engine import snapshot_digest
from attest.policies.findings import Results
from attest.reports.bundle import BundleRef
from attest.reports.documents import DOCUMENTS, render_markdown
from attest.reports.model import build_model
from attest.reports.vendors import build_register


def results_for(snapshot: Snapshot) -> Results:
    """Empty findings for a snapshot, enough to render a register from."""
    return Results(snapshot.collected_at.isoformat().replace("+00:00", "Z"), snapshot_digest(snapshot), "sha256:0", (), (), ())


def test_waiver_states_as_of_collection_day(results: Results, snapshot: Snapshot, bundle: BundleRef) -> None:
    model = build_model(results, snapshot, bundle)
    assert model.as_of == date(2026, 11, 20)
    states = {w.waiver.id: (w.state, w.days_left) for w in model.waivers}
    assert states == {
        "contractor-temp-access": ("expired", -19),
        "atlas-laptop-ingest": ("expiring", 15),
        "tf-legacy-secret": ("active", 222),
        "no-expiry": ("malformed", None),
    }


def test_evaluated_on_moves_the_judgement_day(results: Results, snapshot: Snapshot, bundle: BundleRef) -> None:
    later = dataclasses.replace(results, evaluated_on="2026-12-06")
    states = {w.waiver.id: w.state for w in build_model(later, snapshot, bundle).waivers}
    assert states["atlas-laptop-ingest"] == "expired"
    assert states["tf-legacy-secret"] == "active"


def test_waiver_register_highlights_expiring_and_expired(
    results: Results, snapshot: Snapshot, config: EstateConfig, bundle: BundleRef
) -> None:
    doc = next(d for d in DOCUMENTS if d.name == "waiver-register")
    text = render_markdown(doc, build_model(results, snapshot, bundle), config)
    assert "| `contractor-temp-access` | **EXPIRED: lapsed 2026-11-01, now failing** |" in text
    assert "| `atlas-laptop-ingest` | **expires in 15 days** |" in text
    assert "| `tf-legacy-secret` | active |" in text
    assert "Legacy secret module \\| replaced in Q2" in text


def test_vendor_register_seen_versus_listed(snapshot: Snapshot, config: EstateConfig, fx: object) -> None:
    register = build_register(snapshot, config)
    rows = {(s.provider, s.scope_id): (s.seen, s.covered_by) for s in register.scopes}
    assert rows == {
        ("aws", "123456789012"): (True, ("Amazon Web Services",)),
        ("aws", "210987654321"): (True, ()),
        ("atlas", "6a7000000000000000000001"): (True, ("MongoDB Atlas",)),
        ("atlas", "6a7000000000000000000002"): (True, ("MongoDB Atlas",)),
        ("atlas", "6a7000000000000000000003"): (True, ()),
    }
    assert [(s.provider, s.scope_id) for s in register.uncovered] == [
        ("atlas", "6a7000000000000000000003"),
        ("aws", "210987654321"),
    ]


def test_an_unsigned_baa_covers_nothing(snapshot: Snapshot, config: EstateConfig) -> None:
    unsigned = dataclasses.replace(
        config, vendors=tuple(dataclasses.replace(v, baa_signed=False) for v in config.vendors)
    )
    register = build_register(snapshot, unsigned)
    assert all(not s.covered for s in register.scopes)
    assert len(register.uncovered) == 5


def test_declared_but_not_collected_is_not_evidenced(snapshot: Snapshot, config: EstateConfig) -> None:
    only_atlas = dataclasses.replace(snapshot, resources=tuple(r for r in snapshot.resources if r.provider == "atlas"))
    register = build_register(only_atlas, config)
    rows = {s.scope_id: s.state for s in register.scopes}
    assert rows["123456789012"] == "declared, NOT evidenced (nothing collected from it)"
    assert "210987654321" not in rows
    assert [s.scope_id for s in register.unevidenced] == ["123456789012"]
    doc = next(d for d in DOCUMENTS if d.name == "vendor-register")
    assert "**Declared but not evidenced:** aws `123456789012`" in render_markdown(
        doc, build_model(results_for(only_atlas), only_atlas, None), config)


def test_listed_under_a_baa_but_neither_declared_nor_seen(snapshot: Snapshot, config: EstateConfig) -> None:
    undeclared = dataclasses.replace(config, aws_accounts=())
    only_atlas = dataclasses.replace(snapshot, resources=tuple(r for r in snapshot.resources if r.provider == "atlas"))
    rows = {s.scope_id: s.state for s in build_register(only_atlas, undeclared).scopes}
    assert rows["123456789012"] == "listed, not seen in evidence"


def test_a_vendor_declared_for_public_data_does_not_cover_a_phi_project(snapshot: Snapshot, config: EstateConfig) -> None:
    public_only = dataclasses.replace(config, vendors=tuple(
        dataclasses.replace(v, data_classes=("public",)) if v.name == "MongoDB Atlas" else v for v in config.vendors))
    rows = {s.scope_id: s for s in build_register(snapshot, public_only).scopes}
    prod = rows["6a7000000000000000000001"]
    assert prod.data_classes == ("phi",) and not prod.covered
    assert "MongoDB Atlas is declared for [public], not for phi" in prod.state
    assert rows["6a7000000000000000000002"].covered  # the reference project holds public data only
