"""JaxSolver: samples programs from a trained csim model (solver.model.sampler.Sampler), then
filters and clusters them down to 10 submissions (solver.selection.pipeline). JAX is imported only
when one is made, so that reading this module costs nothing."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path

from contests.errors import DataError
from contests.model import Problem
from judge.interface import Judge
from solver.model.rundir import RunDir
from solver.interface import Budget, SolveResult
from solver.selection.executor import Executor
from solver.selection.filtering import Candidate
from solver.selection.pipeline import Progress, select


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


class JaxSolver:
    """Samples budget.samples programs per problem from the model in RUN_DIR (AlphaCode's
    sampling: random ratings and tag sets, half Python half C++, temperature 0.25), then selects."""

    name = "jax"

    def __init__(self, run_dir: str | Path, judge: Judge, *, temperature: float = 0.25, top_k: int | None = None,
                 top_p: float | None = None, languages: Sequence[str] = ("python", "cpp"),
                 batch_size: int | None = None, step: int | None = None, headers: str = "random",
                 progress: Progress = Progress(), executor: Executor | None = None):
        import jax
        import numpy as np

        from solver.model.sampler import Sampler  # JAX is imported only by this solver

        self.run_dir = Path(run_dir)
        RunDir(self.run_dir).check()
        self.judge = judge
        self.sampler = Sampler.from_run(self.run_dir, step=step)
        if headers not in ("random", "problem"):
            raise DataError("headers", None, f"expected 'random' or 'problem', not {headers!r}")
        # headers="problem" conditions on the problem's own rating and tags: an oracle for checking
        # a model that memorised its problems, never a fair contest entry (see Sampler.header_for).
        self.options = {"temperature": temperature, "top_k": top_k, "top_p": top_p,
                        "languages": list(languages), "batch_size": batch_size, "headers": headers}
        self.progress = progress
        self.executor = executor
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
            Candidate(f"s{s.index}", s.source, s.language, s.index, time.perf_counter() - start, s.logprob, s.tokens)
            for s in self.sampler.sample(problem, budget.samples, seed=seed,
                                         temperature=self.options["temperature"], top_k=self.options["top_k"],
                                         top_p=self.options["top_p"], languages=tuple(self.options["languages"]),
                                         batch_size=self.options["batch_size"], headers=self.options["headers"])
        ]
        return select(self.judge, problem, candidates, budget, seed,
                      sampling_seconds=time.perf_counter() - start, progress=self.progress,
                      executor=self.executor)
