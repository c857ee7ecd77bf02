"""A replay's inputs and what its results cover (issue 10, failures 1, 3, 4, 5 and 8): the full
problem list and the share of it that can be judged, dates and date ranges, samples files whose
problem ids match nothing, submission times from the samples really drawn, and the tests each
problem was judged on. Real standings and real CodeContests problems where the data has them."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import pytest
from click.testing import CliRunner

from contests.demo import demo_contest
from contests.errors import DataError
from contests.model import Problem
from simulator.cli import main as csim
from simulator.replay import ReplaySettings, check_contest
from simulator.report import build_report, render_report
from simulator.report_html import render_html
from simulator.store import Store
from solver.interface import SampleStats, SolveResult, Submission

from sim_helpers import make_contests, replay, small_problems


def invoke(*args, home) -> tuple[int, str, str]:
    out = CliRunner().invoke(csim, [str(a) for a in args], env={"CSIM_HOME": str(home), "COLUMNS": "250"})
    return out.exit_code, out.stdout, out.stderr


# ------------------------------------------------------------------ which contests a replay takes

def test_check_contest_replays_the_full_list_and_refuses_what_would_mean_nothing():
    demo = demo_contest()
    a, b = demo.problems[:2]
    untested = replace(b, tests=[], points=None)  # not judgeable, and no points: it scores 0 anyway
    check_contest(replace(demo, problems=[a, untested]))
    with pytest.raises(DataError, match=r"contest csim-demo-1: its full problem list is unknown.*--problem-index"):
        check_contest(replace(demo, problem_list_known=False))
    with pytest.raises(DataError, match="none of its 1 problems can be judged.*--problems"):
        check_contest(replace(demo, problems=[untested]))
    with pytest.raises(DataError, match="points round: problem A needs its points"):
        check_contest(replace(demo, problems=[replace(a, points=None), untested]))
    assert not replace(a, interactive=True).judgeable  # the judge has no interactors


def _library_with_edu_86(tmp_path, shared_data, codecontests_dev, *, declare: bool) -> None:
    """Educational Round 86 (1342, six problems A-F, ICPC-style, real standings of 14,939) with
    one real CodeContests problem standing in as its A: the dev file has none of 1342's own."""
    (problem,) = small_problems(codecontests_dev, 1)
    record = next(json.loads(line) for line in (shared_data / "codecontests" / "dev.jsonl").open()
                  if json.loads(line)["name"].startswith(f"{problem.contest_id}_{problem.index}."))
    records = tmp_path / "1342.jsonl"
    records.write_text(json.dumps(dict(record, cf_contest_id=1342, cf_index="A")) + "\n")
    args = ["contests", "import", shared_data / "standings" / "carrot-round-1342-edu-86-data.json",
            "--problems", records, "--date", "2020-04-26", "--library", tmp_path / "library"]
    code, out, err = invoke(*args, *(["--problem-index", "A,B,C,D,E,F"] if declare else []), home=tmp_path)
    assert code == 0, err
    if not declare:
        assert "--problem-index" in err  # said at import: replay will refuse it


def test_a_contest_whose_problem_list_is_unknown_is_refused_before_anything_is_stored(
        tmp_path, shared_data, codecontests_dev):
    _library_with_edu_86(tmp_path, shared_data, codecontests_dev, declare=False)
    db = tmp_path / "csim.db"
    code, out, err = invoke("replay", "--contest", "1342", "--library", tmp_path / "library", "--db", db,
                            home=tmp_path)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "contest 1342: its full problem list is unknown" in err and "--problem-index A,B,C" in err
    with Store(db) as store:
        assert store.runs() == []


