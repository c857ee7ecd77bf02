"""Selection strategies side by side on the same samples: which 10 of k drawn samples to submit.

From the per-sample outcomes a replay with --sample-metrics stores (draw index, verdict on the
examples, on the hidden tests, behaviour cluster, log-probability), each strategy is scored by its
10@k: the share of problems solved when it submits up to 10 of k samples, sub-sampling k of the
samples already drawn (AlphaCode, Li et al. 2022, the figure comparing selection methods). Every
strategy sees the same sub-samples, so their differences are paired per problem, and the
intervals are bootstraps over problems (contests.metrics.bootstrap_ci), as in scaling.py.

Strategies:
- random: 10 of the k samples at random, nothing filtered (AlphaCode's "no filtering").
- examples_random: 10 at random of those passing the statement's examples (AlphaCode's
  "filtering"; the 10@k of `csim analyze scaling`).
- logprob: of the distinct samples passing the examples, the 10 of highest mean log-probability
  (Codex's ranking, Chen et al. 2021); ties in draw order.
- value: the same, ranked by a value head's score of "correct", where the samples carry one.
- clustering: AlphaCode's: the passing samples grouped by their stored behaviour cluster,
  one per cluster, largest cluster first, then wrap-round (solver.selection.clustering); at k =
  all samples it is what the solver really submitted.
- oracle: solved if any of the k samples is correct (pass@k): the upper bound of any selection.

Ranked strategies (logprob, value, clustering) choose among distinct programs, as the solver's
pipeline does (it deduplicates before clustering); the random ones count samples as drawn,
duplicates included, as AlphaCode's Algorithm 1 does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from contests.errors import DataError
from contests.metrics import bootstrap_ci
from simulator.analysis.scaling import BOOTSTRAP, SUBMISSIONS, k_grid
from simulator.store import Store

STRATEGIES = {
    "random": "random 10 of the k samples (no filtering)",
    "examples_random": "random 10 of those passing the examples",
    "logprob": "top 10 by mean log-probability (Codex), after the examples",
    "value": "top 10 by value-head score, after the examples",
    "clustering": "clustering (AlphaCode), after the examples",
    "oracle": "oracle: any of the k samples correct (pass@k, an upper bound)",
}
NO_VALUE = ("not available: no stored sample carries a value-head score (csim's JAX model trains a value head "
            "but its sampler does not score samples with it; a samples file may give each sample a `value`)")


@dataclass(frozen=True)
class ProblemOutcomes:
    """One problem's samples in one run, as arrays indexed by draw order."""

    run: int
    contest: str
    index: str
    row: int  # problems.id: fixes the problem's sub-samples
    passed: np.ndarray  # bool: passed the examples
    correct: np.ndarray  # bool: passed the hidden tests
    cluster: np.ndarray  # int: cluster rank, -1: not clustered
    first: np.ndarray  # int: index of the first identical sample (itself if none)
    logprob: np.ndarray  # float: mean (or summed) log-probability, nan: none
    value: np.ndarray  # float: value-head score, nan: none
    submitted: tuple[int, ...]  # indices the solver really submitted, in order

    @property
    def drawn(self) -> int:
        return len(self.passed)


def _arrays(run_id: int, contest: str, index: str, row: int, outcomes: list, mean_logprob: bool) -> ProblemOutcomes:
    first = np.array([o.index if o.duplicate_of is None else o.duplicate_of for o in outcomes], dtype=np.int64)
    logprob = np.array([np.nan if o.logprob is None else
                        (o.logprob / o.tokens if mean_logprob and o.tokens else o.logprob) for o in outcomes])
    submitted = tuple(o.index for o in sorted((o for o in outcomes if o.submitted is not None), key=lambda o: o.submitted))
    return ProblemOutcomes(
        run_id, contest, index, row,
        passed=np.array([o.passed_examples for o in outcomes], dtype=bool),
        correct=np.array([bool(o.passed_hidden) for o in outcomes], dtype=bool),
        cluster=np.array([-1 if o.cluster is None else o.cluster for o in outcomes], dtype=np.int64),
        first=first, logprob=logprob,
        value=np.array([np.nan if o.value is None else o.value for o in outcomes]), submitted=submitted)


