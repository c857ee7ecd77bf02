"""Compare two sides, A (the baseline) and B (the candidate), each one run or a group of runs.

A side is named on the command line as `7` (run 7), `7,8,9` or `7-9` (those runs), or `group:7`
(every finished run started together with run 7: the seeds of one replay). Within a side, each
problem's solve rate is the share of the side's runs that solved it, and each contest's percentile
the mean over the runs; a problem counts as solved by the side when more than half its runs
solved it (with one run: solved or not).

Pairs are the problems and contests both sides replayed. Two tests:
- problems solved: McNemar's exact test, i.e. a two-sided binomial test (scipy.stats.binomtest)
  on the discordant pairs (solved by A only vs by B only);
- percentiles per contest: Wilcoxon's signed-rank test (scipy.stats.wilcoxon), with a paired
  bootstrap interval of the mean difference (contests.metrics.bootstrap_ci).
Each test runs at alpha / 2 (Bonferroni over the two). B is a significant regression when a test
rejects and the difference points B's way down.

A small suite cannot show a loss as significant: with b problems lost and none gained McNemar's
p-value is 2 * 0.5^b, so below min_detectable_loss lost problems no loss is significant, and the
result says so whenever B did lose problems. `--max-drop K` is the deterministic gate for CI:
it fails when B lost more than K of the problems A solved, significant or not.

Intervals: the solve-rate difference has a paired bootstrap over problems (problems are the main
source of variance); intervals over seeds need at least MIN_SEEDS runs on a side, else they are
left out and marked "too few seeds".
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import binomtest, wilcoxon

from contests.errors import DataError
from contests.metrics import bootstrap_ci
from simulator.store import Store

MIN_SEEDS = 3  # fewer runs on a side: no interval over seeds ("too few seeds")
TOO_FEW_SEEDS = f"too few seeds (an interval over seeds needs at least {MIN_SEEDS} runs)"
_SIDE = re.compile(r"^(group:\d+|\d+(-\d+)?(,\d+(-\d+)?)*)$")


@dataclass(frozen=True)
class TestOutcome:
    __test__ = False  # not a pytest class

    name: str
    pairs: int
    statistic: float | None
    p_value: float
    direction: str  # "B worse", "B better" or "same"
    significant: bool


@dataclass(frozen=True)
class ProblemChange:
    """One problem both sides replayed: solved by each side (in most of its runs), and the rates."""

    contest: str
    index: str
    a_solved: bool
    b_solved: bool
    a_rate: float  # share of the side's runs that solved it
    b_rate: float
    change: str  # "lost", "gained" or ""


@dataclass(frozen=True)
class ContestChange:
    """One contest both sides replayed: the mean percentile of each side's runs."""

    contest: str
    made_up: bool
    a_percentile: float
    b_percentile: float
    diff_percentile: float  # B - A


@dataclass(frozen=True)
class Comparison:
    """What `csim compare` finds (see the module's docstring); to_dict() is its JSON."""

    a: dict  # the side: runs, seeds, solver
    b: dict
    alpha: float
    per_test_alpha: float
    solved: dict  # a, b, problems, lost, gained
    min_detectable_loss: int
    solve_rate: dict
    percentile: dict
    tests: list[TestOutcome]
    gate: dict  # max_drop, lost, failed
    regression: bool
    improvement: bool
    verdict: str
    warnings: list[str]
    exit_code: int  # 1: a significant regression of B, or the --max-drop gate failed
    made_up: bool
    contests: list[ContestChange]
    problems: list[ProblemChange]

    def to_dict(self) -> dict:
        return asdict(self)


def mcnemar_exact(a_only: int, b_only: int, alpha: float) -> TestOutcome:
    """Problems solved by A only vs by B only; the pairs both or neither solved carry no information."""
    discordant = a_only + b_only
    p = 1.0 if discordant == 0 else float(binomtest(a_only, discordant, 0.5, alternative="two-sided").pvalue)
    direction = "B worse" if a_only > b_only else "B better" if b_only > a_only else "same"
    return TestOutcome("McNemar exact (problems solved)", discordant, float(a_only), p, direction,
                       bool(p < alpha and direction != "same"))


