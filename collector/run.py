"""`collect`: read every account, region and service in scope, and Atlas, into one Snapshot.

Collection is latency-bound (a few hundred small calls, each waiting on the network), so it runs
as many small jobs on one thread pool: open each AWS account (AssumeRole), then per account its
caller identity and one job per region x service (`plan`: a global service once, in its home
region), alongside the Atlas collector (which runs its own pool, bounded per host). A scheduler
starts a job only when its bounds allow (`Bounds`: threads, jobs per account, jobs per service in
one account), so no thread waits on a bound, and the longest chains (ECS) start first. Failures
are gaps, never exceptions; only bad input (config, environment) raises.
"""
from __future__ import annotations

import os
import secrets as _random
import sys
import threading
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Callable, Mapping, TextIO

from attest.core import __version__
from attest.collector.atlas.client import AtlasSettings
from attest.collector.atlas.collect import collect_atlas
from attest.collector.aws.collect import AccountAccess, Part, base_factory, open_account, plan, read_identity, read_service, width
from attest.collector.aws.session import AwsSettings, ClientFactory
from attest.collector.config import AwsAccount, EstateConfig
from attest.core.errors import BadInputError
from attest.collector.snapshot import Gap, Identity, Resource, Snapshot

SALT_VARIABLE = "ATTEST_REDACTION_SALT"
# Longest chain first: ECS is five dependent calls (six when a service runs an older revision than its
# family's newest), KMS three, the rest one or two.
_PRIORITY = {"open": 0, "atlas": 0, "ecs": 1, "kms": 2, "ec2": 3, "secretsmanager": 4, "identity": 5}


@dataclass(frozen=True)
class Bounds:
    """How much runs at once. Every call waits on the network, so threads are cheap; the per-account
    and per-service bounds keep one account's API rate limits (per account, region and API) far away."""

    workers: int = 64
    per_account: int = 16
    per_service: int = 4
    atlas: int = 16

    VARIABLES = {
        "workers": "ATTEST_MAX_WORKERS",
        "per_account": "ATTEST_MAX_PER_ACCOUNT",
        "per_service": "ATTEST_MAX_PER_SERVICE",
        "atlas": "ATTEST_ATLAS_MAX_CONCURRENCY",
    }

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Bounds:
        """The defaults, overridden by the ATTEST_MAX_* variables (each a whole number >= 1)."""
        values = {}
        for name, variable in cls.VARIABLES.items():
            raw = environ.get(variable)
            if raw is None or raw == "":
                continue
            if not raw.strip().isdigit() or int(raw) < 1:
                raise BadInputError(f"must be a whole number >= 1 (got {raw!r})", where=f"environment variable {variable}")
            values[name] = int(raw)
        return cls(**values)


def redaction_salt(environ: Mapping[str, str]) -> str:
    """The configured salt (stable hashes across runs) or a fresh random one for this run only."""
    return environ.get(SALT_VARIABLE) or _random.token_hex(16)


@dataclass
class Progress:
    """A one-line `done/total` counter on stderr, drawn only when stderr is a terminal."""

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    total: int = 0
    done: int = 0

    def __post_init__(self) -> None:
        self.enabled = self.stream.isatty()
        self._lock = threading.Lock()

    def add(self, count: int) -> None:
        with self._lock:
            self.total += count
            self._draw()

    def tick(self, label: str) -> None:
        """Called as jobs finish."""
        with self._lock:
            self.done += 1
            self._draw(label)

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _draw(self, label: str = "") -> None:
        if self.enabled:
            self.stream.write(f"\r\033[Kcollecting {self.done}/{self.total} {label}"[:120])
            self.stream.flush()


@dataclass(frozen=True)
class _Done:
    """A finished job's output and the jobs its answer makes possible."""

    part: Part
    follow_ups: tuple[_Job, ...] = ()


@dataclass(frozen=True)
class _Job:
    run: Callable[[], _Done]
    kind: str
    label: str
    account: str | None = None  # None: not an AWS job, no per-account bound
    region: str | None = None
    width: int = 1  # calls it may have in flight at once, counted against the bounds


