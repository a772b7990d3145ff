"""30% of every call throttled, on AWS and Atlas at once: the evidence must not change at all.

Retries absorb throttling, so the snapshot's resources and the findings equal a fault-free run's.
AWS_MAX_ATTEMPTS=12: at a 0.3 share the chance that one call is throttled 12 times in a row is
0.3**12 (about 5e-7), so no run ever turns throttling into a gap; the default (5 attempts, 0.3**5
= 0.24%) would, over the ~40 calls of one collection, leave a `throttled` gap in ~10% of runs.
The Atlas side answers 429 with `Retry-After: 0`, and ATTEST_ATLAS_MAX_ATTEMPTS=12 for the same
reason (the emulator's default Retry-After of 1 s would only make the test slow).
"""
from __future__ import annotations

import logging

import pytest

from fault_helpers import AWS_SERVICES, check, collect_estate, findings_json, gaps, resources_json
from attest.sandbox.aws_faults import FaultRule
from attest.sandbox.local import LocalEstate

pytestmark = pytest.mark.integration
GENEROUS = {"AWS_MAX_ATTEMPTS": "12", "ATTEST_ATLAS_MAX_ATTEMPTS": "12"}


def test_throttling_a_third_of_all_calls_changes_neither_resources_nor_findings(
    clean_estate: LocalEstate, caplog: pytest.LogCaptureFixture
) -> None:
    plain = collect_estate(clean_estate, **GENEROUS)
    clean_estate.aws_faults.set([FaultRule(service=s, kind="throttle", rate=0.3) for s in AWS_SERVICES], seed=11)
    clean_estate.atlas.faults.throttle(share=0.3, retry_after=0, seed=11)
    with caplog.at_level(logging.DEBUG, logger="attest.collector.atlas.client"):
        throttled = collect_estate(clean_estate, **GENEROUS)

    assert sum(clean_estate.aws_faults.injected.values()) >= 3
    assert "-> HTTP 429" in caplog.text
    assert gaps(throttled) == gaps(plain)
    assert resources_json(throttled) == resources_json(plain)
    assert findings_json(check(throttled)) == findings_json(check(plain))


def test_a_burst_of_server_errors_is_retried_away(clean_estate: LocalEstate) -> None:
    plain = collect_estate(clean_estate, **GENEROUS)
    clean_estate.aws_faults.set([FaultRule(service=s, kind="server_error", rate=0.3, status=503) for s in AWS_SERVICES], seed=5)
    clean_estate.atlas.faults.server_error(3, status=503)
    retried = collect_estate(clean_estate, **GENEROUS)
    assert sum(clean_estate.aws_faults.injected.values()) > 0
    assert gaps(retried) == gaps(plain)
    assert resources_json(retried) == resources_json(plain)
    assert findings_json(check(retried)) == findings_json(check(plain))
