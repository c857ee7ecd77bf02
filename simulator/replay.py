"""Replay contests against a solver: solve, schedule, judge, score, place, rate; everything stored.

A replay is resumable at any point. Per problem it stores the solver's answer (with the scheduled
submissions) in one transaction; then judges the submissions in order, committing each verdict
with its submission, until one is accepted; then scores the problem. On a restart each step finds
what was stored and goes on from there: the solver is not asked again for a problem it answered,
and a submission already judged is not judged again. Judgings are also keyed by everything that
decides them (problem tests and limits, language, source, judge configuration), so a later run
that submits the same program to the same problem reuses the stored verdict.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from contests.errors import DataError
from contests.metrics import n_at_k, pass_at_k
from contests.model import Contest, Problem
from contests.rating import (
    ContestResult,
    contest_newcomer_rating,
    needs_newcomer_rating,
    place_in_contest,
    placement_rows,
    rating_percentile,
    sequential_rating,
)
from contests.scoring import Attempt, ProblemScore, contest_score, problem_score
from judge.interface import Judge
from simulator.schedule import parse_schedule, schedule_submissions
from simulator.store import Store
from solver.interface import Budget, SolveResult, Solver, Submission

ProgressHook = Callable[[int, int, str], None]  # (problems done, problems in all, what is happening)
JudgeHook = Callable[[str, str, int], None]  # (judgment key, problem index, submission order), before judging


@dataclass(frozen=True)
class ReplaySettings:
    """Everything besides the solver and the seed that decides a run's results."""

    schedule: str = "alphacode"  # see simulator.schedule
    samples: int = 1000
    max_submissions: int = 10
    clustering_inputs: int = 50
    start_rating: int | None = None  # sequential rating's start; None: the newcomer rating of the first contest
    newcomer_rating: int | None = None  # None: by each contest's date (an undated contest with ratings is refused)
    sample_metrics: bool = False  # judge every sample passing the examples on the hidden tests: pass@k, 10@k

    def budget(self) -> Budget:
        return Budget(samples=self.samples, max_submissions=self.max_submissions,
                      clustering_inputs=self.clustering_inputs, judge_hidden=self.sample_metrics)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ReplaySettings:
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})


# ------------------------------------------------------------------ keys and seeds

def problem_seed(run_seed: int, contest_id: str, index: str) -> int:
    """The seed the solver gets for one problem: fixed by the run's seed, different per problem, and
    below 2^31 so that any random generator takes it."""
    digest = hashlib.sha256(f"{run_seed}/{contest_id}/{index}".encode()).hexdigest()
    return int(digest[:8], 16) & 0x7FFFFFFF


def problem_digest(problem: Problem) -> str:
    """A digest of everything in a problem that decides a verdict."""
    h = hashlib.sha256()
    c = problem.checker
    h.update(json.dumps([problem.time_limit, problem.memory_limit, problem.interactive, c.kind, c.abs_eps,
                         c.rel_eps, c.case_sensitive, c.source, c.language]).encode())
    for test in problem.tests:
        for text in (test.input, test.output):
            h.update(hashlib.sha256(text.encode()).digest())
    return h.hexdigest()


def judgment_key(problem_digest_: str, language: str, source: str, judge_fingerprint: str) -> str:
    blob = json.dumps([problem_digest_, language, hashlib.sha256(source.encode()).hexdigest(), judge_fingerprint])
    return hashlib.sha256(blob.encode()).hexdigest()


def check_contest(contest: Contest) -> None:
    """Refuse, before any work, a contest that cannot be replayed. A contest replays over its full
    problem list: problems that cannot be judged (no hidden tests, interactive) count as unsolved,
    as AlphaCode counted interactive problems, and the result is then a lower bound."""
    where = contest.origin or contest.id
    if not contest.problem_list_known:
        raise DataError(where, "problems", f"contest {contest.id}: its full problem list is unknown (the source "
                        "does not list it); import it again with --problem-index A,B,C,... (and --problems "
                        "FILE.jsonl for the tests)")
    if not contest.problems:
        raise DataError(where, "problems", f"contest {contest.id} has no problems")
    if not contest.standings:
        raise DataError(where, "standings", f"contest {contest.id} has no standings to place a result among")
    if not contest.judgeable:
        raise DataError(where, "tests", f"contest {contest.id}: none of its {len(contest.problems)} problems can be "
                        "judged (no hidden tests); attach tests with `csim contests import ... --problems FILE.jsonl`")
    for p in contest.problems:
        # a problem that cannot be judged scores 0 whatever its value, so only judgeable ones need points
        if contest.rules == "cf-points" and p.judgeable and not p.points:
            raise DataError(where, f"problems[{p.index}].points", f"contest {contest.id} is a points round: "
                            f"problem {p.index} needs its points")


