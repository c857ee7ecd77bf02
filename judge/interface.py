"""What the rest of csim asks of a judge: the calls selection (solver.selection), the solvers and
the replay (simulator.replay) make. judge.runner.Judge implements it; anything else that judges the
same way (a remote judge, a test double) may stand in for it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from contests.model import Problem, TestCase
from judge.outcomes import RunOutcome
from judge.verdicts import JudgeResult


@runtime_checkable
class Judge(Protocol):
    workers: int  # runs it can do at once: callers run that many calls in parallel (thread-safe)

    def judge(self, source: str, language: str, problem: Problem, *, all_tests: bool = False,
              tests: Sequence[TestCase] | None = None) -> JudgeResult:
        """Compile SOURCE and run it on PROBLEM's tests (or TESTS) under its limits and checker;
        stops at the first failed test unless ALL_TESTS."""

    def execute(self, source: str, language: str, inputs: list[str], *, time_limit: float,
                memory_limit: int) -> list[RunOutcome]:
        """Compile SOURCE and run it on each of INPUTS, unchecked (for behaviour clustering)."""