@pytest.mark.slow
def test_a_contest_with_one_of_six_problems_judgeable_is_a_lower_bound_in_every_output(
        tmp_path, shared_data, codecontests_dev):
    _library_with_edu_86(tmp_path, shared_data, codecontests_dev, declare=True)
    code, out, err = invoke("contests", "import", shared_data / "standings" / "carrot-round-1305-ozon-2020-div1+2-data.json",
                            "--library", tmp_path / "library", home=tmp_path)  # undated: an --after range skips it
    assert code == 0 and "no date" in err
    db = f"sqlite:///{tmp_path / 'csim.db'}"
    code, out, err = invoke("replay", "--after", "2020-01-01", "--library", tmp_path / "library", "--db", db,
                            "--json", home=tmp_path)
    assert code == 0, err
    (report,) = json.loads(out)
    (contest,) = report["contests"]
    assert contest["contest"] == "1342" and contest["start_time"].startswith("2020-04-26")
    assert (contest["solved"], contest["problems"], contest["judgeable"]) == (1, 6, 1)
    assert contest["lower_bound"] and contest["coverage"] == "1 of 6 problems judgeable"
    assert report["summary"]["lower_bound"] and report["summary"]["judgeable"] == 1
    assert any(n.startswith("Contest 1342: only 1 of 6 problems judgeable") for n in report["notes"])
    problems = {p["index"]: p for p in report["problems"]}
    assert [i for i, p in problems.items() if p["judgeable"]] == ["A"]
    for index in "BCDEF":  # never sent to the solver; unsolved
        p = problems[index]
        assert not p["solved"] and p["attempts"] == 0 and p["tests"] == 0 and "not judgeable" in p["notes"][0]

    # the undated contest the range skipped is named: on stderr, and in the run's JSON
    assert "--after/--before skipped 1 undated contest: 1305" in err
    assert report["run"]["settings"]["skipped_undated"] == ["1305"]
    assert any("skipped 1 undated contests: 1305" in n for n in report["notes"])

    run = report["run"]["id"]
    code, text, _ = invoke("report", str(run), "--db", db, "--html", tmp_path / "r.html", home=tmp_path)
    assert code == 0 and "1 of 6 problems judgeable" in text and "not judgeable" in text
    assert "1 of 6 problems judgeable" in (tmp_path / "r.html").read_text()
    code, listed, _ = invoke("runs", "list", "--db", db, "--json", home=tmp_path)
    (row,) = json.loads(listed)
    assert (row["problems"], row["judgeable"], row["lower_bound"]) == (6, 1, True)
    code, listed, _ = invoke("runs", "list", "--db", db, home=tmp_path)
    assert "lower bound: 1 of 6 problems judgeable" in listed


def test_a_date_range_that_skips_undated_contests_names_them(tmp_path, shared_data, codecontests_dev):
    _library_with_edu_86(tmp_path, shared_data, codecontests_dev, declare=True)
    invoke("contests", "import", shared_data / "standings" / "carrot-round-1305-ozon-2020-div1+2-data.json",
           "--library", tmp_path / "library", home=tmp_path)
    for args in (["--after", "2021-01-01"], ["--before", "2020-01-01"], ["--after", "2020-01-01", "--before", "2020-04-01"]):
        code, out, err = invoke("replay", *args, "--library", tmp_path / "library", "--db", tmp_path / "csim.db",
                                home=tmp_path)
        assert code == 2 and len(err.strip().splitlines()) == 1
        assert "no contests chosen" in err and "skipped 1 undated: 1305" in err


# ------------------------------------------------------------------ samples files (failure 4)

def _samples(path, records) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def test_a_samples_file_for_none_of_the_problems_is_refused_before_anything_is_stored(tmp_path):
    samples = tmp_path / "samples.jsonl"
    _samples(samples, [{"problem": "1141A", "language": "python", "source": "print(1)\n"}] * 2)
    db = tmp_path / "csim.db"
    code, out, err = invoke("replay", "--contest", "demo", "--solver", f"samples:{samples}", "--db", db,
                            home=tmp_path)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "no samples for 5 of the 5 problems to judge" in err and "1141A" in err
    assert "--allow-missing-samples" in err
    with Store(db) as store:
        assert store.runs() == []


