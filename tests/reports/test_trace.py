"""A code finding's trace in the Markdown and HTML findings reports: the path from the reference
source to the write, in order, each step's `file:line` and label, escaped like the rest of the
evidence (a label holds text taken from the code)."""
from __future__ import annotations

import re
from dataclasses import replace

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Snapshot
from attest.policies.findings import Finding, Results, Span, Status, Step
from attest.reports.render import render_html_documents, render_markdown_documents

TRACE = (
    Step(Span("app/lib/ref.ts", 4, 10, 4, 30), "getReferenceDb() opens the reference database"),
    Step(Span("app/jobs/sync.ts", 12, 3, 12, 20), "passes to `sync<T>()`"),
    Step(Span("app/jobs/sync.ts", 7, 5, 7, 40), ".insertOne() writes <script>"),
)
WRITE = Finding("reference-write", "Write toward the reference cluster", Status.FAIL, "critical",
                ("CC6.6",), None, "app/jobs/sync.ts:7", "insertOne writes to collection 'stock' on the reference cluster",
                plane="code", location=Span("app/jobs/sync.ts", 7, 5, 7, 40), trace=TRACE)


def _with_write(results: Results) -> Results:
    return replace(results, findings=(*results.findings, WRITE))


def test_markdown_lists_the_path_in_order(results: Results, snapshot: Snapshot, config: EstateConfig) -> None:
    text = render_markdown_documents(_with_write(results), snapshot, config, bundle=None)["findings.md"]
    entry = text[text.index("### `reference-write` on `app/jobs/sync.ts:7`"):]
    entry = entry[:entry.index("\n### ")]
    listed = re.findall(r"^  (\d+)\. (.*)$", entry[entry.index("- **Path, from the source to the finding:**"):],
                        re.MULTILINE)
    assert listed[:3] == [
        ("1", "`app/lib/ref.ts:4`: getReferenceDb() opens the reference database"),
        ("2", "`app/jobs/sync.ts:12`: passes to `sync&lt;T>()`"),
        ("3", "`app/jobs/sync.ts:7`: .insertOne() writes &lt;script>"),
    ]


def test_html_lists_the_path_in_order_escaped(results: Results, snapshot: Snapshot, config: EstateConfig) -> None:
    page = render_html_documents(_with_write(results), snapshot, config, bundle=None)["findings.html"]
    block = re.search(r'<ol class="trace">\n(.*?)</ol>', page, re.DOTALL)
    assert block is not None
    assert block.group(1).splitlines() == [
        "<li><code>app/lib/ref.ts:4</code> getReferenceDb() opens the reference database</li>",
        "<li><code>app/jobs/sync.ts:12</code> passes to `sync&lt;T&gt;()`</li>",
        "<li><code>app/jobs/sync.ts:7</code> .insertOne() writes &lt;script&gt;</li>",
    ]
    assert "<script>" not in page


def test_no_path_is_shown_for_a_finding_without_a_trace(results: Results, snapshot: Snapshot,
                                                        config: EstateConfig) -> None:
    assert not any(f.trace for f in results.findings)
    assert "Path, from the source" not in render_markdown_documents(results, snapshot, config, bundle=None)["findings.md"]
    assert 'class="trace"' not in render_html_documents(results, snapshot, config, bundle=None)["findings.html"]
