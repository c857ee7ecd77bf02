"""Scoring rules: what one problem's attempts are worth, and a contest total.

Three rule sets (contests.model.RULES):

- "cf-points" (Codeforces points rounds, blog entry 456 / contest rules, blog entry 4088): a
  problem worth x accepted at minute t of a d-minute round scores
  max(0.3x, x(1 - 0.48 t/d) - 50w), w = rejected attempts before the accepted one. Codeforces
  states this as "x/250 per minute" for a 2-hour round, i.e. x(1 - 0.004 t) at d = 120, and
  x/375 for 3 hours: the same 0.52x left at the end, hence 0.48 t/d in general. Points rounds are
  ranked on points alone: the penalty is 0.
- "cf-icpc" (Codeforces Educational, Div. 3 and Div. 4 rounds): 1 per solved problem; penalty =
  minute of acceptance + 10 per rejected attempt before it, over solved problems only.
- "icpc" (classic ICPC): the same with 20 minutes per rejected attempt.

Minutes are whole minutes elapsed, rounded DOWN (a submission at 10:59 is minute 10): Codeforces
standings print and count elapsed hh:mm truncated, and ICPC rules round submission times down
to minutes (e.g. Kattis' ICPC rules: "the time of submission is rounded down to minutes").
The points themselves are not rounded: Codeforces' API keeps problem points as floating-point
numbers.

Hacks (which move human points up and down) are not modelled: a simulated participant neither
hacks nor is hacked, as in AlphaCode's evaluation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from contests.model import RULES

# Verdict strings are the judge's Verdict values (judge.verdicts.Verdict), repeated here because
# contests may not import judge.
ACCEPTED = "OK"
VERDICTS = ("OK", "WA", "PE", "TLE", "MLE", "OLE", "RE", "CE", "IE")

# Minutes added per rejected attempt, by rule set (cf-points charges points instead, see below).
PENALTY_MINUTES = {"cf-icpc": 10, "icpc": 20}
POINTS_PER_REJECTION = 50  # cf-points
MIN_SHARE = 0.3  # cf-points: a solved problem never scores below 0.3x
DECAY_AT_END = 0.48  # cf-points: x loses 0.48x over the whole round


@dataclass(frozen=True)
class Attempt:
    minute: float  # minutes since the start of the contest (fractions allowed; floored when scored)
    verdict: str  # one of VERDICTS
    failed_test: int | None = None  # 0-based index of the first failed test; None if none failed


@dataclass(frozen=True)
class ProblemScore:
    solved: bool
    points: float  # cf-points: the problem's score; ICPC-style: 1 if solved else 0
    penalty: int  # ICPC-style: minute + per-rejection minutes if solved, else 0; cf-points: 0
    rejected: int  # rejected attempts counted before the accepted one (all counted ones if unsolved)
    minute: int | None  # whole minute of the accepted attempt, None if unsolved


def check_rules(rules: str) -> str:
    if rules not in RULES:
        raise ValueError(f"unknown rules {rules!r}; expected one of {', '.join(RULES)}")
    return rules


def counts_as_rejected(rules: str, verdict: str, failed_test: int | None) -> bool:
    """Whether a (non-accepted) attempt counts as a rejected attempt under RULES.

    - Codeforces ("cf-points", "cf-icpc"): a compilation error and a failure on the first test
      are not counted (Codeforces contest rules, blog entry 4088; Educational round announcements
      repeat it for ICPC-style rounds).
    - Classic ICPC ("icpc"): every judgement except accepted, compile error and judge error
      counts (ICPC / Kattis rules: "Penalty is given for all judgements except Accepted,
      Compile Error and Judge Error").
    - IE (the judge's own fault) never counts, under any rules.
    """
    check_rules(rules)
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}; expected one of {', '.join(VERDICTS)}")
    if verdict in (ACCEPTED, "CE", "IE"):
        return False
    if rules in ("cf-points", "cf-icpc") and failed_test == 0:
        return False
    return True


def whole_minute(minute: float) -> int:
    """Elapsed minutes as contests count them: rounded down."""
    if minute < 0:
        raise ValueError(f"attempt at minute {minute}: before the contest started")
    return math.floor(minute)


def cf_points(points: float, duration_minutes: float, minute: int, rejected: int) -> float:
    """max(0.3x, x(1 - 0.48 t/d) - 50w): a Codeforces points-round problem's score."""
    decayed = points * (1 - DECAY_AT_END * minute / duration_minutes)
    return max(MIN_SHARE * points, decayed - POINTS_PER_REJECTION * rejected)


def problem_score(rules: str, points: float | None, duration_minutes: float,
                  attempts: Sequence[Attempt]) -> ProblemScore:
    """Score one problem from its attempts, given in time order.

    Attempts after the first accepted one are ignored. POINTS is the problem's value in a
    points round (ignored by ICPC-style rules)."""
    check_rules(rules)
    if rules == "cf-points" and (points is None or points <= 0):
        raise ValueError("a points round needs the problem's points")
    if duration_minutes <= 0:
        raise ValueError("the contest duration must be positive")
    rejected = 0
    for attempt in attempts:
        if attempt.verdict == ACCEPTED:
            minute = whole_minute(attempt.minute)
            if rules == "cf-points":
                return ProblemScore(True, cf_points(points, duration_minutes, minute, rejected), 0, rejected, minute)
            return ProblemScore(True, 1.0, minute + PENALTY_MINUTES[rules] * rejected, rejected, minute)
        if counts_as_rejected(rules, attempt.verdict, attempt.failed_test):
            rejected += 1
    return ProblemScore(False, 0.0, 0, rejected, None)


def contest_score(rules: str, problem_scores: Iterable[ProblemScore]) -> tuple[float, int]:
    """(points, penalty) of one participant: the sum over problems.

    ICPC-style points are the solved count; only solved problems carry a penalty."""
    check_rules(rules)
    scores = list(problem_scores)
    points = sum(s.points for s in scores if s.solved)
    penalty = 0 if rules == "cf-points" else sum(s.penalty for s in scores if s.solved)
    return points, penalty
