"""Validate a problem: run every reference solution on all its tests and explain each surprise.

A correct reference solution that is rejected is classified: its output differs only in float
precision or letter case (the problem needs that checker), the statement allows several answers
(it needs a checker; the one expected output is just one valid answer), or the rejection is
unexplained (a wrong test, or a wrong solution). An incorrect reference accepted on every test
means the tests are too weak to catch it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contests.model import Problem, Solution
from judge.checkers import check_floats, check_tokens
from judge.runner import Judge
from judge.verdicts import JudgeResult, Verdict

# Statements that accept several outputs ("If there are multiple answers, print any of them").
SEVERAL_ANSWERS = re.compile(
    r"(print|output) any\b|any of them|(multiple|several|many) (possible |correct |valid |optimal )?(answers|solutions)"
    r"|more than one (correct |valid )?(answer|solution)|any (such|valid|possible|correct|suitable|optimal) "
    r"|in (any|arbitrary) order", re.I)
FLOAT_TOLERANCE = 1e-5  # AlphaCode's

# Categories of one reference solution's result.
AS_EXPECTED = "as-expected"  # a correct one accepted, or an incorrect one rejected
NEEDS_FLOAT_CHECKER = "needs-float-checker"
NEEDS_CASE_INSENSITIVE = "needs-case-insensitive-checker"
NEEDS_CHECKER = "needs-checker"  # several valid answers: the expected output is only one of them
WRONG_ANSWER = "wrong-answer-unexplained"
TOO_SLOW = "too-slow"  # TLE: the limits or the judge machine, not necessarily the solution
CRASHED = "crashed"  # RE, MLE, OLE
DOES_NOT_COMPILE = "does-not-compile"
JUDGE_ERROR = "judge-error"
ACCEPTED_INCORRECT = "incorrect-accepted"  # the tests do not catch a known wrong solution
CHECKER_CATEGORIES = (NEEDS_FLOAT_CHECKER, NEEDS_CASE_INSENSITIVE, NEEDS_CHECKER)


@dataclass(frozen=True)
class SolutionValidation:
    name: str
    language: str
    correct: bool  # what the problem says the solution is
    verdict: Verdict
    category: str
    detail: str
    failed_tests: tuple[int, ...]  # 0-based
    result: JudgeResult

    def to_dict(self) -> dict:
        return {"name": self.name, "language": self.language, "correct": self.correct,
                "verdict": self.verdict.value, "category": self.category, "detail": self.detail,
                "failed_test_numbers": [i + 1 for i in self.failed_tests]}  # 1-based, as texts count tests


@dataclass(frozen=True)
class ProblemValidation:
    problem_id: str
    solutions: tuple[SolutionValidation, ...]
    several_answers: bool  # the statement says several outputs are accepted

    @property
    def needs_checker(self) -> bool:
        return any(s.category in CHECKER_CATEGORIES for s in self.solutions)

    @property
    def ok(self) -> bool:
        return all(s.category == AS_EXPECTED for s in self.solutions)

    def to_dict(self) -> dict:
        return {"problem": self.problem_id, "ok": self.ok, "needs_checker": self.needs_checker,
                "several_answers": self.several_answers, "solutions": [s.to_dict() for s in self.solutions]}


def validate_problem(judge: Judge, problem: Problem) -> ProblemValidation:
    several = bool(SEVERAL_ANSWERS.search(problem.statement))
    checks = tuple(_validate_solution(judge, problem, s, n, several) for n, s in enumerate(problem.solutions))
    return ProblemValidation(problem.id, checks, several)


def _validate_solution(judge: Judge, problem: Problem, solution: Solution, n: int, several: bool) -> SolutionValidation:
    result = judge.judge(solution.source, solution.language, problem, all_tests=True)
    failed = tuple(t.index for t in result.tests if t.verdict is not Verdict.OK)
    name = solution.name or f"solution {n + 1}"

    def made(category: str, detail: str) -> SolutionValidation:
        return SolutionValidation(name, solution.language, solution.correct, result.verdict, category, detail,
                                  failed, result)

    if not solution.correct:
        if result.accepted:
            return made(ACCEPTED_INCORRECT, f"accepted on all {len(result.tests)} tests")
        return made(AS_EXPECTED, result.message)
    if result.accepted:
        return made(AS_EXPECTED, f"accepted on all {len(result.tests)} tests")
    verdicts = {result.tests[i].verdict for i in failed}
    if Verdict.IE in verdicts or result.verdict is Verdict.IE:
        return made(JUDGE_ERROR, result.message)
    if result.verdict is Verdict.CE:
        return made(DOES_NOT_COMPILE, result.compile_output[:300])
    if Verdict.TLE in verdicts:
        return made(TOO_SLOW, result.message)
    if verdicts & {Verdict.RE, Verdict.MLE, Verdict.OLE}:
        return made(CRASHED, result.message)
    # Only checker verdicts (WA, PE) remain: look at the outputs themselves.
    return made(*_explain_wrong_answers(judge, problem, solution, failed, several))


def _explain_wrong_answers(judge: Judge, problem: Problem, solution: Solution, failed: tuple[int, ...],
                           several: bool) -> tuple[str, str]:
    tests = [problem.tests[i] for i in failed]
    outcomes = judge.execute(solution.source, solution.language, [t.input for t in tests],
                             time_limit=problem.time_limit, memory_limit=problem.memory_limit)
    outputs = [o.stdout for o in outcomes]
    where = f"{len(failed)} of {len(problem.tests)} tests (first: test {failed[0] + 1})"
    if all(check_floats(o, t.output, FLOAT_TOLERANCE, FLOAT_TOLERANCE).verdict is Verdict.OK
           for o, t in zip(outputs, tests)):
        return NEEDS_FLOAT_CHECKER, f"outputs equal within {FLOAT_TOLERANCE:g} on {where}"
    if all(check_tokens(o, t.output, case_sensitive=False).verdict is Verdict.OK for o, t in zip(outputs, tests)):
        return NEEDS_CASE_INSENSITIVE, f"outputs differ only in letter case on {where}"
    first = judge.check(problem, tests[0], outputs[0]).message
    if several:
        return NEEDS_CHECKER, f"the statement accepts several answers; output differs on {where}: {first}"
    return WRONG_ANSWER, f"output differs on {where}: {first}"
