"""Contamination: a contest that started before a model's training data ends may be in that data,
so its result says little about the model. Under a cut-off such contests are refused, or, when the
user allows them, named in every output of the run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timezone

from contests.errors import DataError
from contests.model import Contest, as_utc
from solver.model.rundir import RunDir

CONTAMINATED_NOTE = ("Contests {contests} started before the model's training cut-off ({cutoff}) or on an unknown "
                     "date: the model may have seen them, so their results overstate it.")


def contaminated_contests(contests: Sequence[Contest], cutoff: date) -> list[str]:
    """The contests that started before CUTOFF (UTC), or whose start is unknown (never shown clean)."""
    limit = datetime(cutoff.year, cutoff.month, cutoff.day, tzinfo=timezone.utc)
    out = []
    for c in contests:
        start = as_utc(c.start_time)
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


# ------------------------------------------------------------------ csim's own model: its training cut-off

CUTOFF_FILE = RunDir.MODEL_CUTOFF  # in a JAX run directory, written after fine-tuning


def training_cutoff(problems, library_root) -> dict:
    """The cut-off of a model fine-tuned on PROBLEMS: the day after the latest start of their
    contests in the library at LIBRARY_ROOT (a contest on that day may be in the data). Problems whose
    contest the library does not date are counted: with any, the cut-off is only a lower bound."""
    from datetime import timedelta

    from contests.library import ContestLibrary

    dated = {s.id: s.start_time for s in ContestLibrary(library_root).list() if s.start_time is not None}
    starts = [dated[p.contest_id] for p in problems if p.contest_id in dated]
    latest = max(starts, default=None)
    cutoff = (latest.date() + timedelta(days=1)).isoformat() if latest else None
    return {"model_cutoff": cutoff, "problems": len(problems), "dated_problems": len(starts),
            "lower_bound": len(starts) < len(problems)}


def write_training_cutoff(run_dir, problems, library_root) -> dict:
    import json
    from pathlib import Path

    found = training_cutoff(problems, library_root)
    path = Path(run_dir) / CUTOFF_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(found, indent=2), encoding="utf-8")
    tmp.replace(path)
    return found


def read_training_cutoff(run_dir) -> str | None:
    """The cut-off a JAX run recorded, if any (runs fine-tuned before csim recorded it have none)."""
    import json
    from pathlib import Path

    path = Path(run_dir) / CUTOFF_FILE
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("model_cutoff")
    except (ValueError, AttributeError):
        raise DataError(path, "model_cutoff", "not a JSON object") from None
