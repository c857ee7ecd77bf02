"""The store's tables, as SQLAlchemy 2.0 typed ORM classes.

Every row a replay writes has a natural unique key (run x contest, run x problem, run x problem x
order, judgment digest), so a replay that is killed and restarted finds what it already wrote
instead of writing it twice. Contests and problems are references (ids, rules, ratings), not copies
of their tests: the contest library and the demo loader hold those.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Double,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict: JSON, list: JSON, float: Double, datetime: DateTime(timezone=True)}


class SolverVersion(Base):
    """One solver as it behaves: the same digest means the same name, version, code, config and weights."""

    __tablename__ = "solver_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(200))
    code_revision: Mapped[str] = mapped_column(String(200))
    config: Mapped[dict]
    checkpoint_digest: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContestRef(Base):
    __tablename__ = "contests"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    rules: Mapped[str] = mapped_column(String(20))
    duration_minutes: Mapped[int]
    start_time: Mapped[datetime | None]
    made_up: Mapped[bool] = mapped_column(Boolean, default=False)
    participants: Mapped[int] = mapped_column(default=0)
    origin: Mapped[str] = mapped_column(Text, default="")
    problem_count: Mapped[int | None]  # the contest's full problem list, judgeable or not; None: unknown

    problems: Mapped[list[ProblemRef]] = relationship(back_populates="contest", order_by="ProblemRef.position")


class ProblemRef(Base):
    __tablename__ = "problems"
    __table_args__ = (UniqueConstraint("contest_id", "index", name="uq_problems_contest_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[str] = mapped_column(ForeignKey("contests.id"))
    index: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    problem_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))
    rating: Mapped[int | None]
    points: Mapped[float | None]
    tests: Mapped[int] = mapped_column(default=0)
    tags: Mapped[list] = mapped_column(default=list)
    limits_defaulted: Mapped[bool] = mapped_column(Boolean, default=False)
    judgeable: Mapped[bool] = mapped_column(Boolean, default=True)  # False: no hidden tests (interactive, not in the data)
    examples: Mapped[int] = mapped_column(default=0)  # the statement's examples
    generated_tests: Mapped[int] = mapped_column(default=0)  # of `tests`, how many were generated (CodeContests)

    contest: Mapped[ContestRef] = relationship(back_populates="problems")


class Run(Base):
    """One replay: a solver version over some contests with one seed and fixed settings."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    solver_version_id: Mapped[int] = mapped_column(ForeignKey("solver_versions.id"))
    seed: Mapped[int] = mapped_column(BigInteger)
    settings: Mapped[dict]
    label: Mapped[str | None] = mapped_column(String(200))
    group_key: Mapped[str | None] = mapped_column(String(64), index=True)  # runs started together, one per seed
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending running done failed
    message: Mapped[str] = mapped_column(Text, default="")
    progress_done: Mapped[int] = mapped_column(default=0)  # problems finished
    progress_total: Mapped[int] = mapped_column(default=0)
    solve_seconds: Mapped[float] = mapped_column(default=0.0)
    judge_seconds: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    solver_version: Mapped[SolverVersion] = relationship()
    contests: Mapped[list[RunContest]] = relationship(order_by="RunContest.position")


