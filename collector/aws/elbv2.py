"""Load-balancer listeners (ALB and NLB), each with the scheme and type of its load balancer."""
from __future__ import annotations

from typing import Any

from attest.collector.aws.reading import Reading, need

ACTIONS = ("elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeListeners")
RESOURCE_TYPES = ("aws.elbv2.listener",)
SOURCE = ACTIONS
_BALANCER_KEYS = ("LoadBalancerArn", "LoadBalancerName", "Scheme", "Type", "DNSName")


def read(r: Reading) -> None:
    client = r.client("elbv2")
    balancers = r.attempt("elasticloadbalancing:DescribeLoadBalancers", RESOURCE_TYPES, lambda: _balancers(r, client))
    for balancer in balancers or ():
        arn = balancer["LoadBalancerArn"]
        listeners = r.attempt("elasticloadbalancing:DescribeListeners", RESOURCE_TYPES, lambda: _listeners(r, client, arn))
        summary = {k: balancer[k] for k in _BALANCER_KEYS if k in balancer}
        for listener in listeners or ():
            r.add(listener["ListenerArn"], "aws.elbv2.listener", SOURCE, {**listener, "LoadBalancer": summary})


def _listeners(r: Reading, client: Any, arn: str) -> list[dict[str, Any]]:
    found = r.paginate(client, "describe_listeners", "Listeners", "elasticloadbalancing:DescribeListeners", LoadBalancerArn=arn)
    for listener in found:
        need(listener, "ListenerArn", "DescribeListeners")
    return list(found)


def _balancers(r: Reading, client: Any) -> list[dict[str, Any]]:
    found = r.paginate(client, "describe_load_balancers", "LoadBalancers", "elasticloadbalancing:DescribeLoadBalancers")
    for balancer in found:
        need(balancer, "LoadBalancerArn", "DescribeLoadBalancers")
    return list(found)
