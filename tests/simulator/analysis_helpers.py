"""Shared by the analysis and report tests: a solver whose sample counts are known per problem,
and a replay of several seeds whose contests sit in a contest library (as `csim replay` leaves them),
so that reports can read the standings back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

from contests.library import ContestLibrary
from simulator.components import solver_identity
from simulator.replay import Replayer, ReplaySettings
from simulator.store import Store
from solver.interface import SampleOutcome, SampleStats, SolveResult

from sim_helpers import ScriptedSolver


@dataclass
class CountingSolver(ScriptedSolver):
    """Submits like ScriptedSolver, and reports the sample counts COUNTS gives for the problem
    (problem id -> SampleStats); DEFAULT_COUNTS for the others."""

    counts: dict[str, SampleStats] = field(default_factory=dict)
    default_counts: SampleStats = SampleStats(drawn=20, distinct=15, passed_examples=4, clusters=2, passed_hidden=2)
    name: str = "counting"

    def describe(self) -> dict:
        return {**super().describe(), "counts": {k: vars(v) for k, v in self.counts.items()}}

    def solve(self, problem, budget, seed: int) -> SolveResult:
        result = super().solve(problem, budget, seed)
        stats = self.counts.get(problem.id, self.default_counts)
        return replace(result, stats=stats, samples=outcomes_of(stats) if budget.judge_hidden else ())


def outcomes_of(stats: SampleStats) -> tuple[SampleOutcome, ...]:
    """Per-sample outcomes matching STATS: the first passed_examples samples pass the examples, the
    first passed_hidden of those are correct, clusters dealt round-robin; log-probabilities mixed."""
    return tuple(SampleOutcome(
        i, "python", passed_examples=i < stats.passed_examples,
        passed_hidden=(i < stats.passed_hidden) if i < stats.passed_examples else None,
        cluster=i % stats.clusters if i < stats.passed_examples and stats.clusters else None,
        logprob=-float((7 * i) % stats.drawn), tokens=10) for i in range(stats.drawn))


def replay_seeds(store: Store, solver, contests, judge, seeds, library_root: Path,
                 settings: ReplaySettings | None = None) -> list[int]:
    """Runs of SOLVER over CONTESTS, one per seed, started together (one group) with the contests
    in a library at LIBRARY_ROOT; returns the run ids."""
    settings = settings or ReplaySettings(sample_metrics=True)
    library = ContestLibrary(library_root)
    for contest in contests:
        library.add(contest)
        store.record_contest(contest)
    version = store.solver_version(solver_identity(solver, "test"))
    ids = [c.id for c in contests]
    group = uuid.uuid4().hex
    runs = []
    for seed in seeds:
        run = store.create_run(version, seed, {**settings.to_dict(), "contests": ids, "library": str(library_root)},
                               ids, group_key=group)
        Replayer(store, solver, judge, "test-judge", settings).run(run, contests)
        runs.append(run)
    return runs
