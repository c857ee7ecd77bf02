"""`csim contests ...` and `csim rating ...` end to end through click (in process)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main

DATA = Path(__file__).parent / "data"


@pytest.fixture
def csim(tmp_path, monkeypatch):
    monkeypatch.setenv("CSIM_HOME", str(tmp_path / "home"))
    runner = CliRunner()

    def run(*args, code=0):
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code == code, result.output + result.stderr
        return result

    return run


def test_import_list_show(csim, shared_data, tmp_path):
    csim("contests", "import", shared_data / "standings" / "carrot-round-1305-ozon-2020-div1+2-data.json")
    out = csim("contests", "import", DATA / "cfapi-9001-standings.json", DATA / "cfapi-9001-ratingChanges.json",
               "--json").stdout
    assert json.loads(out)["participants"] == 5
    csim("contests", "import", DATA / "polygon-sum-pair", "--rules", "icpc")
    listed = json.loads(csim("contests", "list", "--json").stdout)
    assert [(c["id"], c["rules"], c["participants"]) for c in listed] == [
        ("1305", "cf-points", 7420), ("9001", "cf-icpc", 5), ("sum-pair", "icpc", 0)]
    assert (tmp_path / "home" / "contests" / "1305" / "contest.json").is_file()  # $CSIM_HOME/contests
    shown = json.loads(csim("contests", "show", "9001", "--json", "--top", "2").stdout)
    assert [p["index"] for p in shown["problems"]] == ["A", "B", "C"] and len(shown["standings"]) == 2
    assert "Sum of a Pair" in csim("contests", "show", "sum-pair").stdout
    other = tmp_path / "other"
    csim("contests", "import", DATA / "polygon-sum-pair", "--library", other)
    assert json.loads(csim("contests", "list", "--library", other, "--json").stdout)[0]["id"] == "sum-pair"


def test_rating_predict_reproduces_official_changes(csim, shared_data):
    rows = json.loads(csim("rating", "predict", shared_data / "standings" / "carrot-round-1342-edu-86-data.json",
                           "--format", "carrot", "--json").stdout)
    assert len(rows) == 14939 and all(r["delta"] == r["official_delta"] for r in rows)
    assert {"handle", "delta", "official_delta", "performance"} <= set(rows[0])
    api = json.loads(csim("rating", "predict", shared_data / "standings" / "cfapi-ratingChanges-917.json",
                          "--format", "cf-api", "--json").stdout)
    assert len(api) == 423 and all(r["delta"] == r["official_delta"] for r in api)
    text = csim("rating", "predict", shared_data / "standings" / "cfapi-ratingChanges-911.json",
                "--format", "cf-api", "--top", "3").stdout
    assert "3757 of 3982 official changes reproduced (94.35%)" in text


def test_rating_place(csim, shared_data):
    csim("contests", "import", shared_data / "standings" / "carrot-round-1342-edu-86-data.json")
    placed = json.loads(csim("rating", "place", "--contest", "1342", "--points", "4", "--penalty", "150",
                             "--rating", "1500", "--json").stdout)
    assert (placed["rank"], placed["worst_rank"], placed["participants"]) == (459, 466, 14939)
    assert placed["percentile"] == pytest.approx(100 * 458 / 14939)
    assert placed["worst_percentile"] == pytest.approx(100 * 465 / 14939)
    assert placed["performance_definition"] == "codeforces" and placed["rating_change"] > 0
    assert placed["codeelo_performance"] > placed["performance"] > 1900
    worse = json.loads(csim("rating", "place", "--contest", "1342", "--points", "1", "--penalty", "150",
                            "--rating", "1500", "--json").stdout)
    assert worse["rank"] > placed["rank"] and worse["rating_change"] < placed["rating_change"]
    # A newcomer in an undated contest (carrot files carry no date): refused until told the rating.
    refused = csim("rating", "place", "--contest", "1342", "--points", "4", code=2)
    assert "contest 1342 has no date" in refused.stderr and "--newcomer-rating 1500" in refused.stderr
    text = csim("rating", "place", "--contest", "1342", "--points", "4", "--newcomer-rating", "1500").stdout
    assert "did strictly better" in text and "Codeforces' definition" in text and "newcomers at 1500" in text


def test_rating_place_as_a_real_participant_gives_carrots_performance(csim, shared_data):
    from contests.importers.carrot import read_carrot_perfs

    csim("contests", "import", shared_data / "standings" / "carrot-round-1305-ozon-2020-div1+2-data.json")
    perfs = read_carrot_perfs(shared_data / "standings" / "carrot-round-1305-ozon-2020-div1+2-perfs.json")
    for handle in ("jiangly", "SkyDec"):  # carrot's fast method is 4 off for both
        placed = json.loads(csim("rating", "place", "--contest", "1305", "--as", handle, "--json").stdout)
        assert placed["performance"] == perfs[handle]


def test_rating_place_refuses_standings_without_points(csim, shared_data):
    csim("contests", "import", shared_data / "standings" / "cfapi-ratingChanges-908.json")
    refused = csim("rating", "place", "--contest", "908", "--points", "1500", "--newcomer-rating", "1500", code=2)
    assert "carry no points" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args, message", [
    (("contests", "show", "42"), "no such contest"),
    (("rating", "place", "--contest", "42", "--points", "1"), "no such contest"),
    (("rating", "predict", DATA / "cfapi-9001-status.json", "--format", "cf-api"), "need a contest.standings"),
    (("rating", "predict", DATA / "cfapi-9001-standings.json", "--format", "carrot"), "expected a JSON list of rows"),
    (("contests", "import", DATA / "README.md"), "--format"),
])
def test_bad_input_is_one_line_with_status_2(csim, args, message):
    result = csim(*args, code=2)
    assert result.stdout == "" and message in result.stderr and result.stderr.count("\n") == 1


def test_fetch_into_the_library(csim, api, shared_data, tmp_path):
    out = json.loads(csim("contests", "fetch", "9001", "--api-url", api.url, "--json").stdout)
    assert (out["id"], out["participants"], out["judgeable"]) == ("9001", 5, 0)
    record = json.loads((shared_data / "codecontests" / "dev.jsonl").open().readline())
    records = tmp_path / "c.jsonl"
    records.write_text(json.dumps(dict(record, cf_contest_id=9001, cf_index="C")) + "\n")
    out = json.loads(csim("contests", "fetch", "9001", "--api-url", api.url, "--problems", records, "--json").stdout)
    assert (out["problems"], out["judgeable"]) == (3, 1)
    assert csim("contests", "fetch", "12", "--api-url", api.url, code=2).stderr.startswith("csim: error: ")


def test_validate_runs_the_judges_check(csim, shared_data, tmp_path):
    """A real problem's reference solution passes its tests; in a Polygon package the correct
    solutions pass and the wrong one is caught, by its own testlib checker or a standard one, in the
    judge's default sandbox."""
    dev = shared_data / "codecontests" / "dev.jsonl"
    out = json.loads(csim("contests", "validate", dev, "--problem-name", "1068B", "--json").stdout)
    assert [(r["problem"], r["report"]["ok"]) for r in out] == [("1068B", True)]
    standard = tmp_path / "sum-pair"
    shutil.copytree(DATA / "polygon-sum-pair", standard)
    xml = standard / "problem.xml"
    xml.write_text(xml.read_text().replace('<checker name="check.cpp"', '<checker name="std::wcmp.cpp"'))
    for package in (DATA / "polygon-sum-pair", standard):
        (report,) = json.loads(csim("contests", "validate", package, "--json").stdout)
        verdicts = {s["name"]: (s["verdict"], s["category"]) for s in report["report"]["solutions"]}
        assert verdicts == {"main.cpp": ("OK", "as-expected"), "ok.py": ("OK", "as-expected"),
                            "wa.py": ("WA", "as-expected")}, package


