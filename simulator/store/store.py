"""The store: where replays write what they did and reports read it back.

Each method is one short transaction, so a replay killed at any moment leaves only whole records:
a problem's submissions appear together with the solver's answer, a judgment together with the
submission it decides. Inserts that another process may race (contests, solver versions,
judgments) use INSERT ... ON CONFLICT DO NOTHING and then read the winner's row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload, sessionmaker

from contests.model import Contest
from judge.verdicts import JudgeResult, Verdict
from simulator.schedule import Timed
from simulator.store import migrate
from simulator.store.engine import database_url, make_engine, masked_url
from simulator.store.models import (
    ContestRef,
    ContestResultRow,
    Judgment,
    ProblemRef,
    ProblemResultRow,
    RatingEstimate,
    Run,
    RunContest,
    SampleOutcomeRow,
    SolverVersion,
    SubmissionRow,
    utcnow,
)
from solver.interface import SolveResult


@dataclass(frozen=True)
class SolverIdentity:
    name: str
    version: str
    code_revision: str
    config: dict = field(default_factory=dict)
    checkpoint_digest: str | None = None

    @property
    def digest(self) -> str:
        blob = json.dumps(asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


def _insert_ignore(session: Session, model, values: dict, conflict: Sequence[str]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING, in the dialect of the session's database."""
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=list(conflict)))