def not_judgeable_note(problem: Problem) -> str:
    why = "interactive: the judge has no interactors" if problem.interactive else "no hidden tests"
    return f"not judgeable ({why}): counted as unsolved, so the contest's result is a lower bound"


def drawn_samples(result: SolveResult, chosen: Sequence[Submission]) -> int:
    """How many samples the solver really drew for a problem: what AlphaCode's schedule spreads over
    the contest (not the budget, which a samples file of 4 programs never reaches)."""
    return max([result.stats.drawn] + [s.samples_drawn for s in chosen])


def check_placement(contest: Contest, newcomer: int | None = None) -> None:
    """Refuse, before any work, a contest whose result could not be placed or rated: standings
    without points, or ratings without a date or an explicit newcomer rating."""
    placement_rows(contest)
    if needs_newcomer_rating(contest):
        contest_newcomer_rating(contest, newcomer)


# ------------------------------------------------------------------ one problem

def sample_metrics(stats: dict, seed: int) -> dict:
    """pass@1, pass@10 and 10@k from a solver's sample counts, where it judged every sample."""
    drawn, hidden = stats.get("drawn", 0), stats.get("passed_hidden")
    if hidden is None or drawn <= 0:
        return {"pass_at_1": None, "pass_at_10": None, "ten_at_k": None}
    examples = min(max(stats.get("passed_examples", 0), hidden), drawn)
    return {
        "pass_at_1": pass_at_k(drawn, hidden, 1),
        "pass_at_10": pass_at_k(drawn, hidden, 10) if drawn >= 10 else None,
        "ten_at_k": float(n_at_k(10, drawn, drawn, examples, hidden, rng=seed)[0]),
    }


