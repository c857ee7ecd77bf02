"""Importers: carrot rows, Codeforces API answers, Polygon packages, format detection.

Hand-written recorded answers live in tests/contests/data (a small Educational-style contest,
9001, whose standings, rating changes, submissions and problems agree with one another)."""

from __future__ import annotations

import json
import math
import shutil
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from contests.errors import DataError
from contests.importers.carrot import load_carrot_contest, read_carrot_perfs, read_carrot_rows
from contests.importers.cfapi import load_cfapi_contest, parse_status, read_api_file
from contests.importers.formats import detect_format, load_contest
from contests.importers.polygon import load_polygon_contest, load_polygon_problem
from contests.native import read_contest, write_contest
from contests.scoring import contest_score, problem_score

DATA = Path(__file__).parent / "data"
STANDINGS = DATA / "cfapi-9001-standings.json"
CHANGES = DATA / "cfapi-9001-ratingChanges.json"
STATUS = DATA / "cfapi-9001-status.json"
PROBLEMSET = DATA / "cfapi-problemset-problems.json"
POLYGON = DATA / "polygon-sum-pair"


def one_line_error(call, *where):
    with pytest.raises(DataError) as e:
        call()
    message = str(e.value)
    assert "\n" not in message
    for part in where:
        assert part in message, message
    return message


# ---------------------------------------------------------------- carrot

def test_carrot_rows_of_a_real_round(shared_data):
    path = shared_data / "standings" / "carrot-round-1342-edu-86-data.json"
    contest = load_carrot_contest(path)
    assert (contest.id, contest.name, contest.rules) == ("1342", "edu-86", "cf-icpc")  # ICPC-style: penalties
    first = contest.standings[0]
    assert (first.handle, first.points, first.penalty, first.old_rating, first.new_rating, first.rank) \
        == ("DreamLolita", 6, 211, 1927, 1927 + 346, 1)
    points_round = load_carrot_contest(shared_data / "standings" / "carrot-round-1326-global-7-data.json")
    assert points_round.rules == "cf-points" and len(points_round.standings) == 10630
    assert load_carrot_contest(path, rules="icpc").rules == "icpc"
    perfs = read_carrot_perfs(shared_data / "standings" / "carrot-round-1342-edu-86-perfs.json")
    assert math.isinf(perfs["DreamLolita"]) and perfs["Sevlll"] == 3213


@pytest.mark.parametrize("rows, field", [
    ('{"a": 1}', None),
    ('[["x", 1, 0, 1500]', "line 1"),
    ('[["x", "many", 0, 1500, 3]]', "[0].points"),
    ('[["ok", 1, 0, 1500, 3], ["x", 1, 0.5, 1500, 3]]', "[1].penalty"),
    ('[["x", 1, 0, 1500.5, 3]]', "[0].oldRating"),
    ('[["", 1, 0, 1500, 3]]', "[0].handle"),
    ('[["x", 1, 0]]', "[0]"),
])
def test_bad_carrot_rows_name_file_and_field(tmp_path, rows, field):
    path = tmp_path / "round-1-x-data.json"
    path.write_text(rows)
    one_line_error(lambda: read_carrot_rows(path), str(path), *([field] if field else []))


def test_carrot_newcomers_may_have_no_rating(tmp_path):
    path = tmp_path / "round-7-tiny-data.json"
    path.write_text('[["a", 10, 0, null, 5], ["b", 5, 0, 1600, -5]]')
    rows = read_carrot_rows(path)
    assert rows[0].old_rating is None and rows[0].new_rating is None and rows[1].new_rating == 1595


# ---------------------------------------------------------------- Codeforces API

def test_standings_with_rating_changes_and_problemset():
    contest = load_cfapi_contest([STANDINGS, CHANGES, PROBLEMSET])
    assert (contest.id, contest.rules, contest.duration_minutes) == ("9001", "cf-icpc", 120)
    assert contest.start_time == datetime.fromtimestamp(1588000000, tz=timezone.utc)
    assert [p.id for p in contest.problems] == ["9001A", "9001B", "9001C"]
    assert contest.problem("B").rating == 1300 and contest.problem("B").tags == ["greedy", "implementation"]
    handles = [r.handle for r in contest.standings]
    assert handles == ["alice", "erin", "bob", "carol", "dave"]  # the virtual participant is left out
    erin = contest.standings[1]
    assert not erin.rated and erin.old_rating is None  # out of competition
    carol = contest.standings[3]
    assert (carol.rank, carol.points, carol.penalty, carol.old_rating, carol.new_rating) == (2, 2, 70, 1300, 1390)
    assert carol.problem_results["A"].rejected == 1 and carol.problem_results["A"].minute == 20
    assert not carol.problem_results["C"].accepted and carol.problem_results["C"].minute is None


