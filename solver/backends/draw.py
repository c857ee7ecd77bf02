"""Drawing samples through a backend, asking the model only for what the cache lacks.

Sample i of a draw is in languages[i % len(languages)] and has its own seed (base.sample_seed),
so a draw killed midway resumes with exactly the missing indices, and a larger draw extends a
smaller one: its first samples are the cached ones.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from contests.model import Problem
from solver.backends.base import (
    Backend,
    CachedSample,
    GenerationCache,
    Generation,
    MemoryCache,
    SamplingParams,
    request_key,
    sample_seed,
)
from solver.backends.extract import extract_code
from solver.backends.prompts import PromptTemplates, build_prompt


@dataclass(frozen=True)
class DrawSettings:
    params: SamplingParams = field(default_factory=SamplingParams)
    languages: tuple[str, ...] = ("python", "cpp")
    style: str = "base"
    headers: str = "none"
    templates: PromptTemplates = field(default_factory=PromptTemplates.default)

    def to_dict(self) -> dict:
        return {"params": self.params.to_dict(), "languages": list(self.languages), "style": self.style,
                "headers": self.headers, "prompt": self.templates.to_dict()}


@dataclass(frozen=True)
class Cost:
    """What a draw cost: requests sent (cache hits cost nothing), tokens and request seconds."""

    requested: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    request_seconds: float = 0.0  # summed over requests (they may overlap in time)
    wall_seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"requested": self.requested, "cached": self.cached, "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens, "request_seconds": round(self.request_seconds, 3),
                "wall_seconds": round(self.wall_seconds, 3)}


@dataclass(frozen=True)
class Draw:
    samples: tuple[CachedSample, ...]  # by index, 0..n-1
    cost: Cost

    @property
    def unextracted(self) -> list[CachedSample]:
        return [s for s in self.samples if s.source is None]

    def unextracted_note(self) -> str | None:
        missing = self.unextracted
        if not missing:
            return None
        reasons: dict[str, int] = {}
        for s in missing:
            reasons[s.extraction] = reasons.get(s.extraction, 0) + 1
        why = "; ".join(f"{how}: {count}" for how, count in sorted(reasons.items(), key=lambda x: -x[1]))
        return f"{len(missing)} of {len(self.samples)} samples held no code to judge ({why})"

    def cost_note(self) -> str:
        c = self.cost
        return (f"sampling: {c.requested} requested, {c.cached} from the cache; {c.prompt_tokens} prompt and "
                f"{c.completion_tokens} completion tokens; {c.request_seconds:.1f} s in requests, "
                f"{c.wall_seconds:.1f} s wall")


def draw_samples(backend: Backend, problem: Problem, n: int, seed: int, settings: DrawSettings,
                 cache: GenerationCache | None = None,
                 on_sample: Callable[[int, int], None] | None = None) -> Draw:
    """N samples for PROBLEM (index order); on_sample(done, n) as each is ready, cached ones first."""
    cache = cache if cache is not None else MemoryCache()
    start = time.perf_counter()
    got: dict[int, CachedSample] = {}
    requested: list[Generation] = []
    try:
        _draw_missing(backend, problem, n, seed, settings, cache, on_sample, got, requested)
    except BaseException:  # an error, Ctrl-C or SIGTERM: keep every sample received before it
        try:
            cache.flush()
        except Exception:
            pass  # the draw's own error is the one to show
        raise
    cache.flush()  # the draw ends with all its samples stored: nothing is asked twice after it
    cost = Cost(requested=len(requested), cached=n - len(requested),
                prompt_tokens=sum(g.prompt_tokens or 0 for g in requested),
                completion_tokens=sum(g.completion_tokens or 0 for g in requested),
                request_seconds=sum(g.seconds for g in requested), wall_seconds=time.perf_counter() - start)
    return Draw(tuple(got[i] for i in range(n)), cost)


def _draw_missing(backend: Backend, problem: Problem, n: int, seed: int, settings: DrawSettings,
                  cache: GenerationCache, on_sample, got: dict[int, CachedSample], requested: list[Generation]) -> None:
    """Fill GOT with the N samples, from CACHE where it has them, else from BACKEND (REQUESTED: those asked)."""
    lock = threading.Lock()
    for language in settings.languages:
        indices = [i for i in range(n) if language_for(i, settings.languages) == language]
        if not indices:
            continue
        prompt = build_prompt(problem, language, settings.style, settings.headers, settings.templates)
        key = request_key(backend.kind, backend.model, prompt, settings.params, seed)
        meta = {"backend": backend.kind, "model": backend.model, "prompt_digest": prompt.digest,
                "params": settings.params.to_dict(), "seed": seed, "problem_id": problem.id, "language": language}
        cached = cache.load(key)
        missing = [i for i in indices if i not in cached]
        for i in indices:
            if i in cached:
                got[i] = cached[i]
        if on_sample is not None and got:
            on_sample(len(got), n)
        if not missing:
            continue

        def done(j: int, generation: Generation, missing=missing, language=language, key=key, meta=meta) -> None:
            index = missing[j]
            extraction = extract_code(generation.text, language, settings.style)
            sample = CachedSample(index, language, generation, extraction.source, extraction.how, problem.id)
            # Handed to the cache at once: a hard-killed draw loses only the answers in flight and those the
            # cache had not yet written (the store's: at most its window, simulator.store.generations).
            cache.save(key, meta, sample)
            with lock:
                got[index] = sample
                requested.append(generation)
                count = len(got)
            if on_sample is not None:
                on_sample(count, n)

        backend.generate(prompt, settings.params, [sample_seed(seed, i) for i in missing], done)


def language_for(index: int, languages: Sequence[str]) -> str:
    """Sample INDEX's language: the languages take turns."""
    return languages[index % len(languages)]
