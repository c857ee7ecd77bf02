"""Codeforces API answers saved as JSON (https://codeforces.com/apiHelp): `contest.standings`,
`contest.ratingChanges`, `contest.status` and `problemset.problems`, either as the raw envelope
{"status": "OK", "result": ...} or as the bare result.

A contest's date is the standings' `startTimeSeconds`; known from rating changes alone, it is
their `ratingUpdateTimeSeconds` (when ratings were updated, hours after the end: the same day
for every rule csim applies by date), and `Contest.date_source` says which. The problem list is
the standings' `problems`; rating changes alone do not list the problems.

A contest's rules come from its type ("CF" -> cf-points, "ICPC" -> cf-icpc) unless given.
Standing rows keep only the real contest's participants: CONTESTANT rows (rated, unless rating
changes are known and lack them) and OUT_OF_COMPETITION rows (unrated); virtual and practice
participants are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from contests.errors import DataError
from contests.textfiles import read_json
from contests.model import RULES, Contest, Problem, ProblemResult, StandingRow
from contests.scoring import Attempt

RULES_BY_TYPE = {"CF": "cf-points", "ICPC": "cf-icpc"}
METHODS = ("contest.standings", "contest.ratingChanges", "contest.status", "problemset.problems")

# Codeforces verdicts -> the judge's verdict strings. None: not an attempt that scoring sees
# (skipped for cheating or a resubmission, still in the queue, or rejected unjudged).
VERDICTS = {
    "OK": "OK", "WRONG_ANSWER": "WA", "PRESENTATION_ERROR": "PE", "TIME_LIMIT_EXCEEDED": "TLE",
    "IDLENESS_LIMIT_EXCEEDED": "TLE", "MEMORY_LIMIT_EXCEEDED": "MLE", "RUNTIME_ERROR": "RE",
    "SECURITY_VIOLATED": "RE", "COMPILATION_ERROR": "CE", "CRASHED": "IE", "FAILED": "IE",
    "INPUT_PREPARATION_CRASHED": "IE", "PARTIAL": "WA",
    "CHALLENGED": "WA",  # hacked: the problem is lost and the attempt counts against a resubmission
    "SKIPPED": None, "TESTING": None, "REJECTED": None,
}
CONTEST_PARTICIPANTS = ("CONTESTANT", "OUT_OF_COMPETITION")


@dataclass(frozen=True)
class ApiFile:
    method: str  # one of METHODS, told by the shape of the answer
    result: object
    path: Path | str  # the file, or the URL it was fetched from


# ---------------------------------------------------------------- validation helpers

def _get(obj, key: str, kind, path: Path, where: str, default=...):
    if not isinstance(obj, dict):
        raise DataError(path, where, f"expected an object, got {type(obj).__name__}")
    if key not in obj or obj[key] is None:
        if default is ...:
            raise DataError(path, f"{where}.{key}", "missing")
        return default
    value = obj[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise DataError(path, f"{where}.{key}", f"expected {names}, got {value!r}"[:200])
    return value


def _list(value, path: Path, where: str) -> list:
    if not isinstance(value, list):
        raise DataError(path, where, f"expected a list, got {type(value).__name__}")
    return value


def _object(value, path: Path, where: str) -> dict:
    if not isinstance(value, dict):
        raise DataError(path, where, f"expected an object, got {type(value).__name__}")
    return value


def unwrap(data, path: Path):
    """The result of an API answer, with or without its {"status", "result"} envelope."""
    if isinstance(data, dict) and "status" in data:
        if data["status"] != "OK":
            raise DataError(path, "status", f"the API answered {data['status']}: {data.get('comment', 'no comment')}")
        if "result" not in data:
            raise DataError(path, "result", "missing")
        return data["result"]
    return data


def detect_method(result, path: Path) -> str:
    if isinstance(result, dict):
        if "rows" in result and "contest" in result:
            return "contest.standings"
        if "problems" in result:
            return "problemset.problems"
    if isinstance(result, list) and result and isinstance(result[0], dict):
        if "newRating" in result[0]:
            return "contest.ratingChanges"
        if "verdict" in result[0] or "author" in result[0]:
            return "contest.status"
    if isinstance(result, list) and not result:
        raise DataError(path, "result", "an empty list: nothing to import")
    raise DataError(path, "result", f"not an answer of {', '.join(METHODS)}")


def read_api_file(path: str | Path) -> ApiFile:
    path = Path(path)
    result = unwrap(read_json(path), path)
    return ApiFile(detect_method(result, path), result, path)


# ---------------------------------------------------------------- the four answers

@dataclass(frozen=True)
class RatingChange:
    handle: str
    rank: int  # as shown: a tie shares its best place
    old_rating: int
    new_rating: int
    update_time: int | None = None  # ratingUpdateTimeSeconds


def parse_rating_changes(result, path: Path) -> list[RatingChange]:
    changes = []
    for n, item in enumerate(_list(result, path, "result")):
        where = f"result[{n}]"
        changes.append(RatingChange(
            handle=_get(item, "handle", str, path, where),
            rank=_get(item, "rank", int, path, where),
            old_rating=_get(item, "oldRating", int, path, where),
            new_rating=_get(item, "newRating", int, path, where),
            update_time=_get(item, "ratingUpdateTimeSeconds", int, path, where, None),
        ))
    return changes


def contest_rules(contest: dict, path: Path, rules: str | None) -> str:
    if rules is not None:
        if rules not in RULES:
            raise DataError(path, "rules", f"unknown rules {rules!r}; expected one of {', '.join(RULES)}")
        return rules
    kind = _get(contest, "type", str, path, "result.contest")
    if kind not in RULES_BY_TYPE:
        raise DataError(path, "result.contest.type",
                        f"contest type {kind!r} has no csim rules; say which with --rules ({', '.join(RULES)})")
    return RULES_BY_TYPE[kind]


def _problem(item, path: Path, where: str) -> Problem:
    contest_id = _get(item, "contestId", int, path, where, None)
    index = _get(item, "index", str, path, where)
    tags = _get(item, "tags", list, path, where, [])
    points = _get(item, "points", (int, float), path, where, None)
    return Problem(
        id=f"{contest_id}{index}" if contest_id is not None else index,
        name=_get(item, "name", str, path, where),
        points=float(points) if points else None,
        rating=_get(item, "rating", int, path, where, None),
        tags=[str(t) for t in tags],
        contest_id=None if contest_id is None else str(contest_id),
        index=index,
        origin=f"{path}:{where}",
    )


def _handle(party: dict, path: Path, where: str) -> str:
    if party.get("teamName"):
        return str(party["teamName"])
    members = _get(party, "members", list, path, where)
    if not members:
        raise DataError(path, f"{where}.members", "empty")
    return ", ".join(_get(m, "handle", str, path, f"{where}.members[{i}]") for i, m in enumerate(members))


def _problem_result(item, path: Path, where: str) -> ProblemResult:
    points = float(_get(item, "points", (int, float), path, where))
    seconds = _get(item, "bestSubmissionTimeSeconds", int, path, where, None)
    accepted = points > 0
    return ProblemResult(points=points, rejected=_get(item, "rejectedAttemptCount", int, path, where, 0),
                         minute=seconds // 60 if accepted and seconds is not None else None, accepted=accepted)


def parse_standings(result, path: Path, rules: str | None = None) -> Contest:
    contest = _object(result, path, "result")
    info = _get(contest, "contest", dict, path, "result")
    rules = contest_rules(info, path, rules)
    problems = [_problem(p, path, f"result.problems[{n}]")
                for n, p in enumerate(_get(contest, "problems", list, path, "result", []))]
    indices = [p.index for p in problems]
    rows = []
    for n, item in enumerate(_get(contest, "rows", list, path, "result")):
        where = f"result.rows[{n}]"
        party = _get(item, "party", dict, path, where)
        kind = _get(party, "participantType", str, path, f"{where}.party")
        if kind not in CONTEST_PARTICIPANTS:
            continue
        results = _get(item, "problemResults", list, path, where, [])
        if problems and len(results) != len(problems):
            raise DataError(path, f"{where}.problemResults", f"{len(results)} results for {len(problems)} problems")
        rows.append(StandingRow(
            handle=_handle(party, path, f"{where}.party"),
            points=float(_get(item, "points", (int, float), path, where)),
            penalty=_get(item, "penalty", int, path, where, 0),
            rank=_get(item, "rank", int, path, where, None) or None,  # unofficial rows have rank 0
            rated=kind == "CONTESTANT",
            problem_results={index: _problem_result(r, path, f"{where}.problemResults[{i}]")
                             for i, (index, r) in enumerate(zip(indices, results))},
        ))
    start = _get(info, "startTimeSeconds", int, path, "result.contest", None)
    duration = _get(info, "durationSeconds", int, path, "result.contest", None)
    return Contest(
        id=str(_get(info, "id", int, path, "result.contest")),
        name=_get(info, "name", str, path, "result.contest"),
        rules=rules,
        duration_minutes=duration // 60 if duration else 120,
        start_time=datetime.fromtimestamp(start, tz=timezone.utc) if start is not None else None,
        date_source="contest.standings startTimeSeconds" if start is not None else "",
        problems=problems,
        problem_list_known=bool(problems),
        standings=rows,
        origin=str(path),
    )


def parse_problemset(result, path: Path) -> list[Problem]:
    problems = _get(_object(result, path, "result"), "problems", list, path, "result")
    return [_problem(p, path, f"result.problems[{n}]") for n, p in enumerate(problems)]


def parse_status(result, path: Path, duration_minutes: int | None = None) -> dict[str, dict[str, list[Attempt]]]:
    """handle -> problem index -> the participant's attempts during the contest, in time order.

    Only the real contest's participants' submissions made during the contest count (practice
    submissions carry a huge relativeTimeSeconds)."""
    attempts: dict[str, dict[str, list[tuple[int, int, Attempt]]]] = {}
    for n, item in enumerate(_list(result, path, "result")):
        where = f"result[{n}]"
        author = _get(item, "author", dict, path, where)
        if _get(author, "participantType", str, path, f"{where}.author") not in CONTEST_PARTICIPANTS:
            continue
        seconds = _get(item, "relativeTimeSeconds", int, path, where)
        if duration_minutes is not None and seconds >= duration_minutes * 60:
            continue
        verdict_name = _get(item, "verdict", str, path, where, "TESTING")
        if verdict_name not in VERDICTS:
            raise DataError(path, f"{where}.verdict", f"unknown verdict {verdict_name!r}")
        verdict = VERDICTS[verdict_name]
        if verdict is None:
            continue
        passed = _get(item, "passedTestCount", int, path, where, 0)
        attempt = Attempt(minute=seconds / 60, verdict=verdict,
                          failed_test=None if verdict in ("OK", "CE") else passed)
        index = _get(_get(item, "problem", dict, path, where), "index", str, path, f"{where}.problem")
        handle = _handle(author, path, f"{where}.author")
        key = (seconds, _get(item, "id", int, path, where, n))
        attempts.setdefault(handle, {}).setdefault(index, []).append((*key, attempt))
    return {h: {i: [a for *_, a in sorted(lst, key=lambda t: (t[0], t[1]))] for i, lst in by_problem.items()}
            for h, by_problem in attempts.items()}


# ---------------------------------------------------------------- a contest from several answers

def contest_from_rating_changes(changes: list[RatingChange], path: Path, rules: str | None) -> Contest:
    """A contest known only from its rating changes: the points are unknown, so each row's points
    are minus its shown place, which keeps the official order and ties."""
    if not changes:
        raise DataError(path, "result", "no rating changes")
    rows = [StandingRow(c.handle, float(-c.rank), 0, rank=c.rank, old_rating=c.old_rating, new_rating=c.new_rating)
            for c in changes]
    updates = sorted({c.update_time for c in changes if c.update_time is not None})
    if len(updates) > 1:
        raise DataError(path, "result.ratingUpdateTimeSeconds", f"{len(updates)} different update times: "
                                                                 "answers of several contests mixed?")
    return Contest(id=path.stem, name=path.stem, rules=rules or "cf-points", standings=rows, points_known=False,
                   start_time=datetime.fromtimestamp(updates[0], tz=timezone.utc) if updates else None,
                   date_source="contest.ratingChanges ratingUpdateTimeSeconds (after the contest)" if updates else "",
                   problem_list_known=False,
                   origin=f"{path} (rating changes only: points are minus the place)")


def _read_names(result) -> tuple[str | None, str | None]:
    first = result[0] if isinstance(result, list) and result and isinstance(result[0], dict) else {}
    contest_id = first.get("contestId")
    return (None if contest_id is None else str(contest_id)), first.get("contestName")


def load_cfapi_contest(paths: Iterable[str | Path], rules: str | None = None) -> Contest:
    """One contest from saved answers: `contest.standings` and/or `contest.ratingChanges`
    (the changes fill old and new ratings and say who was rated); a `problemset.problems`
    answer fills problem ratings and tags."""
    return contest_from_answers([read_api_file(p) for p in paths], rules)


def contest_from_answers(files: list[ApiFile], rules: str | None = None) -> Contest:
    by_method: dict[str, ApiFile] = {}
    for f in files:
        if f.method in by_method:
            raise DataError(f.path, None, f"a second {f.method} answer (first: {by_method[f.method].path})")
        by_method[f.method] = f
    if "contest.standings" not in by_method and "contest.ratingChanges" not in by_method:
        first = files[0].path if files else Path(".")
        raise DataError(first, None, "need a contest.standings or contest.ratingChanges answer to make a contest")

    changes_file = by_method.get("contest.ratingChanges")
    changes = parse_rating_changes(changes_file.result, changes_file.path) if changes_file else []
    if "contest.standings" in by_method:
        f = by_method["contest.standings"]
        contest = parse_standings(f.result, f.path, rules)
        if changes_file:
            by_handle = {c.handle: c for c in changes}
            for row in contest.standings:
                change = by_handle.get(row.handle)
                row.rated = change is not None
                if change:
                    row.old_rating, row.new_rating = change.old_rating, change.new_rating
            if contest.start_time is None and changes and changes[0].update_time is not None:
                contest.start_time = datetime.fromtimestamp(changes[0].update_time, tz=timezone.utc)
                contest.date_source = "contest.ratingChanges ratingUpdateTimeSeconds (after the contest)"
    else:
        contest = contest_from_rating_changes(changes, changes_file.path, rules)
        contest_id, name = _read_names(changes_file.result)
        contest.id, contest.name = contest_id or contest.id, name or contest.name

    if "problemset.problems" in by_method:
        f = by_method["problemset.problems"]
        known = {p.id: p for p in parse_problemset(f.result, f.path)}
        for p in contest.problems:
            if p.id in known:
                p.rating = p.rating or known[p.id].rating
                p.tags = p.tags or known[p.id].tags
    return contest
