"""AWS Config configuration recorders of the region, each with its recording status."""
from __future__ import annotations

from typing import Any

from attest.collector.aws.reading import MalformedAnswer, Reading, need

ACTIONS = ("config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus")
RESOURCE_TYPES = ("aws.config.recorder",)
SOURCE = ACTIONS


def read(r: Reading) -> None:
    client = r.client("config")
    recorders = r.attempt("config:DescribeConfigurationRecorders", RESOURCE_TYPES, lambda: need(
        client.describe_configuration_recorders(), "ConfigurationRecorders", "DescribeConfigurationRecorders"))
    if recorders is None:
        return
    statuses = r.attempt("config:DescribeConfigurationRecorderStatus", RESOURCE_TYPES, lambda: _statuses(client))
    if statuses is None:
        return
    for recorder in recorders:
        name = recorder.get("name") if isinstance(recorder, dict) else None
        if not isinstance(name, str):  # a recorder left out would leave its region looking unrecorded
            r.gap("config:DescribeConfigurationRecorders", RESOURCE_TYPES,
                  MalformedAnswer("DescribeConfigurationRecorders answer has a recorder without a string 'name'"))
            continue
        arn = f"arn:aws:config:{r.region}:{r.account}:config-recorder/{name}"
        r.add(arn, "aws.config.recorder", SOURCE, {**recorder, "Status": statuses.get(name)})


def _statuses(client: Any) -> dict[str, dict[str, Any]]:
    """Each recorder's status by name. A status without its recorder's name is a malformed answer: it
    could be any recorder's, so none of the region's may be judged from it (nor as having none)."""
    answer = need(client.describe_configuration_recorder_status(), "ConfigurationRecordersStatus",
                  "DescribeConfigurationRecorderStatus")
    out: dict[str, dict[str, Any]] = {}
    for status in answer:
        name = need(status, "name", "DescribeConfigurationRecorderStatus")
        if not isinstance(name, str):
            raise MalformedAnswer("DescribeConfigurationRecorderStatus answer has a status without a string 'name'")
        out[name] = {k: status[k] for k in ("name", "recording", "lastStatus", "lastErrorCode") if k in status}
    return out
