"""Reading a locker's verified nights and rendering the period view as Markdown, HTML and CSV."""
from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date

from attest.evidence.lockers import Locker
from attest.evidence.window import ChainWindow, VerifiedBundle, read_verified
from attest.reports.documents import stylesheet, template
from attest.reports.framework_csv import safe_cell
from attest.reports.period.model import EXCEPTION_ORDER, PeriodModel, build_period
from attest.reports.period.nights import Night, read_night

PERIOD_MD = "period.md"
PERIOD_HTML = "period.html"
PERIOD_CSV = "period.csv"
POPULATION_CSV = "period-changes.csv"


def _sha(bundle: VerifiedBundle, path: str) -> str:
    return bundle.sha256(path) or "-"


def _night(locker: Locker, bundle: VerifiedBundle, earlier: list[VerifiedBundle]) -> Night:
    def sha(path: str) -> str:
        return _sha(bundle, path)

    def read(path: str) -> bytes:
        return read_verified(locker, bundle, path)

    fact = read_night(bundle.night, bundle.bundle_id, bundle.manifest_sha256, sha, read)
    return dataclasses.replace(fact, also=tuple(b.bundle_id for b in earlier))


def load_nights(locker: Locker, window: ChainWindow) -> list[Night]:
    """One Night per evidenced night: the newest verified bundle of that night (others are named in `also`)."""
    by_night: dict[date, list[VerifiedBundle]] = {}
    for bundle in window.bundles:
        by_night.setdefault(bundle.night, []).append(bundle)
    return [_night(locker, by_night[night][-1], by_night[night][:-1]) for night in sorted(by_night)]


def period_model(locker: Locker, window: ChainWindow, sample_size: int | None, seed: str) -> PeriodModel:
    return build_period(window, load_nights(locker, window), sample_size, seed)


def _csv(rows: list[list[str]]) -> str:
    """Cells read from the estate (a family, a caller's ARN) are defused like the framework CSVs'."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def _nights_csv(model: PeriodModel) -> str:
    rows = [["night", "control_id", "status", "bundle_id", "file", "sha256", "pointer"]]
    for c in model.controls:
        for night, status, cite in c.days:
            if cite is None:
                rows.append([night.isoformat(), c.control_id, status, "", "", "", ""])
            else:
                rows.append([night.isoformat(), c.control_id, status, cite.bundle_id, cite.file, cite.sha256, cite.pointer])
    return _csv(rows)


def _population_csv(model: PeriodModel) -> str:
    picks = set(model.sample.picks) if model.sample else set()
    rows = [["task_definition_arn", "family", "revision", "registered_by", "registered_at", "git_sha", "first_seen",
             "draw_key", "sampled", "bundle_id", "file", "sha256", "pointer"]]
    for c in model.population:
        rows.append([c.arn, c.family, c.revision, c.registered_by or "", c.registered_at or "", c.git_sha or "",
                     c.first_seen.isoformat(), c.draw_key, "yes" if c.arn in picks else "no",
                     c.cite.bundle_id, c.cite.file, c.cite.sha256, c.cite.pointer])
    return _csv(rows)


def render_period(model: PeriodModel) -> dict[str, str]:
    context = {"p": model, "EXCEPTION_ORDER": EXCEPTION_ORDER}
    return {
        PERIOD_MD: template("period.md.j2").render(context),
        PERIOD_HTML: template("period.html.j2").render(context, css=stylesheet()),
        PERIOD_CSV: _nights_csv(model),
        POPULATION_CSV: _population_csv(model),
    }
