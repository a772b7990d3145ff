"""The Atlas client against the running emulator: credentials, paging, retries and typed errors."""
from __future__ import annotations

import http.server
import json
import random
import socket
import threading
import urllib.parse

import pytest

from attest.collector.atlas.client import AtlasApiError, AtlasClient, AtlasSettings
from attest.core.errors import BadInputError
from attest.sandbox.atlas import AtlasEmulator

from atlas_env import API_KEY, SERVICE_ACCOUNT

REF = "6a7000000000000000000002"
ACCESS = f"/groups/{REF}/accessList"


def client_for(atlas: AtlasEmulator, env: dict[str, str], sleeps: list[float], **overrides: float) -> AtlasClient:
    settings = AtlasSettings.from_env({**env, "MONGODB_ATLAS_BASE_URL": atlas.base_url})
    if overrides:
        settings = AtlasSettings(**{**settings.__dict__, **overrides})
    return AtlasClient(settings, sleep=sleeps.append, rng=random.Random(3))


def failure(call: object) -> AtlasApiError:
    with pytest.raises(AtlasApiError) as caught:
        call()  # type: ignore[operator]
    return caught.value


def test_service_account_is_preferred_over_an_api_key() -> None:
    settings = AtlasSettings.from_env({**API_KEY, **SERVICE_ACCOUNT})
    assert settings.uses_service_account and settings.principal == "mdb_sa_id_attest_local"
    assert settings.base_url == "https://cloud.mongodb.com"


def test_api_key_fallback_names_and_no_secret_in_repr() -> None:
    settings = AtlasSettings.from_env({"MONGODB_ATLAS_PUBLIC_KEY": "pub", "MONGODB_ATLAS_PRIVATE_KEY": "CANARY-x"})
    assert settings.principal == "pub" and not settings.uses_service_account
    assert "CANARY" not in repr(settings)


@pytest.mark.parametrize("env, named", [
    ({}, "MONGODB_ATLAS_CLIENT_ID"),
    ({"MONGODB_ATLAS_CLIENT_ID": "id"}, "MONGODB_ATLAS_CLIENT_SECRET"),
    ({"MONGODB_ATLAS_PRIVATE_API_KEY": "CANARY-x"}, "MONGODB_ATLAS_PUBLIC_API_KEY"),
    ({**API_KEY, "MONGODB_ATLAS_BASE_URL": "cloud.mongodb.com"}, "MONGODB_ATLAS_BASE_URL"),
])
def test_missing_or_bad_settings_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(BadInputError) as caught:
        AtlasSettings.from_env(env)
    assert named in caught.value.diagnostic() and "CANARY" not in caught.value.diagnostic()


@pytest.mark.parametrize("env", [API_KEY, SERVICE_ACCOUNT], ids=["digest", "oauth"])
def test_paging_collects_every_page(atlas: AtlasEmulator, env: dict[str, str]) -> None:
    atlas.faults.page_size(1)
    items = client_for(atlas, env, []).get_all(ACCESS, "2023-01-01", "listGroupAccessListEntries")
    assert [i["cidrBlock"] for i in items] == ["10.20.0.0/16", "198.51.100.0/28", "203.0.113.45/32"]


def test_429_waits_retry_after_then_succeeds(atlas: AtlasEmulator) -> None:
    atlas.faults.throttle(2, retry_after=7)
    sleeps: list[float] = []
    project = client_for(atlas, API_KEY, sleeps).get_object(f"/groups/{REF}", "2023-01-01", "getGroup")
    assert project["name"] == "reference"
    assert sleeps == [7.0, 7.0]


def test_throttling_past_the_retries_is_throttled(atlas: AtlasEmulator) -> None:
    atlas.faults.throttle(None, share=1.0, retry_after=1)
    sleeps: list[float] = []
    err = failure(lambda: client_for(atlas, API_KEY, sleeps, max_retries=2).get_object(f"/groups/{REF}", "2023-01-01", "getGroup"))
    assert err.reason == "throttled" and err.status == 429 and err.error_code == "RATE_LIMITED"
    assert sleeps == [1.0, 1.0]


def test_server_errors_back_off_with_bounded_jitter(atlas: AtlasEmulator) -> None:
    atlas.faults.server_error(None, status=500)
    sleeps: list[float] = []
    err = failure(lambda: client_for(atlas, API_KEY, sleeps).get_object(f"/groups/{REF}", "2023-01-01", "getGroup"))
    assert err.reason == "server_error" and err.status == 500
    assert len(sleeps) == 4 and all(0.0 <= s <= min(8.0, 0.5 * 2**i) for i, s in enumerate(sleeps))


def test_one_server_error_is_retried_away(atlas: AtlasEmulator) -> None:
    atlas.faults.server_error(1, status=503)
    sleeps: list[float] = []
    assert client_for(atlas, API_KEY, sleeps).get_array(f"/groups/{REF}/customDBRoles/roles", "2023-01-01", "listGroupCustomDbRoleRoles") == []
    assert sleeps == [1.0]


