"""Shared by the simulator's tests: solvers with a known behaviour, test contests made of real
CodeContests problems, and a replay in one call. The judge is always the real one."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from contests.model import Contest, Problem, StandingRow
from simulator.components import solver_identity
from simulator.replay import Replayer, ReplaySettings
from simulator.store import Store
from solver.interface import SampleStats, SolveResult, Submission

WRONG_PROGRAM = "print(-12345)\n"  # wrong on any real problem here, but a program that runs


def _unit(*parts) -> float:
    """A number in [0, 1) fixed by PARTS: the tests' solvers draw from it instead of shared state."""
    return int(hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:12], 16) / 16**12


@dataclass
class ScriptedSolver:
    """Submits, for each problem, the programs its PLAN names, in that order: "correct" (the
    problem's first correct Python solution), "incorrect" (its first incorrect one) or "wrong"
    (WRONG_PROGRAM). Problems absent from the plan get DEFAULT."""

    plan: dict[str, list[str]] = field(default_factory=dict)
    default: tuple[str, ...] = ("correct",)
    name: str = "scripted"
    version: str = "1"

    def describe(self) -> dict:
        return {"plan": self.plan, "default": list(self.default)}

    def program(self, problem: Problem, kind: str) -> str:
        if kind == "wrong":
            return WRONG_PROGRAM
        wanted = kind == "correct"
        return next(s.source for s in problem.solutions if s.correct == wanted and s.language == "python")

    def solve(self, problem: Problem, budget, seed: int) -> SolveResult:
        kinds = self.plan.get(problem.id, self.default)
        subs = tuple(Submission(self.program(problem, k), "python", order, ready_after=0.0)
                     for order, k in enumerate(kinds))
        return SolveResult(problem.id, subs, SampleStats(drawn=len(subs)))


@dataclass
class CoinSolver(ScriptedSolver):
    """Per problem and seed, submits the correct solution with probability P_CORRECT, else a wrong
    program: a solver whose results vary with the seed around a known solve rate."""

    p_correct: float = 0.75
    name: str = "coin"

    def describe(self) -> dict:
        return {"p_correct": self.p_correct}

    def solve(self, problem: Problem, budget, seed: int) -> SolveResult:
        kind = "correct" if _unit(problem.id, seed) < self.p_correct else "wrong"
        return SolveResult(problem.id, (Submission(self.program(problem, kind), "python", 0, 0.0),),
                           SampleStats(drawn=1))


def made_up_standings(problems: int, participants: int, seed: int) -> list[StandingRow]:
    """Invented ICPC-style rows (solved count, penalty, rating) for test contests."""
    rng = random.Random(seed)
    rows = []
    for n in range(participants):
        rating = int(rng.gauss(1500, 300))
        solved = sum(rng.random() < 1 / (1 + 10 ** ((1200 + 150 * i - rating) / 400)) for i in range(problems))
        rows.append(StandingRow(f"made-up-{n}", float(solved), sum(rng.randint(5, 110) for _ in range(solved)),
                                old_rating=rating))
    return rows


def small_problems(problems: list[Problem], count: int) -> list[Problem]:
    """The first COUNT problems whose hidden tests are small (quick to judge) and that have a Python solution."""
    chosen = [p for p in problems
              if p.tests and sum(len(t.input) + len(t.output) for t in p.tests) < 20_000
              and any(s.correct and s.language == "python" for s in p.solutions)]
    return chosen[:count]


def make_contests(problems: list[Problem], per_contest: int) -> list[Contest]:
    """Real problems grouped into ICPC-style contests with made-up standings, a week apart."""
    start = datetime(2021, 1, 4, 14, 35, tzinfo=timezone.utc)
    contests = []
    for n in range(len(problems) // per_contest):
        chunk = [replace(p, index=chr(ord("A") + i))  # copies: the shared fixture's problems stay as they are
                 for i, p in enumerate(problems[n * per_contest:(n + 1) * per_contest])]
        contests.append(Contest(f"test-{n + 1}", f"test contest {n + 1} (made up)", "cf-icpc", 120,
                                start + timedelta(days=7 * n), chunk, made_up_standings(len(chunk), 200, n),
                                made_up=True))
    return contests


def replay(store: Store, solver, contests: list[Contest], judge, seed: int = 0,
           settings: ReplaySettings | None = None, **hooks) -> int:
    """Create a run of SOLVER over CONTESTS and replay it; returns the run id."""
    settings = settings or ReplaySettings()
    version = store.solver_version(solver_identity(solver, "test"))
    for contest in contests:
        store.record_contest(contest)
    run = store.create_run(version, seed, {**settings.to_dict(), "contests": [c.id for c in contests]},
                           [c.id for c in contests])
    Replayer(store, solver, judge, "test-judge", settings, **hooks).run(run, contests)
    return run
