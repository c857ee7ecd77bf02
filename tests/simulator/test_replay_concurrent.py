"""Two replays writing to one database at once (a fresh one: even its migration is raced)."""

from __future__ import annotations

import pytest

from sim_helpers import final_results, finish, log_lines, row_counts, start

pytestmark = pytest.mark.slow


def test_two_replays_at_once_on_a_fresh_database(db_url, tmp_path):
    procs = [start(db_url, tmp_path / f"{n}.log", "new", n) for n in (0, 1)]
    runs = [finish(p) for p in procs]
    assert sorted(runs) == [1, 2]
    first, second = (final_results(db_url, run) for run in runs)
    assert first["status"] == second["status"] == "done"
    # the same solver on the same problems: the same results whichever seed and whoever judged first
    assert {k: v for k, v in first.items() if k != "submissions"} == {k: v for k, v in second.items() if k != "submissions"}
    for run in runs:
        counts = row_counts(db_url, run)
        assert counts["submissions"] == counts["distinct submissions"] == 10
        assert (counts["problem results"], counts["contest results"], counts["ratings"]) == (5, 1, 3)  # 3 rating kinds
    judged = [k for n in (0, 1) for k, _, _ in log_lines(tmp_path / f"{n}.log")]
    # each distinct program is stored once, however the two replays' judgings interleaved
    assert row_counts(db_url, runs[0])["judgments"] == len(set(judged)) == 10
