"""The store on SQLite and on the real PostgreSQL server: migrations, keys, transactions, concurrency."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from contests.demo import demo_contest
from judge.verdicts import JudgeResult, TestResult, Verdict
from simulator.schedule import Timed
from simulator.store import SolverIdentity, Store, migrate
from simulator.store.models import Base, ContestRef, Judgment, ProblemRef, ProblemResultRow, Run, SolverVersion, SubmissionRow
from solver.interface import SampleStats, SolveResult, Submission

ROOT = Path(__file__).resolve().parents[2]
IDENTITY = SolverIdentity("test-solver", "1", "abc123", {"temperature": 0.25}, None)


def count(store: Store, model) -> int:
    with store.transaction() as s:
        return s.scalar(select(func.count()).select_from(model))


def solve_result(problem_id: str, n: int) -> tuple[SolveResult, list[Timed]]:
    subs = tuple(Submission(f"print({i})", "python", i, ready_after=float(i)) for i in range(n))
    return SolveResult(problem_id, subs, SampleStats(drawn=n)), [Timed(s, 14.0 + s.order, True) for s in subs]


def test_migrations_create_exactly_the_models(db_url):
    with Store(db_url) as store:
        assert migrate.current_revision(store.engine) == migrate.head_revision()
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == []


def test_downgrade_to_nothing_and_up_again(db_url):
    with Store(db_url) as store:
        migrate.downgrade(store.engine, "base")
        assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(store.engine)
        assert "submissions" in inspect(store.engine).get_table_names()
    with Store(db_url) as again:  # opening an up-to-date database changes nothing
        assert migrate.current_revision(again.engine) == migrate.head_revision()


def test_an_old_database_is_upgraded_on_open_with_its_data_kept(db_url):
    from sqlalchemy import text

    from simulator.store.engine import make_engine

    engine = make_engine(db_url)
    migrate.upgrade(engine, "0001")  # as csim's first schema left it: 32-bit seeds
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO solver_versions (digest, name, version, code_revision, config, created_at) "
                          "VALUES ('d', 'old', '0', 'r', '{}', CURRENT_TIMESTAMP)"))
        version = conn.scalar(text("SELECT id FROM solver_versions"))
        conn.execute(text("INSERT INTO runs (solver_version_id, seed, settings, status, message, progress_done, "
                          "progress_total, solve_seconds, judge_seconds, created_at) "
                          "VALUES (:v, 5, '{}', 'done', '', 0, 0, 0, 0, CURRENT_TIMESTAMP)"), {"v": version})
        run = conn.scalar(text("SELECT id FROM runs"))
    engine.dispose()
    with Store(db_url) as store:
        assert migrate.current_revision(store.engine) == migrate.head_revision() != "0001"
        assert (store.run(run).seed, store.run(run).solver_version.name) == (5, "old")
        big = store.create_run(version, 2**40 + 3, {}, [])
        assert store.run(big).seed == 2**40 + 3


def test_identities_and_references_are_recorded_once(db_url):
    contest = demo_contest()
    with Store(db_url) as store:
        first = store.solver_version(IDENTITY)
        assert store.solver_version(IDENTITY) == first
        assert store.solver_version(replace(IDENTITY, config={"temperature": 0.5})) != first
        ids = store.record_contest(contest)
        assert store.record_contest(contest) == ids
        assert sorted(ids) == ["A", "B", "C", "D", "E"]
        assert count(store, SolverVersion) == 2
        assert count(store, ContestRef) == 1
        assert count(store, ProblemRef) == 5
        with store.transaction() as s:
            ref = s.get(ContestRef, contest.id)
            assert (ref.rules, ref.duration_minutes, ref.made_up, ref.participants) == ("cf-points", 120, True, 300)


def test_a_problem_is_recorded_whole_or_not_at_all(db_url):
    contest = demo_contest()
    with Store(db_url) as store:
        problem_row = store.record_contest(contest)["A"]
        run = store.create_run(store.solver_version(IDENTITY), 0, {"contests": [contest.id]}, [contest.id])
        result, timed = solve_result("demo-A", 3)
        with pytest.raises(IntegrityError):  # two submissions with one order: the unique key refuses it
            store.record_solve(run, contest.id, problem_row, 7, result, timed + [timed[0]])
        assert store.problem_result(run, problem_row) is None
        assert store.submissions(run, problem_row) == []

        store.record_solve(run, contest.id, problem_row, 7, result, timed)
        with pytest.raises(IntegrityError):  # the same problem answered twice in one run
            store.record_solve(run, contest.id, problem_row, 7, result, timed)
        assert [s.order for s in store.submissions(run, problem_row)] == [0, 1, 2]
        assert count(store, ProblemResultRow) == 1


def test_a_judgment_is_stored_once_and_attached_to_its_submission(db_url):
    contest = demo_contest()
    verdict = JudgeResult(Verdict.WA, (TestResult(0, Verdict.OK), TestResult(1, Verdict.WA)))
    with Store(db_url) as store:
        problem_row = store.record_contest(contest)["B"]
        version = store.solver_version(IDENTITY)
        runs = [store.create_run(version, seed, {}, [contest.id]) for seed in (0, 1)]
        for run in runs:
            result, timed = solve_result("demo-B", 1)
            store.record_solve(run, contest.id, problem_row, 1, result, timed)
        stored = store.record_judgment(runs[0], problem_row, 0, "k" * 64, verdict, 0.5)
        reused = store.record_judgment(runs[1], problem_row, 0, "k" * 64, None)  # the second run reuses it
        assert (stored.verdict, stored.failed_test) == (reused.verdict, reused.failed_test) == ("WA", 1)
        assert count(store, Judgment) == 1
        for run in runs:
            (sub,) = store.submissions(run, problem_row)
            assert (sub.verdict, sub.failed_test, sub.judgment_key) == ("WA", 1, "k" * 64)
            assert [t["verdict"] for t in sub.tests] == ["OK", "WA"]
        assert store.run(runs[0]).judge_seconds == pytest.approx(0.5)
        assert store.run(runs[1]).judge_seconds == 0.0


WRITER = textwrap.dedent("""
    import sys, time
    from contests.demo import demo_contest
    from judge.verdicts import JudgeResult, TestResult, Verdict
    from simulator.schedule import Timed
    from simulator.store import SolverIdentity, Store
    from solver.interface import SampleStats, SolveResult, Submission

    db, start_file, tag = sys.argv[1], sys.argv[2], sys.argv[3]
    while not __import__("os").path.exists(start_file):
        time.sleep(0.01)
    contest = demo_contest()
    store = Store(db)
    version = store.solver_version(SolverIdentity("test-solver", "1", "abc123", {"temperature": 0.25}, None))
    ids = store.record_contest(contest)
    for seed in range(3):
        run = store.create_run(version, seed, {"tag": tag}, [contest.id])
        for index, row in ids.items():
            subs = tuple(Submission(f"print({i})", "python", i, 0.0) for i in range(3))
            store.record_solve(run, contest.id, row, seed, SolveResult(index, subs, SampleStats(drawn=3)),
                               [Timed(s, 14.0, True) for s in subs])
            for s in subs:
                verdict = Verdict.OK if s.order == 2 else Verdict.WA
                store.record_judgment(run, row, s.order, f"{index}-{s.order}".ljust(64, "x"),
                                      JudgeResult(verdict, (TestResult(0, verdict),)), 0.01)
            store.record_problem_score(run, row, solved=True, points=1.0, attempts=3)
    print("ok", tag)
