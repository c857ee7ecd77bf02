"""When each of a solver's submissions would have been sent during the contest.

Three schedules:
- "alphacode": AlphaCode's simulated timing (Li et al. 2022, App. D.1): per problem, submit the
  first program, then up to 5 in all, then the rest, at 0.1 / 0.5 / 0.9 of the contest (elapsed
  time; their Table A5 gives 14 / 62 / 110 minutes for 2 hours), or earlier when the solver had
  already drawn the samples that submission needed; each time plus 120 s for clustering. We read
  "then 5" as five submissions in all by the second stage (AlphaCode's own tables do not say
  more). How early "earlier" is comes from the submission's `samples_drawn` out of the samples
  the solver really drew for the problem (not the budget: a samples file of 4 programs is not
  1000 samples of which 4 came first), with sampling spread over the first 90% of the contest,
  as in AlphaCode's last stage.
- "fixed:M": every submission at minute M (e.g. to compare solvers without timing effects).
- "measured": the solver's own measured time for the problem (Submission.ready_after seconds);
  problems are taken as worked on in parallel from the start.

A submission whose time falls after the end of the contest is never made.
"""

from __future__ import annotations

from dataclasses import dataclass

from contests.errors import DataError
from solver.interface import Submission

STAGE_FRACTIONS = (0.1, 0.5, 0.9)
STAGE_SUBMISSIONS = (1, 5)  # submissions in all by the end of the first and second stage
CLUSTERING_MINUTES = 2.0  # AlphaCode's 120 s for clustering before each stage's submissions


@dataclass(frozen=True)
class Schedule:
    kind: str  # "alphacode", "fixed" or "measured"
    minute: float = 0.0  # for "fixed"

    def __str__(self) -> str:
        return f"fixed:{self.minute:g}" if self.kind == "fixed" else self.kind


@dataclass(frozen=True)
class Timed:
    submission: Submission
    minute: float  # from the contest start
    in_time: bool  # False: after the end of the contest, so never submitted


def parse_schedule(text: str) -> Schedule:
    if text in ("alphacode", "measured"):
        return Schedule(text)
    if text.startswith("fixed:"):
        try:
            minute = float(text.split(":", 1)[1])
        except ValueError:
            minute = -1.0
        if minute >= 0:
            return Schedule("fixed", minute)
    raise DataError("--schedule", None, f"unknown schedule {text!r}: expected alphacode, measured or fixed:MINUTE")


def stage_of(order: int) -> int:
    for stage, cumulative in enumerate(STAGE_SUBMISSIONS):
        if order < cumulative:
            return stage
    return len(STAGE_SUBMISSIONS)


def alphacode_minute(order: int, samples_drawn: int, drawn: int, duration_minutes: int) -> float:
    """The minute AlphaCode's schedule sends submission ORDER (0-based), before monotonicity;
    SAMPLES_DRAWN of the DRAWN samples were needed for it."""
    fraction = STAGE_FRACTIONS[stage_of(order)]
    if samples_drawn > 0 and drawn > 0:
        ready = STAGE_FRACTIONS[-1] * min(samples_drawn, drawn) / drawn
        fraction = min(fraction, ready)
    return fraction * duration_minutes + CLUSTERING_MINUTES


def schedule_submissions(submissions: list[Submission] | tuple[Submission, ...], schedule: Schedule,
                         duration_minutes: int, drawn: int) -> list[Timed]:
    """Give each submission (in the solver's order) its simulated minute; never earlier than the one
    before. DRAWN: the samples the solver drew for this problem (SampleStats.drawn)."""
    timed, previous = [], 0.0
    for sub in sorted(submissions, key=lambda s: s.order):
        if schedule.kind == "alphacode":
            minute = alphacode_minute(sub.order, sub.samples_drawn, drawn, duration_minutes)
        elif schedule.kind == "fixed":
            minute = schedule.minute
        elif schedule.kind == "measured":
            minute = sub.ready_after / 60.0
        else:
            raise ValueError(f"unknown schedule kind {schedule.kind!r}")
        minute = max(minute, previous)
        previous = minute
        timed.append(Timed(sub, minute, minute <= duration_minutes))
    return timed
