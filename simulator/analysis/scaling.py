"""Solve rate against the number of samples k: pass@k and 10@k, per contest and overall.

Both come from the counts a replay with --sample-metrics stores per problem (drawn, passing the
examples, passing the hidden tests): pass@k with the unbiased estimator of Codex (Chen et al.
2021), 10@k with AlphaCode's Algorithm 1 (Li et al. 2022), both sub-sampling k of the samples
already drawn, never drawing new ones. A problem replayed in several runs (seeds) counts once:
its estimates are averaged over the runs that drew at least k samples, so that the interval
(a bootstrap over problems, the main source of variance) is not narrowed by repeated seeds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from contests.errors import DataError
from contests.metrics import bootstrap_ci, n_at_k, pass_at_k
from simulator.store import Store

SUBMISSIONS = 10  # the n of n@k: AlphaCode's 10 submissions per problem
BOOTSTRAP = 1999  # resamples per interval; enough for a 95% interval to two digits


@dataclass(frozen=True)
class ProblemSamples:
    """One problem's sample counts in one run."""

    run: int
    contest: str
    index: str
    drawn: int
    passed_examples: int
    passed_hidden: int


def sample_counts(store: Store, run_ids: list[int]) -> tuple[list[ProblemSamples], list[str]]:
    """The sample counts of every problem of RUN_IDS, and notes on the problems left out.
    Refuses runs that stored no sample metrics."""
    counts, notes = [], []
    for run_id in run_ids:
        run = store.run(run_id)
        if run is None:
            raise DataError(store.where, "run", f"no run {run_id}")
        rows = store.problem_results(run_id)
        usable = [p for p in rows if (p.stats or {}).get("passed_hidden") is not None and p.stats.get("drawn", 0) > 0]
        if not usable:
            raise DataError(f"run {run_id}", "sample metrics", "no sample metrics stored (only the submissions were "
                            "judged): replay with --sample-metrics to judge every sample on the hidden tests")
        if len(usable) < len(rows):
            notes.append(f"run {run_id}: {len(rows) - len(usable)} of {len(rows)} problems have no judged samples "
                         "and are left out")
        for p in usable:
            drawn, hidden = int(p.stats["drawn"]), int(p.stats["passed_hidden"])
            # Every sample passing the hidden tests was among those passing the examples (see replay.sample_metrics).
            examples = min(max(int(p.stats.get("passed_examples", 0)), hidden), drawn)
            counts.append(ProblemSamples(run_id, p.contest_id, p.problem.index, drawn, examples, hidden))
    return counts, notes


def k_grid(largest: int) -> list[int]:
    """1, 2, 5, 10, 20, 50, ... up to LARGEST, and LARGEST itself: even steps on a log axis."""
    ks, decade = [], 1
    while decade <= largest:
        ks += [m * decade for m in (1, 2, 5) if m * decade <= largest]
        decade *= 10
    if ks[-1] != largest:
        ks.append(largest)
    return ks


def _point(values: list[float]) -> dict:
    low, high = bootstrap_ci(values, n_boot=BOOTSTRAP)
    return {"mean": float(np.mean(values)), "ci95": [low, high]}


def curve(counts: list[ProblemSamples], ks: list[int], *, draws: int = 1000, seed: int = 0) -> list[dict]:
    """pass@k and 10@k at each k over the problems in COUNTS, with 95% bootstrap intervals over problems.
    At each k only the runs that drew at least k samples of a problem take part; `problems` says how many."""
    rows = []
    for k in ks:
        per_problem = defaultdict(lambda: ([], []))
        for c in counts:
            if c.drawn < k:
                continue
            passes, tens = per_problem[c.contest, c.index]
            passes.append(pass_at_k(c.drawn, c.passed_hidden, k))
            tens.append(float(n_at_k(SUBMISSIONS, k, c.drawn, c.passed_examples, c.passed_hidden, draws=draws,
                                     rng=np.random.default_rng([seed, k, c.run, c.drawn]))[0]))
        if not per_problem:
            continue
        pass_values = [float(np.mean(v[0])) for v in per_problem.values()]
        ten_values = [float(np.mean(v[1])) for v in per_problem.values()]
        rows.append({"k": k, "problems": len(per_problem), "pass_at_k": _point(pass_values),
                     "ten_at_k": _point(ten_values)})
    return rows


def scaling(store: Store, run_ids: list[int], *, draws: int = 1000) -> dict:
    """The scaling analysis of RUN_IDS (one run, or the seeds of one replay): overall and per contest."""
    counts, notes = sample_counts(store, run_ids)
    ks = k_grid(max(c.drawn for c in counts))
    contests = sorted({c.contest for c in counts}, key=lambda cid: min(i for i, c in enumerate(counts) if c.contest == cid))
    if len({c.drawn for c in counts}) > 1:
        notes.append("Problems drew different numbers of samples: at large k only those that drew at least k take "
                     "part (see `problems` per point).")
    notes.append("Intervals: 95% bootstrap over problems (each problem averaged over its runs first).")
    return {
        "runs": list(run_ids), "submissions": SUBMISSIONS, "draws": draws, "ks": ks,
        "overall": curve(counts, ks, draws=draws),
        "contests": {cid: curve([c for c in counts if c.contest == cid], ks, draws=draws) for cid in contests},
        "notes": notes,
    }
