"""Filtering on the examples, through the real judge, on real problems: their human solutions,
mutants of them (solver.model.data.mutants) and hand-written wrong programs in Python and C++."""

from __future__ import annotations

import numpy as np
import pytest

from contests.model import Problem, TestCase
from solver.selection.filtering import Candidate, dedupe, filter_on_examples, normalise_source
from solver.model.data.mutants import mutate
from selection_helpers import GAME23_CPP, module_judge

GAME23_CPP_NO_THREES = GAME23_CPP.replace("while (q % 3 == 0) { q /= 3; c++; }", "")


@pytest.fixture(scope="module")
def judge():
    yield from module_judge()


def by_id(problems, pid):
    return next(p for p in problems if p.id == pid)


def candidates(sources: list[tuple[str, str]]) -> list[Candidate]:
    return [Candidate(f"s{i}", src, lang, i) for i, (src, lang) in enumerate(sources)]


def test_normalised_sources_ignore_blank_lines_and_trailing_space():
    assert normalise_source("a = 1  \r\n\n\nprint(a)\n") == normalise_source("a = 1\nprint(a)")
    assert normalise_source("print( 1)") != normalise_source("print(1)")
    distinct, dup = dedupe(candidates([("print(1)\n", "python"), ("print(1)\n\n", "python"), ("print(1)", "cpp")]))
    assert [c.id for c in distinct] == ["s0", "s2"] and dup == {"s1": "s0"}


@pytest.mark.slow
@pytest.mark.parametrize("pid", ["1003F", "1187E"])
def test_human_solutions_pass_and_the_judge_decides_every_sample(judge, codecontests_dev, pid):
    problem = by_id(codecontests_dev, pid)
    human = problem.correct_solutions[0].source
    mutants = mutate(human, "python", np.random.default_rng(0), limit=6)
    assert len(mutants) >= 4
    wrong = ["print(0)\n", "import sys\nsys.exit(3)\n", "while True:\n    pass\n"]
    samples = candidates([(human, "python"), (human + "\n\n", "python")] + [(m, "python") for m in mutants + wrong])
    result = filter_on_examples(judge, problem, samples)
    assert result.drawn == len(samples) and len(result.distinct) == len(samples) - 1
    assert result.duplicates == {"s1": "s0"}
    assert result.passed[0].id == "s0"
    # Every verdict is the judge's own on the examples, and only OK passes.
    for c in result.distinct:
        assert result.verdicts[c.id] == judge.judge(c.source, c.language, problem, tests=problem.examples).verdict.value
    assert {c.id for c in result.passed} == {i for i, v in result.verdicts.items() if v == "OK"}
    n = len(samples)
    assert [result.verdicts[f"s{i}"] for i in range(n - 3, n)] == ["WA", "RE", "TLE"]
    # The examples are weak: many one-edit mutants pass them (that is what clustering is for).
    assert any(result.verdicts[f"s{i}"] != "OK" for i in range(2, 2 + len(mutants)))


def test_cpp_samples_and_a_compile_error(judge, codecontests_dev):
    problem = by_id(codecontests_dev, "1141A")
    samples = candidates([(GAME23_CPP, "cpp"), (GAME23_CPP_NO_THREES, "cpp"), ("int main( {", "cpp")])
    result = filter_on_examples(judge, problem, samples)
    assert result.verdicts == {"s0": "OK", "s1": "WA", "s2": "CE"}, result.messages
    assert [c.id for c in result.passed] == ["s0"]


def test_a_problem_without_examples_keeps_every_distinct_sample(judge):
    problem = Problem(id="none", name="none", tests=[TestCase("1\n", "1\n")])
    result = filter_on_examples(judge, problem, candidates([("print(1)", "python"), ("print(1)", "python")]))
    assert [c.id for c in result.passed] == ["s0"] and result.notes