def min_detectable_loss(alpha: float) -> int:
    """The fewest problems B must lose (none gained) for McNemar's exact test to reject at ALPHA:
    the smallest b with 2 * 0.5^b < alpha."""
    return math.floor(math.log2(2 / alpha)) + 1


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


# ------------------------------------------------------------------ sides

def parse_side(spec: str) -> tuple[str, list[int]]:
    """`7`, `7,8,9`, `7-9` -> ("runs", ids); `group:7` -> ("group", [7])."""
    spec = spec.strip()
    if not _SIDE.match(spec):
        raise DataError(spec, None, "not a side to compare: give a run id (7), several (7,8,9 or 7-9), "
                        "or group:RUN (every seed started with that run)")
    if spec.startswith("group:"):
        return "group", [int(spec[6:])]
    ids: list[int] = []
    for part in spec.split(","):
        low, _, high = part.partition("-")
        ids.extend(range(int(low), int(high or low) + 1))
    return "runs", list(dict.fromkeys(ids))


def side_runs(store: Store, spec: str) -> list:
    kind, ids = parse_side(spec)
    if kind == "group":
        run = store.run(ids[0])
        if run is None:
            raise DataError(store.where, "run", f"no run {ids[0]}")
        runs = store.group_runs(run.group_key) if run.group_key else [run]
        done = [r for r in runs if r.status == "done"]
        if not done:
            raise DataError(store.where, "run", f"no finished run in the group of run {ids[0]}")
        return done
    runs = []
    for run_id in ids:
        run = store.run(run_id)
        if run is None:
            raise DataError(store.where, "run", f"no run {run_id}")
        if run.status != "done":
            raise DataError(store.where, "run", f"run {run_id} is {run.status}, not done: finish it first "
                            f"(csim replay --resume {run_id})")
        runs.append(run)
    return runs


def _describe(spec: str, runs: list) -> dict:
    solvers = sorted({f"{r.solver_version.name} {r.solver_version.version}" for r in runs})
    return {"spec": spec, "runs": [r.id for r in runs], "seeds": [r.seed for r in runs], "solver": ", ".join(solvers),
            "digest": ", ".join(sorted({r.solver_version.digest[:12] for r in runs}))}


def _side_results(store: Store, runs: list) -> tuple[dict, dict, list[float]]:
    """Per problem (contest, index): [solved runs, runs]; per contest: (percentiles, made_up); and
    each run's solve rate."""
    problems: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    contests: dict[str, tuple[list[float], bool]] = {}
    rates = []
    for run in runs:
        results = store.problem_results(run.id)
        for p in results:
            entry = problems[p.contest_id, p.problem.index]
            entry[0] += bool(p.solved)
            entry[1] += 1
        rates.append(sum(p.solved for p in results) / len(results) if results else 0.0)
        for c in store.contest_results(run.id):
            percentiles, made_up = contests.get(c.contest_id, ([], False))
            contests[c.contest_id] = (percentiles + [c.percentile], made_up or c.made_up)
    return problems, contests, rates


def _seeds_interval(rates: list[float]) -> dict:
    if len(rates) < MIN_SEEDS:
        return {"runs": len(rates), "mean": float(np.mean(rates)), "ci95": None, "note": TOO_FEW_SEEDS}
    low, high = bootstrap_ci(rates)
    return {"runs": len(rates), "mean": float(np.mean(rates)), "ci95": [low, high], "note": None}


