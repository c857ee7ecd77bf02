"""What the store costs a replay: milliseconds per judged submission written the way a replay
writes them (the solver's answer per problem in one transaction, then one transaction per verdict,
then the problem's score), on SQLite and on the PostgreSQL server, side by side in one run.

    .venv/bin/python benchmarks/replay_store.py [--problems 60] [--submissions 10]

Prints one JSON object as its last line. For scale: judging one Python submission costs at least
one sandboxed run per test (29-37 ms each here, ../shared/REFERENCES.md "Judges").
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from contests.model import Contest, Problem, StandingRow, TestCase
from judge.verdicts import JudgeResult, TestResult, Verdict
from simulator.schedule import Timed
from simulator.store import SolverIdentity, Store
from solver.interface import SampleStats, SolveResult, Submission

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def contest_of(problems: int) -> Contest:
    return Contest("bench", "benchmark", problems=[
        Problem(f"p{i}", f"problem {i}", tests=[TestCase("1\n", "1\n")], points=500.0, index=f"P{i}")
        for i in range(problems)], standings=[StandingRow("h", 1.0)])


def write_run(store: Store, contest: Contest, submissions: int) -> float:
    """Seconds to write one run's worth of problems, submissions and verdicts."""
    started = time.perf_counter()
    version = store.solver_version(SolverIdentity("bench", "1", "x", {}))
    ids = store.record_contest(contest)
    run = store.create_run(version, 0, {}, [contest.id])
    tests = tuple(TestResult(i, Verdict.OK, 0.01, 0.02, 1 << 20) for i in range(20))
    for problem in contest.problems:
        row = ids[problem.index]
        subs = tuple(Submission(f"print({k})  # {uuid.uuid4()}", "python", k, 0.0) for k in range(submissions))
        store.record_solve(run, contest.id, row, 0, SolveResult(problem.id, subs, SampleStats(drawn=1000)),
                           [Timed(s, 14.0, True) for s in subs])
        for s in subs:
            verdict = Verdict.OK if s.order == submissions - 1 else Verdict.WA
            store.record_judgment(run, row, s.order, uuid.uuid4().hex + uuid.uuid4().hex,
                                  JudgeResult(verdict, tests), 0.1)
        store.record_problem_score(run, row, solved=True, points=400.0, attempts=submissions)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--problems", type=int, default=60)
    parser.add_argument("--submissions", type=int, default=10)
    args = parser.parse_args()
    contest = contest_of(args.problems)
    judged = args.problems * args.submissions
    results = {"problems": args.problems, "submissions_per_problem": args.submissions}

    with tempfile.TemporaryDirectory() as tmp:
        with Store(Path(tmp) / "bench.db") as store:
            write_run(store, contest, 1)  # warm up: migrations, first connection
            results["sqlite_ms_per_submission"] = 1000 * write_run(store, contest, args.submissions) / judged

    name = f"csim_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{PG_SERVER}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        with Store(f"{PG_SERVER}/{name}") as store:
            write_run(store, contest, 1)
            results["postgresql_ms_per_submission"] = 1000 * write_run(store, contest, args.submissions) / judged
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    results["postgresql_over_sqlite"] = results["postgresql_ms_per_submission"] / results["sqlite_ms_per_submission"]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
