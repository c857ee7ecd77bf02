"""The generation cache in the store (solver.backends.base.GenerationCache over the `generations`
table): each sample is one short transaction, so a killed draw keeps every sample it received."""

from __future__ import annotations

from sqlalchemy import select

from simulator.store.models import GenerationRow, utcnow
from simulator.store.store import Store, _insert_ignore
from solver.backends.base import CachedSample, Generation


def _sample(row: GenerationRow) -> CachedSample:
    return CachedSample(row.index, row.language,
                        Generation(row.text, row.prompt_tokens, row.completion_tokens, row.seconds, row.finish_reason),
                        row.source, row.extraction, row.problem_id)


class StoreCache:
    def __init__(self, store: Store):
        self.store = store

    def load(self, key: str) -> dict[int, CachedSample]:
        with self.store.transaction() as s:
            return {r.index: _sample(r) for r in s.scalars(select(GenerationRow).where(GenerationRow.request_key == key))}

    def save(self, key: str, meta: dict, sample: CachedSample) -> None:
        g = sample.generation
        with self.store.transaction() as s:  # a second writer of the same sample loses: same key, same sample
            _insert_ignore(s, GenerationRow, {
                "request_key": key, "index": sample.index, "backend": meta["backend"], "model": meta["model"],
                "prompt_digest": meta["prompt_digest"], "params": meta["params"], "seed": meta["seed"],
                "problem_id": sample.problem_id or meta.get("problem_id", ""), "language": sample.language,
                "text": g.text, "source": sample.source, "extraction": sample.extraction,
                "finish_reason": g.finish_reason, "prompt_tokens": g.prompt_tokens,
                "completion_tokens": g.completion_tokens, "seconds": g.seconds, "created_at": utcnow()},
                ["request_key", "index"])

    def count(self) -> int:
        from sqlalchemy import func

        with self.store.transaction() as s:
            return s.scalar(select(func.count()).select_from(GenerationRow))

    def rows(self, *, backend: str, model: str, params: dict, seeds_by_problem: dict[str, int],
             limit: int | None = None) -> list[GenerationRow]:
        """The cached samples of a draw per problem (problem id -> that problem's seed), by problem and index."""
        out = []
        with self.store.transaction() as s:
            for problem_id, seed in seeds_by_problem.items():
                query = select(GenerationRow).where(
                    GenerationRow.backend == backend, GenerationRow.model == model,
                    GenerationRow.problem_id == problem_id, GenerationRow.seed == seed).order_by(GenerationRow.index)
                rows = [r for r in s.scalars(query) if r.params == params]
                out += rows[:limit] if limit is not None else rows
        return out