@dataclass
class Replayer:
    """Replays one run. The store, solver and judge are passed in; nothing here is global."""

    store: Store
    solver: Solver
    judge: Judge
    judge_fingerprint: str
    settings: ReplaySettings
    on_progress: ProgressHook | None = None
    before_judge: JudgeHook | None = None

    def run(self, run_id: int, contests: Sequence[Contest]) -> None:
        """Replay (or resume) RUN_ID over CONTESTS, given in the run's (date) order."""
        run = self.store.run(run_id)
        if run is None:
            raise DataError("--run", None, f"no run {run_id} in {self.store.where}")
        for contest in contests:
            check_contest(contest)
            check_placement(contest, self.settings.newcomer_rating)
        total = sum(len(c.problems) for c in contests)
        self.store.start_run(run_id, total)
        try:
            done = 0
            for contest in contests:
                problem_ids = self.store.record_contest(contest)
                scores = []
                for problem in contest.problems:
                    self._progress(done, total, f"{contest.id} {problem.index}: solving and judging")
                    scores.append(self.problem(run_id, run.seed, contest, problem, problem_ids[problem.index]))
                    done += 1
                self.finish_contest(run_id, contest, scores)
                self.store.record_contest_coverage(run_id, contest.id, problems=len(contest.problems),
                                                   judgeable=contest.judgeable)
                self._progress(done, total, f"{contest.id}: placed")
            self.rate(run_id, contests)
        except KeyboardInterrupt:
            self.store.finish_run(run_id, "interrupted", "interrupted; resume with csim replay --resume")
            raise
        except BaseException as e:
            self.store.finish_run(run_id, "failed", f"{type(e).__name__}: {e}")
            raise
        self.store.finish_run(run_id, "done")

    def _progress(self, done: int, total: int, what: str) -> None:
        if self.on_progress:
            self.on_progress(done, total, what)

    def problem(self, run_id: int, run_seed: int, contest: Contest, problem: Problem, problem_row: int) -> ProblemScore:
        row = self.store.problem_result(run_id, problem_row)
        if row is None:
            seed = problem_seed(run_seed, contest.id, problem.index)
            budget = self.settings.budget()
            if problem.judgeable:
                result = self.solver.solve(problem, budget, seed)
                chosen = sorted(result.submissions, key=lambda s: s.order)[:budget.max_submissions]
                timed = schedule_submissions(chosen, parse_schedule(self.settings.schedule), contest.duration_minutes,
                                             drawn_samples(result, chosen))
            else:  # nothing to judge a program on: the solver is not asked
                result, timed = SolveResult(problem.id, (), notes=(not_judgeable_note(problem),)), []
            self.store.record_solve(run_id, contest.id, problem_row, seed, result, timed)
            row = self.store.problem_result(run_id, problem_row)
        if row.scored:
            return ProblemScore(row.solved, row.points, row.penalty, row.rejected, row.minute)
        if not problem.judgeable:
            score = ProblemScore(False, 0.0, 0, 0, None)
            self.store.record_problem_score(run_id, problem_row, solved=False, points=0.0, penalty=0, rejected=0,
                                            attempts=0, minute=None)
            return score

        digest = problem_digest(problem)
        attempts = []
        for sub in self.store.submissions(run_id, problem_row):
            if not sub.in_time:
                break
            verdict, failed = sub.verdict, sub.failed_test
            if verdict is None:
                key = judgment_key(digest, sub.language, sub.source, self.judge_fingerprint)
                stored = self.store.judgment(key)
                if stored is None:
                    if self.before_judge:
                        self.before_judge(key, problem.index, sub.order)
                    started = time.perf_counter()
                    result = self.judge.judge(sub.source, sub.language, problem)
                    stored = self.store.record_judgment(run_id, problem_row, sub.order, key, result,
                                                        time.perf_counter() - started)
                else:
                    stored = self.store.record_judgment(run_id, problem_row, sub.order, key, None)
                verdict, failed = stored.verdict, stored.failed_test
            attempts.append(Attempt(sub.minute, verdict, failed))
            if verdict == "OK":
                break
        score = problem_score(contest.rules, problem.points, contest.duration_minutes, attempts)
        self.store.record_problem_score(run_id, problem_row, solved=score.solved, points=score.points,
                                        penalty=score.penalty, rejected=score.rejected, attempts=len(attempts),
                                        minute=score.minute, **sample_metrics(row.stats, row.solver_seed))
        return score

    # -------------------------------------------------------------- contests and ratings

    def finish_contest(self, run_id: int, contest: Contest, scores: list[ProblemScore]) -> None:
        points, penalty = contest_score(contest.rules, scores)
        solved = sum(s.solved for s in scores)
        spot = place_in_contest(contest, points, penalty, None, self.settings.newcomer_rating, solved)
        self.store.record_contest_result(
            run_id, contest.id, solved=solved, points=points, penalty=penalty,
            rank=spot.rank, worst_rank=spot.worst_rank, participants=spot.participants, unrated=spot.unrated,
            percentile=spot.percentile, worst_percentile=spot.worst_percentile, performance=spot.performance,
            codeelo_performance=spot.codeelo_performance, rating_change=spot.rating_change,
            newcomer_rating=spot.newcomer_rating, made_up=contest.made_up)

    def rate(self, run_id: int, contests: Sequence[Contest]) -> None:
        """AlphaCode's sequential rating over the run's contests (in date order), and the mean of
        each performance definition, where the standings carry ratings. Contests without a
        performance (nothing solved, first place) are named, not silently averaged away."""
        results = {r.contest_id: r for r in self.store.contest_results(run_id)}
        rated = [c for c in contests if results[c.id].rating_change is not None]
        if not rated:
            return
        start = self.settings.start_rating or results[rated[0].id].newcomer_rating
        sequence = [ContestResult(results[c.id].points, results[c.id].penalty, placement_rows(c)[0], c.rules,
                                  results[c.id].newcomer_rating) for c in rated]
        history = sequential_rating(sequence, start)
        everyone = [r.old_rating for c in rated for r in c.standings if r.rated and r.old_rating is not None]
        made_up = any(c.made_up for c in rated)
        self.store.record_rating(run_id, "sequential", float(history[-1]), {
            "start": start, "history": [{"contest": c.id, "rating": h} for c, h in zip(rated, history)],
            "percentile": rating_percentile(history[-1], everyone), "made_up": made_up})
        for kind, column in (("mean-performance", "performance"), ("codeelo-mean-performance", "codeelo_performance")):
            values = {c.id: getattr(results[c.id], column) for c in rated}
            kept = [v for v in values.values() if v is not None]
            if kept:
                self.store.record_rating(run_id, kind, sum(kept) / len(kept), {
                    "contests": len(kept), "left_out": [cid for cid, v in values.items() if v is None],
                    "made_up": made_up})
