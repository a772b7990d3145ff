"""ECS container definitions carry no MongoDB URI or credential in plain `environment` variables;
those belong in `secrets` (valueFrom Secrets Manager). Definitions that cannot be read fail."""
from __future__ import annotations

import json
import re
from typing import Any

from checkov.common.models.enums import CheckCategories
from attest_base import AttestCheck
from attest_values import Verdict, failed, first, passed, undetermined

MONGODB_URI = re.compile(r"mongodb(\+srv)?://", re.IGNORECASE)
CREDENTIAL_NAME = re.compile(
    r"(^|_)(URI|URL|PASSWORD|PASSWD|PWD|SECRET|TOKEN|CREDENTIALS?|API_?KEY|PRIVATE_?KEY|CONNECTION_?STRING)($|_)",
    re.IGNORECASE,
)


class EcsEnvironmentHasNoCredential(AttestCheck):
    def __init__(self) -> None:
        super().__init__(
            name="ECS container environment holds no MongoDB URI or credential",
            id="CKV_ATTEST_5",
            categories=[CheckCategories.SECRETS],
            supported_resources=["aws_ecs_task_definition"],
        )

    def judge(self, conf: dict[str, Any]) -> Verdict:
        containers = _containers(first(conf, "container_definitions"))
        if containers is None:
            return undetermined("container_definitions is not JSON source determines")
        for container in containers:
            for variable in container.get("environment") or []:
                if not isinstance(variable, dict):
                    return undetermined(f"container {container.get('name')!r} has an environment entry that is not name/value")
                name, value = str(variable.get("name", "")), str(variable.get("value", ""))
                if CREDENTIAL_NAME.search(name) or MONGODB_URI.search(value):
                    return failed(f"container {container.get('name')!r} puts {name} in plain environment; "
                                  "deliver it through secrets (valueFrom Secrets Manager)")
        return passed("delivers no MongoDB URI or credential through plain environment")

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
