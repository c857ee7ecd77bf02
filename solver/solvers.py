"""The solvers the simulator can replay contests against (each implements solver.interface.Solver):

- JaxSolver: samples programs from a trained csim model (solver.sample.Sampler), then filters and
  clusters them down to 10 submissions (solver.solvers_select);
- SamplesFileSolver: the same selection over programs written by any outside model, read from a
  JSON-lines samples file (format in docs/interfaces.md);
- ReferenceSolver: submits the problem's known correct solutions, for sanity checks.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from contests.errors import DataError
from contests.model import LANGUAGES, Problem
from contests.problem_ids import ProblemName, names_problem, resolve_position
from solver.filtering import Candidate
from solver.interface import Budget, SampleStats, SolveResult, Submission
from solver.solvers_select import Progress, select


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


class JaxSolver:
    """Samples budget.samples programs per problem from the model in RUN_DIR (AlphaCode's
    sampling: random ratings and tag sets, half Python half C++, temperature 0.25), then selects."""

    name = "jax"

    def __init__(self, run_dir: str | Path, judge, *, temperature: float = 0.25, top_k: int | None = None,
                 top_p: float | None = None, languages: Sequence[str] = ("python", "cpp"),
                 batch_size: int | None = None, step: int | None = None, headers: str = "random",
                 progress: Progress = Progress()):
        import jax
        import numpy as np

        from solver.sample import Sampler  # JAX is imported only by this solver

        self.run_dir = Path(run_dir)
        if not (self.run_dir / "config.json").is_file():
            raise DataError(self.run_dir, None, "not a run directory (no config.json)")
        self.judge = judge
        self.sampler = Sampler.from_run(self.run_dir, step=step)
        if headers not in ("random", "problem"):
            raise DataError("headers", None, f"expected 'random' or 'problem', not {headers!r}")
        # headers="problem" conditions on the problem's own rating and tags: an oracle for checking
        # a model that memorised its problems, never a fair contest entry (see Sampler.header_for).
        self.options = {"temperature": temperature, "top_k": top_k, "top_p": top_p,
                        "languages": list(languages), "batch_size": batch_size, "headers": headers}
        self.progress = progress
        # The weights themselves identify the checkpoint, whatever the files around them hold.
        leaves = jax.tree.leaves(jax.device_get(self.sampler.params))
        self.checkpoint_digest = _digest(*(np.asarray(x).tobytes() for x in leaves))
        self.version = self.checkpoint_digest[:12]

    def describe(self) -> dict:
        return {"solver": self.name, "checkpoint_digest": self.checkpoint_digest, "sampler": self.sampler.describe(),
                "sampling": self.options}

    def solve(self, problem: Problem, budget: Budget, seed: int) -> SolveResult:
        start = time.perf_counter()
        candidates = [
            Candidate(f"s{s.index}", s.source, s.language, s.index, time.perf_counter() - start, s.logprob)
            for s in self.sampler.sample(problem, budget.samples, seed=seed,
                                         temperature=self.options["temperature"], top_k=self.options["top_k"],
                                         top_p=self.options["top_p"], languages=tuple(self.options["languages"]),
                                         batch_size=self.options["batch_size"], headers=self.options["headers"])
        ]
        return select(self.judge, problem, candidates, budget, seed,
                      sampling_seconds=time.perf_counter() - start, progress=self.progress)


def _records(path: Path):
    """(line number, record) of every sample in a samples file, each checked."""
    with path.open(encoding="utf-8") as f:
        for line_no, text in enumerate(f, 1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as e:
                raise DataError(path, f"line {line_no}", f"not valid JSON ({e.msg})") from None
            if not isinstance(record, dict):
                raise DataError(path, f"line {line_no}", "expected a JSON object")
            for key in ("problem", "language", "source"):
                if not isinstance(record.get(key), str):
                    raise DataError(path, f"line {line_no}: {key}", "missing or not a string")
            if record["language"] not in LANGUAGES:
                raise DataError(path, f"line {line_no}: language",
                                f"unknown language {record['language']!r}; expected one of {', '.join(LANGUAGES)}")
            yield line_no, record


def read_samples(path: str | Path, problem: Problem, limit: int | None = None) -> list[Candidate]:
    """PROBLEM's samples in a samples file, in file order (at most LIMIT); other problems' are
    skipped. A record's `problem` is any name contests.problem_ids accepts (1041E, 1041_E,
    `1041_E. Tree Reconstruction`, the literal CodeContests name)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(path, None, "no such samples file")
    name = ProblemName.of(problem)
    out: list[Candidate] = []
    for _, record in _records(path):
        if not names_problem(record["problem"], name):
            continue
        if limit is not None and len(out) >= limit:
            break
        logprob = record.get("logprob")
        out.append(Candidate(f"s{len(out)}", record["source"], record["language"], len(out), 0.0,
                             float(logprob) if isinstance(logprob, (int, float)) else None))
    return out


