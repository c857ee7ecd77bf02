"""The contest library in the SQL store (contests.library.Library): a team on one PostgreSQL
database imports a contest once and replays it from any machine, with no local copy.

A contest is kept as its native directory (contests.native, the same files the directory library
holds), one compressed row per file, plus a summary row for listing; adding one replaces any
earlier copy whole, in one transaction, so a reader sees the old contest or the new, never a mix.
"""

from __future__ import annotations

import hashlib
import tempfile
import zlib
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select

from contests.errors import DataError
from contests.library import ContestSummary, between, check_id
from contests.model import Contest
from contests.native import read_contest, write_contest
from simulator.store.models import LibraryContest, LibraryFile, utcnow
from simulator.store.store import Store


class SqlContestLibrary:
    def __init__(self, store: Store):
        self.store = store
        self.where = store.where

    def location(self, contest_id: str) -> str:
        return f"{self.where}#contest={contest_id}"

    def add(self, contest: Contest) -> str:
        check_id(contest.id)
        with tempfile.TemporaryDirectory(prefix="csim-library-") as tmp:
            root = write_contest(Path(tmp) / contest.id, contest)
            files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
        digest = hashlib.sha256()
        for name, data in files.items():
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        row = LibraryContest(id=contest.id, name=contest.name, rules=contest.rules, start_time=contest.start_time,
                             duration_minutes=contest.duration_minutes, problems=len(contest.problems),
                             participants=len(contest.standings), made_up=contest.made_up,
                             problem_list_known=contest.problem_list_known, judgeable=contest.judgeable,
                             date_source=contest.date_source, digest=digest.hexdigest(), imported_at=utcnow())
        with self.store.transaction() as s:
            s.execute(delete(LibraryFile).where(LibraryFile.contest_id == contest.id))
            s.execute(delete(LibraryContest).where(LibraryContest.id == contest.id))
            s.flush()
            s.add(row)
            s.flush()
            s.add_all(LibraryFile(contest_id=contest.id, path=name, size=len(data), content=zlib.compress(data, 6))
                      for name, data in files.items())
        return self.location(contest.id)

    def get(self, contest_id: str) -> Contest:
        check_id(str(contest_id))
        with self.store.transaction() as s:
            if s.get(LibraryContest, contest_id) is None:
                raise DataError(self.where, str(contest_id), "no such contest in the library of this database "
                                "(import it with `csim contests import ... --db` on this database)")
            files = s.execute(select(LibraryFile.path, LibraryFile.content)
                              .where(LibraryFile.contest_id == contest_id)).all()
        with tempfile.TemporaryDirectory(prefix="csim-library-") as tmp:
            root = Path(tmp) / contest_id
            for name, content in files:
                path = root / name
                if ".." in Path(name).parts:
                    raise DataError(self.location(contest_id), name, "a library file outside its contest")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(zlib.decompress(content))
            contest = read_contest(root)
        # Where it came from is this database, not the temporary directory it was read from.
        return replace(contest, origin=self.location(contest_id),
                       problems=[replace(p, origin=f"{self.location(contest_id)}/{p.index or p.id}")
                                 for p in contest.problems])

    def ids(self) -> list[str]:
        with self.store.transaction() as s:
            return sorted(s.scalars(select(LibraryContest.id)))

    def list(self) -> list[ContestSummary]:
        with self.store.transaction() as s:
            rows = s.scalars(select(LibraryContest).order_by(LibraryContest.id)).all()
        return [ContestSummary(id=r.id, name=r.name, rules=r.rules, start_time=r.start_time,
                               duration_minutes=r.duration_minutes, problems=r.problems,
                               participants=r.participants, made_up=r.made_up, path=self.location(r.id),
                               problem_list_known=r.problem_list_known, judgeable=r.judgeable,
                               date_source=r.date_source)
                for r in rows]

    def summary(self, contest_id: str) -> ContestSummary:
        for s in self.list():
            if s.id == contest_id:
                return s
        raise DataError(self.where, str(contest_id), "no such contest in the library of this database")

    def after(self, date: datetime) -> list[ContestSummary]:
        return self.between(date, None)[0]

    def between(self, after: datetime | None, before: datetime | None) -> tuple[list[ContestSummary], list[str]]:
        return between(self.list(), after, before)
