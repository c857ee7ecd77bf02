"""A replay in its own process, for the tests that kill one (SIGKILL) and resume it.

    python sim_replay_worker.py DB LOG new SEED        # creates a run, prints its id, replays it
    python sim_replay_worker.py DB LOG resume RUN_ID   # resumes a run

Replays the demo contest with a ScriptedSolver that submits a wrong program before the correct one
to every problem: ten judgings, so that a test can kill it more than once on the way. Before every judging it appends "KEY INDEX ORDER" to LOG (flushed and
synced), so the test can see exactly what was judged, and when.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sim_helpers import ScriptedSolver  # noqa: E402

from contests.demo import demo_contest  # noqa: E402
from judge.runner import Judge, JudgeConfig  # noqa: E402
from simulator.components import solver_identity  # noqa: E402
from simulator.replay import Replayer, ReplaySettings  # noqa: E402
from simulator.store import Store  # noqa: E402

PLAN = {**{f"demo-{i}": ["incorrect", "correct"] for i in "ABC"}, **{f"demo-{i}": ["wrong", "correct"] for i in "DE"}}


def main() -> None:
    db, log_path, mode, number = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    contest = demo_contest()
    solver = ScriptedSolver(PLAN)
    settings = ReplaySettings()
    store = Store(db)
    if mode == "new":
        version = store.solver_version(solver_identity(solver, "test"))
        store.record_contest(contest)
        run = store.create_run(version, number, {**settings.to_dict(), "contests": [contest.id]}, [contest.id])
    else:
        run = number
    print(run, flush=True)

    log = open(log_path, "a", encoding="utf-8")

    def before_judge(key: str, index: str, order: int) -> None:
        log.write(f"{key} {index} {order}\n")
        log.flush()
        os.fsync(log.fileno())

    with Judge(JudgeConfig(sandbox="local")) as judge:
        Replayer(store, solver, judge, "test-judge", settings, before_judge=before_judge).run(run, [contest])
    print("done", flush=True)


if __name__ == "__main__":
    main()
