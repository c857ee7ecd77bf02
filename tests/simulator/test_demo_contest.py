"""The shipped demo contest: well-formed, honest about its made-up standings, its tests come from its
generator, and its reference solutions are right (and its incorrect ones wrong) on the real judge."""

from __future__ import annotations

import importlib.util
import json
import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from contests.demo import DEMO_CONTEST_ID, DEMO_DIR, demo_contest
from contests.native import standing_to_dict
from contests.scoring import cf_points


def generator():
    spec = importlib.util.spec_from_file_location("demo_generate", DEMO_DIR / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_demo_contest_is_well_formed_and_marked_made_up():
    contest = demo_contest()
    assert (contest.id, contest.rules, contest.duration_minutes, contest.made_up) == (DEMO_CONTEST_ID, "cf-points", 120, True)
    assert "MADE UP" in contest.name
    assert [p.index for p in contest.problems] == list("ABCDE")
    assert [p.points for p in contest.problems] == [500, 750, 1000, 1250, 1500]
    for p in contest.problems:
        assert p.statement and p.examples and len(p.tests) >= 8
        assert p.tests[:len(p.examples)] == p.examples  # test 1 is the first example, as on Codeforces
        assert {(s.language, s.correct) for s in p.solutions} == {("python", True), ("cpp", True), ("python", False)}
    assert len(contest.standings) == 300
    assert all(r.handle.startswith("made-up-") for r in contest.standings)


def test_the_made_up_standings_add_up_under_the_contests_rules():
    contest = demo_contest()
    points = {p.index: p.points for p in contest.problems}
    for row in contest.standings:
        assert row.points == pytest.approx(sum(r.points for r in row.problem_results.values()), abs=0.01)
        for index, r in row.problem_results.items():
            if r.accepted:
                assert r.points == pytest.approx(cf_points(points[index], 120, r.minute, r.rejected))
        assert row.new_rating is not None and row.old_rating is not None
    ranks = [r.rank for r in contest.standings]
    assert ranks == sorted(ranks) and ranks[0] == 1


def test_tests_and_standings_are_what_the_generator_makes():
    gen = generator()
    rng = random.Random(gen.SEED)
    contest = demo_contest()
    for problem in contest.problems:
        inputs = gen.GENERATORS[problem.index](rng)
        assert [t.input for t in problem.tests] == [e.input for e in problem.examples] + inputs
    rows = gen.made_up_standings(gen.contest_without_standings(), rng)
    committed = json.loads((DEMO_DIR / "standings.json").read_text())
    assert [standing_to_dict(r) for r in rows] == committed


@pytest.mark.slow
def test_reference_solutions_pass_and_incorrect_ones_fail_on_the_real_judge(judge):
    work = [(p, s) for p in demo_contest().problems for s in p.solutions]
    with ThreadPoolExecutor(4) as pool:  # the judge is thread-safe; C++ compiles overlap
        results = list(pool.map(lambda ps: judge.judge(ps[1].source, ps[1].language, ps[0]), work))
    for (problem, solution), result in zip(work, results):
        assert result.accepted == solution.correct, (problem.index, solution.name, result.verdict, result.message)