def test_slow_answer_is_a_timeout(atlas: AtlasEmulator) -> None:
    atlas.faults.delay(0.4)
    sleeps: list[float] = []
    err = failure(lambda: client_for(atlas, API_KEY, sleeps, timeout=0.1, max_retries=1).get_object(f"/groups/{REF}", "2023-01-01", "getGroup"))
    assert err.reason == "timeout" and len(sleeps) == 1


def test_closed_port_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = AtlasSettings.from_env({**API_KEY, "MONGODB_ATLAS_BASE_URL": f"http://127.0.0.1:{port}"})
    sleeps: list[float] = []
    err = failure(lambda: AtlasClient(settings, sleep=sleeps.append).get_object("/groups/x", "2023-01-01", "getGroup"))
    assert err.reason == "unreachable" and len(sleeps) == settings.max_retries


@pytest.mark.parametrize("env", [
    {**API_KEY, "MONGODB_ATLAS_PRIVATE_API_KEY": "CANARY-WRONG-KEY"},
    {**SERVICE_ACCOUNT, "MONGODB_ATLAS_CLIENT_SECRET": "CANARY-WRONG-SECRET"},
], ids=["digest", "oauth"])
def test_wrong_credentials_are_auth_failed_without_the_secret(atlas: AtlasEmulator, env: dict[str, str]) -> None:
    err = failure(lambda: client_for(atlas, env, []).get_object(f"/groups/{REF}", "2023-01-01", "getGroup"))
    assert err.reason == "auth_failed" and err.status == 401
    assert "CANARY" not in str(err)


def test_wrong_version_is_a_version_mismatch_not_malformed(atlas: AtlasEmulator) -> None:
    err = failure(lambda: client_for(atlas, API_KEY, []).get_all(f"/groups/{REF}/clusters", "2023-01-01", "listGroupClusters"))
    assert err.status == 406 and err.error_code == "INVALID_VERSION_DATE" and err.reason == "version_mismatch"
    assert "asked for application/vnd.atlas.2023-01-01+json" in err.detail


def test_the_version_served_is_read(atlas: AtlasEmulator) -> None:
    clusters = client_for(atlas, API_KEY, []).get_all(f"/groups/{REF}/clusters", "2024-08-05", "listGroupClusters")
    assert clusters and all("name" in c for c in clusters)


@pytest.mark.parametrize("kind", ["truncated", "shape"])
def test_bad_answers_are_malformed(atlas: AtlasEmulator, kind: str) -> None:
    atlas.faults.malform("listGroupAccessListEntries", kind)
    err = failure(lambda: client_for(atlas, API_KEY, []).get_all(ACCESS, "2023-01-01", "listGroupAccessListEntries"))
    assert err.reason == "malformed" and "listGroupAccessListEntries" in err.detail


def test_access_denied_and_not_found(atlas: AtlasEmulator) -> None:
    client = client_for(atlas, API_KEY, [])
    assert failure(lambda: client.get_object(f"/groups/{REF}/auditLog", "2023-01-01", "getGroupAuditLog")).reason == "access_denied"
    assert failure(lambda: client.get_object("/groups/6a70000000000000000000ff", "2023-01-01", "getGroup")).reason == "not_found"


def test_expired_token_is_fetched_again(atlas: AtlasEmulator) -> None:
    client = client_for(atlas, SERVICE_ACCOUNT, [])
    assert client.get_object(f"/groups/{REF}", "2023-01-01", "getGroup")["id"] == REF
    atlas.revoke_tokens()
    assert client.get_object(f"/groups/{REF}", "2023-01-01", "getGroup")["id"] == REF


class _ShortPages(http.server.BaseHTTPRequestHandler):
    """A list endpoint whose totalCount promises 3 items but whose second page is empty."""

    def do_GET(self) -> None:
        page = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)["pageNum"][0]
        results = [{"id": f"item-{i}"} for i in range(2)] if page == "1" else []
        body = json.dumps({"results": results, "totalCount": 3, "links": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.atlas.2023-01-01+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet: the test asserts on the client's error, not the server's log."""


def test_an_empty_page_before_total_count_is_malformed() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ShortPages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = {**API_KEY, "MONGODB_ATLAS_BASE_URL": f"http://127.0.0.1:{server.server_address[1]}"}
        client = AtlasClient(AtlasSettings.from_env(env), sleep=lambda _: None, rng=random.Random(3))
        err = failure(lambda: client.get_all(ACCESS, "2023-01-01", "listGroupAccessListEntries"))
    finally:
        server.shutdown()
        server.server_close()
    assert err.reason == "malformed" and "page 2 is empty" in err.detail and "totalCount 3" in err.detail
