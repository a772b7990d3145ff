"""Retry budgets per account for the clients every account shares.

botocore's standard retry mode keeps one retry quota per client: each retry spends from it, each
success refills it, and once it is empty no call of that client is retried. AWS throttles per
account, so a client shared by every account would let one throttled account spend the quota the
others need, and their ordinary transient errors would become gaps. Each shared client therefore
gets one standard-mode retry handler per account (botocore's own classes, each with its own
quota), chosen by the account whose read makes the call.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

from botocore.retries import quota, standard


class AccountRetries:
    """Replaces a client's standard-mode retry handler with one per account."""

    def __init__(self, client: Any, max_attempts: int, current: Callable[[], Any]) -> None:
        self._service = client.meta.service_model.service_id.hyphenize()
        self._max_attempts = max_attempts
        self._current = current
        self._lock = threading.Lock()
        self._handlers: dict[Any, tuple[standard.RetryHandler, standard.RetryQuotaChecker]] = {}
        events = client.meta.events
        events.unregister(f"needs-retry.{self._service}", unique_id=f"retry-config-{self._service}")
        events.register(f"needs-retry.{self._service}", self._needs_retry, unique_id=f"attest-retries-{self._service}")
        events.register(f"after-call.{self._service}", self._release, unique_id=f"attest-quota-{self._service}")

    def _for_current(self) -> tuple[standard.RetryHandler, standard.RetryQuotaChecker]:
        account = self._current()
        with self._lock:
            if account not in self._handlers:
                self._handlers[account] = self._handler()
            return self._handlers[account]

    def _handler(self) -> tuple[standard.RetryHandler, standard.RetryQuotaChecker]:
        """What botocore's `register_retry_handler` builds, with a quota of its own."""
        adapter = standard.RetryEventAdapter()
        throttling = standard.ThrottlingErrorDetector(adapter)
        checker = standard.RetryQuotaChecker(quota.RetryQuota(), throttling)
        policy = standard.RetryPolicy(
            retry_checker=standard.StandardRetryConditions(max_attempts=self._max_attempts),
            retry_backoff=standard.ExponentialBackoff(service_name=self._service, throttling_detector=throttling),
        )
        handler = standard.RetryHandler(retry_policy=policy, retry_event_adapter=adapter, retry_quota=checker,
                                        service_name=self._service)
        return handler, checker

    def _needs_retry(self, **kwargs: Any) -> Any:
        return self._for_current()[0].needs_retry(**kwargs)

    def _release(self, **kwargs: Any) -> None:
        self._for_current()[1].release_retry_quota(**kwargs)
