"""Download a contest's standings and rating changes from the Codeforces API (urllib).

Codeforces asks for at most one call every 2 seconds, hence the pause between the two calls, and
answers "Call limit exceeded" (HTTP 503/429) when called faster: such answers are retried with
exponential backoff (tenacity). With raw_dir, every answer (a refusal such as "rating changes are
unavailable" included) is kept on disk as the API sent it, and read from there next time: a
refetch asks nothing of the API. Any failure (no network, an error answer) is a DataError naming
the URL.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from contests.errors import DataError
from contests.importers.cfapi import ApiFile, contest_from_answers, unwrap
from contests.model import Contest

API_URL = "https://codeforces.com/api"


class ApiRefused(DataError):
    """The API was reached and answered with an error (e.g. no rating changes for an unrated contest)."""


class CallLimit(ApiRefused):
    """The API asked us to call less often ("Call limit exceeded", or HTTP 429/502/503/504): retried."""


def raw_path(raw_dir: Path, method: str, params: dict) -> Path:
    """Where the raw answer to one call is kept: one file per method and sorted parameters."""
    query = urllib.parse.urlencode(sorted(params.items()))
    return Path(raw_dir) / f"{method}-{query.replace('&', '-').replace('=', '')}.json"


def call(method: str, params: dict, *, base_url: str = API_URL, timeout: float = 30.0,
         raw_dir: Path | None = None, retries: int = 4, backoff: float = 2.0, refetch: bool = False) -> ApiFile:
    """One API call; its answer as an ApiFile whose path is the URL (for messages). With RAW_DIR,
    an answer kept there is read instead of calling (unless REFETCH), and a new one is kept."""
    from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

    url = f"{base_url.rstrip('/')}/{method}?{urllib.parse.urlencode(params)}"
    kept = raw_path(raw_dir, method, params) if raw_dir is not None else None
    if kept is not None and kept.is_file() and not refetch:
        answer = json.loads(kept.read_text(encoding="utf-8"))
        return _answer(url, method, answer["http_status"], answer["body"].encode())
    retrying = Retrying(stop=stop_after_attempt(retries + 1), reraise=True,
                        wait=wait_random_exponential(multiplier=backoff, max=60),
                        retry=retry_if_exception_type(CallLimit))
    try:
        for attempt in retrying:
            with attempt:
                http_status, body = _get(url, timeout)
                if kept is not None and http_status in (200, 400):  # an answer, not a passing failure: keep it
                    kept.parent.mkdir(parents=True, exist_ok=True)
                    tmp = kept.with_name(f".{kept.name}.{os.getpid()}")
                    tmp.write_text(json.dumps({"url": url, "http_status": http_status,
                                               "body": body.decode("utf-8")}), encoding="utf-8")
                    tmp.replace(kept)
                return _answer(url, method, http_status, body)
    except CallLimit as e:
        raise CallLimit(url, None, f"{e.problem}, {retries + 1} times; try again later") from None


def _get(url: str, timeout: float) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:  # the API answers errors as JSON with a comment
        return e.code, e.read()
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise DataError(url, None, f"cannot reach the Codeforces API ({reason}); "
                                   "import saved answers with `csim contests import` instead") from None


def _answer(url: str, method: str, http_status: int, body: bytes) -> ApiFile:
    if http_status != 200:
        try:
            comment = json.loads(body).get("comment")
        except (ValueError, AttributeError):
            comment = None
        limited = http_status in (429, 502, 503, 504) or "call limit" in str(comment).lower()
        kind = CallLimit if limited else ApiRefused
        raise kind(url, None, f"the Codeforces API answered HTTP {http_status}: {comment or 'no comment'}")
    try:
        data = json.loads(body)
    except ValueError:
        raise DataError(url, None, "the answer is not JSON") from None
    return ApiFile(method, unwrap(data, url), url)


def fetch_contest(contest_id: int | str, *, base_url: str = API_URL, timeout: float = 30.0,
                  pause: float = 2.0, rules: str | None = None, raw_dir: Path | None = None,
                  retries: int = 4, backoff: float = 2.0, refetch: bool = False) -> Contest:
    """The contest's official standings, with old and new ratings where it was rated."""
    options = {"base_url": base_url, "timeout": timeout, "raw_dir": raw_dir, "retries": retries, "backoff": backoff,
               "refetch": refetch}
    params = {"contestId": contest_id, "showUnofficial": "false"}
    standings = call("contest.standings", params, **options)
    if refetch or raw_dir is None or not raw_path(raw_dir, "contest.ratingChanges", {"contestId": contest_id}).is_file():
        time.sleep(pause)  # the API's one call per 2 seconds
    try:
        changes = call("contest.ratingChanges", {"contestId": contest_id}, **options)
    except CallLimit:
        raise  # not an answer about the contest
    except ApiRefused:
        changes = None  # an unrated contest: who was rated then follows the participant types
    answers = [standings] + ([changes] if changes is not None and changes.result else [])
    return contest_from_answers(answers, rules)
