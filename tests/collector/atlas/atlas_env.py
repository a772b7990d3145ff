"""Credentials of the default estate's Atlas principals (local canaries), as MONGODB_ATLAS_* variables."""
from __future__ import annotations

VPCE_ID = "vpce-0a1b2c3d4e5f67890"
API_KEY = {"MONGODB_ATLAS_PUBLIC_API_KEY": "attestro", "MONGODB_ATLAS_PRIVATE_API_KEY": "CANARY-ATLAS-APIKEY-c81d7e"}
SERVICE_ACCOUNT = {"MONGODB_ATLAS_CLIENT_ID": "mdb_sa_id_attest_local", "MONGODB_ATLAS_CLIENT_SECRET": "CANARY-ATLAS-SA-SECRET-5be0f2"}
OWNER_KEY = {"MONGODB_ATLAS_PUBLIC_API_KEY": "owner-key", "MONGODB_ATLAS_PRIVATE_API_KEY": "CANARY-ATLAS-OWNER-0d1e2f"}
