"""BackendSolver: programs from any backend (hf:, openai:), chosen by csim's selection pipeline
(filtering on the examples, clustering on generated inputs, one per cluster), as JaxSolver and
SamplesFileSolver choose theirs."""

from __future__ import annotations

import time
from dataclasses import replace

from contests.model import Problem
from solver.backends.base import Backend, GenerationCache
from solver.backends.draw import DrawSettings, draw_samples
from solver.selection.filtering import Candidate
from solver.interface import Budget, SampleOutcome, SolveResult
from solver.selection.executor import Executor
from solver.selection.pipeline import Progress, select


class BackendSolver:
    def __init__(self, backend: Backend, judge, settings: DrawSettings, *, cache: GenerationCache | None = None,
                 progress: Progress = Progress(), model_cutoff: str | None = None, executor: Executor | None = None):
        self.backend = backend
        self.executor = executor
        self.judge = judge
        self.settings = settings
        self.cache = cache
        self.progress = progress
        self.name = backend.kind
        self.version = backend.model[:12] if backend.kind == "hf" else backend.model
        self.model_cutoff = model_cutoff  # ISO date of the model's training data cut-off, when the user knows it
        self.on_sample = None  # (done, total) while drawing; set by the command line for a progress bar

    def describe(self) -> dict:
        described = {"solver": self.name, "model": self.backend.model, "backend": self.backend.describe(),
                     "sampling": self.settings.to_dict()}
        if self.backend.kind == "hf":
            described["checkpoint_digest"] = self.backend.model
        return described

    def solve(self, problem: Problem, budget: Budget, seed: int) -> SolveResult:
        start = time.perf_counter()
        drawn = draw_samples(self.backend, problem, budget.samples, seed, self.settings, self.cache, self.on_sample)
        sampling_seconds = time.perf_counter() - start
        # Each program is ready after the draw's share of time up to it (requests overlap).
        per_sample = sampling_seconds / max(1, len(drawn.samples))
        candidates = [Candidate(f"s{s.index}", s.source, s.language, s.index, (s.index + 1) * per_sample)
                      for s in drawn.samples if s.source is not None]
        notes = [drawn.cost_note()]
        if drawn.unextracted_note():
            notes.append(drawn.unextracted_note())
        result = select(self.judge, problem, candidates, budget, seed, sampling_seconds=sampling_seconds,
                        notes=notes, progress=self.progress, executor=self.executor)
        # pass@k is over every sample drawn: one without code is a sample that failed, and is counted apart.
        c = drawn.cost
        stats = replace(result.stats, drawn=len(drawn.samples), unextracted=len(drawn.unextracted),
                        requested=c.requested, prompt_tokens=c.prompt_tokens, completion_tokens=c.completion_tokens,
                        request_seconds=round(c.request_seconds, 3))
        samples = result.samples
        if budget.judge_hidden and drawn.unextracted:
            # a sample without code is a drawn sample that failed: kept in draw order beside the others
            missing = tuple(SampleOutcome(s.index, s.language, passed_examples=False, passed_hidden=None, cluster=None)
                            for s in drawn.samples if s.source is None)
            samples = tuple(sorted(samples + missing, key=lambda o: o.index))
        return replace(result, stats=stats, samples=samples)
