"""Reading findings back: a faithful round trip, and schema problems named by file and JSON pointer."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from attest.core.errors import BadInputError
from attest.policies.findings import Results
from attest.policies.results_io import load_results, results_from_dict


def _raw(results: Results) -> dict[str, Any]:
    return json.loads(results.to_json())


def test_round_trip(results: Results, tmp_path: Path) -> None:
    path = tmp_path / "findings.json"
    path.write_text(results.to_json(), encoding="utf-8")
    again = load_results(str(path))
    assert again.to_json() == results.to_json()


@pytest.mark.parametrize(
    ("mutate", "pointer", "words"),
    [
        (lambda d: d["findings"][3].update(status="passed"), "#/findings/3/status", "must be one of"),
        (lambda d: d["findings"][0].pop("rule_id"), "#/findings/0", "missing field 'rule_id'"),
        (lambda d: d["findings"][1].update(controls="CC6.6"), "#/findings/1/controls", "must be a JSON array"),
        (lambda d: d["findings"][2]["controls"].append("CC9.9"), "#/findings/2/controls/", "not in /controls"),
        (lambda d: d["controls"][1].update(mappings=[{"rule_id": 7, "reason": "x"}]), "#/controls/1/mappings/0/rule_id", "must be a string"),
        (lambda d: d.update(schema_version="2"), "#/schema_version", "unsupported schema_version"),
        (lambda d: d["waivers"][0].pop("expires"), "#/waivers/0", "missing field 'expires'"),
        (lambda d: d["snapshot"].pop("digest"), "#/snapshot", "missing field 'digest'"),
        (lambda d: d["findings"][4].update(related="aws_kms_key.k"), "#/findings/4/related", "must be a JSON array"),
        (lambda d: d["findings"][4].update(related=[7]), "#/findings/4/related/0", "must be a string"),
    ],
)
def test_schema_problems_name_file_and_pointer(results: Results, mutate: Any, pointer: str, words: str) -> None:
    raw = _raw(results)
    mutate(raw)
    with pytest.raises(BadInputError) as caught:
        results_from_dict(raw, "bundle/findings.json")
    assert caught.value.where is not None and caught.value.where.startswith(f"bundle/findings.json{pointer}")
    assert words in caught.value.message


def test_links_across_planes_round_trip_and_older_files_have_none(results: Results) -> None:
    raw = _raw(results)
    linked = [f["related"] for f in raw["findings"] if f["related"]]
    assert len(linked) == 2
    for finding in raw["findings"]:
        finding.pop("related")
    assert all(f.related == () for f in results_from_dict(raw, "old.json").findings)


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "findings.json"
    path.write_text('{\n  "schema_version": "1",\n  oops\n}\n', encoding="utf-8")
    with pytest.raises(BadInputError) as caught:
        load_results(str(path))
    assert caught.value.where == f"{path}:3:3"


def test_not_an_object(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as caught:
        results_from_dict([], "f.json")
    assert caught.value.diagnostic() == "f.json#: must be a JSON object"