def test_rules_come_from_the_contest_type_and_can_be_overridden(tmp_path):
    assert load_cfapi_contest([STANDINGS], rules="icpc").rules == "icpc"
    data = json.loads(STANDINGS.read_text())
    data["result"]["contest"]["type"] = "CF"
    (tmp_path / "cf.json").write_text(json.dumps(data))
    assert load_cfapi_contest([tmp_path / "cf.json"]).rules == "cf-points"
    data["result"]["contest"]["type"] = "IOI"
    (tmp_path / "ioi.json").write_text(json.dumps(data))
    one_line_error(lambda: load_cfapi_contest([tmp_path / "ioi.json"]), "result.contest.type", "--rules")


def test_status_replayed_under_the_rules_gives_the_official_standings():
    """Every submission of the recorded contest, scored by contests.scoring, reproduces each
    participant's points and penalty in the standings (compile errors and first-test failures free,
    later attempts and practice, skipped and untested submissions ignored)."""
    contest = load_cfapi_contest([STANDINGS])
    f = read_api_file(STATUS)
    assert f.method == "contest.status"
    attempts = parse_status(f.result, f.path, contest.duration_minutes)
    assert "frank" not in attempts and set(attempts["dave"]) == {"A"}
    for row in contest.standings:
        scores = {index: problem_score(contest.rules, None, contest.duration_minutes, a)
                  for index, a in attempts[row.handle].items()}
        assert contest_score(contest.rules, scores.values()) == (row.points, row.penalty), row.handle
        for index, result in row.problem_results.items():
            if result.accepted:
                assert (scores[index].rejected, scores[index].minute) == (result.rejected, result.minute)


def test_rating_changes_alone_make_a_contest_in_the_official_order(shared_data):
    contest = load_contest([shared_data / "standings" / "cfapi-ratingChanges-917.json"])
    assert contest.id == "917" and contest.name == "Codeforces Round #459 (Div. 1)"
    assert len(contest.standings) == 423 and contest.standings[0].handle == "OO0OOO00O0OOO0O00OOO0OO"
    assert all(r.points == -r.rank for r in contest.standings)


@pytest.mark.parametrize("text, field", [
    ('{"status": "FAILED", "comment": "contestId: Contest with id 1 not found"}', "status"),
    ('{"status": "OK"}', "result"),
    ('[]', "result"),
    ('{"hello": 1}', "result"),
    ('[{"handle": "a", "rank": 1, "oldRating": 1500}, {"newRating": 1}]', None),
    ('[{"handle": "a", "rank": "first", "oldRating": 1500, "newRating": 1600}]', "result[0].rank"),
])
def test_bad_api_answers_name_file_and_field(tmp_path, text, field):
    path = tmp_path / "answer.json"
    path.write_text(text)
    one_line_error(lambda: load_cfapi_contest([path]), str(path), *([field] if field else []))


def test_bad_standings_row_names_its_place(tmp_path):
    data = json.loads(STANDINGS.read_text())
    del data["result"]["rows"][2]["party"]["members"]
    (tmp_path / "s.json").write_text(json.dumps(data))
    one_line_error(lambda: load_cfapi_contest([tmp_path / "s.json"]), "result.rows[2].party.members", "missing")
    data = json.loads(STANDINGS.read_text())
    data["result"]["rows"][0]["problemResults"].pop()
    (tmp_path / "s.json").write_text(json.dumps(data))
    one_line_error(lambda: load_cfapi_contest([tmp_path / "s.json"]), "result.rows[0].problemResults")


# ---------------------------------------------------------------- Polygon