def load_outcomes(store: Store, run_ids: list[int]) -> tuple[list[ProblemOutcomes], dict[str, str | None], list[str]]:
    """Every problem's sample outcomes in RUN_IDS; per score ("logprob", "value") None where every
    sample passing the examples carries it, else why the strategy is not available; notes.
    Refuses runs that stored no per-sample outcomes."""
    raw, notes = [], []
    for run_id in run_ids:
        if store.run(run_id) is None:
            raise DataError(store.url, "run", f"no run {run_id}")
        stored = store.sample_outcomes(run_id)
        rows = store.problem_results(run_id)
        if not stored:
            raise DataError(f"run {run_id}", "sample outcomes", "no per-sample outcomes stored: replay with "
                            "--sample-metrics (runs replayed before csim stored them keep only counts, which "
                            "`csim analyze scaling` reads)")
        kept = [p for p in rows if stored.get(p.problem_id)]
        if len(kept) < len(rows):
            notes.append(f"run {run_id}: {len(rows) - len(kept)} of {len(rows)} problems drew no judged samples "
                         "(not judgeable, or none in the samples file) and are left out")
        raw += [(run_id, p, stored[p.problem_id]) for p in kept]
    passing = [o for _, _, outcomes in raw for o in outcomes if o.passed_examples]
    why: dict[str, str | None] = {"value": None, "logprob": None}
    missing = sum(o.logprob is None for o in passing)
    if missing:
        why["logprob"] = (f"not available: {missing:,} of {len(passing):,} samples passing the examples carry no "
                          "log-probability (the source gave none)")
    mean_logprob = all(o.tokens for o in passing)
    if not missing and not mean_logprob:
        notes.append("logprob ranks by summed log-probability: the source gave no token counts to take the mean over")
    if any(o.value is None for o in passing):
        why["value"] = NO_VALUE if all(o.value is None for o in passing) else (
            f"not available: {sum(o.value is None for o in passing):,} of {len(passing):,} samples passing the "
            "examples carry no value-head score")
    problems = [_arrays(run_id, p.contest_id, p.problem.index, p.problem_id, outcomes, mean_logprob)
                for run_id, p, outcomes in raw]
    return problems, why, notes


# ------------------------------------------------------------------ strategies on one sub-sample

def _distinct_passing(p: ProblemOutcomes, chosen: np.ndarray) -> np.ndarray:
    """The samples of CHOSEN (in draw order) that pass the examples, one per distinct program."""
    passing = chosen[p.passed[chosen]]
    _, first_seen = np.unique(p.first[passing], return_index=True)
    return passing[np.sort(first_seen)]


def _top(scores: np.ndarray, candidates: np.ndarray, n: int) -> np.ndarray:
    """The N CANDIDATES of highest score, ties (and missing scores, last) in draw order."""
    keyed = np.where(np.isnan(scores[candidates]), -np.inf, scores[candidates])
    return candidates[np.argsort(-keyed, kind="stable")[:n]]


def clustering_picks(p: ProblemOutcomes, candidates: np.ndarray, n: int) -> list[int]:
    """What solver.selection.clustering.pick_submissions picks among CANDIDATES (distinct, passing,
    in draw order): clusters by size within CANDIDATES, ties to the one holding the earliest
    sample; one per cluster, then wrap-round."""
    members: dict[int, list[int]] = defaultdict(list)
    for i in candidates:
        if p.cluster[i] >= 0:  # samples past the clustering cap were never clustered, nor submitted
            members[int(p.cluster[i])].append(int(i))
    ranked = sorted(members.values(), key=lambda m: (-len(m), m[0]))
    picks: list[int] = []
    for round_ in range(max((len(m) for m in ranked), default=0)):
        for m in ranked:
            if len(picks) >= n:
                return picks
            if round_ < len(m):
                picks.append(m[round_])
    return picks


def solved_by(p: ProblemOutcomes, chosen: np.ndarray, rng: np.random.Generator, strategies: list[str]) -> list[bool]:
    """Per strategy, whether its (up to 10) submissions from the sub-sample CHOSEN include a correct one."""
    out = []
    distinct = None
    for name in strategies:
        if name == "oracle":
            picks = chosen
        elif name == "random":
            picks = rng.choice(chosen, min(SUBMISSIONS, len(chosen)), replace=False)
        elif name == "examples_random":
            passing = chosen[p.passed[chosen]]
            picks = rng.choice(passing, min(SUBMISSIONS, len(passing)), replace=False)
        else:
            distinct = _distinct_passing(p, chosen) if distinct is None else distinct
            if name == "clustering":
                picks = np.array(clustering_picks(p, distinct, SUBMISSIONS), dtype=np.int64)
            else:
                picks = _top(p.logprob if name == "logprob" else p.value, distinct, SUBMISSIONS)
        out.append(bool(p.correct[picks].any()))
    return out


