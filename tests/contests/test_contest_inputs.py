"""What a contest knows about itself before a replay (issue 10, inputs): its full problem list,
its date and where that came from, the tests each problem has; and the one resolver of problem
names. On the real recorded data in ../shared/data wherever it has what the test needs."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from contests.errors import DataError
from contests.importers.codecontests import find_problem, load_codecontests
from contests.importers.formats import load_contest
from contests.library import ContestLibrary
from contests.native import read_contest, read_problem, write_contest, write_problem
from contests.problems import load_problem


def dev_records(shared_data) -> list[dict]:
    return [json.loads(line) for line in (shared_data / "codecontests" / "dev.jsonl").open()]


# ------------------------------------------------------------------ problem lists (failure 1)

def declare(*args, **kwargs):
    from contests.importers.formats import declare

    return declare(*args, **kwargs)


def parse_problem_indexes(text):
    from contests.importers.formats import parse_problem_indexes

    return parse_problem_indexes(text)


def test_sources_that_do_not_list_the_problems_leave_the_list_unknown(shared_data):
    carrot = load_contest([shared_data / "standings" / "carrot-round-1342-edu-86-data.json"])
    changes = load_contest([shared_data / "standings" / "cfapi-ratingChanges-908.json"])
    assert not carrot.problem_list_known and not changes.problem_list_known


def test_a_declared_problem_list_keeps_the_problems_without_tests_as_not_judgeable(shared_data, tmp_path):
    from contests.importers.codecontests import attach_problems

    contest = load_contest([shared_data / "standings" / "cfapi-ratingChanges-908.json"])  # Good Bye 2017
    contest = declare(contest, problem_indexes=parse_problem_indexes("A,B,C,D,E,F,G,H"))
    contest = attach_problems(contest, [shared_data / "codecontests" / "dev.jsonl"])  # only 908 D is there
    assert contest.problem_list_known and [p.index for p in contest.problems] == list("ABCDEFGH")
    assert contest.judgeable == 1 and [p.index for p in contest.problems if p.judgeable] == ["D"]
    # the native directory keeps the full list, the judgeable and the not judgeable
    again = read_contest(write_contest(tmp_path / "908", contest))
    assert again.problem_list_known and [(p.index, p.judgeable) for p in again.problems] == [
        (i, i == "D") for i in "ABCDEFGH"]
    summary = ContestLibrary(tmp_path).summary("908")
    assert (summary.problems, summary.judgeable, summary.problem_list_known) == (8, 1, True)


def test_a_declared_list_that_contradicts_the_source_is_refused(shared_data):
    from pathlib import Path

    api = load_contest([Path(__file__).parent / "data" / "cfapi-9001-standings.json"])  # lists A, B, C
    assert declare(api, problem_indexes=["A", "B", "C"]).problem_list_known
    with pytest.raises(DataError, match="the source lists problems A,B,C"):
        declare(api, problem_indexes=["A", "B"])
    for bad in ("", "A,,a,A", "A;B", "1,2"):
        with pytest.raises(DataError, match="--problem-index"):
            parse_problem_indexes(bad)


def test_a_native_contest_written_before_problem_lists_were_recorded_has_an_unknown_list(tmp_path):
    from contests.demo import DEMO_DIR

    assert read_contest(DEMO_DIR).problem_list_known  # the shipped demo declares it
    meta = json.loads((DEMO_DIR / "contest.json").read_text())
    del meta["problem_list_known"]
    copy = tmp_path / "old"
    import shutil

    shutil.copytree(DEMO_DIR, copy)
    (copy / "contest.json").write_text(json.dumps(meta))
    assert not read_contest(copy).problem_list_known


# ------------------------------------------------------------------ dates (failure 3)

def test_rating_changes_alone_date_the_contest_by_their_update_time(shared_data):
    contest = load_contest([shared_data / "standings" / "cfapi-ratingChanges-908.json"])
    assert contest.start_time == datetime.fromtimestamp(1514571000, tz=timezone.utc)  # 2017-12-29, Good Bye 2017
    assert "ratingUpdateTimeSeconds" in contest.date_source


def test_a_date_given_on_import_dates_an_undated_source(shared_data):
    contest = load_contest([shared_data / "standings" / "carrot-round-1305-ozon-2020-div1+2-data.json"])
    assert contest.start_time is None
    dated = declare(contest, date=datetime(2020, 3, 3))
    assert dated.start_time == datetime(2020, 3, 3, tzinfo=timezone.utc) and dated.date_source == "--date"


def test_a_date_range_names_the_undated_contests_it_cannot_place(shared_data, tmp_path):
    library = ContestLibrary(tmp_path)
    library.add(load_contest([shared_data / "standings" / "cfapi-ratingChanges-908.json"]))
    library.add(load_contest([shared_data / "standings" / "carrot-round-1305-ozon-2020-div1+2-data.json"]))
    chosen, undated = library.between(datetime(2017, 1, 1), datetime(2018, 1, 1))
    assert [s.id for s in chosen] == ["908"] and undated == ["1305"]
    assert library.between(None, datetime(2017, 12, 1)) == ([], ["1305"])


# ------------------------------------------------------------------ tests per problem (failure 8)

def test_generated_tests_are_counted_apart_from_the_contests_own(shared_data, tmp_path):
    record = next(r for r in dev_records(shared_data) if r["name"].startswith("1141_A"))
    private = record["private_tests"]
    record = dict(record, generated_tests={"input": private["input"][:3], "output": private["output"][:3]})
    path = tmp_path / "with-generated.jsonl"
    path.write_text(json.dumps(record) + "\n")
    (problem,) = load_codecontests(path)
    assert (len(problem.examples), len(problem.tests), problem.generated_tests) == (3, 13, 3)
    assert read_problem(write_problem(tmp_path / "p", problem)).generated_tests == 3


# ------------------------------------------------------------------ one resolver for problem names (failure 4)

@pytest.mark.parametrize("name", ["1141A", "1141_A", "1141_A. Game 23", "Game 23", "  game   23 "])
def test_every_name_of_a_problem_finds_it(shared_data, name):
    assert load_problem(shared_data / "codecontests" / "dev.jsonl", name).id == "1141A"


def test_a_literal_record_name_is_found_though_the_record_has_a_contest_id_and_index(shared_data, tmp_path):
    record = next(r for r in dev_records(shared_data) if r["name"].startswith("1141_A"))
    path = tmp_path / "renamed.jsonl"  # some re-packagings name records by title alone
    path.write_text(json.dumps(dict(record, name="Game 23")) + "\n")
    assert find_problem(path, "Game 23").id == "1141A"
    assert find_problem(path, "1141_A").id == "1141A"


def test_a_name_of_several_problems_or_of_none_is_one_line_with_close_matches(shared_data, tmp_path):
    records = dev_records(shared_data)
    a = next(r for r in records if r["name"].startswith("1141_A"))
    b = next(r for r in records if r["name"].startswith("1041_E"))
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps(dict(a, name="Same Title")) + "\n" + json.dumps(dict(b, name="Same Title")) + "\n")
    with pytest.raises(DataError) as e:
        find_problem(path, "same title")
    assert "names 2 problems: 1141A (Same Title), 1041E (Same Title); give the id" in str(e.value)
    assert find_problem(path, "1041E").id == "1041E"  # an id is never ambiguous
    with pytest.raises(DataError) as e:
        find_problem(shared_data / "codecontests" / "dev.jsonl", "Tree Reconstructio")
    message = str(e.value)
    assert "no problem named 'Tree Reconstructio'" in message and "close matches: 1041E (Tree Reconstruction)" in message
    assert "\n" not in message
