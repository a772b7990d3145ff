"""Geometry for the per-control summary chart, drawn as inline SVG by the HTML templates.

One horizontal bar per control, split by finding status; computed here so the template only places
rectangles, and so the numbers are testable without a browser.
"""
from __future__ import annotations

from dataclasses import dataclass

from attest.policies.findings import Status
from attest.reports.model import STATUS_LABELS, STATUS_ORDER, ControlView

LABEL_WIDTH = 170
STATUS_WIDTH = 150
LEGEND_CHAR_WIDTH = 7
BAR_WIDTH = 420
ROW_HEIGHT = 30
BAR_HEIGHT = 18
TOP = 8
LEGEND_HEIGHT = 34
COLOURS = {
    Status.PASS: "#2e7d32",
    Status.FAIL: "#c62828",
    Status.ERROR: "#e65100",
    Status.WAIVED: "#6a1b9a",
    Status.MANUAL: "#546e7a",
}


@dataclass(frozen=True)
class Segment:
    status: str
    label: str
    colour: str
    count: int
    x: int
    width: int


@dataclass(frozen=True)
class Bar:
    control_id: str
    status_label: str
    y: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str
    x: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    status_x: int
    bar_height: int
    bars: tuple[Bar, ...]
    legend: tuple[LegendItem, ...]
    legend_y: int


def _segments(counts: tuple[tuple[Status, int], ...]) -> tuple[Segment, ...]:
    total = sum(n for _, n in counts)
    segments: list[Segment] = []
    x = LABEL_WIDTH
    present = [(s, n) for s, n in counts if n]
    for index, (status, count) in enumerate(present):
        last = index == len(present) - 1
        width = LABEL_WIDTH + BAR_WIDTH - x if last else round(BAR_WIDTH * count / total)
        segments.append(Segment(status.value, STATUS_LABELS[status], COLOURS[status], count, x, width))
        x += width
    return tuple(segments)


def build_chart(controls: tuple[ControlView, ...]) -> Chart:
    bars = tuple(
        Bar(c.control.control_id, c.status_label, TOP + i * ROW_HEIGHT, _segments(c.counts))
        for i, c in enumerate(controls)
    )
    legend_y = TOP + len(controls) * ROW_HEIGHT + 10
    legend: list[LegendItem] = []
    x = 4
    for status in STATUS_ORDER:
        legend.append(LegendItem(STATUS_LABELS[status], COLOURS[status], x))
        x += 16 + LEGEND_CHAR_WIDTH * len(STATUS_LABELS[status]) + 18
    return Chart(
        width=LABEL_WIDTH + BAR_WIDTH + STATUS_WIDTH,
        height=legend_y + LEGEND_HEIGHT - 10,
        status_x=LABEL_WIDTH + BAR_WIDTH + 8,
        bar_height=BAR_HEIGHT,
        bars=bars,
        legend=tuple(legend),
        legend_y=legend_y,
    )
