"""A pool of boxes of one role (runs, compiles or checkers), started lazily, one per worker at most."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from judge.sandbox.box import Box


class BoxPool:
    def __init__(self, make: Callable[[int], Box], size: int):
        self._make = make  # index -> a new, not yet started box
        self._size = size
        self._free: queue.Queue[Box] = queue.Queue()
        self._all: list[Box] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def box(self) -> Iterator[Box]:
        """A box for this thread alone until the block ends; waits while all are busy."""
        box = self._take()
        try:
            yield box
        finally:
            self._free.put(box)

    def _take(self) -> Box:
        try:
            return self._free.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._closed:
                raise RuntimeError("the judge is closed")
            if len(self._all) < self._size:
                box = self._make(len(self._all))
                self._all.append(box)
                return box
        return self._free.get()

    @property
    def started(self) -> list[Box]:
        return list(self._all)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            boxes, self._all = self._all, []
        errors = []
        for box in boxes:
            try:
                box.close()
            except Exception as e:  # close every box even if one fails
                errors.append(e)
        if errors:
            raise errors[0]
