"""End to end on the demo contest: replay, store, read back; results known by construction."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from contests.demo import demo_contest
from simulator.cli import main as csim
from simulator.report import build_report
from simulator.store import Store

from sim_helpers import ScriptedSolver, replay

# What each problem gets submitted, in order, and what must come of it under AlphaCode's schedule
# (submission 1 at minute 14, submissions 2-5 at 62; Codeforces points: x(1 - 0.48 t/120) - 50 per
# counted rejection; a failure on test 1 (the first example) is not counted).
PLAN = {
    "demo-A": ["correct"],  # OK at 14: 500 * (1 - 0.48 * 14/120) = 472
    "demo-B": ["incorrect", "correct"],  # WA on test 1 (not counted), OK at 62: 750 * 0.752 = 564
    "demo-C": ["wrong", "incorrect", "correct"],  # WA test 1 (not counted), WA later (counted), OK at 62: 752 - 50
    "demo-D": ["wrong"],  # unsolved
    "demo-E": ["correct"],  # OK at 14: 1500 * 0.944 = 1416
}
EXPECTED = {  # index: (solved, points, rejected, minute, verdicts)
    "A": (True, 472.0, 0, 14, ["OK"]),
    "B": (True, 564.0, 0, 62, ["WA", "OK"]),
    "C": (True, 702.0, 1, 62, ["WA", "WA", "OK"]),
    "D": (False, 0.0, 0, None, ["WA"]),
    "E": (True, 1416.0, 0, 14, ["OK"]),
}
TOTAL = 472.0 + 564.0 + 702.0 + 1416.0


def test_scripted_replay_of_the_demo_gives_the_results_known_by_construction(db_url, judge):
    contest = demo_contest()
    with Store(db_url) as store:
        run = replay(store, ScriptedSolver(PLAN), [contest], judge)
    # read back through a fresh connection, as a report would
    with Store(db_url) as store:
        report = build_report(store, run)
        index_of = {row: index for index, row in store.record_contest(contest).items()}
        failed = {(index_of[s.problem_id], s.order): s.failed_test for s in store.submissions(run)}
    assert report["run"]["status"] == "done"
    got = {p["index"]: (p["solved"], p["points"], p["rejected"], p["minute"], p["verdicts"]) for p in report["problems"]}
    assert got == EXPECTED
    assert failed[("B", 0)] == failed[("C", 0)] == failed[("D", 0)] == 0  # the first example
    assert failed[("C", 1)] > 0  # passes the example, fails a hidden test: counted
    assert [failed[k] for k in (("A", 0), ("B", 1), ("C", 2), ("E", 0))] == [None] * 4

    (result,) = report["contests"]
    better = sum(row.points > TOTAL for row in contest.standings)  # counted here, not by contests.ranking
    tied = sum(row.points == TOTAL for row in contest.standings)
    assert (result["solved"], result["points"], result["penalty"]) == (4, TOTAL, 0)
    assert (result["rank"], result["worst_rank"], result["participants"]) == (better + 1, better + tied + 1, 300)
    assert result["percentile"] == pytest.approx(100 * better / 300)
    assert result["made_up"] is True
    assert any("MADE UP" in note for note in report["notes"])
    # a newcomer (1400 in 2024) gets the contest's rating change; the sequential estimate after one contest is that
    assert report["ratings"]["sequential"]["value"] == 1400 + result["rating_change"]
    assert report["ratings"]["mean-performance"]["value"] == pytest.approx(result["performance"])


def test_pass_at_k_and_10_at_k_come_from_the_solvers_sample_counts(tmp_path, judge):
    from math import comb

    from solver.interface import SampleStats

    stats = SampleStats(drawn=100, distinct=60, passed_examples=20, clusters=4, passed_hidden=5)
    with Store(tmp_path / "csim.db") as store:
        run = replay(store, ScriptedSolver(stats=stats), [demo_contest()], judge)
        rows = store.problem_results(run)
    for row in rows:
        assert row.pass_at_1 == pytest.approx(5 / 100)
        assert row.pass_at_10 == pytest.approx(1 - comb(95, 10) / comb(100, 10))
        # 10@100 (Algorithm 1): all 20 example-passing samples drawn, 10 submitted, solved unless
        # none of the 5 correct ones is among them: 1 - C(15, 10) / C(20, 10), estimated by sub-sampling
        assert row.ten_at_k == pytest.approx(1 - comb(15, 10) / comb(20, 10), abs=0.02)


def test_report_and_runs_commands_read_the_store(db_url, judge, tmp_path):
    with Store(db_url) as store:
        run = replay(store, ScriptedSolver(PLAN), [demo_contest()], judge)
    runner = CliRunner()
    out = runner.invoke(csim, ["report", str(run), "--db", db_url, "--json", "--html", str(tmp_path / "r.html")])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["summary"]["solved"] == 4 and data["summary"]["made_up"] is True
    html = (tmp_path / "r.html").read_text()
    assert "MADE UP" in html
    svgs = [part.split("</svg>")[0] + "</svg>" for part in html.split("<svg")[1:]]
    drawn = set(re.findall(r'<figure class="chart" data-chart="([^"]+)"', html))
    assert drawn == {"percentile", "performance", "rating", "human-scores", "difficulty", "funnel"}
    assert len(svgs) == len(drawn)
    assert 'data-chart-missing="scaling"' in html and "--sample-metrics" in html  # said where the chart would be
    for svg in svgs:
        ET.fromstring("<svg" + svg)  # well-formed
    out = runner.invoke(csim, ["report", str(run), "--db", db_url])
    assert out.exit_code == 0 and "csim-demo-1" in out.output and "MADE UP" in out.output
    out = runner.invoke(csim, ["runs", "list", "--db", db_url, "--json"])
    assert [r["id"] for r in json.loads(out.output)] == [run]
    out = runner.invoke(csim, ["report", "999", "--db", db_url])
    assert out.exit_code == 2 and "no run 999" in out.output