class Store:
    def __init__(self, db: str | Path):
        self.url = database_url(db)
        self.where = masked_url(self.url)  # how messages name this store: never with its password
        self.engine = make_engine(self.url)
        migrate.upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._sessions.begin() as session:
            yield session

    # ------------------------------------------------------------ identities and references

    def solver_version(self, identity: SolverIdentity) -> int:
        with self.transaction() as s:
            _insert_ignore(s, SolverVersion, {
                "digest": identity.digest, "name": identity.name, "version": identity.version,
                "code_revision": identity.code_revision, "config": identity.config,
                "checkpoint_digest": identity.checkpoint_digest, "created_at": utcnow(),
            }, ["digest"])
            return s.scalar(select(SolverVersion.id).where(SolverVersion.digest == identity.digest))

    def record_contest(self, contest: Contest) -> dict[str, int]:
        """Record (or refresh) a contest and its problems; returns problem index -> problems.id."""
        with self.transaction() as s:
            values = {"name": contest.name, "rules": contest.rules,
                      "duration_minutes": contest.duration_minutes, "start_time": contest.start_time,
                      "made_up": contest.made_up, "participants": len(contest.standings),
                      "origin": contest.origin,
                      "problem_count": len(contest.problems) if contest.problem_list_known else None}
            _insert_ignore(s, ContestRef, {"id": contest.id, **values}, ["id"])
            s.execute(update(ContestRef).where(ContestRef.id == contest.id).values(**values))
            ids = {}
            for position, p in enumerate(contest.problems):
                index = p.index or p.id
                values = {"position": position, "problem_id": p.id, "name": p.name, "rating": p.rating,
                          "points": p.points, "tests": len(p.tests), "tags": list(p.tags),
                          "limits_defaulted": p.limits_defaulted, "judgeable": p.judgeable,
                          "examples": len(p.examples), "generated_tests": p.generated_tests}
                _insert_ignore(s, ProblemRef, {"contest_id": contest.id, "index": index, **values},
                               ["contest_id", "index"])
                where = (ProblemRef.contest_id == contest.id) & (ProblemRef.index == index)
                s.execute(update(ProblemRef).where(where).values(**values))
                ids[index] = s.scalar(select(ProblemRef.id).where(where))
            return ids

    # ------------------------------------------------------------ runs

    def create_run(self, solver_version_id: int, seed: int, settings: dict, contest_ids: Sequence[str],
                   label: str | None = None, group_key: str | None = None) -> int:
        with self.transaction() as s:
            run = Run(solver_version_id=solver_version_id, seed=seed, settings=settings, label=label,
                      group_key=group_key, status="pending")
            s.add(run)
            s.flush()
            for position, contest_id in enumerate(contest_ids):
                s.add(RunContest(run_id=run.id, contest_id=contest_id, position=position))
            return run.id

    def run(self, run_id: int) -> Run | None:
        with self.transaction() as s:
            return s.scalar(select(Run).where(Run.id == run_id).options(
                selectinload(Run.solver_version), selectinload(Run.contests).selectinload(RunContest.contest)))

    def runs(self, limit: int | None = None) -> list[Run]:
        with self.transaction() as s:
            query = select(Run).options(selectinload(Run.solver_version)).order_by(Run.id.desc())
            return list(s.scalars(query.limit(limit) if limit else query))

    def group_runs(self, group_key: str) -> list[Run]:
        with self.transaction() as s:
            return list(s.scalars(select(Run).where(Run.group_key == group_key).order_by(Run.id)
                                  .options(selectinload(Run.solver_version))))

    def start_run(self, run_id: int, progress_total: int) -> None:
        with self.transaction() as s:
            run = s.get(Run, run_id)
            run.status = "running"
            run.message = ""
            run.progress_total = progress_total
            run.started_at = run.started_at or utcnow()

    def finish_run(self, run_id: int, status: str, message: str = "") -> None:
        with self.transaction() as s:
            run = s.get(Run, run_id)
            run.status = status
            run.message = message
            run.finished_at = utcnow()

    # ------------------------------------------------------------ one problem

    def problem_result(self, run_id: int, problem_row_id: int) -> ProblemResultRow | None:
        with self.transaction() as s:
            return s.scalar(select(ProblemResultRow).where(ProblemResultRow.run_id == run_id,
                                                            ProblemResultRow.problem_id == problem_row_id))

    def submissions(self, run_id: int, problem_row_id: int | None = None) -> list[SubmissionRow]:
        with self.transaction() as s:
            query = select(SubmissionRow).where(SubmissionRow.run_id == run_id)
            if problem_row_id is not None:
                query = query.where(SubmissionRow.problem_id == problem_row_id)
            return list(s.scalars(query.order_by(SubmissionRow.problem_id, SubmissionRow.order)))

    def record_solve(self, run_id: int, contest_id: str, problem_row_id: int, solver_seed: int,
                     result: SolveResult, timed: list[Timed]) -> None:
        """The solver's answer for one problem, its scheduled submissions and its samples' outcomes
        (where it judged them), all or nothing."""
        with self.transaction() as s:
            s.add(ProblemResultRow(run_id=run_id, contest_id=contest_id, problem_id=problem_row_id,
                                   solver_seed=solver_seed, stats=asdict(result.stats), notes=list(result.notes),
                                   solve_seconds=result.seconds))
            for t in timed:
                sub = t.submission
                s.add(SubmissionRow(run_id=run_id, contest_id=contest_id, problem_id=problem_row_id,
                                    order=sub.order, language=sub.language, source=sub.source, minute=t.minute,
                                    in_time=t.in_time, ready_after=sub.ready_after,
                                    samples_drawn=sub.samples_drawn, cluster_size=sub.cluster_size,
                                    reason=sub.reason))
            if result.samples:
                s.execute(insert(SampleOutcomeRow), [{"run_id": run_id, "problem_id": problem_row_id, **asdict(o)}
                                                     for o in result.samples])
            s.execute(update(Run).where(Run.id == run_id).values(solve_seconds=Run.solve_seconds + result.seconds))

    def judgment(self, key: str) -> Judgment | None:
        with self.transaction() as s:
            return s.get(Judgment, key)

    def record_judgment(self, run_id: int, problem_row_id: int, order: int, key: str,
                        result: JudgeResult | None, seconds: float = 0.0) -> Judgment:
        """Attach the judgment KEY to one submission; store RESULT under KEY first when given
        (if another process stored the same key meanwhile, its row wins: same key, same verdict).
        An IE result is the judge's failure, not the program's: the submission shows it, but it
        is never stored under KEY for later runs to reuse (a fresh judging may well succeed)."""
        with self.transaction() as s:
            if result is not None:
                s.execute(update(Run).where(Run.id == run_id).values(judge_seconds=Run.judge_seconds + seconds))
            if result is not None and result.verdict is Verdict.IE:
                judgment, key = Judgment(key=key, verdict=result.verdict.value, failed_test=result.failed_test,
                                         result=result.to_dict(), seconds=seconds), None
            else:
                if result is not None:
                    _insert_ignore(s, Judgment, {"key": key, "verdict": result.verdict.value,
                                                 "failed_test": result.failed_test, "result": result.to_dict(),
                                                 "seconds": seconds, "created_at": utcnow()}, ["key"])
                judgment = s.get(Judgment, key)
            s.execute(update(SubmissionRow).where(
                SubmissionRow.run_id == run_id, SubmissionRow.problem_id == problem_row_id,
                SubmissionRow.order == order).values(
                judgment_key=key, verdict=judgment.verdict, failed_test=judgment.failed_test,
                tests=judgment.result.get("tests", []), judged_at=utcnow()))
            return judgment

    def record_problem_score(self, run_id: int, problem_row_id: int, **score) -> None:
        """Score one problem (solved, points, penalty, rejected, attempts, minute, pass@k...) and count it done."""
        with self.transaction() as s:
            s.execute(update(ProblemResultRow).where(ProblemResultRow.run_id == run_id,
                                                     ProblemResultRow.problem_id == problem_row_id)
                      .values(scored=True, **score))
            done = s.scalar(select(func.count()).select_from(ProblemResultRow).where(
                ProblemResultRow.run_id == run_id, ProblemResultRow.scored.is_(True)))
            s.execute(update(Run).where(Run.id == run_id).values(progress_done=done))

    # ------------------------------------------------------------ contests and ratings

    def contest_result(self, run_id: int, contest_id: str) -> ContestResultRow | None:
        with self.transaction() as s:
            return s.scalar(select(ContestResultRow).where(ContestResultRow.run_id == run_id,
                                                            ContestResultRow.contest_id == contest_id))

    def record_contest_result(self, run_id: int, contest_id: str, **values) -> None:
        with self.transaction() as s:
            _insert_ignore(s, ContestResultRow, {"run_id": run_id, "contest_id": contest_id, **values},
                           ["run_id", "contest_id"])

    def record_contest_coverage(self, run_id: int, contest_id: str, *, problems: int, judgeable: int) -> None:
        """What a contest result covers: the contest's PROBLEMS, of which JUDGEABLE could be judged."""
        with self.transaction() as s:
            s.execute(update(ContestResultRow).where(ContestResultRow.run_id == run_id,
                                                     ContestResultRow.contest_id == contest_id)
                      .values(problems=problems, judgeable=judgeable))

    def record_rating(self, run_id: int, kind: str, value: float, details: dict) -> None:
        with self.transaction() as s:
            _insert_ignore(s, RatingEstimate, {"run_id": run_id, "kind": kind, "value": value,
                                               "details": details}, ["run_id", "kind"])
            s.execute(update(RatingEstimate).where(RatingEstimate.run_id == run_id, RatingEstimate.kind == kind)
                      .values(value=value, details=details))

    # ------------------------------------------------------------ reading a run back

    def contest_results(self, run_id: int) -> list[ContestResultRow]:
        with self.transaction() as s:
            return list(s.scalars(
                select(ContestResultRow).join(RunContest, (RunContest.run_id == ContestResultRow.run_id)
                                              & (RunContest.contest_id == ContestResultRow.contest_id))
                .where(ContestResultRow.run_id == run_id).order_by(RunContest.position)
                .options(selectinload(ContestResultRow.contest))))

    def problem_results(self, run_id: int) -> list[ProblemResultRow]:
        with self.transaction() as s:
            return list(s.scalars(
                select(ProblemResultRow).join(ProblemRef).join(RunContest, (RunContest.run_id == ProblemResultRow.run_id)
                                                               & (RunContest.contest_id == ProblemRef.contest_id))
                .where(ProblemResultRow.run_id == run_id).order_by(RunContest.position, ProblemRef.position)
                .options(selectinload(ProblemResultRow.problem))))

    def sample_outcomes(self, run_id: int) -> dict[int, list[SampleOutcomeRow]]:
        """Per problem row id, the outcomes of its drawn samples in draw order (none: not stored)."""
        with self.transaction() as s:
            out: dict[int, list[SampleOutcomeRow]] = {}
            for row in s.scalars(select(SampleOutcomeRow).where(SampleOutcomeRow.run_id == run_id)
                                 .order_by(SampleOutcomeRow.problem_id, SampleOutcomeRow.index)):
                out.setdefault(row.problem_id, []).append(row)
            return out

    def ratings(self, run_id: int) -> dict[str, RatingEstimate]:
        with self.transaction() as s:
            return {r.kind: r for r in s.scalars(select(RatingEstimate).where(RatingEstimate.run_id == run_id))}
