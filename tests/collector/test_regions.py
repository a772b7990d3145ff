"""`aws_regions` reads botocore's endpoint data where botocore's own loader would, without importing it."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import botocore.loaders
import pytest

from attest.collector import regions


def _loader_regions() -> frozenset[str]:
    data = botocore.loaders.create_loader().load_data("endpoints")
    return frozenset(region for partition in data["partitions"] for region in partition.get("regions", {}))


def test_the_same_regions_as_botocores_loader() -> None:
    assert regions.aws_regions() == _loader_regions()
    assert "us-east-1" in regions.aws_regions()


@pytest.mark.parametrize("suffix", [".json", ".json.gz"])
def test_the_users_models_come_first_as_for_botocore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    """A user's ~/.aws/models/endpoints.json (or .json.gz) is read before botocore's, by both."""
    models = tmp_path / ".aws" / "models"
    models.mkdir(parents=True)
    text = json.dumps({"partitions": [{"regions": {"xx-test-1": {}}}]}).encode("utf-8")
    (models / f"endpoints{suffix}").write_bytes(gzip.compress(text) if suffix.endswith(".gz") else text)
    monkeypatch.setattr(botocore.loaders.Loader, "CUSTOMER_DATA_PATH", str(models))
    monkeypatch.setattr(regions, "_DATA_PATHS", (str(models), regions._DATA_PATHS[1]))
    regions.aws_regions.cache_clear()
    try:
        assert regions.aws_regions() == _loader_regions() == {"xx-test-1"}
    finally:
        regions.aws_regions.cache_clear()


def test_loading_the_config_does_not_import_botocores_loader() -> None:
    code = ("import sys; from attest.collector.config import load_config; from attest.collector.regions import aws_regions; "
            "aws_regions(); print('botocore.loaders' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
