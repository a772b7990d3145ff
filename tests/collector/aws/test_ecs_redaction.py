"""Secret-looking strings anywhere in a container definition are redacted; each redaction is noted by path."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from attest.collector.config import load_config
from attest.collector.redact import is_marker, redact_tree
from attest.collector.run import collect
from attest.sandbox.local import local_estate

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
CONTAINER = {
    "name": "web",
    "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1",
    "entryPoint": ["sh", "-c", "exec node app --db=mongodb://u:CANARY-entry@h/db"],
    "healthCheck": {"command": ["CMD-SHELL", "curl -f http://probe:CANARY-hc@localhost/health"]},
    "dockerLabels": {"team": "payments", "SENTRY_DSN": "CANARY-dsn"},
    "logConfiguration": {"logDriver": "awsfirelens", "options": {"Name": "datadog", "apikey": "CANARY-dd"}},
    "repositoryCredentials": {"credentialsParameter": "arn:aws:secretsmanager:us-east-1:123456789012:secret:reg"},
    "secrets": [{"name": "MONGODB_URI", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:uri"}],
    "environment": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "API_TOKEN", "value": "CANARY-env"}],
}


def test_every_secret_looking_string_is_redacted_and_references_are_kept() -> None:
    redacted, paths = redact_tree(CONTAINER, "salt", "containerDefinitions[0]")
    assert "CANARY-" not in repr(redacted) and "CANARY-" not in repr(paths)
    assert sorted(paths) == [
        "containerDefinitions[0].dockerLabels.SENTRY_DSN",
        "containerDefinitions[0].entryPoint[2]",
        "containerDefinitions[0].environment[1].value",
        "containerDefinitions[0].healthCheck.command[1]",
        "containerDefinitions[0].logConfiguration.options.apikey",
    ]
    assert redacted["secrets"] == CONTAINER["secrets"]
    assert redacted["repositoryCredentials"] == CONTAINER["repositoryCredentials"]
    assert redacted["dockerLabels"]["team"] == "payments" and redacted["entryPoint"][:2] == ["sh", "-c"]


@pytest.mark.integration
def test_a_credential_on_the_command_line_never_reaches_the_snapshot(local_config_path: Path) -> None:
    with local_estate("ecs-env-secret") as estate:
        snapshot = collect(load_config(local_config_path), {**estate.env, "ATTEST_REDACTION_SALT": "t"}, now=lambda: NOW)
    text = snapshot.to_json()
    assert "CANARY-ECS-CMD-5d2e71" not in text and "CANARY-" not in text
    tasks = [r for r in snapshot.resources if r.type == "aws.ecs.task_definition"]
    commands = [c["command"] for t in tasks for c in t.attributes["containerDefinitions"] if c.get("command")]
    assert len(commands) == 1 and commands[0][:3] == ["node", "server.js", "--reference-db"] and is_marker(commands[0][3])
    hand = next(t for t in tasks if any(c.get("command") for c in t.attributes["containerDefinitions"]))
    assert f"redacted containerDefinitions[0].command[3] of container web in {hand.id}" in snapshot.notes
