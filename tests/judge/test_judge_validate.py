"""validate_problem on real CodeContests problems: each rejected reference solution is explained.

The expected categories were measured on ../shared/data (validating all 53 problems whose human
solution the plain token comparison rejects gives 20 float-precision, 19 several-answers, 1 letter
case, 5 crashes on malformed inputs, 3 too slow for CPython, 5 unexplained); a sample is checked here.
"""

from __future__ import annotations

import dataclasses

import pytest

from contests.model import Checker, Solution
from judge.validate import (ACCEPTED_INCORRECT, AS_EXPECTED, CRASHED, NEEDS_CASE_INSENSITIVE, NEEDS_CHECKER,
                            NEEDS_FLOAT_CHECKER, validate_problem)


@pytest.fixture(scope="module")
def dev(codecontests_dev):
    return {p.id: p for p in codecontests_dev}


@pytest.mark.parametrize("pid, category", [
    ("177B1", AS_EXPECTED),
    ("1086B", NEEDS_FLOAT_CHECKER),  # prints more digits than the expected output
    ("791B", NEEDS_CASE_INSENSITIVE),  # "yes" for "YES"
    ("27B", NEEDS_CHECKER),  # "If there are several solutions, output any of them"
    ("1041E", NEEDS_CHECKER),  # edges "in any order"
    ("1133F1", CRASHED),  # the solution does not parse these inputs
])
def test_real_problems_are_classified(judge, dev, pid, category):
    v = validate_problem(judge, dev[pid])
    assert [s.category for s in v.solutions] == [category], v.to_dict()
    assert v.ok is (category == AS_EXPECTED)
    assert v.needs_checker is (category in (NEEDS_FLOAT_CHECKER, NEEDS_CASE_INSENSITIVE, NEEDS_CHECKER))
    d = v.to_dict()
    assert d["problem"] == pid and d["solutions"][0]["category"] == category


def test_giving_the_problem_its_checker_makes_it_valid(judge, dev):
    problem = dataclasses.replace(dev["1086B"], checker=Checker(kind="float", abs_eps=1e-5, rel_eps=1e-5))
    assert validate_problem(judge, problem).ok
    problem = dataclasses.replace(dev["791B"], checker=Checker(kind="tokens", case_sensitive=False))
    assert validate_problem(judge, problem).ok


def test_incorrect_references_must_be_rejected(judge, dev):
    problem = dev["177B1"]
    human = problem.correct_solutions[0]
    wrong = Solution(human.source.replace("r=n+1", "r=n"), "python", correct=False, name="off-by-one")
    weak = Solution(human.source, "python", correct=False, name="marked wrong but right")
    v = validate_problem(judge, dataclasses.replace(problem, solutions=[human, wrong, weak]))
    assert [(s.name, s.category) for s in v.solutions] == [
        ("solutions-0", AS_EXPECTED), ("off-by-one", AS_EXPECTED), ("marked wrong but right", ACCEPTED_INCORRECT)]
    assert not v.ok and not v.needs_checker
    assert v.solutions[1].failed_tests[0] == 0
    assert v.solutions[1].to_dict()["failed_test_numbers"][0] == 1  # JSON counts tests from 1, as texts do
