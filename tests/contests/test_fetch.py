"""Fetching from the Codeforces API, against a local HTTP server that answers with recorded
answers (never the network)."""

from __future__ import annotations

import socket

import pytest

from contests.errors import DataError
from contests.fetch import fetch_contest


def test_fetch_standings_and_rating_changes(api):
    contest = fetch_contest(9001, base_url=api.url, pause=0)
    assert api.calls == ["contest.standings?contestId=9001&showUnofficial=false",
                         "contest.ratingChanges?contestId=9001"]
    assert contest.id == "9001" and contest.rules == "cf-icpc"
    assert [(r.handle, r.rated, r.new_rating) for r in contest.standings] == [
        ("alice", True, 1620), ("erin", False, None), ("bob", True, 1690), ("carol", True, 1390), ("dave", True, 1450)]


def test_an_unrated_contest_keeps_its_standings(api):
    contest = fetch_contest(9002, base_url=api.url, pause=0)
    assert [r.rated for r in contest.standings] == [True, False, True, True, True]  # by participant type
    assert all(r.old_rating is None for r in contest.standings)


def test_api_errors_and_no_network_are_one_line(api):
    with pytest.raises(DataError) as e:
        fetch_contest(12, base_url=api.url, pause=0)
    assert "HTTP 400: contestId: Contest with id 12 not found" in str(e.value) and "\n" not in str(e.value)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    with pytest.raises(DataError) as e:
        fetch_contest(9001, base_url=f"http://127.0.0.1:{closed}/api", pause=0, timeout=5)
    assert "cannot reach the Codeforces API" in str(e.value) and "\n" not in str(e.value)


def test_raw_answers_are_kept_so_a_refetch_calls_nothing(api, tmp_path):
    raw = tmp_path / "raw"
    first = fetch_contest(9002, base_url=api.url, pause=0, raw_dir=raw)
    assert len(api.calls) == 2 and len(list(raw.iterdir())) == 2  # the refusal of rating changes is kept too
    again = fetch_contest(9002, base_url=api.url, pause=0, raw_dir=raw)
    assert len(api.calls) == 2  # nothing asked of the API
    assert again == first
    fetch_contest(9002, base_url=api.url, pause=0, raw_dir=raw, refetch=True)
    assert len(api.calls) == 4


def test_the_call_limit_answer_is_retried_with_backoff(api, tmp_path):
    contest = fetch_contest(9003, base_url=api.url, pause=0, backoff=0.01, raw_dir=tmp_path)
    assert [c.split("?")[0] for c in api.calls] == ["contest.standings"] * 3 + ["contest.ratingChanges"] * 3
    assert contest.id == "9001" and [r.new_rating for r in contest.standings][0] == 1620
    # Rating changes still refused for the call limit after the retries: an error, never an unrated contest.
    (changes,) = tmp_path.glob("contest.ratingChanges-*.json")
    changes.unlink()
    api.calls.clear()
    with pytest.raises(DataError) as e:
        fetch_contest(9003, base_url=api.url, pause=0, backoff=0.01, retries=1, raw_dir=tmp_path)
    assert api.calls == ["contest.ratingChanges?contestId=9003"] * 2  # the standings came from disk
    assert "HTTP 503: Call limit exceeded, 2 times; try again later" in str(e.value)