""")


def test_an_internal_error_is_shown_but_never_stored_for_reuse(db_url):
    # A transient judge failure stored by key became every later run's result on the same store.
    contest = demo_contest()
    failed = JudgeResult(Verdict.IE, (TestResult(0, Verdict.IE, message="sandbox failure"),), message="sandbox failure")
    with Store(db_url) as store:
        problem_row = store.record_contest(contest)["B"]
        run = store.create_run(store.solver_version(IDENTITY), 0, {}, [contest.id])
        result, timed = solve_result("demo-B", 1)
        store.record_solve(run, contest.id, problem_row, 1, result, timed)
        shown = store.record_judgment(run, problem_row, 0, "i" * 64, failed, 0.5)
        assert shown.verdict == "IE"
        assert store.judgment("i" * 64) is None and count(store, Judgment) == 0
        (sub,) = store.submissions(run, problem_row)
        assert (sub.verdict, sub.judgment_key) == ("IE", None)
        assert store.run(run).judge_seconds == pytest.approx(0.5)


def test_cached_internal_errors_of_an_older_store_are_dropped_on_open(db_url):
    from sqlalchemy import text

    from simulator.store.engine import make_engine

    contest = demo_contest()
    with Store(db_url) as store:
        problem_row = store.record_contest(contest)["B"]
        run = store.create_run(store.solver_version(IDENTITY), 0, {}, [contest.id])
        result, timed = solve_result("demo-B", 2)
        store.record_solve(run, contest.id, problem_row, 1, result, timed)
        store.record_judgment(run, problem_row, 1, "w" * 64, JudgeResult(Verdict.WA, (TestResult(0, Verdict.WA),)))
    engine = make_engine(db_url)
    migrate.downgrade(engine, "0003")
    with engine.begin() as conn:  # what an earlier csim wrote: IE cached by key
        conn.execute(text("INSERT INTO judgments (key, verdict, failed_test, result, seconds, created_at) "
                          "VALUES (:k, 'IE', 0, '{}', 0, CURRENT_TIMESTAMP)"), {"k": "i" * 64})
        conn.execute(text("UPDATE submissions SET judgment_key = :k, verdict = 'IE' WHERE \"order\" = 0"),
                     {"k": "i" * 64})
    engine.dispose()
    with Store(db_url) as store:
        assert store.judgment("i" * 64) is None
        assert store.judgment("w" * 64).verdict == "WA"
        subs = store.submissions(run, problem_row)
        assert [(s.verdict, s.judgment_key) for s in subs] == [("IE", None), ("WA", "w" * 64)]


def test_two_writers_at_once_do_not_corrupt_each_other(db_url, tmp_path):
    Store(db_url).close()  # migrated up front; racing migrations are covered by the replay tests
    start = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, db_url, str(start), tag], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for tag in ("p", "q")]
    start.touch()
    outputs = [p.communicate(timeout=240) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err[-3000:]
    with Store(db_url) as store:
        assert count(store, SolverVersion) == 1
        assert count(store, ContestRef) == 1 and count(store, ProblemRef) == 5
        assert count(store, Run) == 6
        assert count(store, SubmissionRow) == 6 * 5 * 3
        assert count(store, Judgment) == 5 * 3  # both writers raced on the same keys: one row each
        assert count(store, ProblemResultRow) == 6 * 5
        with store.transaction() as s:
            assert s.scalar(select(func.count()).select_from(SubmissionRow).where(SubmissionRow.verdict.is_(None))) == 0
            assert set(s.scalars(select(Run.progress_done))) == {5}


def test_a_database_from_a_newer_csim_is_refused_in_one_line(tmp_path):
    from sqlalchemy import text

    from contests.errors import DataError

    db = tmp_path / "csim.db"
    with Store(db) as store, store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(DataError, match="schema: cannot migrate this database"):
        Store(db)
