"""Plain data for problems, contests and standings. Rules and maths live in their own modules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

# Codeforces' usual limits, used where a source (e.g. a CodeContests record) gives none.
DEFAULT_TIME_LIMIT = 2.0  # seconds
DEFAULT_MEMORY_LIMIT = 256 * 1024 * 1024  # bytes

# A language is an id as data here (python, cpp, java, ...): which languages exist, and how each
# runs, is judge.languages' registry, one file per language; contests only checks an id's shape.
LANGUAGE_ID = re.compile(r"[a-z][a-z0-9_]*")

# Fewer hidden tests than this and a problem's tests are flagged weak in reports: an accepted
# program may well be wrong. AlphaCode (Li et al. 2022) found 62% of the programs accepted on
# CodeContests' raw Codeforces tests (at most ~10 per problem in the data we have) to be wrong,
# 4% once generated tests were added; 50 sits well above the raw regime. A judgment between two
# measured points, not a measured boundary (docs/methodology.md).
WEAK_TESTS_BELOW = 50

# Contest rule sets (see contests/scoring.py for what each means).
RULES = ("cf-points", "cf-icpc", "icpc")



def as_utc(moment: datetime | None) -> datetime | None:
    """MOMENT as an aware UTC time: csim stores UTC, and SQLite and some files give it back naive."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class TestCase:
    __test__ = False  # not a pytest class

    input: str
    output: str  # the expected answer; for "print any" problems, one valid answer among several


@dataclass(frozen=True)
class Checker:
    """How an output is compared with the expected answer.

    kind: "tokens" (testlib wcmp: whitespace-separated tokens), "float" (tokens, numbers equal
    within abs_eps or rel_eps), "lines" (exact lines, trailing whitespace ignored), or "testlib"
    (a checker program run as `checker input output answer`, source given here).
    """

    kind: str = "tokens"
    abs_eps: float = 1e-6
    rel_eps: float = 1e-6
    case_sensitive: bool = True
    source: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Solution:
    source: str
    language: str  # a language id of judge.languages (LANGUAGE_ID)
    correct: bool = True
    name: str = ""


@dataclass
class Problem:
    id: str  # stable identifier, e.g. "1041E"
    name: str  # human title, e.g. "Tree Reconstruction"
    statement: str = ""
    examples: list[TestCase] = field(default_factory=list)  # the statement's examples
    tests: list[TestCase] = field(default_factory=list)  # hidden tests, in judging order
    time_limit: float = DEFAULT_TIME_LIMIT  # seconds
    memory_limit: int = DEFAULT_MEMORY_LIMIT  # bytes
    limits_defaulted: bool = False  # True when the source had no limits and the defaults above apply
    checker: Checker = field(default_factory=Checker)
    interactive: bool = False
    points: float | None = None  # value in a points round
    rating: int | None = None  # Codeforces difficulty rating
    tags: list[str] = field(default_factory=list)
    solutions: list[Solution] = field(default_factory=list)  # reference solutions, correct and not
    contest_id: str | None = None
    index: str | None = None  # "A", "B1", ...
    origin: str = ""  # where it was read from, for messages
    generated_tests: int = 0  # how many of `tests` (the last ones) were generated, not the contest's own

    @property
    def judgeable(self) -> bool:
        """Whether a submission can be judged: hidden tests, and not interactive (the judge has no
        interactors). A problem that is not judgeable counts as unsolved in a replay."""
        return bool(self.tests) and not self.interactive

    @property
    def correct_solutions(self) -> list[Solution]:
        return [s for s in self.solutions if s.correct]

    @property
    def incorrect_solutions(self) -> list[Solution]:
        return [s for s in self.solutions if not s.correct]


@dataclass(frozen=True)
class ProblemResult:
    """One participant's result on one problem, where the source records it."""

    points: float = 0.0
    rejected: int = 0  # rejected attempts (before the accepted one if accepted)
    minute: int | None = None  # minute of the accepted attempt, None if unsolved
    accepted: bool = False


@dataclass
class StandingRow:
    handle: str
    points: float  # points (cf-points) or solved count (ICPC-style); can be negative with hacks
    penalty: int = 0  # minutes, ICPC-style rounds; 0 for points rounds
    rank: int | None = None  # official place; ties share the best place as Codeforces shows it
    old_rating: int | None = None
    new_rating: int | None = None
    rated: bool = True
    problem_results: dict[str, ProblemResult] = field(default_factory=dict)  # by problem index


@dataclass
class Contest:
    id: str
    name: str
    rules: str = "cf-points"  # one of RULES
    duration_minutes: int = 120
    start_time: datetime | None = None
    problems: list[Problem] = field(default_factory=list)  # the contest's problems, judgeable or not
    standings: list[StandingRow] = field(default_factory=list)
    made_up: bool = False  # True for invented standings (the demo), never for real data
    # False when the standings carry no points (imported from rating changes alone: each row's
    # points are then minus its place, which keeps the order and ties but places nothing).
    points_known: bool = True
    origin: str = ""
    # Whether `problems` is the contest's full problem list. Sources that do not list the problems
    # (carrot rows, rating changes alone) leave it False until the user declares the list.
    problem_list_known: bool = True
    date_source: str = ""  # where start_time came from, e.g. "contest.standings startTimeSeconds"

    @property
    def judgeable(self) -> int:
        """How many of the contest's problems can be judged; fewer than all: results are lower bounds."""
        return sum(p.judgeable for p in self.problems)

    def problem(self, index: str) -> Problem:
        for p in self.problems:
            if p.index == index:
                return p
        raise KeyError(f"contest {self.id} has no problem {index!r}")