@dataclass(frozen=True)
class SamplesCoverage:
    """Which problems of a replay a samples file has samples for (by the one resolver)."""

    samples: dict[str, int]  # problem id -> samples in the file (0: none)
    unmatched: dict[str, int]  # a `problem` of the file that names no problem of the replay -> its samples


def samples_coverage(path: str | Path, problems: Sequence[Problem]) -> SamplesCoverage:
    """Count a samples file's samples per problem of PROBLEMS; a `problem` that names several of
    them is a one-line error (contests.problem_ids.resolve_position)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(path, None, "no such samples file")
    by_name: dict[str, int] = {}
    for _, record in _records(path):
        by_name[record["problem"]] = by_name.get(record["problem"], 0) + 1
    names = [ProblemName.of(p) for p in problems]
    samples = {p.id: 0 for p in problems}
    unmatched = {}
    for query, count in by_name.items():
        if any(names_problem(query, n) for n in names):
            samples[names[resolve_position(query, names, str(path), "problem")].id] += count
        else:
            unmatched[query] = count
    return SamplesCoverage(samples, unmatched)


class SamplesFileSolver:
    """Selects among programs from any outside model, read from a samples file (JSON lines:
    {"problem", "language", "source", ...}); their sampling time is unknown, so each submission is
    ready after the selection's own time."""

    name = "samples"

    def __init__(self, path: str | Path, judge, *, progress: Progress = Progress()):
        self.path = Path(path)
        if not self.path.is_file():
            raise DataError(self.path, None, "no such samples file")
        self.judge = judge
        self.progress = progress
        self.file_digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        self.version = self.file_digest[:12]

    def describe(self) -> dict:
        return {"solver": self.name, "path": str(self.path.resolve()), "file_digest": self.file_digest}

    def coverage(self, problems: Sequence[Problem]) -> SamplesCoverage:
        return samples_coverage(self.path, problems)

    def solve(self, problem: Problem, budget: Budget, seed: int) -> SolveResult:
        candidates = read_samples(self.path, problem, budget.samples)
        notes = () if candidates else (f"{self.path} holds no samples for problem {problem.id}",)
        return select(self.judge, problem, candidates, budget, seed, notes=notes, progress=self.progress)


class ReferenceSolver:
    """Submits the problem's known correct solutions in the order the problem lists them. Given a
    judge, those that pass the examples go first (a stable reorder): a sanity check of the whole
    pipeline whose expected results are known."""

    name = "reference"
    version = "1"

    def __init__(self, judge=None):
        self.judge = judge

    def describe(self) -> dict:
        return {"solver": self.name, "filters_on_examples": self.judge is not None}

    def solve(self, problem: Problem, budget: Budget, seed: int) -> SolveResult:
        start = time.perf_counter()
        solutions = problem.correct_solutions
        passes = [True] * len(solutions)
        notes = [] if solutions else [f"problem {problem.id} has no known correct solution"]
        if self.judge is not None and problem.examples:
            passes = [self.judge.judge(s.source, s.language, problem, tests=problem.examples).accepted
                      for s in solutions]
        ranked = sorted(range(len(solutions)), key=lambda i: not passes[i])[: budget.max_submissions]
        seconds = time.perf_counter() - start
        submissions = tuple(
            Submission(solutions[i].source, solutions[i].language, order, ready_after=seconds, samples_drawn=i + 1,
                       reason=f"reference solution {i + 1} of {len(solutions)}"
                       + ("" if passes[i] else " (fails the examples)") + (f" ({solutions[i].name})" if solutions[i].name else ""))
            for order, i in enumerate(ranked))
        hidden = None
        if budget.judge_hidden and self.judge is not None:
            hidden = sum(self.judge.judge(s.source, s.language, problem).accepted for s in solutions)
        stats = SampleStats(drawn=len(solutions), distinct=len(solutions), passed_examples=sum(passes),
                            clusters=len(solutions), passed_hidden=hidden)
        return SolveResult(problem.id, submissions, stats, seconds, tuple(notes))
