"""Compare two runs (A = the baseline, B = the candidate) with paired significance tests.

Pairs are the problems and contests both runs replayed. Two tests:
- problems solved: McNemar's exact test, i.e. a two-sided binomial test (scipy.stats.binomtest)
  on the discordant pairs (solved by A only vs by B only);
- percentiles per contest: Wilcoxon's signed-rank test (scipy.stats.wilcoxon), with a paired
  bootstrap interval of the mean difference (contests.metrics.bootstrap_ci) for the reader.
Each test runs at alpha / 2 (Bonferroni over the two), so that looking at both does not raise the
false-alarm rate above alpha. B is a significant regression when a test rejects and the
difference points B's way down (fewer problems solved, or higher percentiles: more participants
ahead); `csim compare` exits non-zero only then.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from scipy.stats import binomtest, wilcoxon

from contests.errors import DataError
from contests.metrics import bootstrap_ci
from simulator.store import Store


@dataclass(frozen=True)
class TestOutcome:
    __test__ = False  # not a pytest class

    name: str
    pairs: int
    statistic: float | None
    p_value: float
    direction: str  # "B worse", "B better" or "same"
    significant: bool


def mcnemar_exact(a_only: int, b_only: int, alpha: float) -> TestOutcome:
    """Problems solved by A only vs by B only; the pairs both or neither solved carry no information."""
    discordant = a_only + b_only
    p = 1.0 if discordant == 0 else float(binomtest(a_only, discordant, 0.5, alternative="two-sided").pvalue)
    direction = "B worse" if a_only > b_only else "B better" if b_only > a_only else "same"
    return TestOutcome("McNemar exact (problems solved)", discordant, float(a_only), p, direction,
                       bool(p < alpha and direction != "same"))


def wilcoxon_percentiles(a: list[float], b: list[float], alpha: float) -> TestOutcome:
    """Signed-rank test on per-contest percentile differences (B - A; positive = B worse)."""
    diffs = [y - x for x, y in zip(a, b)]
    nonzero = [d for d in diffs if d != 0]
    if not nonzero:
        return TestOutcome("Wilcoxon signed-rank (percentile)", len(diffs), None, 1.0, "same", False)
    result = wilcoxon(diffs, zero_method="wilcox", alternative="two-sided")
    total = sum(diffs)
    direction = "B worse" if total > 0 else "B better" if total < 0 else "same"
    p = float(result.pvalue)
    return TestOutcome("Wilcoxon signed-rank (percentile)", len(diffs), float(result.statistic), p, direction,
                       bool(p < alpha and direction != "same"))


def _run_label(store: Store, run_id: int) -> dict:
    run = store.run(run_id)
    if run is None:
        raise DataError(store.url, "run", f"no run {run_id}")
    if run.status != "done":
        raise DataError(store.url, "run", f"run {run_id} is {run.status}, not done: finish it first (csim replay --resume {run_id})")
    return {"id": run.id, "solver": f"{run.solver_version.name} {run.solver_version.version}",
            "digest": run.solver_version.digest[:12], "seed": run.seed}


def compare_runs(store: Store, run_a: int, run_b: int, alpha: float = 0.05) -> dict:
    if not 0 < alpha < 1:
        raise DataError("--alpha", None, f"must be between 0 and 1, got {alpha}")
    a_info, b_info = _run_label(store, run_a), _run_label(store, run_b)
    a_problems = {(p.contest_id, p.problem.index): p for p in store.problem_results(run_a)}
    b_problems = {(p.contest_id, p.problem.index): p for p in store.problem_results(run_b)}
    shared = [k for k in a_problems if k in b_problems]
    if not shared:
        raise DataError(store.url, "runs", f"runs {run_a} and {run_b} have no problem in common")
    problems = [{"contest": c, "index": i, "a_solved": a_problems[c, i].solved, "b_solved": b_problems[c, i].solved,
                 "a_points": a_problems[c, i].points, "b_points": b_problems[c, i].points,
                 "change": ("lost" if a_problems[c, i].solved and not b_problems[c, i].solved else
                            "gained" if b_problems[c, i].solved and not a_problems[c, i].solved else "")}
                for c, i in shared]
    a_only = sum(p["change"] == "lost" for p in problems)
    b_only = sum(p["change"] == "gained" for p in problems)

    a_contests = {r.contest_id: r for r in store.contest_results(run_a)}
    b_contests = {r.contest_id: r for r in store.contest_results(run_b)}
    contests = [{"contest": cid, "made_up": a_contests[cid].made_up,
                 "a_percentile": a_contests[cid].percentile, "b_percentile": b_contests[cid].percentile,
                 "diff_percentile": b_contests[cid].percentile - a_contests[cid].percentile,
                 "a_rank": a_contests[cid].rank, "b_rank": b_contests[cid].rank,
                 "a_points": a_contests[cid].points, "b_points": b_contests[cid].points}
                for cid in a_contests if cid in b_contests]

    level = alpha / 2  # Bonferroni over the two tests
    tests = [mcnemar_exact(a_only, b_only, level),
             wilcoxon_percentiles([c["a_percentile"] for c in contests], [c["b_percentile"] for c in contests], level)]
    diffs = [c["diff_percentile"] for c in contests]
    interval = bootstrap_ci(diffs) if diffs else None
    regression = any(t.significant and t.direction == "B worse" for t in tests)
    improvement = any(t.significant and t.direction == "B better" for t in tests)
    verdict = ("significant regression" if regression else
               "significant improvement" if improvement else "no significant change")
    return {
        "a": a_info, "b": b_info, "alpha": alpha, "per_test_alpha": level,
        "solved": {"a": sum(p["a_solved"] for p in problems), "b": sum(p["b_solved"] for p in problems),
                   "problems": len(problems), "lost": a_only, "gained": b_only},
        "percentile": {"a_mean": _mean([c["a_percentile"] for c in contests]),
                       "b_mean": _mean([c["b_percentile"] for c in contests]),
                       "mean_diff": _mean(diffs), "diff_ci95": list(interval) if interval else None},
        "tests": [asdict(t) for t in tests],
        "regression": regression, "improvement": improvement, "verdict": verdict,
        "made_up": any(c["made_up"] for c in contests),
        "contests": contests, "problems": problems,
    }


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None
