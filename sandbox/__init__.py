"""The local estate: moto's AWS server and attest's Atlas Admin API v2 emulator, on loopback."""
from __future__ import annotations

from pathlib import Path

LOCAL_CONFIG = Path(__file__).resolve().parent / "attest.local.yaml"
