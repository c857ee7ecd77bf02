"""Compile once per source, in a sandbox; cache the artifact by toolchain version, flags and source.

An artifact is a directory <key>/ holding the source, what the compiler made and status.json
({"ok", "output"}). Compilation errors are cached too. A build happens in a compile box's staging
directory (writable there by the sandbox uid) and is renamed into place when complete, so a
reader never sees half an artifact and two judges sharing a store never clash.

Two places: VISIBLE, the judge's private directory that the boxes bind read-only at /artifacts
(the sandbox uid must be able to reach it), and STORE, an optional persistent cache that may be
anywhere (even in a private home): artifacts are copied from one to the other as needed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from judge.languages import MIB, get_language, resolve_tools, toolchain_version
from judge.sandbox.backend import RUN_ATTEMPTS
from judge.sandbox.box import NOBODY, run_request
from judge.sandbox.pool import BoxPool

COMPILE_CPU = 30  # seconds
COMPILE_WALL = 60.0
COMPILE_MEMORY = 2048 * MIB
COMPILE_OUTPUT = 256 * MIB  # largest file a compiler may write
COMPILE_PIDS = 64
MESSAGE_LIMIT = 64 * 1024  # compiler messages kept


@dataclass(frozen=True)
class Program:
    language: str
    key: str  # hash of toolchain version, flags, file name and source
    directory: Path  # the artifact directory on the host
    source_name: str
    ok: bool  # False: a compilation error (CE)
    output: str = ""  # the compiler's messages
    error: str | None = None  # the judge could not compile it (IE); not cached


def artifact_key(language: str, source: str, fast_path: bool) -> str:
    lang = get_language(language)
    parts = [language, toolchain_version(language), " ".join(lang.flags), lang.source_name(source),
             "fast" if fast_path and lang.python_fast_path() else "plain", source]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


class Compiler:
    def __init__(self, visible: Path, store: Path | None, boxes: BoxPool, fast_path: bool, drop_uid: bool):
        self.visible = visible
        self.store = store
        self.boxes = boxes
        self.fast_path = fast_path
        self.drop_uid = drop_uid  # the sandbox runs as nobody: give it the staging directory
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def compile(self, source: str, language: str) -> Program:
        lang = get_language(language)
        key = artifact_key(language, source, self.fast_path)
        name = lang.source_name(source)
        with self._locks_lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            cached = _load(self.visible / key, language, key, name)
            if cached is None and self.store is not None and _load(self.store / key, language, key, name):
                _place(self.store / key, self.visible / key)
                cached = _load(self.visible / key, language, key, name)
            if cached is not None:
                return cached
            program = self._build(key, language, name, source)
            if self.store is not None and not program.error:
                _place(self.visible / key, self.store / key)
            return program

    def _build(self, key: str, language: str, name: str, source: str) -> Program:
        """Build in a compile box; a build that ended in a judge error is tried again in a fresh box."""
        for attempt in range(1, RUN_ATTEMPTS + 1):
            program = self._build_once(key, language, name, source)
            if program.error is None or attempt == RUN_ATTEMPTS:
                return program
        raise ValueError("RUN_ATTEMPTS must be at least 1")

    def _build_once(self, key: str, language: str, name: str, source: str) -> Program:
        lang = get_language(language)
        with self.boxes.box() as box:
            staging = box.spec.host_dir / key
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            try:
                (staging / name).write_text(source, encoding="utf-8")
            except (OSError, UnicodeError) as e:
                # The program's own doing: a file name the file system cannot hold (a Java public
                # class over 255 bytes), or text that is no UTF-8 (lone surrogates).
                shutil.rmtree(staging, ignore_errors=True)
                what = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
                return Program(language, key, self.visible / key, name, False,
                               f"the source cannot be saved as {name[:60]}{'...' if len(name) > 60 else ''}: {what}")
            if self.drop_uid:
                os.chown(staging, NOBODY, NOBODY)
            inside = box.inside(staging)
            request = run_request(inside, "/dev/null", f"{inside}/.compile.out", f"{inside}/.compile.err",
                                  COMPILE_CPU, COMPILE_WALL, COMPILE_OUTPUT, {})
            if self.fast_path and lang.python_fast_path():
                request.update(python=name, compile_only=True)  # relative: messages name just the file
            else:
                request["argv"] = lang.compile_argv(resolve_tools(language), name) or ["/bin/true"]
            raw = box.run(request, COMPILE_MEMORY + lang.memory_overhead, COMPILE_PIDS)
            output = "".join(_read_text(staging / f, MESSAGE_LIMIT) for f in (".compile.out", ".compile.err")).strip()
            if raw.error:
                shutil.rmtree(staging, ignore_errors=True)
                box.close()  # a judge error: the next try starts a fresh box
                return Program(language, key, self.visible / key, name, False, output, error=raw.error)
            ok = raw.exit_code == 0 and not raw.timed_out
            if raw.timed_out or raw.cpu_limit or raw.cpu_time >= COMPILE_CPU:
                output = (output + "\n" if output else "") + f"compilation took longer than {COMPILE_CPU} s"
            elif raw.oom_killed:
                output = (output + "\n" if output else "") + "compilation ran out of memory"
            for f in (".compile.out", ".compile.err"):
                (staging / f).unlink(missing_ok=True)
            if not ok:  # keep only the source beside the status
                for entry in staging.iterdir():
                    if entry.name != name:
                        shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
            (staging / "status.json").write_text(json.dumps({"ok": ok, "output": output}), encoding="utf-8")
            _seal(staging)
            _install(staging, self.visible / key)
        return Program(language, key, self.visible / key, name, ok, output)


def _load(directory: Path, language: str, key: str, name: str) -> Program | None:
    try:
        status = json.loads((directory / "status.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Program(language, key, directory, name, bool(status["ok"]), status.get("output", ""))


def _install(ready: Path, target: Path) -> None:
    """Rename the complete artifact READY into place at TARGET (same file system)."""
    try:
        os.rename(ready, target)
    except OSError:
        if (target / "status.json").is_file():  # another judge sharing the store got there first
            shutil.rmtree(ready, ignore_errors=True)
        else:  # a broken leftover
            shutil.rmtree(target, ignore_errors=True)
            os.rename(ready, target)


def _place(source: Path, target: Path) -> None:
    """Copy an artifact to another place (between the store and the visible directory)."""
    if (target / "status.json").is_file():
        return
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(source, tmp, symlinks=True)
    _install(tmp, target)


def _read_text(path: Path, limit: int) -> str:
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", errors="replace")
    except OSError:
        return ""


def _seal(directory: Path) -> None:
    """Make an artifact root-owned (when we are root) and read-only to everyone else."""
    me = os.geteuid()
    for root, dirs, files in os.walk(directory):
        for name in [*dirs, *files, None]:
            path = os.path.join(root, name) if name else root
            if os.path.islink(path):
                continue
            if me == 0:
                os.chown(path, 0, 0)
            mode = os.stat(path).st_mode
            os.chmod(path, 0o755 if (os.path.isdir(path) or mode & 0o111) else 0o644)
