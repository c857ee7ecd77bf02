"""Shared by the simulator's tests: solvers with a known behaviour, test contests made of real
CodeContests problems, a replay in one call, and replays in processes of their own (to kill).
The judge is always the real one."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from pathlib import Path

from sqlalchemy import func, select

from contests.model import Contest, Problem, StandingRow
from simulator.components import solver_identity
from simulator.replay import Replayer, ReplaySettings
from simulator.store import Store
from simulator.store.models import ContestResultRow, Judgment, ProblemResultRow, RatingEstimate, SubmissionRow
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
    stats: SampleStats | None = None  # what it reports about its samples (default: just the submissions)

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
        return SolveResult(problem.id, subs, self.stats or SampleStats(drawn=len(subs)))


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
           settings: ReplaySettings | None = None, group: str | None = None, **hooks) -> int:
    """Create a run of SOLVER over CONTESTS and replay it; returns the run id. GROUP: the group key
    of runs started together (one per seed), as `csim replay --seed 0 --seed 1` gives them."""
    settings = settings or ReplaySettings()
    version = store.solver_version(solver_identity(solver, "test"))
    for contest in contests:
        store.record_contest(contest)
    run = store.create_run(version, seed, {**settings.to_dict(), "contests": [c.id for c in contests]},
                           [c.id for c in contests], group_key=group)
    Replayer(store, solver, judge, "test-judge", settings, **hooks).run(run, contests)
    return run


# ------------------------------------------------------------------ replays in their own processes

WORKER = Path(__file__).resolve().parent / "sim_replay_worker.py"
ROOT = Path(__file__).resolve().parents[2]


def start(db: str, log: Path, mode: str, number: int) -> subprocess.Popen:
    # A session of its own, so that SIGKILL reaches the replay and every process it started.
    return subprocess.Popen([sys.executable, str(WORKER), db, str(log), mode, str(number)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def finish(proc: subprocess.Popen) -> int:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    return int(out.split()[0])


def log_lines(log: Path) -> list[tuple[str, str, int]]:
    if not log.exists():
        return []
    return [(k, i, int(o)) for k, i, o in (line.split() for line in log.read_text().splitlines())]


def kill_after(proc: subprocess.Popen, log: Path, judgings: int) -> None:
    """SIGKILL the replay once it has started JUDGINGS more judgings (that is, midway through one)."""
    target = len(log_lines(log)) + judgings
    deadline = time.monotonic() + 180
    while len(log_lines(log)) < target:
        assert proc.poll() is None, f"the replay ended before it could be killed: {proc.stderr.read()[-2000:]}"
        assert time.monotonic() < deadline, "the replay made no progress"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def committed_keys(db: str) -> set[str]:
    with Store(db) as store, store.transaction() as s:
        return set(s.scalars(select(Judgment.key)))


def final_results(db: str, run: int) -> dict:
    with Store(db) as store:
        return {
            "contests": [(r.contest_id, r.solved, r.points, r.penalty, r.rank, r.worst_rank, r.participants,
                          r.percentile, r.performance, r.rating_change) for r in store.contest_results(run)],
            "problems": [(p.problem.index, p.solved, p.points, p.penalty, p.rejected, p.attempts, p.minute)
                         for p in store.problem_results(run)],
            "submissions": [(s.problem_id, s.order, s.minute, s.verdict, s.failed_test)
                            for s in store.submissions(run)],
            "ratings": {k: r.value for k, r in store.ratings(run).items()},
            "status": store.run(run).status,
            "progress": (store.run(run).progress_done, store.run(run).progress_total),
        }


def row_counts(db: str, run: int) -> dict:
    with Store(db) as store, store.transaction() as s:
        def n(model, *where):
            return s.scalar(select(func.count()).select_from(model).where(*where))
        return {
            "submissions": n(SubmissionRow, SubmissionRow.run_id == run),
            "distinct submissions": len(set(s.execute(select(SubmissionRow.problem_id, SubmissionRow.order)
                                                      .where(SubmissionRow.run_id == run)).all())),
            "problem results": n(ProblemResultRow, ProblemResultRow.run_id == run),
            "contest results": n(ContestResultRow, ContestResultRow.run_id == run),
            "ratings": n(RatingEstimate, RatingEstimate.run_id == run),
            "judgments": n(Judgment),
        }
