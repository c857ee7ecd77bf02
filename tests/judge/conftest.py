"""Fixtures for the judge's tests: one shared judge (real sandbox), problems made on the fly,
a plain run outside any sandbox to compare with, and a snapshot of the host to prove it unchanged."""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from contests.model import Problem, TestCase
from judge.languages import SYSTEM_PATH
from judge.runner import Judge, JudgeConfig

MIB = 1 << 20


@pytest.fixture(scope="session")
def judge():
    """The default judge: local sandbox, two workers."""
    with Judge(JudgeConfig(workers=2)) as j:
        yield j


def make_problem(tests, time_limit=1.0, memory_limit=64 * MIB, **kwargs) -> Problem:
    """A problem from (input, answer) pairs."""
    return Problem(id=kwargs.pop("id", "t"), name=kwargs.pop("name", "test problem"),
                   tests=[TestCase(i, o) for i, o in tests], time_limit=time_limit, memory_limit=memory_limit,
                   **kwargs)


def plain_run(source: str, stdin: str, timeout: float = 30.0) -> tuple[str, int | None, float]:
    """Run a Python source with a plain `python3` outside any sandbox (stdin from a file, as judges
    give it): (stdout, exit status or None when killed at TIMEOUT, CPU seconds)."""
    with tempfile.TemporaryDirectory() as d:
        src, inp, out = Path(d, "main.py"), Path(d, "input"), Path(d, "output")
        src.write_text(source, encoding="utf-8")
        inp.write_text(stdin, encoding="utf-8")
        with open(inp, "rb") as fin, open(out, "wb") as fout:
            proc = subprocess.Popen(["python3", str(src)], stdin=fin, stdout=fout, stderr=subprocess.DEVNULL,
                                    env={"PATH": SYSTEM_PATH, "PYTHONHASHSEED": "0"})
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)  # rusage of exactly this child
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == 9
        return out.read_text(errors="replace"), None if killed else proc.returncode, usage.ru_utime + usage.ru_stime


def nobody_processes() -> set[int]:
    """PIDs of the sandbox's uid (65534) descending from this process (other judges may be at work
    on the machine), except the boxes themselves: bubblewrap and the supervisors (PID 1 of their
    namespace). Whatever else there is was left by a run."""
    parents, candidates = {}, set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            status = Path(f"/proc/{name}/status").read_text()
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            parents[int(name)] = int(fields["PPid"])
            if int(fields["Uid"].split()[0]) != 65534:
                continue
            argv0 = Path(f"/proc/{name}/cmdline").read_bytes().split(b"\0")[0]
        except (OSError, KeyError, ValueError):
            continue
        if argv0.endswith(b"bwrap") or fields.get("NSpid", "").split()[-1:] == ["1"]:
            continue
        candidates.add(int(name))

    def mine(pid: int) -> bool:
        seen = set()
        while pid > 1 and pid not in seen:
            if pid == os.getpid():
                return True
            seen.add(pid)
            pid = parents.get(pid, 0)
        return False

    return {pid for pid in candidates if mine(pid)}


def describe(pids: set[int]) -> list[str]:
    out = []
    for pid in sorted(pids):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:80].decode(errors="replace")
            status = {k: v.strip() for k, v in (line.split(":", 1) for line in
                                                 Path(f"/proc/{pid}/status").read_text().splitlines())}
            out.append(f"{pid} {status.get('State')} ppid={status.get('PPid')} nspid={status.get('NSpid')} {argv}")
        except OSError:
            out.append(f"{pid} (gone)")
    return out


@pytest.fixture
def host_unchanged(tmp_path):
    """Assert after the test that the host gained no process of the sandbox uid and no file in
    the places a run could try to write."""
    watched = [Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path.cwd()]
    before = {d: set(os.listdir(d)) for d in watched if d.is_dir()}
    procs = nobody_processes()
    yield
    leftover = nobody_processes() - procs
    assert not leftover, f"sandbox processes left on the host: {describe(leftover)}"
    for d, names in before.items():
        new = {n for n in set(os.listdir(d)) - names if not n.startswith(("csim-", "pytest-", "tmp"))}
        assert not new, f"new files on the host in {d}: {new}"


@pytest.fixture(scope="session")
def problem_of():
    """make_problem, for tests."""
    return make_problem


@pytest.fixture(scope="session")
def plain():
    """plain_run, for tests."""
    return plain_run


@pytest.fixture(scope="session")
def leftover_probe():
    """nobody_processes, for testing the host check itself."""
    return nobody_processes
