"""What a run's full report shows beyond simulator.report.build_report: per problem the submitted
programs with their per-test verdicts, time and memory; per contest the spread over the run's
seeds and the humans' scores; the scaling curves where the run judged every sample.

`csim report --json` prints these beside the report's own keys, and the HTML report draws them.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from statistics import mean

from contests.errors import DataError
from contests.metrics import bootstrap_ci
from simulator.store import Store

MIN_SEEDS = 3  # fewer seeds than this give no interval worth printing (issue 10's convention)


def problem_key(contest: str, index: str) -> str:
    """The one name of a problem across the report's sections: `CONTEST/INDEX`."""
    return f"{contest}/{index}"


def test_json(t: dict) -> dict:
    """One judged test as csim's JSON shows it (a stored judge.verdicts.TestResult dict): numbered from 1
    as every text says "test 2", units in the names (seconds, bytes)."""
    index = t.get("index")
    return {"number": None if index is None else index + 1, "verdict": t.get("verdict"),
            "cpu_seconds": t.get("cpu_time"), "wall_seconds": t.get("wall_time"), "memory_bytes": t.get("memory"),
            "exit_code": t.get("exit_code"), "signal": t.get("signal"), "message": t.get("message"),
            "points": t.get("points")}


def judgment_json(result: dict) -> dict:
    """A judge.verdicts.JudgeResult dict as csim's JSON shows it (see test_json)."""
    failed = result.get("failed_test")  # 0-based, as the judge counts
    return {"verdict": result["verdict"], "failed_test_number": None if failed is None else failed + 1,
            "max_cpu_seconds": result.get("max_cpu_time"), "max_memory_bytes": result.get("max_memory"),
            "compile_output": result.get("compile_output", ""), "message": result.get("message", ""),
            "notes": result.get("notes", []), "tests": [test_json(t) for t in result.get("tests", ())]}


def submissions(store: Store, run_id: int) -> dict[str, list[dict]]:
    """Per problem (`CONTEST/INDEX`) the submissions in order, with each judged test's verdict,
    time (seconds) and memory (bytes)."""
    index_of = {p.problem_id: problem_key(p.contest_id, p.problem.index) for p in store.problem_results(run_id)}
    out = defaultdict(list)
    for s in store.submissions(run_id):
        out[index_of.get(s.problem_id, str(s.problem_id))].append({
            "order": s.order, "language": s.language, "minute": s.minute, "in_time": s.in_time,
            "samples_drawn": s.samples_drawn, "cluster_size": s.cluster_size, "reason": s.reason,
            "verdict": s.verdict, "failed_test_number": None if s.failed_test is None else s.failed_test + 1,
            "source": s.source, "tests": [test_json(t) for t in (s.tests or [])],
        })
    return dict(out)


def _spread(values: list[float]) -> dict:
    """Mean and 95% bootstrap interval, or the values alone with `too_few_seeds` below MIN_SEEDS."""
    if len(values) < MIN_SEEDS:
        return {"mean": mean(values), "ci95": None, "n": len(values), "too_few_seeds": True}
    low, high = bootstrap_ci(values, n_boot=1999)
    return {"mean": mean(values), "ci95": [low, high], "n": len(values), "too_few_seeds": False}


def seed_spread(store: Store, run_id: int) -> dict[str, dict] | None:
    """Per contest, percentile and performance over the finished runs started together with RUN_ID."""
    run = store.run(run_id)
    if run is None or not run.group_key:
        return None
    runs = [r for r in store.group_runs(run.group_key) if r.status == "done"]
    if len(runs) < 2:
        return None
    values = defaultdict(lambda: defaultdict(list))
    for r in runs:
        for c in store.contest_results(r.id):
            values[c.contest_id]["percentile"].append(c.percentile)
            if c.performance is not None:
                values[c.contest_id]["performance"].append(c.performance)
            values[c.contest_id]["solved"].append(c.solved)
    return {cid: {name: _spread(v) for name, v in figures.items() if v} for cid, figures in values.items()}


def human_scores(store: Store, run_id: int) -> tuple[dict[str, dict] | None, str | None]:
    """Per contest the real participants' scores (points, or problems solved in ICPC-style rounds)
    beside the solver's, read from the contest library the run was replayed from; or None and
    why not, where the library does not have them any more."""
    from simulator.components import NO_HOME, load_contests, recorded_library

    run = store.run(run_id)
    if run is None:
        return None, f"no run {run_id}"
    ids = run.settings.get("contests") or [c.contest_id for c in run.contests]
    library = run.settings.get("library")
    try:
        contests, _ = load_contests(ids, recorded_library(store, library, NO_HOME))
    except (DataError, OSError, ValueError) as e:
        return None, f"the contest standings are not readable from the library ({e}); the human score distribution is omitted"
    ours = {c.contest_id: c for c in store.contest_results(run_id)}
    out = {}
    for contest in contests:
        if contest.id not in ours:
            continue
        out[contest.id] = {"rules": contest.rules, "made_up": contest.made_up,
                           "score": "points" if contest.rules == "cf-points" else "problems solved",
                           "humans": [r.points for r in contest.standings],
                           "solver": ours[contest.id].points}
    return out, None


SELECTION_DRAWS = 200  # sub-samples per problem and k for the report's selection curves


def report_details(store: Store, run_id: int, *, with_scaling: bool = True) -> dict:
    """The keys the full report adds: `submissions`, `seed_spread`, `human_scores` (with
    `human_scores_note` when omitted), `scaling` (None without sample metrics) and `selection`
    (None without per-sample outcomes)."""
    from simulator.analysis.scaling import scaling
    from simulator.analysis.selection import selection

    scores, why = human_scores(store, run_id)
    details = {"submissions": submissions(store, run_id), "seed_spread": seed_spread(store, run_id),
               "human_scores": scores, "human_scores_note": why, "scaling": None, "selection": None}
    if with_scaling:
        # no sample metrics, or no per-sample outcomes: the report says so where the chart would be
        try:
            details["scaling"] = scaling(store, [run_id])
        except DataError:
            pass
        try:
            details["selection"] = selection(store, [run_id], draws=SELECTION_DRAWS)
        except DataError:
            pass
    return details
