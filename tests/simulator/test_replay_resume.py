"""A replay killed with SIGKILL midway resumes where it stopped: the same final results as an
uninterrupted run, no duplicate rows, and no submission judged twice."""

from __future__ import annotations

import pytest

from sim_helpers import committed_keys, final_results, finish, kill_after, log_lines, row_counts, start

pytestmark = pytest.mark.slow


def test_a_replay_killed_twice_ends_as_if_never_killed(db_url, tmp_path):
    baseline_db = f"sqlite:///{tmp_path / 'baseline.db'}"
    baseline_log = tmp_path / "baseline.log"
    baseline = finish(start(baseline_db, baseline_log, "new", 0))
    expected = final_results(baseline_db, baseline)

    log = tmp_path / "judged.log"
    proc = start(db_url, log, "new", 0)
    run = int(proc.stdout.readline())
    snapshots = []
    for judgings in (2, 2):  # killed in its 2nd judging, resumed, killed again two judgings later
        kill_after(proc, log, judgings)
        snapshots.append((len(log_lines(log)), committed_keys(db_url)))
        assert final_results(db_url, run)["status"] == "running"  # killed: nothing got to mark it
        proc = start(db_url, log, "resume", run)
    assert finish(proc) == run

    assert final_results(db_url, run) == expected
    counts = row_counts(db_url, run)
    assert counts["submissions"] == counts["distinct submissions"] == len(expected["submissions"])
    # ratings: sequential, and the mean performance under each definition (Codeforces', CodeElo's)
    assert (counts["problem results"], counts["contest results"], counts["ratings"]) == (5, 1, 3)

    # No committed judging is ever done again: after each kill, the keys judged from then on are
    # all new, except at most the one that was in flight (started, not committed) at the kill.
    lines = log_lines(log)
    for cut, committed in snapshots:
        assert committed <= {k for k, _, _ in lines[:cut]}  # only what was judged got stored
        later = [k for k, _, _ in lines[cut:]]
        assert not committed & set(later), "a judging committed before the kill was done again"
        in_flight = {k for k, _, _ in lines[:cut]} - committed
        assert len(in_flight) <= 1 and set(later) & {k for k, _, _ in lines[:cut]} <= in_flight
    keys = [k for k, _, _ in lines]
    assert set(keys) == committed_keys(db_url)
    assert len(keys) - len(set(keys)) <= len(snapshots)  # only in-flight judgings were redone
    assert counts["judgments"] == len(log_lines(baseline_log)) == len(set(keys))
