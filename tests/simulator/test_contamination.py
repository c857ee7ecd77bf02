"""The contamination cut-off: which contests a model may have seen, and the cut-off a fine-tuned
JAX run records from its training problems' contest dates."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from contests.errors import DataError
from contests.library import ContestLibrary
from contests.model import Contest, Problem
from simulator.contamination import (
    check_cutoff,
    contaminated_contests,
    read_training_cutoff,
    training_cutoff,
    write_training_cutoff,
)


def contest(cid: str, start: datetime | None) -> Contest:
    return Contest(id=cid, name=f"Round {cid}", start_time=start,
                   problems=[Problem(id=f"{cid}A", name="A", contest_id=cid, index="A")])


def test_contests_before_the_cutoff_or_undated_are_contaminated():
    contests = [contest("1", datetime(2024, 12, 31, 23, 59, tzinfo=timezone.utc)),
                contest("2", datetime(2025, 1, 1, 0, 0, tzinfo=timezone.utc)),
                contest("3", datetime(2025, 1, 1, 0, 30)),  # naive: read as UTC
                contest("4", None)]
    assert contaminated_contests(contests, date(2025, 1, 1)) == ["1", "4"]
    assert check_cutoff(contests, "2025-01-01", allow=True) == ["1", "4"]
    assert check_cutoff(contests, None, allow=False) == []
    with pytest.raises(DataError, match="2 of 4 contests started before the model's training cut-off 2025-01-01"):
        check_cutoff(contests, "2025-01-01", allow=False)


def test_a_fine_tuned_run_records_the_day_after_its_latest_training_contest(tmp_path):
    library = ContestLibrary(tmp_path / "lib")
    library.add(contest("100", datetime(2021, 3, 4, 14, 35, tzinfo=timezone.utc)))
    library.add(contest("200", datetime(2022, 7, 9, 17, 5, tzinfo=timezone.utc)))
    library.add(contest("300", datetime(2023, 1, 1, tzinfo=timezone.utc)))  # not trained on
    trained = [Problem(id="100A", name="a", contest_id="100"), Problem(id="200B", name="b", contest_id="200")]
    found = training_cutoff(trained, library.root)
    assert found == {"model_cutoff": "2022-07-10", "problems": 2, "dated_problems": 2, "lower_bound": False}
    # the training contest itself is then refused: it started before the cut-off
    assert contaminated_contests([library.get("200"), library.get("300")], date(2022, 7, 10)) == ["200"]

    unknown = trained + [Problem(id="x", name="x", contest_id="999")]
    run = tmp_path / "run"
    run.mkdir()
    assert read_training_cutoff(run) is None
    assert write_training_cutoff(run, unknown, library.root)["lower_bound"] is True
    assert read_training_cutoff(run) == "2022-07-10"
