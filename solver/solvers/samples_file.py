"""SamplesFileSolver: the same selection as every sampling solver (solver.selection.pipeline) over
programs written by any outside model, read from a JSON-lines samples file (format in
docs/interfaces.md)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from contests.errors import DataError
from contests.model import Problem
from judge.interface import Judge
from judge.languages import language_ids
from solver.interface import Budget, SolveResult
from solver.selection.executor import Executor
from solver.selection.filtering import Candidate
from solver.selection.pipeline import Progress, select


def read_samples(path: str | Path, problem: Problem, limit: int | None = None) -> list[Candidate]:
    """PROBLEM's samples in a samples file, in file order (at most LIMIT); other problems' are
    skipped. A record's `problem` may be the problem id (1041E) or its CodeContests name."""
    path = Path(path)
    if not path.is_file():
        raise DataError(path, None, "no such samples file")
    names = {problem.id, problem.name, f"{problem.contest_id}_{problem.index}. {problem.name}"}
    languages = language_ids()
    out: list[Candidate] = []
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
            if record["language"] not in languages:
                raise DataError(path, f"line {line_no}: language",
                                f"unknown language {record['language']!r}; expected one of {', '.join(languages)}")
            if record["problem"] not in names:
                continue
            if limit is not None and len(out) >= limit:
                break
            logprob = record.get("logprob")
            out.append(Candidate(f"s{len(out)}", record["source"], record["language"], len(out), 0.0,
                                 float(logprob) if isinstance(logprob, (int, float)) else None))
    return out


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

    def solve(self, problem: Problem, budget: Budget, seed: int) -> SolveResult:
        candidates = read_samples(self.path, problem, budget.samples)
        notes = () if candidates else (f"{self.path} holds no samples for problem {problem.id}",)
        return select(self.judge, problem, candidates, budget, seed, notes=notes, progress=self.progress,
                      executor=self.executor)