def test_polygon_problem_package():
    p = load_polygon_problem(POLYGON)
    assert (p.id, p.name, p.time_limit, p.memory_limit) == ("sum-pair", "Sum of a Pair", 1.5, 256 * 1024 * 1024)
    assert not p.limits_defaulted and not p.interactive and p.tags == ["math", "implementation"]
    assert [t.input for t in p.tests] == ["1 2\n", "-5 5\n", "1000000000 1000000000\n"]
    assert [t.output for t in p.examples] == ["3\n"]  # only the test marked sample
    assert p.checker.kind == "testlib" and "registerTestlibCmd(argc, argv);" in p.checker.source
    # The package's testlib.h is pasted in: a checker is kept as one source file.
    assert "struct InStream" in p.checker.source and '#include "testlib.h"' not in p.checker.source
    assert p.checker.source.count("struct InStream") == 1 and "#include <cstdio>" in p.checker.source
    assert [(s.name, s.language, s.correct) for s in p.solutions] == [
        ("main.cpp", "cpp", True), ("ok.py", "python", True), ("wa.py", "python", False)]  # no ambiguous, no Kotlin
    assert p.statement.startswith("Given two integers") and "\nInput\n\nOne line" in p.statement


def test_polygon_zip_and_contest_packages(tmp_path):
    archive = tmp_path / "sum-pair.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in POLYGON.rglob("*"):
            if f.is_file():
                z.write(f, f.relative_to(POLYGON).as_posix())
    assert load_polygon_problem(archive).tests == load_polygon_problem(POLYGON).tests

    contest_dir = tmp_path / "round-7"
    shutil.copytree(POLYGON, contest_dir / "problems" / "A")
    shutil.copytree(POLYGON, contest_dir / "problems" / "sum-pair-hard")
    (contest_dir / "contest.xml").write_text(
        '<contest><names><name language="english" main="true" value="Round 7"/></names><problems>'
        '<problem index="A" url="https://polygon.codeforces.com/p/csim/sum-pair"/>'
        '<problem index="B" url="https://polygon.codeforces.com/p/csim/sum-pair-hard"/></problems></contest>')
    contest = load_contest([contest_dir], rules="cf-icpc")
    assert (contest.id, contest.name, contest.rules) == ("round-7", "Round 7", "cf-icpc")
    assert [p.index for p in contest.problems] == ["A", "B"] and len(contest.problems[1].tests) == 3
    single = load_polygon_contest(POLYGON)
    assert single.id == "sum-pair" and [p.index for p in single.problems] == ["A"]


def test_polygon_package_without_test_files_is_refused_clearly(tmp_path):
    package = tmp_path / "p"
    shutil.copytree(POLYGON, package)
    (package / "tests" / "03").unlink()
    one_line_error(lambda: load_polygon_problem(package), "problem.xml", "test 3", "generated test", "full package")
    xml = (POLYGON / "problem.xml").read_text().replace("<time-limit>1500", "<time-limit>fast")
    (package / "problem.xml").write_text(xml)
    one_line_error(lambda: load_polygon_problem(package), "judging.testset.time-limit")
    (package / "problem.xml").write_text("<problem><judging>")
    one_line_error(lambda: load_polygon_problem(package), "problem.xml", "not valid XML")


# ---------------------------------------------------------------- detection, native

def test_formats_are_detected(shared_data, tmp_path):
    standings = shared_data / "standings"
    assert detect_format(standings / "carrot-round-1305-ozon-2020-div1+2-data.json") == "carrot"
    assert detect_format(standings / "cfapi-ratingChanges-908.json") == "cf-api"
    assert detect_format(STANDINGS) == "cf-api" and detect_format(POLYGON) == "polygon"
    contest = load_contest([STANDINGS, CHANGES])
    write_contest(tmp_path / "c", contest)
    assert detect_format(tmp_path / "c") == "native"
    again = load_contest([tmp_path / "c"], rules="icpc")
    assert again.rules == "icpc" and [r.handle for r in again.standings] == [r.handle for r in contest.standings]
    assert read_contest(tmp_path / "c").standings[3].problem_results == contest.standings[3].problem_results
    (tmp_path / "notes.txt").write_text("hello")
    one_line_error(lambda: load_contest([tmp_path / "notes.txt"]), "--format")
    one_line_error(lambda: load_contest([tmp_path / "missing"]), "no such file")
    one_line_error(lambda: load_contest([STANDINGS], rules="ioi"), "unknown rules")
