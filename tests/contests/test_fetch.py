"""Fetching from the Codeforces API, against a local HTTP server that answers with recorded
answers (never the network)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from contests.errors import DataError
from contests.fetch import fetch_contest

DATA = Path(__file__).parent / "data"
NOT_FOUND = {"status": "FAILED", "comment": "contestId: Contest with id 12 not found"}
UNRATED = {"status": "FAILED", "comment": "contestId: Rating changes are unavailable for this contest"}


class RecordedApi(BaseHTTPRequestHandler):
    """/api/<method>?contestId=N answered from tests/contests/data, as Codeforces would."""

    calls: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        url = urlparse(self.path)
        method = url.path.rsplit("/", 1)[-1]
        contest = parse_qs(url.query).get("contestId", [""])[0]
        self.calls.append(f"{method}?{url.query}")
        file = DATA / f"cfapi-{contest}-{method.split('.')[-1]}.json"
        if contest == "9001" and file.is_file():
            status, body = 200, file.read_bytes()
        elif contest == "9002" and method == "contest.standings":
            status, body = 200, (DATA / "cfapi-9001-standings.json").read_bytes()
        elif contest == "9002":
            status, body = 400, json.dumps(UNRATED).encode()
        else:
            status, body = 400, json.dumps(NOT_FOUND).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def api(monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1")  # a CI proxy must not stand between us and the local server
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordedApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    RecordedApi.calls = []
    yield f"http://127.0.0.1:{server.server_address[1]}/api"
    server.shutdown()
    server.server_close()


def test_fetch_standings_and_rating_changes(api):
    contest = fetch_contest(9001, base_url=api, pause=0)
    assert RecordedApi.calls == ["contest.standings?contestId=9001&showUnofficial=false",
                                 "contest.ratingChanges?contestId=9001"]
    assert contest.id == "9001" and contest.rules == "cf-icpc"
    assert [(r.handle, r.rated, r.new_rating) for r in contest.standings] == [
        ("alice", True, 1620), ("erin", False, None), ("bob", True, 1690), ("carol", True, 1390), ("dave", True, 1450)]


def test_an_unrated_contest_keeps_its_standings(api):
    contest = fetch_contest(9002, base_url=api, pause=0)
    assert [r.rated for r in contest.standings] == [True, False, True, True, True]  # by participant type
    assert all(r.old_rating is None for r in contest.standings)


def test_api_errors_and_no_network_are_one_line(api):
    with pytest.raises(DataError) as e:
        fetch_contest(12, base_url=api, pause=0)
    assert "HTTP 400: contestId: Contest with id 12 not found" in str(e.value) and "\n" not in str(e.value)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    with pytest.raises(DataError) as e:
        fetch_contest(9001, base_url=f"http://127.0.0.1:{closed}/api", pause=0, timeout=5)
    assert "cannot reach the Codeforces API" in str(e.value) and "\n" not in str(e.value)
