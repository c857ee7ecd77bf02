"""`csim replay` and `csim demo --solver reference` on SQLite and PostgreSQL, results known by construction."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from contests.demo import demo_contest
from simulator.cli import main as csim
from simulator.store import Store

# The reference solver submits each problem's correct Python solution first; it "drew" 2 samples
# (the Python and C++ solutions; the budget of 1000 is never reached), the first of which was
# ready at 0.9 * 1/2 of the contest, later than AlphaCode's first stage at 0.1: minute 12 + 2 of
# clustering = 14, so x (1 - 0.48 * 14/120) = 0.944 x for every problem.
POINTS = {"A": 472.0, "B": 708.0, "C": 944.0, "D": 1180.0, "E": 1416.0}


def invoke(*args: str, home) -> tuple[int, str, str]:
    out = CliRunner().invoke(csim, list(args), env={"CSIM_HOME": str(home)})
    return out.exit_code, out.stdout, out.stderr


def check_reference_report(report: dict) -> None:
    assert report["run"]["status"] == "done" and report["run"]["solver"]["name"] == "reference"
    assert {p["index"]: (p["solved"], p["minute"], p["points"], p["verdicts"]) for p in report["problems"]} == {
        i: (True, 14, x, ["OK"]) for i, x in POINTS.items()}
    (contest,) = report["contests"]
    total = sum(POINTS.values())
    better = sum(r.points > total for r in demo_contest().standings)
    assert (contest["points"], contest["rank"], contest["percentile"]) == (total, better + 1, 100 * better / 300)
    assert contest["made_up"] and any("MADE UP" in n for n in report["notes"])


@pytest.mark.slow
def test_replay_the_demo_with_the_reference_solver_and_resume_it(db_url, tmp_path):
    code, out, err = invoke("replay", "--contest", "demo", "--solver", "reference", "--seed", "0", "--seed", "1",
                            "--sample-metrics", "--db", db_url, "--json", home=tmp_path)
    assert code == 0, err
    report, other = json.loads(out)  # one run per seed, reported together
    for r in (report, other):
        check_reference_report(r)
        # every reference solution is correct: each sample passes the hidden tests
        assert [p["pass_at_1"] for p in r["problems"]] == [1.0] * 5
    seeds = report["seeds"]
    assert seeds["runs"] == [report["run"]["id"], other["run"]["id"]] and seeds["seeds"] == [0, 1]
    # two seeds give a mean but no interval (it used to print a "95% CI" from two values)
    assert seeds["mean_percentile"]["n"] == 2 and seeds["mean_percentile"]["ci95"] is None
    assert seeds["mean_percentile"]["note"].startswith("too few seeds")
    run = report["run"]["id"]
    with Store(db_url) as store:
        judged = store.run(run).judge_seconds
        assert judged > 0 and len(store.submissions(run)) == 10  # Python and C++ solution of each problem

    # Resuming a finished run finds everything stored: nothing is judged again, nothing changes.
    code, out, err = invoke("replay", "--resume", str(run), "--db", db_url, "--json", home=tmp_path)
    assert code == 0, err
    (again,) = json.loads(out)
    assert again["problems"] == report["problems"] and again["contests"] == report["contests"]
    with Store(db_url) as store:
        assert store.run(run).judge_seconds == judged and len(store.submissions(run)) == 10


@pytest.mark.slow
def test_demo_with_the_reference_solver_into_the_default_database(tmp_path):
    code, out, err = invoke("demo", "--solver", "reference", "--json", home=tmp_path)
    assert code == 0, err
    assert "MADE UP" in err  # said before anything runs
    (report,) = json.loads(out)
    check_reference_report(report)
    with Store(tmp_path / "csim.db") as store:  # $CSIM_HOME/csim.db
        assert [r.id for r in store.runs()] == [report["run"]["id"]]


@pytest.mark.parametrize("args, message", [
    (["replay", "--db", "{db}"], "no contests chosen"),
    (["replay", "--contest", "nosuch", "--db", "{db}"], "no such contest"),
    (["replay", "--contest", "demo", "--solver", "magic", "--db", "{db}"], "unknown solver"),
    (["replay", "--contest", "demo", "--schedule", "soon", "--db", "{db}"], "unknown schedule"),
    (["replay", "--resume", "42", "--db", "{db}"], "no run 42"),
    (["compare", "1", "2", "--db", "{db}"], "no run 1"),
    (["runs", "list", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"], "cannot open the database"),
])
def test_bad_input_gets_one_line_and_status_2(args, message, tmp_path):
    db = f"sqlite:///{tmp_path / 'csim.db'}"
    code, out, err = invoke(*[a.format(db=db) for a in args], home=tmp_path)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_contest_that_cannot_be_replayed_is_refused_before_anything_is_stored(tmp_path):
    from dataclasses import replace

    from contests.library import ContestLibrary

    library = ContestLibrary(tmp_path / "library")
    library.add(replace(demo_contest(), id="no-standings", standings=[]))
    db = tmp_path / "csim.db"
    code, out, err = invoke("replay", "--contest", "no-standings", "--library", str(tmp_path / "library"),
                            "--db", str(db), home=tmp_path)
    assert code == 2 and "no standings" in err and len(err.strip().splitlines()) == 1
    with Store(db) as store:
        assert store.runs() == []


@pytest.mark.slow
def test_replay_the_contests_after_a_date_from_a_library(tmp_path, codecontests_dev):
    from contests.library import ContestLibrary
    from sim_helpers import make_contests, small_problems

    library = ContestLibrary(tmp_path / "library")
    early, late = make_contests(small_problems(codecontests_dev, 6), per_contest=3)  # a week apart
    library.add(early)
    library.add(late)
    db = f"sqlite:///{tmp_path / 'csim.db'}"
    code, out, err = invoke("replay", "--after", "2021-01-05", "--library", str(tmp_path / "library"),
                            "--db", db, "--json", home=tmp_path)
    assert code == 0, err
    (report,) = json.loads(out)
    assert [c["contest"] for c in report["contests"]] == [late.id]  # the held-out split only
    assert [p["index"] for p in report["problems"]] == ["A", "B", "C"]
    assert report["contests"][0]["rules"] == "cf-icpc"
    assert "sequential" in report["ratings"]


@pytest.mark.slow
def test_replay_programs_from_a_samples_file(tmp_path):
    samples = tmp_path / "samples.jsonl"
    with samples.open("w") as f:
        for p in demo_contest().problems:
            for s in p.solutions:
                if s.language == "python":  # the incorrect one first, then the correct one
                    f.write(json.dumps({"problem": p.id, "language": s.language, "source": s.source}) + "\n")
    db = f"sqlite:///{tmp_path / 'csim.db'}"
    code, out, err = invoke("replay", "--contest", "demo", "--solver", f"samples:{samples}", "--db", db, "--json",
                            home=tmp_path)
    assert code == 0, err
    (report,) = json.loads(out)
    assert report["run"]["solver"]["name"] == "samples"
    assert report["summary"]["solved"] == 5  # every correct program is among each problem's submissions
    # an incorrect program that fails the examples is filtered out before it can cost a submission
    assert all(p["verdicts"][-1] == "OK" for p in report["problems"])
    assert report["problems"][0]["verdicts"] == ["OK"]  # A's incorrect program fails its examples
