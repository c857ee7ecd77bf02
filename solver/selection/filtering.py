"""Filtering (AlphaCode, section 4.5): run every distinct sample on the statement's examples and
keep those that pass. Samples are deduplicated by normalised source first; the distinct ones are
judged in parallel by an executor (solver.selection.executor; by default over the judge's workers).
The judge caches compiled programs and runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from contests.model import Problem
from judge.interface import Judge
from judge.verdicts import Verdict
from solver.selection.executor import Executor, LocalExecutor


@dataclass(frozen=True)
class Candidate:
    """One sampled program."""

    id: str  # unique within one solve, e.g. "s17"
    source: str
    language: str
    index: int  # position in draw order, 0-based
    seconds: float = 0.0  # solver seconds when it was drawn
    logprob: float | None = None  # summed over its tokens
    tokens: int | None = None
    value: float | None = None  # a value head's score, where the source has one


@dataclass(frozen=True)
class FilterResult:
    drawn: int
    distinct: tuple[Candidate, ...]
    passed: tuple[Candidate, ...]  # in draw order
    verdicts: dict[str, str] = field(default_factory=dict)  # distinct candidate id -> verdict on the examples
    messages: dict[str, str] = field(default_factory=dict)  # ... and the judge's message
    duplicates: dict[str, str] = field(default_factory=dict)  # duplicate id -> id of its first copy
    notes: tuple[str, ...] = ()


def normalise_source(source: str) -> str:
    """The source without what cannot change behaviour: line endings, trailing spaces, blank lines."""
    lines = (line.rstrip() for line in source.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def dedupe(candidates: Sequence[Candidate]) -> tuple[list[Candidate], dict[str, str]]:
    """The first of each group of identical programs (same language, same normalised source), and
    which later ones copied which."""
    first: dict[tuple[str, str], str] = {}
    distinct, duplicates = [], {}
    for c in candidates:
        key = (c.language, normalise_source(c.source))
        if key in first:
            duplicates[c.id] = first[key]
        else:
            first[key] = c.id
            distinct.append(c)
    return distinct, duplicates


def filter_on_examples(judge: Judge, problem: Problem, candidates: Sequence[Candidate], *,
                       progress: Callable[[int, int], None] | None = None,
                       executor: Executor | None = None) -> FilterResult:
    """Judge each distinct candidate on PROBLEM's examples (through EXECUTOR, by default the local
    one over JUDGE's workers); PROGRESS(done, total) after each."""
    distinct, duplicates = dedupe(candidates)
    if not problem.examples:
        return FilterResult(len(candidates), tuple(distinct), tuple(distinct), {}, {}, duplicates,
                            ("the problem has no examples: every distinct sample is kept",))
    verdicts, messages = {}, {}
    executor = executor or LocalExecutor(judge)
    results = executor.map(lambda j, c: j.judge(c.source, c.language, problem, tests=problem.examples),
                           distinct, "csim-filter")
    for done, (c, result) in enumerate(zip(distinct, results), 1):
        verdicts[c.id] = result.verdict.value
        messages[c.id] = result.message
        if progress is not None:
            progress(done, len(distinct))
    passed = tuple(c for c in distinct if verdicts[c.id] == Verdict.OK.value)
    return FilterResult(len(candidates), tuple(distinct), passed, verdicts, messages, duplicates)
