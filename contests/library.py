"""The contest library: where imported contests (problems, tests, standings) are kept.

`Library` is what the rest of csim asks of one. ContestLibrary is a directory of native contest
directories (contests.native); the root is passed in, the CLI's default being $CSIM_HOME/contests
(CSIM_HOME defaults to ~/.csim). The SQL store holds another (simulator.store.library), which a
team shares through one PostgreSQL database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from contests.errors import DataError
from contests.model import Contest, as_utc
from contests.native import read_contest, write_contest
from contests.textfiles import read_json

# A contest id names a directory: keep it to one safe path component.
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")


@dataclass(frozen=True)
class ContestSummary:
    id: str
    name: str
    rules: str
    start_time: datetime | None
    duration_minutes: int
    problems: int
    participants: int
    made_up: bool
    path: Path | str  # where it is kept: a directory, or the store's URL and the contest id
    problem_list_known: bool = False  # False: `problems` may not be the contest's full list
    judgeable: int = 0  # problems with hidden tests (not interactive)
    date_source: str = ""


def check_id(contest_id: str) -> str:
    if not _ID.match(contest_id or ""):
        raise DataError("contest", "id", f"{contest_id!r} cannot name a library entry (letters, digits, _ . + - only)")
    return contest_id


def _judgeable(problem_dir: Path) -> bool:
    """Whether a problem directory has hidden tests and is not interactive (as Problem.judgeable)."""
    if not any((problem_dir / "tests").glob("*.in")):
        return False
    meta = read_json(problem_dir / "problem.json")
    return not meta.get("interactive", False)


class Library(Protocol):
    def add(self, contest: Contest) -> Path | str:
        """Store CONTEST under its id, replacing any earlier copy whole; where it now is."""

    def get(self, contest_id: str) -> Contest:
        """The contest, or a DataError naming the library."""

    def ids(self) -> list[str]: ...

    def summary(self, contest_id: str) -> ContestSummary: ...

    def list(self) -> list[ContestSummary]: ...

    def between(self, after: datetime | None, before: datetime | None) -> tuple[list[ContestSummary], list[str]]:
        """See between() below."""


def between(summaries: list[ContestSummary], after: datetime | None,
            before: datetime | None) -> tuple[list[ContestSummary], list[str]]:
    """(of SUMMARIES, those that started strictly after AFTER and strictly before BEFORE, in date
    order; the ids of the undated ones left out, which no date range can be shown to hold)."""
    chosen, undated = [], []
    for s in summaries:
        if s.start_time is None:
            undated.append(s.id)
        elif (after is None or as_utc(s.start_time) > as_utc(after)) and (
                before is None or as_utc(s.start_time) < as_utc(before)):
            chosen.append(s)
    return sorted(chosen, key=lambda s: (as_utc(s.start_time), s.id)), undated


class ContestLibrary:
    """The directory library: one native contest directory per contest."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, contest_id: str) -> Path:
        return self.root / check_id(str(contest_id))

    def add(self, contest: Contest) -> Path:
        """Store CONTEST under its id, replacing any earlier copy whole (atomically)."""
        return write_contest(self.path(contest.id), contest)

    def get(self, contest_id: str) -> Contest:
        path = self.path(contest_id)
        if not (path / "contest.json").is_file():
            raise DataError(self.root, str(contest_id), "no such contest in the library (see `csim contests list`)")
        return read_contest(path)

    def ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir()
                      if not p.name.startswith(".") and (p / "contest.json").is_file())

    def summary(self, contest_id: str) -> ContestSummary:
        """What `list` shows, read from contest.json and standings.json without loading any tests."""
        path = self.path(contest_id)
        meta_path = path / "contest.json"
        try:
            meta = read_json(meta_path)
            participants = 0
            if meta.get("standings"):
                participants = len(read_json(path / meta["standings"]))
            start = meta.get("start_time")
            return ContestSummary(
                id=str(meta["id"]), name=str(meta["name"]), rules=str(meta["rules"]),
                start_time=as_utc(datetime.fromisoformat(start)) if start else None,
                duration_minutes=int(meta.get("duration_minutes") or 120),
                problems=len(meta.get("problems") or []), participants=participants,
                made_up=bool(meta.get("made_up", False)), path=path,
                problem_list_known=bool(meta.get("problem_list_known", False)),
                judgeable=sum(_judgeable(path / entry["dir"]) for entry in meta.get("problems") or []),
                date_source=str(meta.get("date_source") or ("contest.json" if start else "")),
            )
        except DataError:
            raise
        except FileNotFoundError as e:
            raise DataError(e.filename or meta_path, None, "no such file") from None
        except (KeyError, TypeError, ValueError) as e:
            raise DataError(meta_path, None, f"unreadable contest metadata ({e})") from None

    def list(self) -> list[ContestSummary]:
        return [self.summary(i) for i in self.ids()]

    def after(self, date: datetime) -> list[ContestSummary]:
        """Contests that started strictly after DATE, in date order: a held-out split. Contests
        without a start time are left out (they cannot be shown to be held out)."""
        return self.between(date, None)[0]

    def between(self, after: datetime | None, before: datetime | None) -> tuple[list[ContestSummary], list[str]]:
        return between(self.list(), after, before)
