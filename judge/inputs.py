"""Test inputs written once per judge, not once per run: a run's input is a hard link to the stored
copy, made in the box for that run and removed after it (so a box holds no input but its run's,
as with a fresh file), which costs no data written however many programs run on the test.

    store = InputStore(directory, limit=256 << 20, links=True)
    store.link(test.input.encode(), box_dir / "input.7")     # then the run; then unlink it
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path


class InputStore:
    """Inputs by content in DIRECTORY (on the boxes' file system, for hard links), at most about
    LIMIT bytes: the least recently used are removed first (a link made from one stays valid).
    LINKS: whether runs may share the stored file, i.e. they run as another uid than ours; one that
    ran as ours could chmod the shared inode and change the input of every later run, so it gets a
    copy of its own."""

    def __init__(self, directory: Path, limit: int, links: bool):
        self.directory = directory
        self.limit = limit
        self.links = links
        self._sizes: OrderedDict[str, int] = OrderedDict()  # stored inputs by digest, oldest use first
        self._bytes = 0
        self._lock = threading.Lock()

    def link(self, data: bytes, target: Path) -> None:
        """Make TARGET (a fresh name) a read-only file holding DATA."""
        if not self.links:
            _write(target, data)
            return
        key = hashlib.sha256(data).hexdigest()
        stored = self.directory / key
        with self._lock:  # eviction and linking never interleave
            if key in self._sizes:
                self._sizes.move_to_end(key)
            else:
                tmp = self.directory / f".{key}"
                _write(tmp, data)
                os.rename(tmp, stored)
                self._sizes[key] = len(data)
                self._bytes += len(data)
                while self._bytes > self.limit and len(self._sizes) > 1:
                    old, size = self._sizes.popitem(last=False)
                    (self.directory / old).unlink(missing_ok=True)
                    self._bytes -= size
            try:
                os.link(stored, target)
            except OSError:  # another file system (a cross-device link): a copy
                _write(target, data)


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