def compare_runs(store: Store, side_a: str | int, side_b: str | int, alpha: float = 0.05,
                 max_drop: int | None = None) -> Comparison:
    """Compare side B with baseline side A (run ids, lists or groups as parse_side reads them)."""
    if not 0 < alpha < 1:
        raise DataError("--alpha", None, f"must be between 0 and 1, got {alpha}")
    if max_drop is not None and max_drop < 0:
        raise DataError("--max-drop", None, f"must be 0 or more, got {max_drop}")
    runs_a, runs_b = side_runs(store, str(side_a)), side_runs(store, str(side_b))
    a_problems, a_contests, a_rates = _side_results(store, runs_a)
    b_problems, b_contests, b_rates = _side_results(store, runs_b)
    shared = [k for k in a_problems if k in b_problems]
    if not shared:
        raise DataError(store.where, "runs", f"sides {side_a} and {side_b} have no problem in common")

    problems = []
    for c, i in shared:
        (a_solved, a_runs), (b_solved, b_runs) = a_problems[c, i], b_problems[c, i]
        a_ok, b_ok = a_solved * 2 > a_runs, b_solved * 2 > b_runs  # solved in most of the side's runs
        problems.append(ProblemChange(c, i, a_ok, b_ok, a_solved / a_runs, b_solved / b_runs,
                                      "lost" if a_ok and not b_ok else "gained" if b_ok and not a_ok else ""))
    lost = sum(p.change == "lost" for p in problems)
    gained = sum(p.change == "gained" for p in problems)
    a_solved = sum(p.a_solved for p in problems)

    contests = [ContestChange(cid, a_contests[cid][1] or b_contests[cid][1], float(np.mean(a_contests[cid][0])),
                              float(np.mean(b_contests[cid][0])),
                              float(np.mean(b_contests[cid][0]) - np.mean(a_contests[cid][0])))
                for cid in a_contests if cid in b_contests]

    level = alpha / 2  # Bonferroni over the two tests
    tests = [mcnemar_exact(lost, gained, level),
             wilcoxon_percentiles([c.a_percentile for c in contests], [c.b_percentile for c in contests], level)]
    diffs = [c.diff_percentile for c in contests]
    interval = bootstrap_ci(diffs) if diffs else None
    rate_diffs = [p.b_rate - p.a_rate for p in problems]
    rate_interval = bootstrap_ci(rate_diffs)

    detectable = min_detectable_loss(level)
    warnings = [f"at this size a loss of fewer than {detectable} problems cannot be significant "
                f"(McNemar exact at {level:g}: {detectable} lost and none gained is the least it can call)"
                + (f"; A solved only {a_solved} of {len(problems)}, so no loss here can be" if detectable > a_solved
                   else "")]
    if lost > gained and not tests[0].significant:
        warnings.append(f"B lost {lost} problem(s) A solved (gained {gained}): a real drop this suite cannot call "
                        f"significant; gate it with --max-drop")
    for side, rates in (("A", a_rates), ("B", b_rates)):
        if len(rates) < MIN_SEEDS:
            warnings.append(f"side {side}: {len(rates)} run(s): {TOO_FEW_SEEDS}")

    regression = any(t.significant and t.direction == "B worse" for t in tests)
    improvement = any(t.significant and t.direction == "B better" for t in tests)
    gate_failed = max_drop is not None and lost > max_drop
    if regression:
        verdict = "significant regression"
    elif improvement:
        verdict = "significant improvement"
    elif lost > gained:
        verdict = f"B lost {lost} problem(s), not significant at this suite size"
    else:
        verdict = "no significant change"
    return Comparison(
        a=_describe(str(side_a), runs_a), b=_describe(str(side_b), runs_b), alpha=alpha, per_test_alpha=level,
        solved={"a": a_solved, "b": sum(p.b_solved for p in problems), "problems": len(problems),
                "lost": lost, "gained": gained},
        min_detectable_loss=detectable,
        solve_rate={"a": float(np.mean([p.a_rate for p in problems])), "b": float(np.mean([p.b_rate for p in problems])),
                    "diff": float(np.mean(rate_diffs)), "diff_ci95": list(rate_interval),
                    "interval": "paired bootstrap over problems",
                    "a_seeds": _seeds_interval(a_rates), "b_seeds": _seeds_interval(b_rates)},
        percentile={"a_mean": _mean([c.a_percentile for c in contests]), "b_mean": _mean([c.b_percentile for c in contests]),
                    "mean_diff": _mean(diffs), "diff_ci95": list(interval) if interval else None},
        tests=tests, gate={"max_drop": max_drop, "lost": lost, "failed": gate_failed},
        regression=regression, improvement=improvement, verdict=verdict, warnings=warnings,
        exit_code=1 if regression or gate_failed else 0, made_up=any(c.made_up for c in contests),
        contests=contests, problems=problems)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None
