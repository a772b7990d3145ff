"""ECS container definitions carry no MongoDB URI or credential in plain `environment` variables;
those belong in `secrets` (valueFrom Secrets Manager). Definitions that cannot be read fail."""
from __future__ import annotations

import json
import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from attest_values import first

MONGODB_URI = re.compile(r"mongodb(\+srv)?://", re.IGNORECASE)
CREDENTIAL_NAME = re.compile(
    r"(^|_)(URI|URL|PASSWORD|PASSWD|PWD|SECRET|TOKEN|CREDENTIALS?|API_?KEY|PRIVATE_?KEY|CONNECTION_?STRING)($|_)",
    re.IGNORECASE,
)


class EcsEnvironmentHasNoCredential(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="ECS container environment holds no MongoDB URI or credential",
            id="CKV_ATTEST_5",
            categories=[CheckCategories.SECRETS],
            supported_resources=["aws_ecs_task_definition"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        containers = _containers(first(conf, "container_definitions"))
        if containers is None:
            return CheckResult.FAILED
        for container in containers:
            for variable in container.get("environment") or []:
                if not isinstance(variable, dict):
                    return CheckResult.FAILED
                name, value = str(variable.get("name", "")), str(variable.get("value", ""))
                if CREDENTIAL_NAME.search(name) or MONGODB_URI.search(value):
                    return CheckResult.FAILED
        return CheckResult.PASSED

    def get_evaluated_keys(self) -> list[str]:
        return ["container_definitions"]


def _containers(value: Any) -> list[dict[str, Any]] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, dict):
        value = [value]
    if isinstance(value, list) and all(isinstance(c, dict) for c in value):
        return value
    return None


check = EcsEnvironmentHasNoCredential()
