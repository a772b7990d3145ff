"""The auditor-facing documents (Markdown and self-contained HTML), rendered from jinja2 templates.

HTML templates autoescape; Markdown templates escape table cells with the `cell` filter. The CSS is
inlined from `templates/style.css` so every HTML file stands alone and prints without a network.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jinja2

from attest.collector.config import EstateConfig
from attest.reports.chart import build_chart
from attest.reports.model import STATUS_LABELS, ReportModel, anchor
from attest.reports.ordering import exceptions, others
from attest.reports.summary_cap import SUMMARY_LIMIT, cap
from attest.reports.vendors import build_register


@dataclass(frozen=True)
class Document:
    name: str
    title: str
    needs_config: bool = False


DOCUMENTS = (
    Document("control-mapping", "SOC 2 and HIPAA control mapping"),
    Document("findings", "Findings report"),
    Document("vendor-register", "Vendor register", needs_config=True),
    Document("waiver-register", "Waiver register"),
)


def _cell(value: Any) -> str:
    """Make text safe inside one Markdown table cell."""
    text = " ".join(str(value).split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;") or " "


def _span(value: Any, table: bool = False) -> str:
    """A Markdown code span that survives any backticks in `value` (and pipes, inside a table)."""
    text = " ".join(str(value).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`"):
        text = f" {text} "
    if table:
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


def _text(value: Any) -> str:
    """Prose from the evidence on one line, with `<` kept from being read as HTML."""
    return " ".join(str(value).split()).replace("<", "&lt;")


def _short(digest: str | None) -> str:
    return digest[:12] if digest else "-"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("attest.reports", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = _cell
    env.filters["code"] = lambda value: _span(value, table=True)
    env.filters["span"] = _span
    env.filters["text"] = _text
    env.filters["short"] = _short
    env.filters["anchor"] = anchor
    env.globals["exceptions"] = exceptions
    env.globals["others"] = others
    env.globals["STATUS_LABELS"] = {s.value: label for s, label in STATUS_LABELS.items()}
    return env


_ENV = _environment()


def _css() -> str:
    return resources.files("attest.reports").joinpath("templates/style.css").read_text(encoding="utf-8")


def _context(document: Document, model: ReportModel, config: EstateConfig | None) -> dict[str, Any]:
    return {
        "doc": document,
        "documents": DOCUMENTS,
        "m": model,
        "register": build_register(model.snapshot, config) if config is not None else None,
    }


def render_markdown(document: Document, model: ReportModel, config: EstateConfig | None) -> str:
    template = _ENV.get_template(f"{document.name}.md.j2")
    return template.render(_context(document, model, config))


def render_html(document: Document, model: ReportModel, config: EstateConfig | None) -> str:
    template = _ENV.get_template(f"{document.name}.html.j2")
    return template.render(_context(document, model, config), css=_css(), chart=build_chart(model.controls))


def render_summary(model: ReportModel, limit: int = SUMMARY_LIMIT) -> str:
    """The short Markdown for `$GITHUB_STEP_SUMMARY`, capped below GitHub's 1 MiB with a pointer to the findings report."""
    where = f"reports/findings.md in evidence bundle `{model.bundle.id}`" if model.bundle else \
        "`attest report FINDINGS --snapshot SNAPSHOT --format md` (findings.md)"
    return cap(_ENV.get_template("summary.md.j2").render(m=model), where, limit)


def template(name: str) -> jinja2.Template:
    """A template of the shared environment (same filters), for documents other than the four above."""
    return _ENV.get_template(name)


def stylesheet() -> str:
    return _css()
