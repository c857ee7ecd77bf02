"""A replay killed with SIGKILL midway resumes where it stopped: the same final results as an
uninterrupted run, no duplicate rows, and no submission judged twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from simulator.store import Store
from simulator.store.models import ContestResultRow, Judgment, ProblemResultRow, RatingEstimate, SubmissionRow

WORKER = Path(__file__).resolve().parent / "replay_worker.py"
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def start(db: str, log: Path, mode: str, number: int) -> subprocess.Popen:
    # A session of its own, so that SIGKILL reaches the replay and every process it started.
    return subprocess.Popen([sys.executable, str(WORKER), db, str(log), mode, str(number)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def finish(proc: subprocess.Popen) -> int:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    return int(out.split()[0])


def log_lines(log: Path) -> list[tuple[str, str, int]]:
    if not log.exists():
        return []
    return [(k, i, int(o)) for k, i, o in (line.split() for line in log.read_text().splitlines())]


def kill_after(proc: subprocess.Popen, log: Path, judgings: int) -> None:
    """SIGKILL the replay once it has started JUDGINGS more judgings (that is, midway through one)."""
    target = len(log_lines(log)) + judgings
    deadline = time.monotonic() + 180
    while len(log_lines(log)) < target:
        assert proc.poll() is None, f"the replay ended before it could be killed: {proc.stderr.read()[-2000:]}"
        assert time.monotonic() < deadline, "the replay made no progress"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def committed_keys(db: str) -> set[str]:
    with Store(db) as store, store.transaction() as s:
        return set(s.scalars(select(Judgment.key)))


def final_results(db: str, run: int) -> dict:
    with Store(db) as store:
        return {
            "contests": [(r.contest_id, r.solved, r.points, r.penalty, r.rank, r.worst_rank, r.participants,
                          r.percentile, r.performance, r.rating_change) for r in store.contest_results(run)],
            "problems": [(p.problem.index, p.solved, p.points, p.penalty, p.rejected, p.attempts, p.minute)
                         for p in store.problem_results(run)],
            "submissions": [(s.problem_id, s.order, s.minute, s.verdict, s.failed_test)
                            for s in store.submissions(run)],
            "ratings": {k: r.value for k, r in store.ratings(run).items()},
            "status": store.run(run).status,
            "progress": (store.run(run).progress_done, store.run(run).progress_total),
        }


def row_counts(db: str, run: int) -> dict:
    with Store(db) as store, store.transaction() as s:
        def n(model, *where):
            return s.scalar(select(func.count()).select_from(model).where(*where))
        return {
            "submissions": n(SubmissionRow, SubmissionRow.run_id == run),
            "distinct submissions": len(set(s.execute(select(SubmissionRow.problem_id, SubmissionRow.order)
                                                      .where(SubmissionRow.run_id == run)).all())),
            "problem results": n(ProblemResultRow, ProblemResultRow.run_id == run),
            "contest results": n(ContestResultRow, ContestResultRow.run_id == run),
            "ratings": n(RatingEstimate, RatingEstimate.run_id == run),
            "judgments": n(Judgment),
        }


def test_a_replay_killed_twice_ends_as_if_never_killed(db_url, tmp_path):
    baseline_db = f"sqlite:///{tmp_path / 'baseline.db'}"
    baseline_log = tmp_path / "baseline.log"
    baseline = finish(start(baseline_db, baseline_log, "new", 0))
    expected = final_results(baseline_db, baseline)

    log = tmp_path / "judged.log"
    proc = start(db_url, log, "new", 0)
    run = int(proc.stdout.readline())
    snapshots = []
    for judgings in (2, 3):  # killed in its 2nd judging, resumed, killed in its 3rd judging after that
        kill_after(proc, log, judgings)
        snapshots.append((len(log_lines(log)), committed_keys(db_url)))
        assert final_results(db_url, run)["status"] == "running"  # killed: nothing got to mark it
        proc = start(db_url, log, "resume", run)
    assert finish(proc) == run

    assert final_results(db_url, run) == expected
    counts = row_counts(db_url, run)
    assert counts["submissions"] == counts["distinct submissions"] == len(expected["submissions"])
    assert (counts["problem results"], counts["contest results"], counts["ratings"]) == (5, 1, 2)

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
