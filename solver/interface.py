"""What the simulator asks of any solver: a problem and a budget in, up to 10 ranked submissions out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Protocol, runtime_checkable

from contests.model import Problem


@dataclass(frozen=True)
class Budget:
    samples: int = 1000  # programs to draw (or read) for one problem
    max_submissions: int = 10  # AlphaCode: 10 per problem
    clustering_inputs: int = 50  # generated inputs to cluster on
    judge_hidden: bool = False  # also judge every sample passing the examples on the hidden tests (pass@k)


@dataclass(frozen=True)
class Submission:
    source: str
    language: str  # a language id of judge.languages
    order: int  # 0 = submitted first
    ready_after: float  # solver seconds after which this submission existed (measured, for the "measured" schedule)
    samples_drawn: int = 0  # samples drawn by the time it existed (for AlphaCode's schedule)
    cluster_size: int = 1
    reason: str = ""  # why it was chosen, e.g. "cluster 2 of 7 (31 programs)"


@dataclass(frozen=True)
class SampleStats:
    """Counts for pass@k / n@k: how many samples were drawn, passed the examples, and (if judged)
    all tests. drawn, passed_examples and passed_hidden count every drawn sample, duplicates
    included (pass@k is over samples as drawn); distinct and clusters count programs."""

    drawn: int = 0
    distinct: int = 0
    passed_examples: int = 0
    clusters: int = 0
    passed_hidden: int | None = None  # only when the solver judged its samples on the hidden tests
    unextracted: int = 0  # drawn samples that held no code to judge (a model's prose answer); counted in drawn
    # What drawing cost, where the solver asks an outside model (solver.backends); None: not measured.
    requested: int | None = None  # samples asked of the model (the others came from the generation cache)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    request_seconds: float | None = None  # summed over requests (they may overlap)


@dataclass(frozen=True)
class SampleOutcome:
    """What became of one drawn sample: the data behind comparing selection strategies on the same
    samples (simulator.analysis.selection). Only solvers that judge every sample on the hidden
    tests (Budget.judge_hidden) report these."""

    index: int  # position in draw order, 0-based
    language: str
    passed_examples: bool  # False too for a sample holding no code (SampleStats.unextracted)
    passed_hidden: bool | None  # judged only for samples passing the examples; None: not judged
    cluster: int | None  # rank of its behaviour cluster (0: the largest); None: not clustered
    duplicate_of: int | None = None  # index of the earlier identical sample it copies (same outcome)
    submitted: int | None = None  # its submission order where the solver chose it (a first copy only)
    logprob: float | None = None  # summed log-probability of its tokens, where the source gives one
    tokens: int | None = None  # tokens generated, where known (mean log-probability = logprob / tokens)
    value: float | None = None  # a value head's score of "correct", where the source gives one


@dataclass(frozen=True)
class SolveResult:
    problem_id: str
    submissions: tuple[Submission, ...]
    stats: SampleStats = field(default_factory=SampleStats)
    seconds: float = 0.0
    notes: tuple[str, ...] = ()
    samples: tuple[SampleOutcome, ...] = ()  # every drawn sample, in draw order; empty unless Budget.judge_hidden

    def to_dict(self) -> dict:
        return asdict(self)


@runtime_checkable
class Solver(Protocol):
    name: str
    version: str

    def describe(self) -> dict:
        """Everything that identifies this solver's behaviour (config, checkpoint digest...), JSON-able."""

    def solve(self, problem: Problem, budget: Budget, seed: int) -> SolveResult:
        """Up to budget.max_submissions ranked submissions for PROBLEM; the same seed gives the same result."""
