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
