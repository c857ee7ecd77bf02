"""Where the selection's judge work runs: an Executor maps a function of (judge, item) over items.

Filtering, hidden-test judging and clustering runs each hand one call per program to an executor.
The local executor (the default) runs them on as many threads as the judge has workers, the judge
placing each on a free sandbox. Another executor (e.g. one spreading the calls over machines, each
with its own judge) implements the same `map`; the function it is given receives the judge to use,
so it never captures one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

from judge.interface import Judge

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    def map(self, fn: Callable[[Judge, T], R], items: Sequence[T], name: str) -> Iterator[R]:
        """fn(judge, item) for each of ITEMS, results in the items' order; NAME says what the work is
        (e.g. "csim-filter", for thread names and logs)."""


class LocalExecutor:
    """The calls on threads of this process, as many as JUDGE has workers."""

    def __init__(self, judge: Judge):
        self.judge = judge

    def map(self, fn: Callable[[Judge, T], R], items: Sequence[T], name: str) -> Iterator[R]:
        workers = max(1, getattr(self.judge, "workers", 1))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name) as pool:
            yield from pool.map(lambda item: fn(self.judge, item), items)
