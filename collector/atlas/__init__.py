"""The Atlas half of collection: an Admin API v2 client and the readers that turn answers into resources."""
from __future__ import annotations

from attest.collector.atlas.client import AtlasApiError, AtlasClient, AtlasSettings
from attest.collector.atlas.collect import AtlasResult, collect_atlas

__all__ = ["AtlasApiError", "AtlasClient", "AtlasResult", "AtlasSettings", "collect_atlas"]
