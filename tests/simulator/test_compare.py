"""`csim compare` gates CI: non-zero exit on a known regression, silence on seed noise.

The runs replay three contests made of 30 real CodeContests problems (real hidden tests, real human
solutions, judged by the real judge) under ICPC-style rules, with made-up standings."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from simulator.cli import main as csim
from simulator.store import Store

from sim_helpers import CoinSolver, ScriptedSolver, make_contests, replay, small_problems

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def contests(codecontests_dev):
    return make_contests(small_problems(codecontests_dev, 30), per_contest=10)


def compare(db_url: str, a: int, b: int) -> tuple[int, dict]:
    out = CliRunner().invoke(csim, ["compare", str(a), str(b), "--db", db_url, "--json"])
    return out.exit_code, json.loads(out.stdout)


def test_compare_fails_only_on_a_real_regression(db_url, judge, contests):
    with Store(db_url) as store:
        baseline = replay(store, ScriptedSolver(), contests, judge, seed=0)
        again = replay(store, ScriptedSolver(), contests, judge, seed=1)
        # Some human solutions fail (several valid answers, no checker): break every other problem
        # that the baseline did solve, so the regression is known exactly.
        solved = [r.problem.problem_id for r in store.problem_results(baseline) if r.solved]
        broken = solved[::2]
        regressed = replay(store, ScriptedSolver({p: ["wrong"] for p in broken}), contests, judge, seed=0)
    lost = len(broken)
    assert lost >= 8, "too few problems solved by the baseline for the test to mean anything"

    code, result = compare(db_url, baseline, regressed)
    assert code == 1
    assert result["verdict"] == "significant regression"
    assert (result["solved"]["lost"], result["solved"]["gained"]) == (lost, 0)
    assert result["tests"][0]["significant"] and result["tests"][0]["direction"] == "B worse"

    code, result = compare(db_url, regressed, baseline)  # the other way round it is an improvement: exit 0
    assert (code, result["verdict"]) == (0, "significant improvement")

    code, result = compare(db_url, baseline, again)  # same solver, another seed
    assert (code, result["verdict"]) == (0, "no significant change")


def test_seed_noise_of_one_version_is_not_a_regression(db_url, judge, contests):
    with Store(db_url) as store:
        first = replay(store, CoinSolver(p_correct=0.7), contests, judge, seed=1)
        second = replay(store, CoinSolver(p_correct=0.7), contests, judge, seed=2)
    code, result = compare(db_url, first, second)
    assert result["solved"]["lost"] + result["solved"]["gained"] > 0  # the seeds did change what was solved
    assert (code, result["verdict"]) == (0, "no significant change")
    assert all(not t["significant"] for t in result["tests"])
