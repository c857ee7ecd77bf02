"""Scoring rules, checked on the worked examples of the rules themselves."""

from __future__ import annotations

import pytest

from contests.scoring import Attempt, ProblemScore, contest_score, counts_as_rejected, problem_score

WA2 = Attempt(3, "WA", failed_test=2)  # wrong on the third test: a counted rejection on Codeforces


def test_codeforces_worked_examples():
    # Blog entry 456: 1000 points solved at minute 10 of a 2-hour round is 960; on the third attempt 860.
    assert problem_score("cf-points", 1000, 120, [Attempt(10, "OK")]).points == 960
    third = problem_score("cf-points", 1000, 120, [WA2, Attempt(7, "TLE", 5), Attempt(10, "OK")])
    assert third == ProblemScore(solved=True, points=860, penalty=0, rejected=2, minute=10)


def test_points_decay_over_the_round_and_floor_at_30_percent():
    assert problem_score("cf-points", 500, 120, [Attempt(120, "OK")]).points == pytest.approx(0.52 * 500)
    # A 3-hour round decays x/375 per minute: 750 points at minute 75 -> 750 - 150.
    assert problem_score("cf-points", 750, 180, [Attempt(75, "OK")]).points == pytest.approx(600)
    many = [Attempt(m, "WA", failed_test=1) for m in range(20)] + [Attempt(100, "OK")]
    assert problem_score("cf-points", 1000, 120, many).points == pytest.approx(300)


def test_minutes_are_rounded_down():
    assert problem_score("cf-points", 1000, 120, [Attempt(10.99, "OK")]).points == 960
    assert problem_score("cf-icpc", None, 120, [Attempt(59.999, "OK")]).penalty == 59


def test_icpc_penalties():
    attempts = [WA2, Attempt(5, "RE", failed_test=3), Attempt(42.5, "OK")]
    assert problem_score("cf-icpc", None, 120, attempts) == ProblemScore(True, 1.0, 42 + 2 * 10, 2, 42)
    assert problem_score("icpc", None, 300, attempts) == ProblemScore(True, 1.0, 42 + 2 * 20, 2, 42)


def test_attempts_after_the_accepted_one_are_ignored():
    late = [Attempt(10, "OK"), Attempt(11, "WA", failed_test=4), Attempt(12, "OK")]
    assert problem_score("cf-icpc", None, 120, late) == ProblemScore(True, 1.0, 10, 0, 10)
    assert problem_score("cf-points", 1000, 120, late).points == 960


def test_unsolved_problem_scores_nothing_but_counts_rejections():
    s = problem_score("cf-icpc", None, 120, [WA2, Attempt(9, "TLE", failed_test=7)])
    assert s == ProblemScore(False, 0.0, 0, 2, None)


@pytest.mark.parametrize("rules, verdict, failed_test, counted", [
    # Codeforces: compilation errors and failures on the first test are free.
    ("cf-points", "CE", None, False), ("cf-points", "WA", 0, False), ("cf-points", "WA", 1, True),
    ("cf-icpc", "TLE", 0, False), ("cf-icpc", "MLE", 3, True), ("cf-icpc", "PE", 2, True),
    # Classic ICPC: everything but accepted, compile error and judge error counts, test 1 included.
    ("icpc", "WA", 0, True), ("icpc", "CE", None, False), ("icpc", "RE", 0, True),
    # The judge's own fault never counts; accepted is not a rejection.
    ("cf-points", "IE", 4, False), ("icpc", "IE", 0, False), ("cf-icpc", "OK", None, False),
])
def test_which_verdicts_count(rules, verdict, failed_test, counted):
    assert counts_as_rejected(rules, verdict, failed_test) is counted


def test_free_failures_cost_nothing():
    free = [Attempt(1, "CE"), Attempt(2, "WA", failed_test=0), Attempt(3, "IE", failed_test=5)]
    assert problem_score("cf-points", 1000, 120, free + [Attempt(10, "OK")]).points == 960
    assert problem_score("icpc", None, 300, free + [Attempt(10, "OK")]).penalty == 10 + 20  # the test-1 WA


def test_contest_score_sums_solved_problems():
    a = problem_score("cf-icpc", None, 120, [Attempt(10, "OK")])
    b = problem_score("cf-icpc", None, 120, [WA2, Attempt(30, "OK")])
    c = problem_score("cf-icpc", None, 120, [WA2, WA2])
    assert contest_score("cf-icpc", [a, b, c]) == (2, 10 + 30 + 10)
    x = problem_score("cf-points", 500, 120, [Attempt(10, "OK")])
    y = problem_score("cf-points", 1000, 120, [WA2, Attempt(10, "OK")])
    assert contest_score("cf-points", [x, y]) == (480 + 910, 0)


@pytest.mark.parametrize("call", [
    lambda: problem_score("topcoder", 1000, 120, []),
    lambda: problem_score("cf-points", None, 120, [Attempt(1, "OK")]),
    lambda: counts_as_rejected("cf-icpc", "Accepted", None),
    lambda: problem_score("cf-icpc", None, 120, [Attempt(-1, "OK")]),
])
def test_bad_arguments_are_refused(call):
    with pytest.raises(ValueError):
        call()
