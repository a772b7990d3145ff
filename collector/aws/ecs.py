"""ECS clusters, services and the task definitions they run (plus the newest of each family).

The newest revision matters because a revision registered by hand (no provenance tags) is the
change-control finding. Secret-looking strings anywhere in a container definition (`environment`,
`command`, `entryPoint`, `healthCheck`, `dockerLabels`, `logConfiguration.options`, ...) are redacted
before storing, each noted by its JSON path, never its value.
"""
from __future__ import annotations

from functools import partial
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from attest.collector.aws.reading import Reading, need
from attest.collector.redact import redact_environment, redact_tree

ACTIONS = (
    "ecs:ListClusters",
    "ecs:DescribeClusters",
    "ecs:ListServices",
    "ecs:DescribeServices",
    "ecs:ListTaskDefinitions",
    "ecs:DescribeTaskDefinition",
    "ecs:ListTagsForResource",
)
PARALLEL = 2  # calls this reader overlaps (`Reading.each`): the job counts as two against every bound
CLUSTER, SERVICE, TASK_DEF = "aws.ecs.cluster", "aws.ecs.service", "aws.ecs.task_definition"
RESOURCE_TYPES = (CLUSTER, SERVICE, TASK_DEF)


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _items(answer: Any, key: str, id_key: str, operation: str) -> list[dict[str, Any]]:
    """The answer's list under `key`, each item checked to carry its id."""
    items = need(answer, key, operation)
    for item in items:
        need(item, id_key, operation)
    return list(items)


def read(r: Reading) -> None:
    """Clusters are described while their services are read (ListServices needs only the ARN)."""
    ecs = r.client("ecs")
    arns = r.attempt(
        "ecs:ListClusters", RESOURCE_TYPES, lambda: r.paginate(ecs, "list_clusters", "clusterArns", "ecs:ListClusters")
    )
    if arns is None:
        return
    ordered = sorted(arns)
    chunks = _chunks(ordered, 100)
    calls: list[Callable[[], Any]] = [*(partial(_clusters, r, ecs, chunk) for chunk in chunks),
                                      *(partial(_services, r, ecs, arn) for arn in ordered)]
    answers = r.each(calls)
    for clusters in answers[: len(chunks)]:
        for cluster in clusters or ():
            r.add(cluster["clusterArn"], CLUSTER, ("ecs:ListClusters", "ecs:DescribeClusters"), cluster)
    running: set[str] = set()
    for task_defs in answers[len(chunks):]:
        running |= task_defs
    _task_definitions(r, ecs, running)


def _clusters(r: Reading, ecs: Any, chunk: list[str]) -> list[dict[str, Any]] | None:
    return r.attempt(
        "ecs:DescribeClusters",
        RESOURCE_TYPES,
        lambda: _items(ecs.describe_clusters(clusters=chunk, include=["TAGS"]), "clusters", "clusterArn", "DescribeClusters"),
    )


def _services(r: Reading, ecs: Any, cluster_arn: str) -> set[str]:
    """Read the cluster's services; return the task definitions they run."""
    types = (SERVICE, TASK_DEF)
    arns = r.attempt("ecs:ListServices", types, lambda: _list_services(r, ecs, cluster_arn))
    running: set[str] = set()
    for chunk in _chunks(sorted(arns or []), 10):
        services = r.attempt(
            "ecs:DescribeServices",
            types,
            lambda: _items(
                ecs.describe_services(cluster=cluster_arn, services=chunk, include=["TAGS"]),
                "services",
                "serviceArn",
                "DescribeServices",
            ),
        )
        for service in services or ():
            r.add(service["serviceArn"], SERVICE, ("ecs:ListServices", "ecs:DescribeServices"), service)
            if service.get("taskDefinition"):
                running.add(service["taskDefinition"])
    return running