class _Scheduler:
    """Starts ready jobs while `Bounds` allow, collects their parts, queues their follow-ups."""

    def __init__(self, bounds: Bounds, pool: ThreadPoolExecutor, progress: Progress) -> None:
        self.bounds, self.pool, self.progress = bounds, pool, progress
        self.ready: list[tuple[int, int, _Job]] = []
        self.running: dict[Future[_Done], _Job] = {}
        self.per_account: Counter[str] = Counter()
        self.per_service: Counter[tuple[str, str | None, str]] = Counter()  # (account, region, service)
        self.in_flight = 0  # the running jobs' widths: calls that may be in flight
        self.parts: list[Part] = []
        self._seq = 0

    def add(self, jobs: tuple[_Job, ...] | list[_Job]) -> None:
        for job in jobs:
            self._seq += 1
            self.ready.append((_PRIORITY.get(job.kind, 9), self._seq, job))
        self.ready.sort(key=lambda item: item[:2])
        self.progress.add(len(jobs))

    def run(self) -> list[Part]:
        while self.ready or self.running:
            self._start()
            done, _ = wait(tuple(self.running), return_when=FIRST_COMPLETED)
            for future in done:
                job = self.running.pop(future)
                self.in_flight -= job.width
                if job.account is not None:
                    self.per_account[job.account] -= job.width
                    self.per_service[(job.account, job.region, job.kind)] -= job.width
                result = future.result()
                self.parts.append(result.part)
                self.progress.tick(job.label)
                self.add(result.follow_ups)
        return self.parts

    def _fits(self, job: _Job) -> bool:
        if job.account is None:
            return True
        return (
            self.per_account[job.account] + job.width <= self.bounds.per_account
            and self.per_service[(job.account, job.region, job.kind)] + job.width <= self.bounds.per_service
        )

    def _start(self) -> None:
        """Start ready jobs in priority order. A job that waits only for free calls in all
        (`workers`) keeps the later ones waiting too: otherwise one-call jobs would take each call
        as it frees and a wider, longer chain (ECS) would start last."""
        waiting = []
        full = False
        for item in self.ready:
            job = item[2]
            if full or not self._fits(job):
                waiting.append(item)
                continue
            if self.in_flight + job.width > self.bounds.workers:
                full = True
                waiting.append(item)
                continue
            if job.account is not None:
                self.per_account[job.account] += job.width
                self.per_service[(job.account, job.region, job.kind)] += job.width
            self.in_flight += job.width
            self.running[self.pool.submit(job.run)] = job
        self.ready = waiting


def _open_job(account: AwsAccount, base: ClientFactory, salt: str, bounds: Bounds) -> _Job:
    """AssumeRole; once it answers, the account's identity and readers become jobs."""

    def run() -> _Done:
        access = open_account(account, base, salt)
        if access.clients is None:
            return _Done(access.part)
        return _Done(access.part, _account_jobs(access, salt, bounds))

    return _Job(run, "open", f"aws {account.id}", account.id)


def _read_service(access: AccountAccess, region: str, service: str, salt: str, wide: int) -> _Done:
    return _Done(read_service(access, region, service, salt, wide))


def _account_jobs(access: AccountAccess, salt: str, bounds: Bounds) -> tuple[_Job, ...]:
    account = access.account.id
    jobs = [_Job(lambda: _Done(read_identity(access, salt)), "identity", f"aws {account} identity", account)]
    for region, service in plan(access.account):
        wide = min(width(service), bounds.workers, bounds.per_account, bounds.per_service)
        jobs.append(_Job(
            partial(_read_service, access, region, service, salt, wide),
            service,
            f"aws {account} {region} {service}",
            account,
            region,
            wide,
        ))
    return tuple(jobs)


def _atlas_job(config: EstateConfig, environ: Mapping[str, str], salt: str, bounds: Bounds) -> _Job:
    """The Atlas collector as one job; its own pool is the per-host concurrency bound."""
    settings = AtlasSettings.from_env(environ)

    def run() -> _Done:
        result = collect_atlas(config, settings, salt=salt, max_workers=bounds.atlas)
        return _Done(Part(result.resources, result.gaps))

    return _Job(run, "atlas", "atlas")


@dataclass
class _Gathered:
    resources: list[Resource] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    caller_arns: list[str] = field(default_factory=list)

    def take(self, part: Part) -> None:
        self.resources.extend(part.resources)
        self.gaps.extend(part.gaps)
        self.notes.extend(part.notes)
        if part.caller_arn:
            self.caller_arns.append(part.caller_arn)


def collect(
    config: EstateConfig,
    environ: Mapping[str, str] | None = None,
    *,
    now: Callable[[], datetime],
    stream: TextIO | None = None,
) -> Snapshot:
    """Collect the estate `config` puts in scope; `now` stamps the snapshot (UTC-aware)."""
    env = os.environ if environ is None else environ
    salt = redaction_salt(env)
    bounds = Bounds.from_env(env)
    progress = Progress(stream or sys.stderr)
    jobs = []
    atlas_principal = None
    if config.atlas_projects:
        jobs.append(_atlas_job(config, env, salt, bounds))
        atlas_principal = AtlasSettings.from_env(env).principal or None
    if config.aws_accounts:
        base = base_factory(env, replace(AwsSettings.from_env(env), connections=bounds.workers))
        jobs.extend(_open_job(account, base, salt, bounds) for account in config.aws_accounts)
    gathered = _Gathered()
    with ThreadPoolExecutor(max_workers=bounds.workers, thread_name_prefix="collect") as pool:
        scheduler = _Scheduler(bounds, pool, progress)
        scheduler.add(jobs)
        for part in scheduler.run():
            gathered.take(part)
    progress.finish()
    return Snapshot.build(
        collected_at=now(),
        collector_version=__version__,
        identity=Identity(aws_caller_arns=tuple(sorted(set(gathered.caller_arns))), atlas_principal=atlas_principal),
        scope=config.to_scope(),
        resources=gathered.resources,
        gaps=set(gathered.gaps),
        notes=gathered.notes,
    )
