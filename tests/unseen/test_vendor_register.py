"""Issue 19 point 7 on Northwind: BAA coverage by data class, and declared-but-not-collected accounts."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import northwind  # noqa: E402

from attest.collector.config import load_config
from attest.collector.snapshot import snapshot_from_dict
from attest.policies.engine import evaluate
from attest.policies.findings import Status
from attest.policies.rule_loader import load_policy_set
from attest.reports.documents import DOCUMENTS, render_markdown
from attest.reports.model import build_model
from attest.reports.vendors import build_register


def test_the_register_shows_classes_cover_and_what_was_never_collected(tmp_path: Path) -> None:
    config = load_config(northwind.write_config(tmp_path))
    snapshot = snapshot_from_dict(northwind.snapshot_doc(), "northwind")
    rows = {s.scope_id: s for s in build_register(snapshot, config).scopes}
    app, data = rows[northwind.APP], rows[northwind.DATA]
    assert app.data_classes == ("phi", "public") and not app.covered
    assert "Amazon Web Services is declared for [public], not for phi" in app.state
    assert data.state == "declared, NOT evidenced (nothing collected from it)"
    assert rows[northwind.RECORDS].covered_by == ("MongoDB Atlas",)
    results = evaluate(snapshot, config, load_policy_set(), ())
    baa = {f.resource_id: f.status for f in results.findings if f.rule_id == "ATL-BAA-001"}
    assert baa == {f"scope:aws/{northwind.APP}": Status.FAIL, f"scope:atlas/{northwind.RECORDS}": Status.PASS,
                   f"scope:atlas/{northwind.CATALOG}": Status.PASS}
    doc = next(d for d in DOCUMENTS if d.name == "vendor-register")
    text = render_markdown(doc, build_model(results, snapshot, None), config)
    assert f"**Declared but not evidenced:** aws `{northwind.DATA}`" in text
    assert "**seen, NOT covered by a BAA (Amazon Web Services is declared for [public], not for phi)**" in text
