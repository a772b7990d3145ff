"""Benchmark `attest guard` on a generated 2,000-file TypeScript repo, beside semgrep OSS.

Measures (each tool pinned to one core with taskset when available, median of --repeat runs):
full scan and 10-file diff scan wall time, CPU time and peak RSS, and how many planted writes each
finds; the diff scan without a cache (cold) and with the cache a full scan of the base filled (warm,
as CI restores it with actions/cache), their ratios to the full scan, and the same ratios for the
analysis alone (CPU of `run_guard` in process, without the interpreter and import start-up); and a
warm diff scan of a change that adds no finding (the same nine harmless edits, no planted write).
Each warm diff is also measured in rounds with a full scan of the same checkout (`paired_*`), so its
ratio compares runs made under the same load.

    .venv/bin/python bench/guard/run.py --work /tmp/guard-bench [--semgrep /tmp/semgrep-venv/bin/semgrep]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ATTEST = ROOT / ".venv" / "bin" / "attest"
GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}


def measure(cmd: list[str], stdout_path: Path) -> tuple[float, int, int, float]:
    """Wall seconds, peak RSS (MiB), exit code and CPU seconds (user + system) of one run of `cmd`
    (on core 0 if taskset exists). CPU time is what a busy shared machine disturbs least."""
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    with stdout_path.open("w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    return wall, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime


def repeat(cmd: list[str], out: Path, times: int) -> dict[str, float]:
    runs = [measure(cmd, out) for _ in range(times)]
    return {"wall_s": round(statistics.median(r[0] for r in runs), 2),
            "cpu_s": round(statistics.median(r[3] for r in runs), 2),
            "peak_mib": max(r[1] for r in runs), "exit": runs[-1][2]}


ANALYSIS = """import sys, time
from pathlib import Path
from attest.policies.guard.run import run_guard
start = time.process_time()
run_guard(Path(sys.argv[1]), base=sys.argv[2] or None, cache_dir=Path(sys.argv[3]) if sys.argv[3] else None)
print(time.process_time() - start)
"""


def analysis_cpu(repo: Path, base: str, cache: str, times: int) -> float:
    """Median CPU seconds of `run_guard` alone (imports done before the clock starts)."""
    runs = [float(subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", ANALYSIS, str(repo), base, cache],
                                 check=True, capture_output=True, text=True).stdout) for _ in range(times)]
    return round(statistics.median(runs), 3)


def interleaved(full: list[str], diff: list[str], work: Path, times: int) -> dict[str, float]:
    """A full scan and a diff scan of the same checkout, one after the other, `times` rounds: each
    round's ratio compares two runs made under the same load, which separate medians measured minutes
    apart on a shared VM do not (the median of the rounds' CPU ratios, and the worst round's)."""
    rounds = [(measure(full, work / "pair-full.json")[3], measure(diff, work / "pair-diff.json")[3]) for _ in range(times)]
    ratios = [d / f for f, d in rounds if f]
    return {"full_cpu_s": round(statistics.median(f for f, _ in rounds), 3),
            "diff_cpu_s": round(statistics.median(d for _, d in rounds), 3),
            "cpu_ratio": round(statistics.median(ratios), 3), "worst_cpu_ratio": round(max(ratios), 3),
            "rounds": times}


def ratio(part: dict[str, float], whole: dict[str, float], key: str) -> float:
    return round(part[key] / whole[key], 2) if whole[key] else 0.0


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def touch(features: list[Path]) -> None:
    for path in features:
        path.write_text(path.read_text(encoding="utf-8") + "\nexport const touched = true;\n", encoding="utf-8")


def make_change(repo: Path) -> dict[str, object]:
    """On a branch: edit 9 feature files harmlessly and plant one new write in a tenth."""
    git(repo, "checkout", "-q", "-b", "change")
    features = sorted(repo.glob("src/features/f4*/m*.ts"))[:10]
    touch(features[:9])
    target = features[9]
    lines = target.read_text(encoding="utf-8").splitlines()
    lines += ["", "export async function plantedInDiff(id: string) {", "  const db = await getReferenceDb();",
              '  await db.collection("formularies_staging").deleteOne({ id });', "}"]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "ten-file change")
    return {"file": target.relative_to(repo).as_posix(), "line": len(lines) - 1}


def make_clean_change(repo: Path) -> None:
    """On another branch from main: the same 9 harmless edits, no planted write (nothing to report)."""
    git(repo, "checkout", "-q", "-b", "clean", "main")
    touch(sorted(repo.glob("src/features/f4*/m*.ts"))[:9])
    git(repo, "commit", "-q", "-am", "nine-file change")


def found(sites: set[tuple[str, int]], planted: list[dict[str, object]]) -> dict[str, object]:
    by_kind: dict[str, list[int]] = {}
    for p in planted:
        hit = (p["file"], p["line"]) in sites
        by_kind.setdefault(str(p["kind"]), [0, 0])
        by_kind[str(p["kind"])][0] += int(hit)
        by_kind[str(p["kind"])][1] += 1
    planted_sites = {(p["file"], p["line"]) for p in planted}
    return {"found": sum(v[0] for v in by_kind.values()), "planted": len(planted),
            "by_kind": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_kind.items())},
            "other_findings": len(sites - planted_sites)}


def guard_sites(path: Path) -> set[tuple[str, int]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {(v["file"], v["line"]) for v in doc["violations"] if v["rule_id"] == "reference-write"}


def semgrep_sites(path: Path, repo: Path) -> set[tuple[str, int]]:
    """semgrep's JSON hides matched text offline; the line numbers are enough to compare sites."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {(Path(r["path"]).resolve().relative_to(repo.resolve()).as_posix(), r["start"]["line"])
            for r in doc.get("results", [])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/guard-bench"))
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--semgrep", help="path to a semgrep executable (installed only for the benchmark)")
    args = parser.parse_args()
    repo = args.work / "repo"
    if args.work.exists():
        shutil.rmtree(args.work)
    manifest = generate(repo, args.files)
    (repo / "planted.json").rename(args.work / "planted.json")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    planted = list(manifest["planted"])
    report: dict[str, object] = {"files": manifest["files"], "planted": len(planted), "cpu": "taskset -c 0"}
    cache = args.work / "cache"
    out = args.work / "guard-full.json"
    full = repeat([str(ATTEST), "guard", str(repo), "--format", "json"], out, args.repeat)
    report["guard_full"] = {**full, **found(guard_sites(out), planted)}
    warming = repeat([str(ATTEST), "guard", str(repo), "--format", "json", "--cache-dir", str(cache)],
                     args.work / "guard-full-cached.json", 1)
    report["guard_full_filling_cache"] = {**warming, "same_output": (args.work / "guard-full-cached.json").read_bytes()
                                          == out.read_bytes()}
    full_analysis = analysis_cpu(repo, "", "", args.repeat)
    new_site = make_change(repo)
    out = args.work / "guard-diff.json"
    diff = repeat([str(ATTEST), "guard", str(repo), "--base", "main", "--format", "json"], out, args.repeat)
    sites = guard_sites(out)
    report["guard_diff"] = {**diff, "reported": sorted(f"{f}:{n}" for f, n in sites),
                            "expected": f"{new_site['file']}:{new_site['line']}",
                            "cpu_ratio": ratio(diff, full, "cpu_s"), "wall_ratio": ratio(diff, full, "wall_s")}
    warm_out = args.work / "guard-diff-warm.json"
    warm_cmd = [str(ATTEST), "guard", str(repo), "--base", "main", "--format", "json", "--cache-dir", str(cache)]
    warm = repeat(warm_cmd, warm_out, args.repeat)
    report["guard_diff_warm_cache"] = {**warm, "same_output": warm_out.read_bytes() == out.read_bytes(),
                                       "cpu_ratio": ratio(warm, full, "cpu_s"),
                                       "wall_ratio": ratio(warm, full, "wall_s")}
    full_cmd = [str(ATTEST), "guard", str(repo), "--format", "json"]
    report["paired_warm_diff_adds_finding"] = interleaved(full_cmd, warm_cmd, args.work, args.repeat)
    cold_analysis = analysis_cpu(repo, "main", "", args.repeat)
    warm_analysis = analysis_cpu(repo, "main", str(cache), args.repeat)
    report["analysis_cpu_s"] = {"full": full_analysis, "diff_cold": cold_analysis, "diff_warm": warm_analysis,
                                "cold_ratio": round(cold_analysis / full_analysis, 2),
                                "warm_ratio": round(warm_analysis / full_analysis, 2)}
    make_clean_change(repo)
    clean_out = args.work / "guard-diff-warm-clean.json"
    clean = repeat([str(ATTEST), "guard", str(repo), "--base", "main", "--format", "json", "--cache-dir", str(cache)],
                   clean_out, args.repeat)
    report["guard_diff_warm_cache_no_finding"] = {**clean, "violations": len(json.loads(clean_out.read_bytes())["violations"]),
                                                  "cpu_ratio": ratio(clean, full, "cpu_s"),
                                                  "wall_ratio": ratio(clean, full, "wall_s")}
    report["paired_warm_diff_adds_none"] = interleaved(full_cmd, warm_cmd, args.work, args.repeat)
    if args.semgrep:
        git(repo, "checkout", "-q", "main")
        out = args.work / "semgrep.json"
        cmd = [args.semgrep, "scan", "--config", str(Path(__file__).with_name("semgrep-rule.yaml")), "--json",
               "--metrics=off", "--disable-version-check", "-j", "1", "--quiet", str(repo)]
        report["semgrep_full"] = {**repeat(cmd, out, args.repeat), **found(semgrep_sites(out, repo), planted)}
    print(json.dumps(report, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
