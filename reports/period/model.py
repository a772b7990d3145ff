"""The SOC 2 Type II period view: per control, per night, the status over the audit period.

Built from the nights of verified bundles only. A night without one is a gap (missed evidence),
never assumed to have passed. An exception (a fail, error or waived finding of one rule on one
resource) runs from the first night it is seen to the last, across nights without evidence (they
are unknown, not passing) and ends on the first evidenced night that no longer shows it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from attest.evidence.window import ChainWindow, Rejected
from attest.policies.findings import WaiverRef
from attest.reports.period.nights import Cite, ExceptionFact, Night

NO_EVIDENCE = "no evidence"
EXCEPTION_ORDER = {"fail": 0, "error": 1, "waived": 2}


@dataclass(frozen=True)
class Run:
    status: str
    first: date
    last: date
    first_cite: Cite | None
    last_cite: Cite | None

    @property
    def nights(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class ControlPeriod:
    control_id: str
    title: str
    framework: str
    runs: tuple[Run, ...]
    days: tuple[tuple[date, str, Cite | None], ...]
    counts: tuple[tuple[str, int], ...]

    @property
    def exception_nights(self) -> int:
        return sum(n for s, n in self.counts if s in EXCEPTION_ORDER)


@dataclass(frozen=True)
class Episode:
    rule_id: str
    subject: str
    controls: tuple[str, ...]
    statuses: tuple[str, ...]
    first: date
    last: date
    nights_seen: int
    open_at_end: bool
    message: str
    first_cite: Cite
    last_cite: Cite

    @property
    def duration_days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class WaiverPeriod:
    """A waiver across the period: as the last night recorded it, when it was first and last seen."""

    waiver: WaiverRef
    first_seen: date
    last_seen: date
    state: str
    first_cite: Cite
    last_cite: Cite


@dataclass(frozen=True)
class Change:
    arn: str
    family: str
    revision: str
    registered_by: str | None
    registered_at: str | None
    git_sha: str | None
    first_seen: date
    cite: Cite
    draw_key: str


@dataclass(frozen=True)
class Sample:
    size: int
    seed: str
    picks: tuple[str, ...]


@dataclass(frozen=True)
class PeriodModel:
    locker: str
    start: date
    end: date
    signatures_checked: bool
    nights: tuple[Night, ...]
    gaps: tuple[tuple[date, str], ...]
    rejected: tuple[Rejected, ...]
    chain_notes: tuple[str, ...]
    controls: tuple[ControlPeriod, ...]
    exceptions: tuple[Episode, ...]
    waivers: tuple[WaiverPeriod, ...]
    population: tuple[Change, ...]
    sample: Sample | None

    @property
    def calendar_nights(self) -> int:
        return (self.end - self.start).days + 1


def calendar(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _runs(days: list[tuple[date, str, Cite | None]]) -> tuple[Run, ...]:
    runs: list[Run] = []
    for night, status, cite in days:
        if runs and runs[-1].status == status and runs[-1].last + timedelta(days=1) == night:
            runs[-1] = Run(status, runs[-1].first, night, runs[-1].first_cite, cite)
        else:
            runs.append(Run(status, night, night, cite, cite))
    return tuple(runs)


def _controls(nights: list[Night], span: list[date]) -> tuple[ControlPeriod, ...]:
    by_night = {n.night: {c.control_id: c for c in n.controls} for n in nights}
    titles: dict[str, tuple[str, str]] = {}
    for n in nights:
        for c in n.controls:
            titles[c.control_id] = (c.title, c.framework)
    out = []
    for control_id in sorted(titles):
        days: list[tuple[date, str, Cite | None]] = []
        for night in span:
            fact = by_night.get(night, {}).get(control_id)
            days.append((night, fact.status if fact else NO_EVIDENCE, fact.cite if fact else None))
        statuses = sorted({s for _, s, _ in days})
        counts = tuple((s, sum(1 for _, x, _ in days if x == s)) for s in statuses)
        out.append(ControlPeriod(control_id, *titles[control_id], _runs(days), tuple(days), counts))
    return tuple(out)


def _episodes(nights: list[Night]) -> tuple[Episode, ...]:
    seen: dict[tuple[str, str], list[tuple[Night, ExceptionFact]]] = {}
    done: list[list[tuple[Night, ExceptionFact]]] = []
    for night in nights:
        present = {(e.rule_id, e.subject): e for e in night.exceptions}
        for key in [k for k in seen if k not in present]:
            done.append(seen.pop(key))
        for key, fact in present.items():
            seen.setdefault(key, []).append((night, fact))
    last_night = nights[-1].night if nights else None
    done.extend(seen.values())
    episodes = []
    for occurrences in done:
        (first_night, first), (last_night_seen, last) = occurrences[0], occurrences[-1]
        episodes.append(Episode(
            rule_id=first.rule_id, subject=first.subject,
            controls=tuple(sorted({c for _, f in occurrences for c in f.controls})),
            statuses=tuple(sorted({f.status for _, f in occurrences}, key=lambda s: EXCEPTION_ORDER.get(s, 9))),
            first=first_night.night, last=last_night_seen.night, nights_seen=len(occurrences),
            open_at_end=last_night_seen.night == last_night, message=last.message,
            first_cite=first.cite, last_cite=last.cite,
        ))
    return tuple(sorted(episodes, key=lambda e: (EXCEPTION_ORDER.get(e.statuses[0], 9), e.first, e.rule_id, e.subject)))


def _waivers(nights: list[Night], start: date, end: date) -> tuple[WaiverPeriod, ...]:
    seen: dict[str, list[tuple[Night, int]]] = {}
    for night in nights:
        for index, w in enumerate(night.waivers):
            seen.setdefault(w.waiver.id, []).append((night, index))
    out = []
    for waiver_id in sorted(seen):
        (n0, i0), (n1, i1) = seen[waiver_id][0], seen[waiver_id][-1]
        first, last = n0.waivers[i0], n1.waivers[i1]
        expires = last.waiver.expires
        try:
            on = date.fromisoformat(expires[:10])
        except ValueError:
            state = f"malformed expiry {expires!r}: covers nothing"
        else:
            if on < start:
                state = f"expired {on.isoformat()}, before the period: covers nothing in it"
            elif on < end:
                state = f"expired {on.isoformat()}, within the period"
            else:
                state = f"active through the period (expires {on.isoformat()})"
        out.append(WaiverPeriod(last.waiver, n0.night, n1.night, state, first.cite, last.cite))
    return tuple(out)


def draw_key(seed: str, arn: str) -> str:
    """The sample order: sha256 of `seed:arn`, so an auditor can re-draw the sample with any sha256 tool."""
    return hashlib.sha256(f"{seed}:{arn}".encode("utf-8")).hexdigest()


def _population(nights: list[Night], start: date, end: date, seed: str) -> tuple[Change, ...]:
    """Task-definition revisions registered in the period (by `registeredAt`), or, where the API does not
    record that, first seen on an evidenced night after the first (the first night is the baseline)."""
    firsts: dict[str, tuple[Night, int]] = {}
    for night in nights:
        for index, change in enumerate(night.changes):
            firsts.setdefault(change.arn, (night, index))
    baseline = nights[0].night if nights else None
    out = []
    for arn in sorted(firsts):
        night, index = firsts[arn]
        fact = night.changes[index]
        if fact.registered_at:
            inside = start.isoformat() <= fact.registered_at[:10] <= end.isoformat()
        else:
            inside = night.night != baseline
        if inside:
            out.append(Change(arn, fact.family, fact.revision, fact.registered_by, fact.registered_at, fact.git_sha,
                              night.night, fact.cite, draw_key(seed, arn)))
    return tuple(out)


def build_period(window: ChainWindow, nights: list[Night], sample_size: int | None, seed: str) -> PeriodModel:
    """`nights` holds one Night per evidenced night, oldest first."""
    span = calendar(window.start, window.end)
    evidenced = {n.night for n in nights}
    rejected_on = {r.night: r for r in window.rejected if r.night is not None}
    gaps = tuple(
        (night, f"bundle {rejected_on[night].bundle_id} did not verify: {'; '.join(rejected_on[night].reasons)}"
         if night in rejected_on else "no bundle")
        for night in span if night not in evidenced
    )
    population = _population(nights, window.start, window.end, seed)
    sample = None
    if sample_size is not None:
        picks = sorted(population, key=lambda c: c.draw_key)[:sample_size]
        sample = Sample(sample_size, seed, tuple(c.arn for c in picks))
    return PeriodModel(
        locker=window.locker, start=window.start, end=window.end, signatures_checked=window.signatures_checked,
        nights=tuple(nights), gaps=gaps, rejected=window.rejected, chain_notes=window.chain_notes,
        controls=_controls(nights, span), exceptions=_episodes(nights), waivers=_waivers(nights, window.start, window.end),
        population=population, sample=sample,
    )
