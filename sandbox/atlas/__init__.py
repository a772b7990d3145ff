"""The local Atlas Admin API v2 emulator: digest and OAuth auth, versioned media types, paging,
real error bodies and planted faults, over the Atlas section of a seeded estate."""
from __future__ import annotations

from attest.sandbox.atlas.faults import FaultPlan
from attest.sandbox.atlas.server import AtlasEmulator

__all__ = ["AtlasEmulator", "FaultPlan"]
