"""The generation cache in the store (solver.backends.base.GenerationCache over the `generations`
table), written in batches by one writer thread.

A transaction per sample cost the client more than its HTTP requests against a fast server, so
save() only hands the sample to a writer thread, which commits what it holds in one transaction
once it holds `window // 2` samples or its oldest is `flush_seconds` old. Each batch is one
transaction: a sample is stored whole or not at all, and nothing stored before is touched.

How much a hard kill can lose: save() waits while `window` samples are unwritten (handed over,
not yet committed), so SIGKILL or a crash of the process loses at most `window` samples the model
already answered (default 64), besides the requests in flight; with a slow model, only those
answered in the last `flush_seconds` (default 0.2 s) plus one commit. A resumed draw asks the model for
exactly those again. flush() writes everything held; draw_samples calls it when a draw ends,
normally or by an error, Ctrl-C, or SIGTERM (csim's commands turn SIGTERM into Ctrl-C), and
close() (or leaving `with StoreCache(...)`) flushes and stops the writer.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from simulator.store.models import GenerationRow, utcnow
from simulator.store.store import Store
from solver.backends.base import CachedSample, Generation

WINDOW = 64  # samples at most handed over and not yet committed: what a hard kill can lose
FLUSH_SECONDS = 0.2  # the longest a sample waits for its batch (a slow model's samples then share commits)


def _sample(row: GenerationRow) -> CachedSample:
    return CachedSample(row.index, row.language,
                        Generation(row.text, row.prompt_tokens, row.completion_tokens, row.seconds, row.finish_reason),
                        row.source, row.extraction, row.problem_id)


def _row(key: str, meta: dict, sample: CachedSample) -> dict:
    g = sample.generation
    return {"request_key": key, "index": sample.index, "backend": meta["backend"], "model": meta["model"],
            "prompt_digest": meta["prompt_digest"], "params": meta["params"], "seed": meta["seed"],
            "problem_id": sample.problem_id or meta.get("problem_id", ""), "language": sample.language,
            "text": g.text, "source": sample.source, "extraction": sample.extraction,
            "finish_reason": g.finish_reason, "prompt_tokens": g.prompt_tokens,
            "completion_tokens": g.completion_tokens, "seconds": g.seconds, "created_at": utcnow()}


class StoreCache:
    def __init__(self, store: Store, *, window: int = WINDOW, flush_seconds: float = FLUSH_SECONDS):
        if window < 1:
            raise ValueError(f"window must be at least 1, not {window}")
        self.store = store
        self.window = window
        self.flush_seconds = flush_seconds
        self._batch = max(1, window // 2)  # held samples that make the writer commit without waiting
        self._held: list[tuple[float, dict]] = []  # (when handed over, row), oldest first
        self._writing = 0  # rows in the transaction under way
        self._error: BaseException | None = None  # the writer's failure, raised by the next save or flush
        self._flushing = 0  # callers waiting in flush(): the writer commits at once
        self._closed = False
        self._changed = threading.Condition()
        self._writer: threading.Thread | None = None

    def __enter__(self) -> StoreCache:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.close()
            return
        try:
            self.close()
        except Exception:
            pass  # the error already leaving the block is the one to show

    def load(self, key: str) -> dict[int, CachedSample]:
        self.flush()  # samples of KEY still held count as cached
        with self.store.transaction() as s:
            return {r.index: _sample(r) for r in s.scalars(select(GenerationRow).where(GenerationRow.request_key == key))}

    def save(self, key: str, meta: dict, sample: CachedSample) -> None:
        """Hand SAMPLE to the writer; waits while `window` samples are unwritten."""
        row = _row(key, meta, sample)
        with self._changed:
            self._raise_error()
            if self._closed:
                raise RuntimeError("the generation cache is closed")
            while len(self._held) + self._writing >= self.window:
                self._changed.wait()
                self._raise_error()
            self._held.append((time.monotonic(), row))
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, name="csim-generation-writer", daemon=True)
                self._writer.start()
            # Wake the writer only when it has something new to do (start its clock, or write a full
            # batch): waking a thread per sample cost more than the rest of save().
            if len(self._held) == 1 or len(self._held) == self._batch:
                self._changed.notify_all()

    def flush(self) -> None:
        """Return once every sample saved so far is committed (or raise the writer's error)."""
        with self._changed:
            self._flushing += 1
            self._changed.notify_all()
            try:
                while (self._held or self._writing) and self._error is None:
                    self._changed.wait()
                self._raise_error()
            finally:
                self._flushing -= 1

    def close(self) -> None:
        """Flush, then stop the writer."""
        try:
            self.flush()
        finally:
            with self._changed:
                self._closed = True
                self._changed.notify_all()
            if self._writer is not None:
                self._writer.join()

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _write_loop(self) -> None:
        while True:
            with self._changed:
                while True:
                    if self._error is not None or (self._closed and not self._held):
                        return
                    if self._held:
                        wait = self._held[0][0] + self.flush_seconds - time.monotonic()
                        if (len(self._held) >= self._batch or self._flushing or self._closed
                                or wait <= 0):
                            break
                        self._changed.wait(wait)
                    else:
                        self._changed.wait()
                rows = [row for _, row in self._held]
                self._held.clear()
                self._writing = len(rows)
            try:
                self._commit(rows)
            except BaseException as e:  # the batch is rolled back whole; the draw stops with the error
                with self._changed:
                    self._error = e
                    self._writing = 0
                    self._changed.notify_all()
                return
            with self._changed:
                self._writing = 0
                self._changed.notify_all()

    def _commit(self, rows: list[dict]) -> None:
        # One transaction on a plain connection (an ORM session cost twice the CPU per commit); a
        # second writer of the same sample loses: same key, same sample.
        engine = self.store.engine
        insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[engine.dialect.name]
        statement = insert(GenerationRow.__table__).on_conflict_do_nothing(index_elements=["request_key", "index"])
        with engine.begin() as connection:
            connection.execute(statement, rows)

    def count(self) -> int:
        from sqlalchemy import func

        self.flush()
        with self.store.transaction() as s:
            return s.scalar(select(func.count()).select_from(GenerationRow))

    def rows(self, *, backend: str, model: str, params: dict, seeds_by_problem: dict[str, int],
             limit: int | None = None) -> list[GenerationRow]:
        """The cached samples of a draw per problem (problem id -> that problem's seed), by problem and index."""
        self.flush()
        out = []
        with self.store.transaction() as s:
            for problem_id, seed in seeds_by_problem.items():
                query = select(GenerationRow).where(
                    GenerationRow.backend == backend, GenerationRow.model == model,
                    GenerationRow.problem_id == problem_id, GenerationRow.seed == seed).order_by(GenerationRow.index)
                rows = [r for r in s.scalars(query) if r.params == params]
                out += rows[:limit] if limit is not None else rows
        return out
