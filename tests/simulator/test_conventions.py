"""The conventions of issue 10 as a replay stores and reports them, and `csim compare` on small
suites: ties, unrated rows, nothing solved, undated contests, groups of runs and the gate.

Contests are made of real CodeContests problems judged by the real judge, with made-up standings."""

from __future__ import annotations

import dataclasses
import json

import pytest
from click.testing import CliRunner

from contests.errors import DataError
from contests.model import StandingRow
from simulator.cli import main as csim
from simulator.replay import ReplaySettings
from simulator.report import build_report
from simulator.store import Store

from sim_helpers import ScriptedSolver, make_contests, replay, small_problems


@pytest.fixture(scope="module")
def six(codecontests_dev, judge):
    """One ICPC-style contest of six real problems whose first Python human solution the judge
    accepts (dated 2021-01-04, 200 made-up participants)."""
    solver = ScriptedSolver()
    accepted = [p for p in small_problems(codecontests_dev, 20)
                if judge.judge(solver.program(p, "correct"), "python", p).verdict == "OK"]
    (contest,) = make_contests(accepted[:6], per_contest=6)
    return contest


def compare(db: str, *args: str) -> tuple[int, dict]:
    out = CliRunner().invoke(csim, ["compare", *args, "--db", db, "--json"])
    assert out.exit_code in (0, 1) and out.exception is None or isinstance(out.exception, SystemExit), out.output
    return out.exit_code, json.loads(out.stdout)


def test_nothing_solved_says_so_instead_of_a_performance(tmp_path, judge, six):
    with Store(tmp_path / "csim.db") as store:
        run = replay(store, ScriptedSolver(default=("wrong",)), [six], judge)
        report = build_report(store, run)
    (row,) = report["contests"]
    assert row["solved"] == 0 and row["rating_change"] is not None  # rated like anyone who submitted
    assert (row["performance"], row["codeelo_performance"], row["performance_note"]) == (None, None, "nothing solved")
    assert row["newcomer_rating"] == 1400  # 2021: after the switch
    assert "mean-performance" not in report["ratings"]  # no number averaged from nothing
    assert any("nothing solved" in note for note in report["notes"])


def test_ties_unrated_rows_and_both_performances_are_stored(tmp_path, judge, six):
    contest = dataclasses.replace(six, standings=six.standings + [StandingRow("out-of-competition", 6, 1, rated=False)])
    with Store(tmp_path / "csim.db") as store:
        run = replay(store, ScriptedSolver({p.id: ["wrong"] for p in six.problems[3:]}), [contest], judge)
        (row,) = build_report(store, run)["contests"]
    assert row["solved"] == 3 and row["performance_note"] is None
    assert (row["unrated"], row["participants"]) == (1, 200)  # left out of rank, percentile and performance
    assert row["worst_percentile"] == pytest.approx(100 * (row["worst_rank"] - 1) / 200)
    assert row["percentile"] == pytest.approx(100 * (row["rank"] - 1) / 200)
    assert row["performance"] is not None and row["codeelo_performance"] is not None


def test_an_undated_contest_is_refused_before_anything_runs_unless_told_the_newcomer_rating(tmp_path, judge, six):
    undated = dataclasses.replace(six, start_time=None)
    with Store(tmp_path / "csim.db") as store:
        with pytest.raises(DataError, match="has no date.*--newcomer-rating"):
            replay(store, ScriptedSolver(), [undated], judge)
        assert store.submissions(1) == []  # refused before solving
        run = replay(store, ScriptedSolver(), [undated], judge, settings=ReplaySettings(newcomer_rating=1500))
        (row,) = store.contest_results(run)
        assert row.newcomer_rating == 1500
        assert store.ratings(run)["sequential"].value == 1500 + row.rating_change


def test_compare_groups_gate_and_the_smallest_detectable_loss(tmp_path, judge, six):
    db = f"sqlite:///{tmp_path / 'csim.db'}"
    with Store(db) as store:
        a = [replay(store, ScriptedSolver(), [six], judge, seed=s, group="a") for s in (0, 1, 2)]
        b = [replay(store, ScriptedSolver(default=("wrong",)), [six], judge, seed=s, group="b") for s in (0, 1, 2)]
        solved = sum(r.solved for r in store.problem_results(a[0]))
        (winner,) = build_report(store, a[0])["contests"]
    assert solved == 6  # 6/6 -> 0/6
    assert winner["rank"] == 1 and winner["performance"] is None and winner["performance_note"].startswith("unbounded")

    # All seeds of each side: every problem A solved is lost, yet 5 or 6 losses cannot be significant.
    code, result = compare(db, f"group:{a[0]}", f"group:{b[1]}")
    assert result["a"]["runs"] == a and result["b"]["runs"] == b
    assert (result["solved"]["lost"], result["min_detectable_loss"]) == (solved, 7)
    assert code == 0 and result["verdict"] != "no significant change"
    assert any("fewer than 7 problems cannot be significant" in w for w in result["warnings"])
    assert any(f"B lost {solved} problem(s)" in w for w in result["warnings"])
    assert result["solve_rate"]["diff_ci95"][1] < 0  # the bootstrap over problems sees the drop
    assert result["solve_rate"]["a_seeds"]["ci95"] is not None  # three seeds: an interval

    # The deterministic gate fails it, for CI.
    code, result = compare(db, ",".join(map(str, a)), f"{b[0]}-{b[-1]}", "--max-drop", "0")
    assert (code, result["gate"]["failed"], result["min_detectable_loss"]) == (1, True, 7)

    # Two seeds of the same solver: nothing lost, the gate passes, and two runs give no interval.
    code, result = compare(db, str(a[0]), str(a[1]), "--max-drop", "0")
    assert (code, result["verdict"], result["solved"]["lost"]) == (0, "no significant change", 0)
    assert result["min_detectable_loss"] == 7 and result["solve_rate"]["a_seeds"]["note"].startswith("too few seeds")


@pytest.mark.parametrize("spec", ["7,", "group:", "a-b", "7--9"])
def test_compare_refuses_a_side_it_cannot_read(tmp_path, spec):
    out = CliRunner().invoke(csim, ["compare", spec, "1", "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert out.exit_code == 2 and "not a side to compare" in out.stderr
