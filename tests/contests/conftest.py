"""Fixtures of the contests tests: a local HTTP server answering as the Codeforces API would,
from recorded answers in tests/contests/data (never the network)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

DATA = Path(__file__).parent / "data"
NOT_FOUND = {"status": "FAILED", "comment": "contestId: Contest with id 12 not found"}
CALL_LIMIT = {"status": "FAILED", "comment": "Call limit exceeded"}
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
        if contest == "9003" and self.calls.count(self.calls[-1]) <= 2:  # busy: twice "Call limit exceeded"
            status, body = 503, json.dumps(CALL_LIMIT).encode()
        elif contest == "9003":
            status, body = 200, (DATA / f"cfapi-9001-{method.split('.')[-1]}.json").read_bytes()
        elif contest == "9001" and file.is_file():
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


@dataclass
class LocalApi:
    url: str  # base URL, like https://codeforces.com/api
    calls: list[str]  # "method?query" of every call received


@pytest.fixture
def api(monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1")  # a CI proxy must not stand between us and the local server
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordedApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    RecordedApi.calls = []
    yield LocalApi(f"http://127.0.0.1:{server.server_address[1]}/api", RecordedApi.calls)
    server.shutdown()
    server.server_close()
