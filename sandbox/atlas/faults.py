"""Faults the Atlas emulator can plant: throttling, denials, server errors, bad answers, latency.

A `FaultPlan` is shared by every request thread of one emulator, so all state sits behind a lock.
Random choices (a share of calls throttled) come from a seeded RNG: the same plan and the same
sequence of calls give the same answers (concurrent callers make the sequence theirs to fix). Tests drive it as Python; a separately running sandbox
is driven through `POST /_emulator/faults` with the same vocabulary as JSON (`configure`).
"""
from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

MALFORMED_KINDS = ("truncated", "shape")


@dataclass(frozen=True)
class Fault:
    """What to do to one call instead of (or on top of) answering it."""

    status: int | None = None          # answer with this HTTP error status
    retry_after: int | None = None     # seconds, with a 429 or 503
    malformed: str | None = None       # one of MALFORMED_KINDS


@dataclass
class _Countdown:
    """A fault for the next `remaining` matching calls (None: every matching call)."""

    operations: frozenset[str] | None
    remaining: int | None

    def take(self, operation: str) -> bool:
        if self.operations is not None and operation not in self.operations:
            return False
        if self.remaining is None:
            return True
        if self.remaining <= 0:
            return False
        self.remaining -= 1
        return True


class FaultPlan:
    """The emulator's fault switchboard; every method is safe to call while requests run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        """Back to a well-behaved API."""
        with self._lock:
            self._throttle: _Countdown | None = None
            self._throttle_share = 0.0
            self._throttle_share_ops: frozenset[str] | None = None
            self._retry_after = 1
            self._rng = random.Random(0)
            self._denied: frozenset[str] = frozenset()
            self._server_error: _Countdown | None = None
            self._server_status = 500
            self._malformed: dict[str, tuple[str, int | None]] = {}
            self._delay = 0.0
            self._delay_operations: frozenset[str] | None = None
            self._page_size: int | None = None

    def throttle(
        self,
        count: int | None = None,
        *,
        share: float = 0.0,
        retry_after: int = 1,
        operations: Iterable[str] | None = None,
        seed: int = 0,
    ) -> None:
        """429 RATE_LIMITED for the next `count` calls, and/or a `share` (0..1) of calls; replaces any earlier throttle."""
        if count is not None and count < 0 or not 0.0 <= share <= 1.0 or retry_after < 0:
            raise ValueError("throttle needs count >= 0, 0 <= share <= 1 and retry_after >= 0")
        with self._lock:
            ops = _ops(operations)
            self._throttle = _Countdown(ops, count) if count is not None else None
            self._throttle_share = share
            self._throttle_share_ops = ops
            self._retry_after = retry_after
            self._rng = random.Random(seed)

    def deny(self, *operations: str) -> None:
        """403 for these operation ids (in addition to those the principal's role forbids)."""
        with self._lock:
            self._denied = self._denied | frozenset(operations)

    def server_error(self, count: int | None = None, *, status: int = 500, operations: Iterable[str] | None = None) -> None:
        """An HTTP 5xx for the next `count` matching calls (None: all of them)."""
        if not 500 <= status <= 599:
            raise ValueError("server_error status must be 5xx")
        with self._lock:
            self._server_error = _Countdown(_ops(operations), count)
            self._server_status = status

    def malform(self, operation: str, kind: str = "truncated", *, page: int | None = None) -> None:
        """Answer `operation` (only its page `page`, if given) with truncated JSON or the wrong shape."""
        if kind not in MALFORMED_KINDS:
            raise ValueError(f"malformed kind must be one of {', '.join(MALFORMED_KINDS)}")
        with self._lock:
            self._malformed[operation] = (kind, page)

    def delay(self, seconds: float, *, operations: Iterable[str] | None = None) -> None:
        """Wait `seconds` before answering each matching call."""
        if seconds < 0:
            raise ValueError("delay must be >= 0 seconds")
        with self._lock:
            self._delay = seconds
            self._delay_operations = _ops(operations)

    def page_size(self, size: int | None) -> None:
        """Cap every list's itemsPerPage, to force paging (None: no cap)."""
        if size is not None and size < 1:
            raise ValueError("page size must be >= 1")
        with self._lock:
            self._page_size = size

    def configure(self, spec: Mapping[str, Any]) -> None:
        """Apply a JSON plan: {clear, throttle, deny, server_error, malformed, delay, page_size}."""
        known = {"clear", "throttle", "deny", "server_error", "malformed", "delay", "page_size"}
        unknown = sorted(set(spec) - known)
        if unknown:
            raise ValueError(f"unknown fault keys: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        if spec.get("clear"):
            self.clear()
        if "throttle" in spec:
            self.throttle(**_kwargs(spec["throttle"], "throttle"))
        if "deny" in spec:
            if not isinstance(spec["deny"], list) or not all(isinstance(o, str) for o in spec["deny"]):
                raise ValueError("deny lists operation ids")
            self.deny(*spec["deny"])
        if "server_error" in spec:
            self.server_error(**_kwargs(spec["server_error"], "server_error"))
        if "malformed" in spec:
            self.malform(**_kwargs(spec["malformed"], "malformed"))
        if "delay" in spec:
            self.delay(**_kwargs(spec["delay"], "delay"))
        if "page_size" in spec:
            self.page_size(spec["page_size"])

    def effective_page_size(self, requested: int) -> int:
        with self._lock:
            return min(requested, self._page_size) if self._page_size else requested

    def latency(self, operation: str) -> float:
        with self._lock:
            if self._delay_operations is None or operation in self._delay_operations:
                return self._delay
            return 0.0

    def decide(self, operation: str, page: int | None = None) -> Fault | None:
        """The fault for this call, if any; consumes countdowns and RNG draws in call order."""
        with self._lock:
            if self._throttle is not None and self._throttle.take(operation):
                return Fault(status=429, retry_after=self._retry_after)
            if self._throttle_share and _matches(self._throttle_share_ops, operation):
                if self._rng.random() < self._throttle_share:
                    return Fault(status=429, retry_after=self._retry_after)
            if operation in self._denied:
                return Fault(status=403)
            if self._server_error is not None and self._server_error.take(operation):
                retry = self._retry_after if self._server_status == 503 else None
                return Fault(status=self._server_status, retry_after=retry)
            planted = self._malformed.get(operation)
            if planted and (planted[1] is None or planted[1] == page):
                return Fault(malformed=planted[0])
            return None


def _ops(operations: Iterable[str] | None) -> frozenset[str] | None:
    return None if operations is None else frozenset(operations)


def _matches(operations: frozenset[str] | None, operation: str) -> bool:
    return operations is None or operation in operations


def _kwargs(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{name} takes an object of its options")
    return value
