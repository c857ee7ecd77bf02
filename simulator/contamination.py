"""Contamination: a contest that started before a model's training data ends may be in that data,
so its result says little about the model. Under a cut-off such contests are refused, or, when the
user allows them, named in every output of the run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timezone

from contests.errors import DataError
from contests.model import Contest

CONTAMINATED_NOTE = ("Contests {contests} started before the model's training cut-off ({cutoff}) or on an unknown "
                     "date: the model may have seen them, so their results overstate it.")


def contaminated_contests(contests: Sequence[Contest], cutoff: date) -> list[str]:
    """The contests that started before CUTOFF (UTC), or whose start is unknown (never shown clean)."""
    limit = datetime(cutoff.year, cutoff.month, cutoff.day, tzinfo=timezone.utc)
    out = []
    for c in contests:
        start = c.start_time
        if start is not None and start.tzinfo is None:
            start = start.replace(tzinfo=timezone.utc)
        if start is None or start < limit:
            out.append(c.id)
    return out


def check_cutoff(contests: Sequence[Contest], cutoff: str | None, allow: bool) -> list[str]:
    """The contaminated contests under CUTOFF (an ISO date); a one-line refusal if any and not ALLOW."""
    if cutoff is None:
        return []
    found = contaminated_contests(contests, date.fromisoformat(cutoff))
    if found and not allow:
        shown = ", ".join(found[:10]) + (f" and {len(found) - 10} more" if len(found) > 10 else "")
        raise DataError("--model-cutoff", None, f"{len(found)} of {len(contests)} contests started before the model's "
                                                f"training cut-off {cutoff} or on an unknown date ({shown}); replay "
                                                f"contests after it (--after {cutoff}) or pass --allow-contaminated "
                                                f"to run them marked as such")
    return found