def solve_shares(p: ProblemOutcomes, k: int, strategies: list[str], draws: int, seed: int) -> np.ndarray:
    """Per strategy, the share of DRAWS sub-samples of K samples it solves (fixed by SEED, K, the run and problem)."""
    rng = np.random.default_rng([seed, k, p.run, p.row])
    total = np.zeros(len(strategies))
    for _ in range(draws):
        chosen = np.sort(rng.choice(p.drawn, k, replace=False)) if k < p.drawn else np.arange(p.drawn)
        total += solved_by(p, chosen, rng, strategies)
    return total / draws


# ------------------------------------------------------------------ over problems

def _point(values: list[float]) -> dict:
    low, high = bootstrap_ci(values, n_boot=BOOTSTRAP)
    return {"mean": float(np.mean(values)), "ci95": [low, high]}


def selection(store: Store, run_ids: list[int], *, draws: int = 200, seed: int = 0) -> dict:
    """The selection analysis of RUN_IDS (one run, or the seeds of one replay): 10@k per strategy
    against k, and each strategy's paired difference with clustering, over problems."""
    problems, why, notes = load_outcomes(store, run_ids)
    strategies = [s for s in STRATEGIES if why.get(s) is None]
    ks = k_grid(max(p.drawn for p in problems))
    curves: dict[str, list[dict]] = {s: [] for s in strategies}
    differences = []
    pairs = [("clustering", s) for s in strategies if s not in ("clustering", "oracle")] + [("oracle", "clustering")]
    per_problem_at_all: dict[tuple[str, str], list[np.ndarray]] = defaultdict(list)
    for k in ks:
        shares: dict[tuple[str, str], list[np.ndarray]] = defaultdict(list)
        for p in problems:
            if p.drawn >= k:
                shares[p.contest, p.index].append(solve_shares(p, k, strategies, draws, seed))
        if not shares:
            continue
        # a problem replayed in several runs counts once: its shares averaged over runs first
        means = np.array([np.mean(v, axis=0) for v in shares.values()])
        for j, s in enumerate(strategies):
            curves[s].append({"k": k, "problems": len(means), **_point(list(means[:, j]))})
        for a, b in pairs:
            diff = means[:, strategies.index(a)] - means[:, strategies.index(b)]
            differences.append({"a": a, "b": b, "k": k, "problems": len(means), **_point(list(diff))})
    for p in problems:
        per_problem_at_all[p.contest, p.index].append(solve_shares(p, p.drawn, strategies, draws, seed))
    by_problem = []
    for (contest, index), values in per_problem_at_all.items():
        mine = [p for p in problems if (p.contest, p.index) == (contest, index)]
        by_problem.append({
            "contest": contest, "index": index, "runs": len(mine), "drawn": int(np.mean([p.drawn for p in mine])),
            "passed_examples": float(np.mean([p.passed.sum() for p in mine])),
            "passed_hidden": float(np.mean([p.correct.sum() for p in mine])),
            "clusters": float(np.mean([len(set(p.cluster[p.cluster >= 0].tolist())) for p in mine])),
            "solved_at_all_samples": dict(zip(strategies, map(float, np.mean(values, axis=0)))),
        })
    if len({p.drawn for p in problems}) > 1:
        notes.append("Problems drew different numbers of samples: at large k only those that drew at least k take "
                      "part (see `problems` per point).")
    notes.append(f"10@k per strategy over {draws} sub-samples of k drawn samples per problem, the same sub-samples "
                 "for every strategy; intervals: 95% bootstrap over problems (each problem averaged over its runs "
                 "first); differences are paired per problem.")
    return {
        "runs": list(run_ids), "submissions": SUBMISSIONS, "draws": draws, "seed": seed, "ks": ks,
        "strategies": [{"name": s, "description": d, "available": why.get(s) is None, "why": why.get(s)}
                       for s, d in STRATEGIES.items()],
        "curves": curves, "differences": differences, "problems": by_problem, "notes": notes,
    }
