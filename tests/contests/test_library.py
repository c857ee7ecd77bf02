"""The contest library: add, get, list, held-out split; atomic replacement."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from contests.errors import DataError
from contests.importers.carrot import load_carrot_contest
from contests.importers.cfapi import load_cfapi_contest
from contests.importers.polygon import load_polygon_contest
from contests.library import ContestLibrary

DATA = Path(__file__).parent / "data"


@pytest.fixture
def library(tmp_path, shared_data):
    lib = ContestLibrary(tmp_path / "contests")
    lib.add(load_cfapi_contest([DATA / "cfapi-9001-standings.json", DATA / "cfapi-9001-ratingChanges.json"]))
    lib.add(load_carrot_contest(shared_data / "standings" / "carrot-round-1305-ozon-2020-div1+2-data.json"))
    lib.add(load_polygon_contest(DATA / "polygon-sum-pair"))
    return lib


def test_add_get_list(library):
    assert library.ids() == ["1305", "9001", "sum-pair"]
    contest = library.get("9001")
    assert contest.name == "Hand-written Educational Round" and len(contest.standings) == 5
    assert contest.standings[0].new_rating == 1620
    summaries = {s.id: s for s in library.list()}
    assert summaries["1305"].participants == 7420 and summaries["1305"].rules == "cf-points"
    assert summaries["sum-pair"].problems == 1 and summaries["sum-pair"].participants == 0
    assert summaries["9001"].start_time == datetime.fromtimestamp(1588000000, tz=timezone.utc)
    assert len(library.get("sum-pair").problems[0].tests) == 3


def test_after_is_a_held_out_split_by_date(library):
    assert [s.id for s in library.after(datetime(2020, 1, 1))] == ["9001"]  # naive dates read as UTC
    start = datetime(2020, 4, 27, 15, 6, 40, tzinfo=timezone.utc)  # 9001's start; 1305 and sum-pair have none
    assert library.after(start) == []  # strictly after
    assert [s.id for s in library.after(start.replace(second=39))] == ["9001"]


def test_adding_again_replaces_the_contest_whole(library):
    contest = library.get("9001")
    contest.standings = contest.standings[:2]
    library.add(contest)
    assert len(library.get("9001").standings) == 2
    assert not any(p.name.startswith(".") for p in library.root.iterdir())  # no leftovers of the swap


def test_bad_ids_and_missing_contests(library, tmp_path):
    with pytest.raises(DataError, match="no such contest"):
        library.get("42")
    with pytest.raises(DataError, match="cannot name"):
        library.get("../etc")
    assert ContestLibrary(tmp_path / "nowhere").ids() == []
