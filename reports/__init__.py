"""Stage 4: auditor documents and CI formats rendered from evidence (see docs/reports.md).

Entry point: `reports.render.render_all(results, snapshot, config, *, bundle)`.
"""
