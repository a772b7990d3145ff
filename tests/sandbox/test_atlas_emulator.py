"""The Atlas emulator speaks the real wire protocol: auth challenges, versions, paging, errors, faults."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
import yaml
from requests.auth import HTTPDigestAuth

from attest.core.errors import BadInputError
from attest.sandbox.atlas import AtlasEmulator

ESTATE = Path(__file__).resolve().parents[2] / "sandbox" / "estates" / "default.yaml"
VPCE = {"atlas-reference": "vpce-0a1b2c3d4e5f67890"}
PROD, REF = "6a7000000000000000000001", "6a7000000000000000000002"
V2023 = "application/vnd.atlas.2023-01-01+json"
V2024 = "application/vnd.atlas.2024-08-05+json"
KEY = HTTPDigestAuth("attestro", "CANARY-ATLAS-APIKEY-c81d7e")
OWNER = HTTPDigestAuth("owner-key", "CANARY-ATLAS-OWNER-0d1e2f")


def atlas_section() -> dict[str, Any]:
    section = copy.deepcopy(yaml.safe_load(ESTATE.read_text())["atlas"])
    section["api_keys"].append({"public_key": "owner-key", "private_key": "CANARY-ATLAS-OWNER-0d1e2f", "role": "GROUP_OWNER"})
    return section


@pytest.fixture(scope="module")
def emulator() -> Iterator[AtlasEmulator]:
    with AtlasEmulator(atlas_section(), VPCE) as running:
        yield running


@pytest.fixture()
def api(emulator: AtlasEmulator) -> Iterator[str]:
    emulator.faults.clear()
    yield emulator.base_url + "/api/atlas/v2"
    emulator.faults.clear()


def get(url: str, accept: str = V2023, auth: Any = KEY, **params: Any) -> requests.Response:
    return requests.get(url, headers={"Accept": accept}, auth=auth, params=params or None, timeout=5)


def assert_error(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Error-Code"] == code
    body = response.json()
    assert body["error"] == status and body["errorCode"] == code
    assert set(body) == {"detail", "error", "errorCode", "parameters", "reason"}


def test_digest_key_reads_a_project_with_the_versioned_content_type(api: str) -> None:
    response = get(f"{api}/groups/{PROD}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.atlas.2023-01-01+json;charset=utf-8"
    assert response.json()["name"] == "prod"
    assert int(response.headers["RateLimit-Limit"]) >= int(response.headers["RateLimit-Remaining"]) >= 0


def test_no_credentials_get_a_digest_challenge(api: str) -> None:
    response = get(f"{api}/groups/{PROD}", auth=None)
    assert_error(response, 401, "UNAUTHORIZED")
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Digest ") and 'realm="MMS Public API"' in challenge
    assert 'qop="auth"' in challenge and "algorithm=MD5" in challenge


def test_wrong_private_key_is_refused(api: str) -> None:
    assert_error(get(f"{api}/groups/{PROD}", auth=HTTPDigestAuth("attestro", "wrong")), 401, "UNAUTHORIZED")


def test_service_account_token_then_bearer_calls(emulator: AtlasEmulator, api: str) -> None:
    token = requests.post(
        emulator.base_url + "/api/oauth/token",
        auth=("mdb_sa_id_attest_local", "CANARY-ATLAS-SA-SECRET-5be0f2"),
        data={"grant_type": "client_credentials"},
        timeout=5,
    )
    assert token.status_code == 200
    body = token.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    response = requests.get(
        f"{api}/groups/{REF}/clusters",
        headers={"Accept": V2024, "Authorization": f"Bearer {body['access_token']}"},
        timeout=5,
    )
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["results"]] == ["reference-cluster"]


def test_wrong_client_secret_gets_no_token(emulator: AtlasEmulator, api: str) -> None:
    token = requests.post(
        emulator.base_url + "/api/oauth/token",
        auth=("mdb_sa_id_attest_local", "nope"),
        data={"grant_type": "client_credentials"},
        timeout=5,
    )
    assert token.status_code == 401
    assert_error(requests.get(f"{api}/groups/{REF}", headers={"Accept": V2023, "Authorization": "Bearer forged"}, timeout=5), 401, "UNAUTHORIZED")


@pytest.mark.parametrize("accept", ["application/json", "application/vnd.atlas.2023-01-01+json", "application/vnd.atlas.2099-01-01+json"])
def test_clusters_answer_only_the_2024_08_05_version(api: str, accept: str) -> None:
    assert_error(get(f"{api}/groups/{PROD}/clusters", accept=accept), 406, "INVALID_VERSION_DATE")


def test_process_args_answer_both_listed_versions(api: str) -> None:
    new = get(f"{api}/groups/{PROD}/clusters/prod-cluster/processArgs", accept=V2024)
    old = get(f"{api}/groups/{PROD}/clusters/prod-cluster/processArgs", accept=V2023)
    assert new.headers["Content-Type"].startswith(V2024) and old.headers["Content-Type"].startswith(V2023)
    assert new.json()["minimumEnabledTlsProtocol"] == "TLS1_2"
    assert "failIndexKeyTooLong" in old.json() and "failIndexKeyTooLong" not in new.json()
    assert "Deprecation" in old.headers


def test_paging_walks_next_links_to_the_end(emulator: AtlasEmulator, api: str) -> None:
    emulator.faults.page_size(1)
    seen, page = [], 1
    while True:
        body = get(f"{api}/groups/{REF}/accessList", pageNum=page).json()
        assert body["totalCount"] == 3 and len(body["results"]) <= 1
        seen += [entry["cidrBlock"] for entry in body["results"]]
        rels = [link["rel"] for link in body["links"]]
        if "next" not in rels:
            break
        page += 1
    assert seen == ["10.20.0.0/16", "198.51.100.0/28", "203.0.113.45/32"]
    assert page == 3


def test_items_per_page_over_500_is_a_bad_request(api: str) -> None:
    assert_error(get(f"{api}/groups/{REF}/accessList", itemsPerPage=501), 400, "INVALID_QUERY_PARAMETER")


def test_single_ip_entry_carries_ip_and_cidr(api: str) -> None:
    entries = get(f"{api}/groups/{REF}/accessList").json()["results"]
    laptop = next(e for e in entries if "ipAddress" in e)
    assert laptop["ipAddress"] == "203.0.113.45" and laptop["cidrBlock"] == "203.0.113.45/32"


def test_bare_arrays_and_interface_endpoint(api: str) -> None:
    services = get(f"{api}/groups/{REF}/privateEndpoint/AWS/endpointService").json()
    assert isinstance(services, list) and services[0]["interfaceEndpoints"] == ["vpce-0a1b2c3d4e5f67890"]
    endpoint = get(f"{api}/groups/{REF}/privateEndpoint/AWS/endpointService/{services[0]['id']}/endpoint/vpce-0a1b2c3d4e5f67890")
    assert endpoint.json()["connectionStatus"] == "AVAILABLE"
    assert get(f"{api}/groups/{REF}/customDBRoles/roles").json() == []


def test_owner_only_operations_refuse_a_read_only_key(api: str) -> None:
    for path in ("auditLog", "userSecurity"):
        assert_error(get(f"{api}/groups/{PROD}/{path}"), 403, "USER_UNAUTHORIZED")
        assert get(f"{api}/groups/{PROD}/{path}", auth=OWNER).status_code == 200


def test_unknown_group_and_cluster_are_404(api: str) -> None:
    assert_error(get(f"{api}/groups/6a70000000000000000000ff"), 404, "GROUP_NOT_FOUND")
    assert_error(get(f"{api}/groups/{PROD}/clusters/nope", accept=V2024), 404, "CLUSTER_NOT_FOUND")


def test_no_answer_carries_a_password(api: str) -> None:
    for project in (PROD, REF):
        text = get(f"{api}/groups/{project}/databaseUsers").text
        assert "password" not in text and "CANARY-" not in text


def test_throttle_next_calls_then_recover(emulator: AtlasEmulator, api: str) -> None:
    emulator.faults.throttle(2, retry_after=7)
    for _ in range(2):
        response = get(f"{api}/groups/{PROD}")
        assert_error(response, 429, "RATE_LIMITED")
        assert response.headers["Retry-After"] == "7"
    assert get(f"{api}/groups/{PROD}").status_code == 200


def test_throttle_share_is_deterministic_for_a_seed(emulator: AtlasEmulator, api: str) -> None:
    def pattern() -> list[int]:
        emulator.faults.throttle(share=0.5, seed=42)
        return [get(f"{api}/groups/{PROD}").status_code for _ in range(12)]

    first = pattern()
    assert first == pattern()
    assert {200, 429} == set(first)


def test_deny_server_error_and_malformed(emulator: AtlasEmulator, api: str) -> None:
    emulator.faults.deny("listGroupDatabaseUsers")
    assert_error(get(f"{api}/groups/{PROD}/databaseUsers"), 403, "USER_UNAUTHORIZED")
    emulator.faults.server_error(1, status=503, operations=["getGroup"])
    assert_error(get(f"{api}/groups/{PROD}"), 503, "SERVICE_UNAVAILABLE")
    assert get(f"{api}/groups/{PROD}").status_code == 200
    emulator.faults.malform("listGroupAccessListEntries", "truncated")
    with pytest.raises(ValueError):
        json.loads(get(f"{api}/groups/{PROD}/accessList").text)
    emulator.faults.malform("listGroupAccessListEntries", "shape")
    assert "results" not in get(f"{api}/groups/{PROD}/accessList").json()


def test_admin_endpoint_controls_faults(emulator: AtlasEmulator, api: str) -> None:
    control = emulator.base_url + "/_emulator/faults"
    assert requests.post(control, json={"throttle": {"count": 1, "retry_after": 3}}, timeout=5).status_code == 200
    assert get(f"{api}/groups/{PROD}").status_code == 429
    assert requests.post(control, json={"page_size": 1, "deny": ["getGroup"]}, timeout=5).status_code == 200
    assert get(f"{api}/groups/{PROD}").status_code == 403
    assert len(get(f"{api}/groups/{REF}/accessList").json()["results"]) == 1
    assert requests.post(control, json={"clear": True}, timeout=5).status_code == 200
    assert get(f"{api}/groups/{PROD}").status_code == 200
    bad = requests.post(control, json={"explode": True}, timeout=5)
    assert_error(bad, 400, "INVALID_FAULT_PLAN")


def test_emulator_refuses_a_non_loopback_host() -> None:
    with pytest.raises(ValueError, match="loopback"):
        AtlasEmulator(atlas_section(), VPCE, host="0.0.0.0")


def test_missing_vpce_id_is_named() -> None:
    with pytest.raises(BadInputError, match="atlas-reference"):
        AtlasEmulator(atlas_section(), {})


def test_broken_estate_section_is_bad_input() -> None:
    section = atlas_section()
    del section["projects"][0]["clusters"][0]["name"]
    with pytest.raises(BadInputError, match="'name'"):
        AtlasEmulator(section, VPCE)


def test_digest_answer_is_bound_to_its_uri(api: str) -> None:
    first = get(f"{api}/groups/{PROD}")
    assert first.status_code == 200
    replayed = requests.get(
        f"{api}/groups/{REF}",
        headers={"Accept": V2023, "Authorization": first.request.headers["Authorization"]},
        timeout=5,
    )
    assert_error(replayed, 401, "UNAUTHORIZED")