class RunContest(Base):
    __tablename__ = "run_contests"
    __table_args__ = (UniqueConstraint("run_id", "contest_id", name="uq_run_contests"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    contest_id: Mapped[str] = mapped_column(ForeignKey("contests.id"))
    position: Mapped[int]  # date order: the order the sequential rating takes them in

    contest: Mapped[ContestRef] = relationship()


class Judgment(Base):
    """One judging of one program on one problem's hidden tests, keyed by everything that decides
    its verdict; a restart (or another run) that needs the same judging reuses this row."""

    __tablename__ = "judgments"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(8))
    failed_test: Mapped[int | None]
    result: Mapped[dict]  # JudgeResult.to_dict()
    seconds: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SubmissionRow(Base):
    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("run_id", "problem_id", "order", name="uq_submissions_run_problem_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    contest_id: Mapped[str] = mapped_column(ForeignKey("contests.id"))
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id"))
    order: Mapped[int]
    language: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text)
    minute: Mapped[float]  # simulated submission time, minutes from the contest start
    in_time: Mapped[bool] = mapped_column(Boolean, default=True)  # False: after the end, never submitted
    ready_after: Mapped[float] = mapped_column(default=0.0)
    samples_drawn: Mapped[int] = mapped_column(default=0)
    cluster_size: Mapped[int] = mapped_column(default=1)
    reason: Mapped[str] = mapped_column(Text, default="")
    judgment_key: Mapped[str | None] = mapped_column(ForeignKey("judgments.key"))
    verdict: Mapped[str | None] = mapped_column(String(8))  # None: not judged (yet, or never: after an accept)
    failed_test: Mapped[int | None]
    tests: Mapped[list | None]  # per-test results
    judged_at: Mapped[datetime | None]


class ProblemResultRow(Base):
    __tablename__ = "problem_results"
    __table_args__ = (UniqueConstraint("run_id", "problem_id", name="uq_problem_results"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    contest_id: Mapped[str] = mapped_column(ForeignKey("contests.id"))
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id"))
    solver_seed: Mapped[int] = mapped_column(BigInteger)
    stats: Mapped[dict]  # SampleStats
    notes: Mapped[list] = mapped_column(default=list)
    solve_seconds: Mapped[float] = mapped_column(default=0.0)
    scored: Mapped[bool] = mapped_column(Boolean, default=False)  # all judging done and the score below set
    solved: Mapped[bool] = mapped_column(Boolean, default=False)
    points: Mapped[float] = mapped_column(default=0.0)
    penalty: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)  # rejected attempts that count under the rules
    attempts: Mapped[int] = mapped_column(default=0)  # submissions judged
    minute: Mapped[int | None]
    pass_at_1: Mapped[float | None]
    pass_at_10: Mapped[float | None]
    ten_at_k: Mapped[float | None]  # 10@k, AlphaCode's Algorithm 1, k = samples drawn

    problem: Mapped[ProblemRef] = relationship()


class SampleOutcomeRow(Base):
    """One drawn sample of a problem in a run replayed with --sample-metrics (solver.interface.SampleOutcome):
    written with the solver's answer, read by the selection analysis (simulator.analysis.selection)."""

    __tablename__ = "sample_outcomes"
    __table_args__ = (UniqueConstraint("run_id", "problem_id", "index", name="uq_sample_outcomes"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id"))
    index: Mapped[int]  # draw order, 0-based
    language: Mapped[str] = mapped_column(String(20))
    passed_examples: Mapped[bool] = mapped_column(Boolean)
    passed_hidden: Mapped[bool | None] = mapped_column(Boolean)  # None: not judged (failed the examples)
    cluster: Mapped[int | None]  # rank of its behaviour cluster, 0: the largest; None: not clustered
    duplicate_of: Mapped[int | None]  # index of the earlier identical sample
    submitted: Mapped[int | None]  # submission order where the solver chose it
    logprob: Mapped[float | None]  # summed over its tokens, where the source gives one
    tokens: Mapped[int | None]
    value: Mapped[float | None]  # a value head's score, where the source gives one


class ContestResultRow(Base):
    __tablename__ = "contest_results"
    __table_args__ = (UniqueConstraint("run_id", "contest_id", name="uq_contest_results"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    contest_id: Mapped[str] = mapped_column(ForeignKey("contests.id"))
    solved: Mapped[int]
    points: Mapped[float]
    penalty: Mapped[int]
    rank: Mapped[int]
    worst_rank: Mapped[int]
    participants: Mapped[int]
    percentile: Mapped[float]  # share of participants strictly better, in percent (AlphaCode)
    performance: Mapped[float | None]
    rating_change: Mapped[int | None]  # what a newcomer would have got
    made_up: Mapped[bool] = mapped_column(Boolean, default=False)
    problems: Mapped[int | None]  # the contest's problems, judgeable or not
    judgeable: Mapped[int | None]  # of those, the ones with hidden tests; fewer: the result is a lower bound
    worst_percentile: Mapped[float | None]  # percentile at the worst place of a tie
    codeelo_performance: Mapped[float | None]  # CodeElo's definition, beside `performance` (Codeforces')
    newcomer_rating: Mapped[int | None]  # the rating the newcomer was rated with
    unrated: Mapped[int | None]  # standings rows left out of rating and performance

    contest: Mapped[ContestRef] = relationship()


class RatingEstimate(Base):
    __tablename__ = "rating_estimates"
    __table_args__ = (UniqueConstraint("run_id", "kind", name="uq_rating_estimates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # "sequential" (AlphaCode), "mean-performance" (CodeElo)
    value: Mapped[float]
    details: Mapped[dict] = mapped_column(default=dict)


class GenerationRow(Base):
    """One sample drawn from an outside model (solver.backends), kept so that nothing is asked twice.

    request_key digests (backend, model identity, prompt, sampling parameters, seed); with the
    sample's index it is the row's key. Token counts and request seconds are the sample's cost."""

    __tablename__ = "generations"
    __table_args__ = (UniqueConstraint("request_key", "index", name="uq_generations_request_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_key: Mapped[str] = mapped_column(String(64), index=True)
    index: Mapped[int]
    backend: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(500))  # checkpoint digest (hf) or the served model's name
    prompt_digest: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict]  # SamplingParams
    seed: Mapped[int] = mapped_column(BigInteger)  # the draw's seed (each sample's own is derived from it)
    problem_id: Mapped[str] = mapped_column(String(200), index=True)
    language: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)  # the model's answer as it came
    source: Mapped[str | None] = mapped_column(Text)  # the code extracted from it; None: none could be
    extraction: Mapped[str] = mapped_column(String(200))  # how the code was found, or why it was not
    finish_reason: Mapped[str | None] = mapped_column(String(40))
    prompt_tokens: Mapped[int | None]
    completion_tokens: Mapped[int | None]
    seconds: Mapped[float] = mapped_column(default=0.0)  # the request's latency
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LibraryContest(Base):
    """A contest of the team's library (`csim contests import --db URL`): what `contests list` shows,
    and its native directory (contests.native) as files in LibraryFile, so any machine on the same
    database replays it without a local copy."""

    __tablename__ = "library_contests"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    rules: Mapped[str] = mapped_column(String(20))
    start_time: Mapped[datetime | None]
    duration_minutes: Mapped[int]
    problems: Mapped[int]
    participants: Mapped[int]
    made_up: Mapped[bool] = mapped_column(Boolean, default=False)
    problem_list_known: Mapped[bool] = mapped_column(Boolean, default=False)
    judgeable: Mapped[int] = mapped_column(default=0)
    date_source: Mapped[str] = mapped_column(Text, default="")
    digest: Mapped[str] = mapped_column(String(64))  # of its files: two imports of the same contest match
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class LibraryFile(Base):
    """One file of a library contest's native directory, zlib-compressed (tests compress well)."""

    __tablename__ = "library_files"

    contest_id: Mapped[str] = mapped_column(ForeignKey("library_contests.id", ondelete="CASCADE"), primary_key=True)
    path: Mapped[str] = mapped_column(String(500), primary_key=True)  # relative, '/'-separated
    size: Mapped[int]  # uncompressed bytes
    content: Mapped[bytes] = mapped_column(LargeBinary)
