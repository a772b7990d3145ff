"""Where `attest check`'s time goes, phase by phase, in one process (CPU seconds).

The parse yardstick runs first, on a fresh heap with the garbage collector on, as in run.py; the
phases then run as `attest check` runs them (collector paused). `graph`, `documents` and `digest`
are timed apart and again inside `evaluate`, so `rules` (evaluate minus those three) is what the
rules themselves and the control results cost, and `before any rule` is everything else the
command does: the floor that no rule-side work can go below.

    .venv/bin/python bench/check/phases.py --work /tmp/check-bench   (after run.py generated it)
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True, type=Path)
    args = parser.parse_args()
    snapshot_path, config_path = args.work / "snapshot.json", args.work / "attest.yaml"
    seconds: dict[str, float] = {}

    def timed(name: str, start: float) -> None:
        seconds[name] = round(time.process_time() - start, 2)

    start = time.process_time()
    with snapshot_path.open(encoding="utf-8") as handle:
        json.load(handle)
    timed("parse (json.load)", start)

    start = time.process_time()
    from attest.collector.config import load_config
    from attest.collector.snapshot import load_snapshot
    from attest.core.gcpause import paused_gc
    from attest.policies import engine, graph
    from attest.policies.check import load_check_waivers, render_text
    from attest.policies.rule_loader import POLICIES_DIR, load_policy_set
    timed("imports", start)

    with paused_gc():
        start = time.process_time()
        snapshot = load_snapshot(str(snapshot_path))
        timed("load_snapshot", start)
        start = time.process_time()
        config = load_config(str(config_path))
        timed("estate config", start)
        start = time.process_time()
        policy = load_policy_set(POLICIES_DIR)
        waivers = load_check_waivers(Path(POLICIES_DIR) / "waivers.yaml", policy, snapshot.collected_at.date())
        timed("policy set and waivers", start)
        start = time.process_time()
        estate = graph.build_graph(snapshot, config)
        timed("graph", start)
        start = time.process_time()
        documents = graph.Documents(estate, graph.config_document(config))
        by_type = graph.nodes_by_type(estate)
        for node_type in {rule.resource for rule in policy.rules}:
            for node_id in by_type.get(node_type, []):
                documents.document(node_id)
        timed("documents", start)
        start = time.process_time()
        engine.snapshot_digest(snapshot)
        timed("digest", start)
        start = time.process_time()
        results = engine.evaluate(snapshot, config, policy, waivers)
        timed("evaluate (all of it)", start)
        start = time.process_time()
        render_text(results)
        timed("text report", start)

    seconds["rules"] = round(seconds["evaluate (all of it)"] - seconds["graph"] - seconds["documents"] - seconds["digest"], 2)
    floor = sum(seconds[k] for k in ("imports", "load_snapshot", "estate config", "policy set and waivers", "graph",
                                     "documents", "digest", "text report"))
    seconds["before any rule"] = round(floor, 2)
    seconds["before any rule, x parse"] = round(floor / seconds["parse (json.load)"], 2)
    print(json.dumps(seconds, indent=2))


if __name__ == "__main__":
    main()
