"""`collect`: read every account, region and service in scope, and Atlas, into one Snapshot.

Jobs run on a bounded thread pool: first each AWS account is opened (role, identity), then one job
per account x region x service, alongside the Atlas collector. Failures are gaps, never exceptions;
only bad input (config, environment) raises.
"""
from __future__ import annotations

import os
import secrets as _random
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Mapping, TextIO

from collector import __version__
from collector.atlas.client import AtlasSettings
from collector.atlas.collect import AtlasResult, collect_atlas
from collector.aws.collect import READERS, AccountAccess, Part, open_account, read_service
from collector.aws.session import AwsSettings
from collector.config import EstateConfig
from collector.snapshot import Gap, Identity, Resource, Snapshot

MAX_WORKERS = 4
ATLAS_WORKERS = 2
SALT_VARIABLE = "ATTEST_REDACTION_SALT"


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
        """Called from worker threads as jobs finish."""
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


def _aws(
    config: EstateConfig,
    environ: Mapping[str, str],
    settings: AwsSettings,
    salt: str,
    pool: ThreadPoolExecutor,
    progress: Progress,
) -> list[Future[Part]]:
    """Open every account, then queue one job per account x region x service."""
    progress.add(len(config.aws_accounts))
    opened: list[Future[AccountAccess]] = [
        pool.submit(open_account, account, environ, settings, salt) for account in config.aws_accounts
    ]
    jobs: list[Future[Part]] = []
    for future in opened:
        access = future.result()
        progress.tick(f"aws {access.account.id}")
        jobs.append(_done(access.part))
        for region in access.account.regions:
            for service in READERS:
                jobs.append(pool.submit(read_service, access, region, service, salt))
                progress.add(1)
                jobs[-1].add_done_callback(lambda _f, label=f"aws {access.account.id} {region} {service}": progress.tick(label))
    return jobs


def _atlas(config: EstateConfig, environ: Mapping[str, str], salt: str, pool: ThreadPoolExecutor, progress: Progress) -> Future[AtlasResult] | None:
    """The Atlas collector as one job (it runs its own small pool); None when no project is in scope."""
    if not config.atlas_projects:
        return None
    settings = AtlasSettings.from_env(environ)
    progress.add(1)
    job = pool.submit(collect_atlas, config, settings, salt=salt, max_workers=ATLAS_WORKERS)
    job.add_done_callback(lambda _f: progress.tick("atlas"))
    return job


def _done(part: Part) -> Future[Part]:
    future: Future[Part] = Future()
    future.set_result(part)
    return future


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
    aws_settings = AwsSettings.from_env(env)
    progress = Progress(stream or sys.stderr)
    gathered = _Gathered()
    atlas_principal = None
    with ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="collect") as pool:
        atlas = _atlas(config, env, salt, pool, progress)
        for job in _aws(config, env, aws_settings, salt, pool, progress):
            gathered.take(job.result())
        if atlas is not None:
            result = atlas.result()
            gathered.take(Part(result.resources, result.gaps))
            atlas_principal = result.principal
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
