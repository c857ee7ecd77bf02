"""SamplesFileSolver: the same selection as every sampling solver (solver.selection.pipeline) over
programs written by any outside model, read from a JSON-lines samples file (format in
docs/interfaces.md)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from contests.errors import DataError
from contests.model import Problem
from contests.problem_ids import ProblemName, names_problem, resolve_position
from contests.textfiles import iter_json_lines
from judge.interface import Judge
from judge.languages import language_ids
from solver.interface import Budget, SolveResult
from solver.selection.executor import Executor
from solver.selection.filtering import Candidate
from solver.selection.pipeline import Progress, select


def _records(path: Path):
    """(line number, record) of every sample in a samples file, each checked."""
    languages = language_ids()
    for line_no, record in iter_json_lines(path):
        if not isinstance(record, dict):
            raise DataError(path, f"line {line_no}", "expected a JSON object")
        for key in ("problem", "language", "source"):
            if not isinstance(record.get(key), str):
                raise DataError(path, f"line {line_no}: {key}", "missing or not a string")
        if record["language"] not in languages:
            raise DataError(path, f"line {line_no}: language",
                            f"unknown language {record['language']!r}; expected one of {', '.join(languages)}")
        yield line_no, record


def _number(record: dict, key: str) -> float | None:
    value = record.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _whole(record: dict, key: str) -> int | None:
    value = record.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


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
        out.append(Candidate(f"s{len(out)}", record["source"], record["language"], len(out), 0.0,
                             _number(record, "logprob"), _whole(record, "tokens"), _number(record, "value")))
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

    def __init__(self, path: str | Path, judge: Judge, *, progress: Progress = Progress(),
                 executor: Executor | None = None):
        self.path = Path(path)
        if not self.path.is_file():
            raise DataError(self.path, None, "no such samples file")
        self.judge = judge
        self.progress = progress
        self.executor = executor
        self.file_digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        self.version = self.file_digest[:12]

    def describe(self) -> dict:
        return {"solver": self.name, "path": str(self.path.resolve()), "file_digest": self.file_digest}

    def coverage(self, problems: Sequence[Problem]) -> SamplesCoverage:
        return samples_coverage(self.path, problems)

    def solve(self, problem: Problem, budget: Budget, seed: int) -> SolveResult:
        candidates = read_samples(self.path, problem, budget.samples)
        notes = () if candidates else (f"{self.path} holds no samples for problem {problem.id}",)
        return select(self.judge, problem, candidates, budget, seed, notes=notes, progress=self.progress,
                      executor=self.executor)
