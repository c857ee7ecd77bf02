"""The sandbox seam: a Backend makes boxes (local bubblewrap, Docker containers, or plain processes),
and run_in_box is the one way the judge runs a program in a box of a pool: make its files, build
the request, run it, read back what it wrote, and, when the run ended in a judge error, try again
in a fresh box.

    backend = make_backend("local", docker_url=None, token="csim-123-abcdef")
    box = backend.box(spec)                                     # a Box, started on its first run
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from judge.sandbox import SANDBOXES
from judge.sandbox.box import Box, BoxSpec, Isolation, LocalBox, RawRun, Starter
from judge.sandbox.layers import Layer, detect_local
from judge.sandbox.pool import BoxPool

# A run that ended in a judge error (the sandbox failed, not the program) is tried again in a fresh
# box, up to this many tries in all; only then is it reported as IE.
RUN_ATTEMPTS = 3


class Backend(Protocol):
    """Where boxes come from. LAYERS: the sandbox layers, active or not, and why a missing one is
    missing; DROP_UID: programs run as the unprivileged sandbox uid (files they write must be
    theirs)."""

    layers: list[Layer]
    drop_uid: bool

    def box(self, spec: BoxSpec) -> Box:
        """A new box (not started: it starts on its first run)."""

    def close(self) -> None:
        """Release what the backend holds beyond its boxes (which their pools close)."""


@dataclass
class LocalBackend:
    """Boxes on this machine: bubblewrap, seccomp, cgroups and an unprivileged uid where the machine
    offers them (`local`), or limits and measurement only (`none`)."""

    isolation: Isolation
    layers: list[Layer] = field(default_factory=list)
    starter: Starter = field(default_factory=Starter)  # every box's processes start from its thread

    @classmethod
    def detect(cls, use_namespaces: bool) -> "LocalBackend":
        isolation, layers = detect_local(use_namespaces=use_namespaces)
        return cls(isolation, layers)

    @property
    def drop_uid(self) -> bool:
        return self.isolation.setpriv is not None

    def box(self, spec: BoxSpec) -> Box:
        return LocalBox(spec, self.isolation, self.starter)

    def close(self) -> None:
        self.starter.close()


def make_backend(sandbox: str, docker_url: str | None, token: str) -> Backend:
    """The backend named SANDBOX (one of SANDBOXES); TOKEN names what it makes on the machine."""
    if sandbox not in SANDBOXES:
        raise ValueError(f"unknown sandbox {sandbox!r}; expected one of {', '.join(SANDBOXES)}")
    if sandbox == "docker":
        from judge.sandbox.docker_box import DockerBackend  # only here: talks to a Docker engine

        return DockerBackend(docker_url, token)
    return LocalBackend.detect(use_namespaces=sandbox == "local")


@dataclass(frozen=True)
class BoxFile:
    """A fresh file in the box for one run: DATA in it, WRITABLE by the program, and READ bytes of
    it read back after the run (0: none)."""

    data: bytes = b""
    writable: bool = False
    read: int = 0


@dataclass(frozen=True)
class BoxResult:
    raw: RawRun
    read: dict[str, bytes]  # what was read back, by the file's name in the run's files


class Guard(Protocol):
    """What may call a run off (see Box.run)."""

    stopped: bool

    def begin(self, box: Box) -> bool: ...

    def end(self, box: Box) -> None: ...


def read_file(path: Path | str, limit: int) -> bytes:
    try:
        with open(path, "rb", buffering=0) as f:  # unbuffered: one read, no buffer object
            return f.read(limit)
    except OSError:
        return b""


def remove(path: Path | str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def run_in_box(pool: BoxPool, files: dict[str, BoxFile], request: Callable[[Box, dict[str, str]], dict],
               memory_limit: int, pids_limit: int, guard: Guard | None = None,
               attempts: int = RUN_ATTEMPTS) -> BoxResult | None:
    """Run one program in a box of POOL: FILES are made fresh in the box, REQUEST(box, paths
    inside the box by file name) builds the supervisor request, and the files are removed after
    the run (before the box's next baseline: their pages are charged to it). A run that ends in a
    judge error is tried again in a fresh box, ATTEMPTS tries in all. None when GUARD called the
    run off."""
    for attempt in range(1, attempts + 1):
        with pool.box() as box:
            if guard is not None and guard.stopped:
                return None
            made = {}
            try:
                for name, f in files.items():
                    made[name] = box.new_file(name, f.data, f.writable)
                raw = box.run(request(box, {name: inside for name, (_, inside) in made.items()}),
                              memory_limit, pids_limit, guard)
                if raw is None:
                    return None
                read = {name: read_file(made[name][0], f.read) for name, f in files.items() if f.read}
            finally:
                for host, _ in made.values():
                    remove(host)
            if raw.error and attempt < attempts:
                box.close()  # the next try starts a fresh box
                continue
        return BoxResult(raw, read)
    raise ValueError(f"attempts must be at least 1, not {attempts}")

