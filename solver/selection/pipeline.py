"""From many sampled programs to up to 10 submissions, the way every sampling solver chooses:
filter on the examples, generate inputs, run the survivors on them, drop inputs most of them
crash on, cluster by behaviour and pick one per cluster, largest first."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from contests.model import Problem
from judge.interface import Judge
from judge.verdicts import Verdict
from solver.interface import Budget, SampleOutcome, SampleStats, SolveResult, Submission
from solver.selection.clustering import Cluster, Pick, cluster_programs, pick_submissions
from solver.selection.executor import Executor, LocalExecutor
from solver.selection.filtering import Candidate, FilterResult, filter_on_examples
from solver.selection.testgen.generate import generate_inputs, invalid_inputs

MAX_CLUSTERED = 8192  # AlphaCode clustered at most this many samples


@dataclass(frozen=True)
class Progress:
    """Callbacks for long work: each gets (done, total)."""

    filtering: Callable[[int, int], None] | None = None
    clustering: Callable[[int, int], None] | None = None


def select(judge: Judge, problem: Problem, candidates: Sequence[Candidate], budget: Budget, seed: int, *,
           sampling_seconds: float = 0.0, notes: Sequence[str] = (), progress: Progress = Progress(),
           executor: Executor | None = None) -> SolveResult:
    """Choose up to budget.max_submissions of CANDIDATES (in draw order), running every judge call
    through EXECUTOR (by default the local one over JUDGE's workers).

    A submission's ready_after is when its program was drawn plus the time this selection took
    (AlphaCode adds its clustering time alike); samples_drawn is how many samples had been drawn
    by then."""
    start = time.perf_counter()
    notes = list(notes)
    executor = executor or LocalExecutor(judge)
    filtered = filter_on_examples(judge, problem, candidates, progress=progress.filtering, executor=executor)
    notes += filtered.notes
    passed = list(filtered.passed[:MAX_CLUSTERED])
    if len(filtered.passed) > MAX_CLUSTERED:
        notes.append(f"clustered the first {MAX_CLUSTERED} of {len(filtered.passed)} samples passing the examples")
    clusters, picks = [], []
    if passed:
        generated = generate_inputs(problem, budget.clustering_inputs, seed)
        notes += generated.notes
        inputs = list(generated.inputs)
        outcomes = _execute_all(executor, problem, passed, inputs, progress.clustering)
        faults = sum(o.verdict is Verdict.IE for c in passed for o in outcomes[c.id])
        if faults:  # the judge's fault, not the programs': said, never hidden by running again
            notes.append(f"the judge failed (IE) on {faults} of {len(passed) * len(inputs)} runs on generated inputs")
        dropped = set(invalid_inputs([[o.verdict is Verdict.OK for o in outcomes[c.id]] for c in passed]))
        if dropped:
            notes.append(f"dropped {len(dropped)} of {len(inputs)} generated inputs as probably invalid "
                         f"(most programs passing the examples failed on them)")
        table = {c.id: [o.stdout if o.verdict is Verdict.OK else None
                        for i, o in enumerate(outcomes[c.id]) if i not in dropped] for c in passed}
        clusters = cluster_programs(table, [c.id for c in passed], problem.checker)
        picks = pick_submissions(clusters, budget.max_submissions)
    else:
        notes.append("no sample passed the examples: nothing to submit")
    selection = time.perf_counter() - start
    by_id = {c.id: c for c in passed}
    submissions = tuple(
        Submission(source=by_id[p.program].source, language=by_id[p.program].language, order=p.order,
                   ready_after=by_id[p.program].seconds + selection, samples_drawn=by_id[p.program].index + 1,
                   cluster_size=p.cluster_size, reason=p.reason)
        for p in picks)
    copies = Counter(filtered.duplicates.values())  # first copy's id -> how many later duplicates
    drawn_copies = {c.id: 1 + copies[c.id] for c in filtered.passed}
    passed_hidden, samples = None, ()
    if budget.judge_hidden:
        # The examples are among the hidden tests on Codeforces, so a sample that failed them
        # fails the hidden tests too: judging the ones that passed gives every sample's outcome.
        accepted = {c.id for c in _accepted_on_hidden(executor, problem, filtered.passed)}
        passed_hidden = sum(drawn_copies[c] for c in accepted)
        samples = sample_outcomes(candidates, filtered, clusters, picks, accepted)
    stats = SampleStats(drawn=filtered.drawn, distinct=len(filtered.distinct),
                        passed_examples=sum(drawn_copies.values()), clusters=len(clusters), passed_hidden=passed_hidden)
    return SolveResult(problem.id, submissions, stats, sampling_seconds + selection, tuple(notes), samples)


def sample_outcomes(candidates: Sequence[Candidate], filtered: FilterResult, clusters: Sequence[Cluster],
                    picks: Sequence[Pick], accepted: set[str]) -> tuple[SampleOutcome, ...]:
    """Every candidate's outcome in draw order, from what the selection computed: a duplicate shares
    its first copy's verdicts and cluster; ACCEPTED holds the ids that passed the hidden tests."""
    passed = {c.id for c in filtered.passed}
    cluster_of = {member: c.rank for c in clusters for member in c.members}
    order_of = {p.program: p.order for p in picks}
    index_of = {c.id: c.index for c in candidates}
    out = []
    for c in candidates:
        first = filtered.duplicates.get(c.id, c.id)
        out.append(SampleOutcome(
            index=c.index, language=c.language, passed_examples=first in passed,
            passed_hidden=(first in accepted) if first in passed else None, cluster=cluster_of.get(first),
            duplicate_of=index_of[first] if first != c.id else None, submitted=order_of.get(c.id),
            logprob=c.logprob, tokens=c.tokens, value=c.value))
    return tuple(out)


def _accepted_on_hidden(executor: Executor, problem: Problem, programs: Sequence[Candidate]) -> list[Candidate]:
    verdicts = executor.map(lambda j, c: j.judge(c.source, c.language, problem).accepted, programs, "csim-hidden")
    return [c for c, ok in zip(programs, verdicts) if ok]


def _execute_all(executor: Executor, problem: Problem, programs: list[Candidate], inputs: list[str],
                 progress: Callable[[int, int], None] | None) -> dict[str, list]:
    if not inputs:
        return {c.id: [] for c in programs}
    out = {}
    runs = executor.map(lambda j, c: j.execute(c.source, c.language, inputs, time_limit=problem.time_limit,
                                               memory_limit=problem.memory_limit), programs, "csim-cluster")
    for done, (c, outcomes) in enumerate(zip(programs, runs), 1):
        out[c.id] = outcomes
        if progress is not None:
            progress(done, len(programs))
    return out
