"""One way to name a problem, used wherever a user or a file names one: `--problem-name` (judge
run, contests validate, solve, solver sample), the `problem` of a samples file, reports.

A problem answers to its id (`1141A`), `1141_A`, CodeContests' `1141_A. Title`, and its literal
CodeContests record name or title (`Game 23`); case and runs of spaces do not matter. A name
that matches no problem, or several, is an error that lists the close matches (difflib).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from contests.errors import DataError
from contests.model import Problem


@dataclass(frozen=True)
class ProblemName:
    """What a problem can be called by; light enough to keep for every record of a large file."""

    id: str
    name: str
    contest_id: str | None = None
    index: str | None = None

    @classmethod
    def of(cls, problem: Problem) -> ProblemName:
        return cls(problem.id, problem.name, problem.contest_id, problem.index)

    @property
    def label(self) -> str:
        """How messages show it: `1141A (Game 23)`."""
        return f"{self.id} ({self.name})" if self.name and self.name != self.id else self.id

    def keys(self) -> set[str]:
        keys = {self.id, self.name}
        if self.contest_id and self.index:
            keys |= {f"{self.contest_id}{self.index}", f"{self.contest_id}_{self.index}",
                     f"{self.contest_id}_{self.index}. {self.name}"}
        return {normal(k) for k in keys if k}


def normal(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def names_problem(query: str, problem: Problem | ProblemName) -> bool:
    """Whether QUERY is one of the names of PROBLEM (alone: ambiguity needs the whole list, see resolve)."""
    name = problem if isinstance(problem, ProblemName) else ProblemName.of(problem)
    return normal(query) in name.keys()


def resolve_position(query: str, names: Sequence[ProblemName], where: str, field: str = "problem") -> int:
    """The position in NAMES of the one problem QUERY names; DataError (one line, with close matches) if none or several."""
    wanted = normal(query)
    hits = [i for i, n in enumerate(names) if wanted in n.keys()]
    if len(hits) > 1:
        by_id = [i for i in hits if normal(names[i].id) == wanted]  # an exact id wins over a shared title
        if len(by_id) == 1:
            return by_id[0]
        shown = ", ".join(names[i].label for i in hits[:6]) + (", ..." if len(hits) > 6 else "")
        raise DataError(where, field, f"{query!r} names {len(hits)} problems: {shown}; give the id")
    if not hits:
        raise DataError(where, field, f"no problem named {query!r}; {close_matches(query, names)}")
    return hits[0]


def resolve(query: str, problems: Sequence[Problem], where: str, field: str = "problem") -> Problem:
    return problems[resolve_position(query, [ProblemName.of(p) for p in problems], where, field)]


def close_matches(query: str, names: Sequence[ProblemName], n: int = 5) -> str:
    """`close matches: A, B` (difflib over every name of every problem), else a few of the ids there are."""
    owner: dict[str, ProblemName] = {}
    for name in names:
        for key in sorted(name.keys()):
            owner.setdefault(key, name)
    close = difflib.get_close_matches(normal(query), list(owner), n=n * 3, cutoff=0.6)
    shown = list(dict.fromkeys(owner[k].label for k in close))[:n]
    if shown:
        return "close matches: " + ", ".join(shown)
    if not names:
        return "there are no problems"
    some = ", ".join(name.id for name in names[:n])
    return f"no close match among {len(names)} problems (e.g. {some})"