def test_import_attaches_codecontests_problems(csim, shared_data, tmp_path):
    """Standings carry no tests; --problems brings them from CodeContests records of the same
    contest, matched by index, keeping the contest's own ids and problem list."""
    dev = [json.loads(line) for line in (shared_data / "codecontests" / "dev.jsonl").open()]
    records = tmp_path / "9001.jsonl"  # two real problems, relabelled as contest 9001's A and B
    records.write_text("".join(json.dumps(dict(r, cf_contest_id=9001, cf_index=i)) + "\n"
                               for r, i in zip(dev[:2], "BA")) + json.dumps(dev[2]) + "\n")
    out = csim("contests", "import", DATA / "cfapi-9001-standings.json", "--problems", records, "--json").stdout
    assert json.loads(out)["judgeable"] == 2
    shown = json.loads(csim("contests", "show", "9001", "--json").stdout)
    assert [p["index"] for p in shown["problems"]] == ["A", "B", "C"]
    from contests.library import ContestLibrary

    contest = ContestLibrary(tmp_path / "home" / "contests").get("9001")
    a, b, c = contest.problems
    assert len(a.tests) == len(dev[1]["private_tests"]["input"]) and len(b.tests) == len(dev[0]["private_tests"]["input"])
    assert not c.tests and a.rating == 800  # C is in no record; A keeps the API's rating

    records.write_text(json.dumps(dict(dev[0], cf_contest_id=9001, cf_index="D")) + "\n")
    err = csim("contests", "import", DATA / "cfapi-9001-standings.json", "--problems", records, code=2).stderr
    assert "9001.jsonl:1" in err and "no problem D" in err and len(err.strip().splitlines()) == 1


def test_attach_real_contest_problems_in_index_order(codecontests_dev, shared_data):
    from contests.importers.codecontests import attach_problems
    from contests.model import Contest, StandingRow

    contest_id = "1076"  # three of its problems are in the dev file
    contest = attach_problems(Contest(id=contest_id, name="x", standings=[StandingRow("h", 1.0)]),
                              [shared_data / "codecontests" / "dev.jsonl"])
    expected = sorted(p.index for p in codecontests_dev if p.contest_id == contest_id)
    assert [p.index for p in contest.problems] == expected and len(expected) == 3
    assert all(p.tests and p.id == contest_id + p.index for p in contest.problems)
