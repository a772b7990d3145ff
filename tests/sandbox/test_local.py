"""The local estate: moto seeded over real boto3, the fault proxy in front of it, the Atlas emulator."""
from __future__ import annotations

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from requests.auth import HTTPDigestAuth

from attest.sandbox.aws_faults import FaultRule
from attest.sandbox.local import LocalEstate

pytestmark = pytest.mark.integration


def _client(estate: LocalEstate, service: str, url: str | None = None):  # type: ignore[no-untyped-def]
    return boto3.client(
        service,
        endpoint_url=url or estate.aws_endpoint_url,
        region_name=estate.env["AWS_DEFAULT_REGION"],
        aws_access_key_id=estate.env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=estate.env["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


def test_env_names_the_proxy_and_the_emulator(default_estate: LocalEstate) -> None:
    env = default_estate.env
    assert env["AWS_ENDPOINT_URL"] == default_estate.aws_endpoint_url != default_estate.moto_url
    assert env["MONGODB_ATLAS_BASE_URL"] == default_estate.atlas_base_url
    assert env["MONGODB_ATLAS_PUBLIC_API_KEY"] == "attestro"
    assert all(v.startswith("http://127.0.0.1:") for k, v in env.items() if k.endswith("URL"))


def test_seeded_endpoint_is_available_in_both_subnets(default_estate: LocalEstate) -> None:
    seeded = default_estate.seeded
    (endpoint,) = _client(default_estate, "ec2").describe_vpc_endpoints(
        VpcEndpointIds=[seeded.vpce_ids["atlas-reference"]]
    )["VpcEndpoints"]
    assert endpoint["State"] == "available"
    assert sorted(endpoint["SubnetIds"]) == sorted(seeded.subnet_ids.values())
    assert [g["GroupId"] for g in endpoint["Groups"]] == [seeded.security_group_ids["atlas-privatelink"]]


def test_secret_values_are_the_canaries(default_estate: LocalEstate) -> None:
    """The seeded values are real canaries, so a collector that read them would be caught."""
    value = _client(default_estate, "secretsmanager", default_estate.moto_url).get_secret_value(
        SecretId=default_estate.seeded.secret_arns["prod/mongodb/uri"]
    )["SecretString"]
    assert "CANARY-SECRET-PROD" in value


def test_task_definition_revisions_and_service(default_estate: LocalEstate) -> None:
    ecs = _client(default_estate, "ecs")
    first, second = default_estate.seeded.task_definition_arns
    assert ecs.describe_task_definition(taskDefinition=first, include=["TAGS"])["tags"]
    assert ecs.describe_task_definition(taskDefinition=second, include=["TAGS"]).get("tags", []) == []
    (service,) = ecs.describe_services(cluster="prod", services=["shopping-app"])["services"]
    assert service["taskDefinition"] == second


def test_atlas_emulator_knows_the_aws_endpoint_id(default_estate: LocalEstate) -> None:
    project = "6a7000000000000000000002"
    service_id = "6a70000000000000000000e1"
    vpce = default_estate.vpce_ids["atlas-reference"]
    answer = requests.get(
        f"{default_estate.atlas_base_url}/api/atlas/v2/groups/{project}/privateEndpoint/AWS/endpointService/{service_id}/endpoint/{vpce}",
        auth=HTTPDigestAuth(default_estate.env["MONGODB_ATLAS_PUBLIC_API_KEY"], default_estate.env["MONGODB_ATLAS_PRIVATE_API_KEY"]),
        headers={"Accept": "application/vnd.atlas.2023-01-01+json"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["interfaceEndpointId"] == vpce


def test_fault_rules_are_set_over_http_and_counted(default_estate: LocalEstate) -> None:
    url = f"{default_estate.aws_endpoint_url}/_faults"
    rules = {"rules": [{"service": "kms", "operation": "ListKeys", "kind": "access_denied"}]}
    assert requests.post(url, json=rules, timeout=10).json()["rules"][0]["kind"] == "access_denied"
    kms = _client(default_estate, "kms")
    with pytest.raises(ClientError) as caught:
        kms.list_keys()
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    assert kms.list_aliases()["Aliases"]
    state = requests.get(url, timeout=10).json()
    assert state["injected"] == {"kms:ListKeys:access_denied": 1}
    assert state["calls"]["kms:ListAliases"] == 1
    assert requests.post(url, json={"rules": [{"service": "kms", "kind": "explode"}]}, timeout=10).status_code == 400


@pytest.mark.parametrize(
    "service, call, code",
    [
        ("ec2", lambda c: c.describe_vpcs(), "UnauthorizedOperation"),
        ("sts", lambda c: c.get_caller_identity(), "AccessDenied"),
        ("ecs", lambda c: c.list_clusters(), "AccessDeniedException"),
        ("cloudfront", lambda c: c.list_distributions(), "AccessDenied"),  # rest-xml
    ],
)
def test_denials_have_each_protocols_error_shape(default_estate: LocalEstate, service: str, call, code: str) -> None:  # type: ignore[no-untyped-def]
    default_estate.aws_faults.set([FaultRule(service=service, kind="access_denied")])
    with pytest.raises(ClientError) as caught:
        call(_client(default_estate, service))
    assert caught.value.response["Error"]["Code"] == code


def test_a_rule_rejects_unknown_kinds_and_rates() -> None:
    with pytest.raises(ValueError):
        FaultRule(service="kms", kind="explode")
    with pytest.raises(ValueError):
        FaultRule(service="kms", kind="throttle", rate=1.5)


def test_moto_servers_are_isolated_processes() -> None:
    """Two estates never share moto state, and a taken port is reported, not hung on."""
    from attest.sandbox.moto_server import MotoServer

    with MotoServer() as first, MotoServer() as second:
        kms = lambda url: boto3.client(  # noqa: E731
            "kms", endpoint_url=url, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t"
        )
        kms(first.url).create_key(Description="only in the first")
        assert kms(second.url).list_keys()["Keys"] == []
        taken = int(first.url.rsplit(":", 1)[1])
        with pytest.raises(RuntimeError, match="did not start"):
            MotoServer(port=taken).start()


def test_a_reused_server_is_empty_and_only_reused_for_the_same_environment() -> None:
    """Reuse keeps isolation: the next estate sees none of the last one's resources, a server with
    another environment (moto reads it process-wide) is never handed out, and a dead one is replaced."""
    from attest.sandbox.moto_server import moto_server, reusing_servers

    kms = lambda url: boto3.client(  # noqa: E731
        "kms", endpoint_url=url, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t"
    )
    with reusing_servers():
        with moto_server({}) as first:
            kms(first.url).create_key(Description="left behind")
            first_pid = first.pid
        with moto_server({"MOTO_ACCOUNT_ID": "111122223333"}) as other:
            assert other.pid != first_pid
        with moto_server({}) as again:
            assert again.pid == first_pid
            assert kms(again.url).list_keys()["Keys"] == []
            again.stop()
        with moto_server({}) as replaced:
            assert replaced.pid not in (None, first_pid)
            assert kms(replaced.url).list_keys()["Keys"] == []
