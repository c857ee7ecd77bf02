"""Download a contest's standings and rating changes from the Codeforces API (urllib).

Codeforces asks for at most one call every 2 seconds, hence the pause between the two calls.
Any failure (no network, an error answer) is a DataError naming the URL.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

from contests.errors import DataError
from contests.importers.cfapi import ApiFile, contest_from_answers, unwrap
from contests.model import Contest

API_URL = "https://codeforces.com/api"


class ApiRefused(DataError):
    """The API was reached and answered with an error (e.g. no rating changes for an unrated contest)."""


def call(method: str, params: dict, *, base_url: str = API_URL, timeout: float = 30.0) -> ApiFile:
    """One API call; its answer as an ApiFile whose path is the URL (for messages)."""
    url = f"{base_url.rstrip('/')}/{method}?{urllib.parse.urlencode(params)}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as e:  # the API answers errors as JSON with a comment
        body = e.read()
        try:
            comment = json.loads(body).get("comment")
        except (ValueError, AttributeError):
            comment = None
        raise ApiRefused(url, None, f"the Codeforces API answered HTTP {e.code}: {comment or e.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise DataError(url, None, f"cannot reach the Codeforces API ({reason}); "
                                   "import saved answers with `csim contests import` instead") from None
    try:
        data = json.loads(body)
    except ValueError:
        raise DataError(url, None, "the answer is not JSON") from None
    return ApiFile(method, unwrap(data, url), url)


def fetch_contest(contest_id: int | str, *, base_url: str = API_URL, timeout: float = 30.0,
                  pause: float = 2.0, rules: str | None = None) -> Contest:
    """The contest's official standings, with old and new ratings where it was rated."""
    standings = call("contest.standings", {"contestId": contest_id, "showUnofficial": "false"},
                     base_url=base_url, timeout=timeout)
    time.sleep(pause)
    try:
        changes = call("contest.ratingChanges", {"contestId": contest_id}, base_url=base_url, timeout=timeout)
    except ApiRefused:
        changes = None  # an unrated contest: who was rated then follows the participant types
    answers = [standings] + ([changes] if changes is not None and changes.result else [])
    return contest_from_answers(answers, rules)
