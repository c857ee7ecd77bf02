"""ReferenceSolver: submits the problem's known correct solutions, for sanity checks."""

from __future__ import annotations

import time

from contests.model import Problem
from judge.interface import Judge
from solver.interface import Budget, SampleStats, SolveResult, Submission


class ReferenceSolver:
    """Submits the problem's known correct solutions in the order the problem lists them. Given a
    judge, those that pass the examples go first (a stable reorder): a sanity check of the whole
    pipeline whose expected results are known."""

    name = "reference"
    version = "1"

    def __init__(self, judge: Judge | None = None):
        self.judge = judge

    def describe(self) -> dict:
        return {"solver": self.name, "filters_on_examples": self.judge is not None}

    def solve(self, problem: Problem, budget: Budget, seed: int) -> SolveResult:
        start = time.perf_counter()
        solutions = problem.correct_solutions
        passes = [True] * len(solutions)
        notes = [] if solutions else [f"problem {problem.id} has no known correct solution"]
        if self.judge is not None and problem.examples:
            passes = [self.judge.judge(s.source, s.language, problem, tests=problem.examples).accepted
                      for s in solutions]
        ranked = sorted(range(len(solutions)), key=lambda i: not passes[i])[: budget.max_submissions]
        seconds = time.perf_counter() - start
        submissions = tuple(
            Submission(solutions[i].source, solutions[i].language, order, ready_after=seconds, samples_drawn=i + 1,
                       reason=f"reference solution {i + 1} of {len(solutions)}"
                       + ("" if passes[i] else " (fails the examples)") + (f" ({solutions[i].name})" if solutions[i].name else ""))
            for order, i in enumerate(ranked))
        hidden = None
        if budget.judge_hidden and self.judge is not None:
            hidden = sum(self.judge.judge(s.source, s.language, problem).accepted for s in solutions)
        stats = SampleStats(drawn=len(solutions), distinct=len(solutions), passed_examples=sum(passes),
                            clusters=len(solutions), passed_hidden=hidden)
        return SolveResult(problem.id, submissions, stats, seconds, tuple(notes))