@pytest.mark.slow
def test_missing_and_unmatched_samples_are_reported_per_problem_when_allowed(tmp_path):
    demo = demo_contest()
    a = demo.problems[0]
    correct = next(s.source for s in a.solutions if s.correct and s.language == "python")
    samples = tmp_path / "samples.jsonl"
    _samples(samples, [{"problem": "csim-demo-1_A", "language": "python", "source": correct},
                       {"problem": "1141A", "language": "python", "source": "print(1)\n"},
                       {"problem": "Game 23", "language": "python", "source": "print(2)\n"}])
    db = f"sqlite:///{tmp_path / 'csim.db'}"
    code, out, err = invoke("replay", "--contest", "demo", "--solver", f"samples:{samples}", "--allow-missing-samples",
                            "--db", db, "--json", home=tmp_path)
    assert code == 0, err
    assert "no samples for 4 problems" in err and "2 samples name no problem of this replay" in err
    (report,) = json.loads(out)
    problems = {p["index"]: p for p in report["problems"]}
    assert problems["A"]["solved"] and problems["A"]["samples_drawn"] == 1
    for index in "BCDE":
        assert not problems[index]["solved"] and problems[index]["samples_drawn"] == 0
        assert any("holds no samples" in n for n in problems[index]["notes"])
    settings = report["run"]["settings"]
    assert settings["samples_missing"] == [f"csim-demo-1 {i}" for i in "BCDE"]
    assert settings["samples_unmatched"] == {"1141A": 1, "Game 23": 1}
    assert any("'1141A' (1), 'Game 23' (1)" in n for n in report["notes"])


# ------------------------------------------------------------------ simulated times and tests (failures 5, 8)

@dataclass
class OneSampleSolver:
    """Drew one sample per problem (the problem's correct Python solution) and submits it."""

    name: str = "one-sample"
    version: str = "1"

    def describe(self) -> dict:
        return {}

    def solve(self, problem: Problem, budget, seed: int) -> SolveResult:
        source = next(s.source for s in problem.solutions if s.correct and s.language == "python")
        return SolveResult(problem.id, (Submission(source, "python", 0, 0.0, samples_drawn=1),), SampleStats(drawn=1))


def test_submission_times_follow_the_samples_drawn_and_reports_show_each_problems_tests(
        tmp_path, codecontests_dev, judge):
    (contest,) = make_contests(small_problems(codecontests_dev, 1), per_contest=1)  # a real problem: 10 hidden tests
    reports = []
    for budget in (1000, 1):
        with Store(tmp_path / f"budget-{budget}.db") as store:
            run = replay(store, OneSampleSolver(), [contest], judge, settings=ReplaySettings(samples=budget))
            reports.append(build_report(store, run))
            (sub,) = store.submissions(run)
            # one sample drawn of one: ready at 0.9 of the contest, so AlphaCode's first stage (0.1) decides:
            # minute 12 + 2 of clustering, whatever the budget (it was minute 2.1 under a budget of 1000)
            assert sub.minute == pytest.approx(14.0) and sub.samples_drawn == 1
            (stored,) = store.problem_results(run)
            assert stored.stats["drawn"] == 1
    assert reports[0]["problems"][0]["minute"] == reports[1]["problems"][0]["minute"] == 14

    from contests.model import WEAK_TESTS_BELOW

    (p,) = reports[0]["problems"]
    assert (p["examples"], p["tests"], p["generated_tests"], p["samples_drawn"]) == (3, 10, 0, 1)
    assert p["weak_tests"] and p["limits_defaulted"] and p["judgeable"] and p["problem"] == contest.problems[0].id
    assert reports[0]["summary"]["weak_tests_below"] == WEAK_TESTS_BELOW
    assert any(f"fewer than {WEAK_TESTS_BELOW} hidden tests" in n and "(10)" in n for n in reports[0]["notes"])
    assert any("Codeforces' usual 2 s / 256 MB" in n for n in reports[0]["notes"])
    assert any("Samples drawn below the budget of 1000" in n for n in reports[0]["notes"])

    from rich.console import Console

    console = Console(record=True, width=250)
    render_report(reports[0], console)
    text = console.export_text()
    assert "tests ex/hidden/gen" in text and "3/10/0 weak limits defaulted" in text
    html = render_html(reports[0])
    assert "weak tests" in html and f"fewer than {WEAK_TESTS_BELOW} hidden tests" in html