def _list_services(r: Reading, ecs: Any, cluster_arn: str) -> list[str]:
    """The cluster's service ARNs. A cluster deleted since ListClusters has none: it is listed
    while DescribeClusters runs, so it can be gone before DescribeClusters says it is missing."""
    try:
        return r.paginate(ecs, "list_services", "serviceArns", "ecs:ListServices", cluster=cluster_arn)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ClusterNotFoundException":
            return []
        raise


def _family(arn: str) -> tuple[str, int]:
    """('shopping-app', 2) from arn:aws:ecs:...:task-definition/shopping-app:2."""
    name, _, revision = arn.rsplit("/", 1)[-1].rpartition(":")
    return name, int(revision) if revision.isdigit() else 0


def _newest_or_gap(r: Reading, ecs: Any, family: str) -> str | None:
    """The newest active revision of `family`; None, with a gap recorded, if it cannot be listed."""
    return r.attempt("ecs:ListTaskDefinitions", (TASK_DEF,), partial(_newest, r, ecs, family))


def _newest(r: Reading, ecs: Any, family: str) -> str | None:
    listed = r.paginate(
        ecs, "list_task_definitions", "taskDefinitionArns", "ecs:ListTaskDefinitions", familyPrefix=family, status="ACTIVE"
    )
    own = [arn for arn in listed if _family(arn)[0] == family]
    return max(own, key=lambda arn: _family(arn)[1]) if own else None


def _task_definitions(r: Reading, ecs: Any, running: set[str]) -> None:
    """The running revisions are described while the newest of each family is looked up; a newest
    revision that is not running is described after."""
    families = sorted({_family(arn)[0] for arn in running})
    arns = sorted(running)
    calls: list[Callable[[], Any]] = [
        *(partial(_task, r, ecs, arn) for arn in arns),
        *(partial(_newest_or_gap, r, ecs, f) for f in families),
    ]
    answers = r.each(calls)
    tasks: dict[str, dict[str, Any] | None] = dict(zip(arns, answers[: len(arns)]))
    newest: dict[str, str | None] = dict(zip(families, answers[len(arns):]))
    extra = sorted({arn for arn in newest.values() if arn} - running)
    tasks.update(zip(extra, r.each([partial(_task, r, ecs, arn) for arn in extra])))
    for arn in sorted(tasks):
        task = tasks[arn]
        if task is None:
            continue
        latest = newest.get(task.get("family", _family(arn)[0]))
        task["isLatestRevision"] = None if latest is None else task.get("taskDefinitionArn") == latest
        task["containerDefinitions"] = [
            _redacted(r, task["taskDefinitionArn"], index, c) for index, c in enumerate(task.get("containerDefinitions", []))
        ]
        r.add(task["taskDefinitionArn"], TASK_DEF, ("ecs:ListTaskDefinitions", "ecs:DescribeTaskDefinition"), task)


def _task(r: Reading, ecs: Any, arn: str) -> dict[str, Any] | None:
    return r.attempt("ecs:DescribeTaskDefinition", (TASK_DEF,), lambda: _describe_task(ecs, arn))


def _describe_task(ecs: Any, arn: str) -> dict[str, Any]:
    """DescribeTaskDefinition with its tags folded in (`tags`, as ListTagsForResource names them)."""
    answer = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
    task = dict(need(answer, "taskDefinition", "DescribeTaskDefinition"))
    need(task, "taskDefinitionArn", "DescribeTaskDefinition")
    task["tags"] = answer.get("tags", [])
    return task


def _redacted(r: Reading, arn: str, index: int, container: dict[str, Any]) -> dict[str, Any]:
    """The container with every secret-looking value replaced; one note per redaction (path, no value)."""
    name = container.get("name")
    if container.get("environment"):
        environment, names = redact_environment(container["environment"], r.salt)
        for variable in names:
            r.notes.append(f"redacted environment variable {variable} of container {name} in {arn}")
        container = {**container, "environment": environment}
    redacted: dict[str, Any]
    redacted, paths = redact_tree(container, r.salt, f"containerDefinitions[{index}]")
    for path in paths:
        r.notes.append(f"redacted {path} of container {name} in {arn}")
    return redacted
