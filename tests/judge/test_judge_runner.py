"""The Judge API: modes, execute() and its cache, compilation cache, fast and plain paths, notes,
layers, bad input, recovery from a dead sandbox, clean shutdown."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from contests.errors import DataError
from contests.model import TestCase
from judge.languages import detect_language, get_language
from judge.runner import Judge, JudgeConfig
from judge.verdicts import Verdict

MIB = 1 << 20
ECHO_SUM = "a, b = map(int, input().split())\nprint(a + b)\n"


def test_stops_at_the_first_failure_unless_all_tests(judge, problem_of):
    problem = problem_of([("1 1", "2"), ("2 2", "5"), ("3 3", "6"), ("4 4", "9"), ("5 5", "10")])
    first = judge.judge(ECHO_SUM, "python", problem)
    assert first.verdict is Verdict.WA and first.failed_test == 1 and len(first.tests) == 2
    every = judge.judge(ECHO_SUM, "python", problem, all_tests=True)
    assert [t.verdict for t in every.tests] == [Verdict.OK, Verdict.WA, Verdict.OK, Verdict.WA, Verdict.OK]
    assert every.verdict is Verdict.WA and every.failed_test == 1
    assert [t.index for t in every.tests] == list(range(5))


def test_tests_argument_filters_on_the_examples(judge, problem_of):
    problem = dataclasses.replace(problem_of([("1 1", "3")]), examples=[TestCase("2 2", "4")])
    assert judge.judge(ECHO_SUM, "python", problem, tests=problem.examples).verdict is Verdict.OK
    assert judge.judge(ECHO_SUM, "python", problem).verdict is Verdict.WA


def test_defaulted_limits_are_noted(judge, problem_of):
    problem = problem_of([("1 1", "2")], time_limit=2.0, memory_limit=256 * MIB, limits_defaulted=True)
    assert judge.judge(ECHO_SUM, "python", problem).notes == ("limits defaulted to 2 s / 256 MB (the problem gives none)",)
    assert judge.judge(ECHO_SUM, "python", problem_of([("1 1", "2")])).notes == ()


def test_problems_that_cannot_be_judged(judge, problem_of):
    assert judge.judge(ECHO_SUM, "python", problem_of([("1 1", "2")], interactive=True)).verdict is Verdict.IE
    assert judge.judge(ECHO_SUM, "python", problem_of([])).verdict is Verdict.IE
    with pytest.raises(DataError, match="unknown language 'rust'"):
        judge.judge("fn main() {}", "rust", problem_of([("", "")]))


def test_execute_runs_without_checking_and_caches(judge):
    # The program prints fresh randomness: a cached outcome is recognisable by its repeated output.
    source = "import os\nprint(input(), os.urandom(8).hex())\n"
    first = judge.execute(source, "python", ["a", "b", "a"], time_limit=1, memory_limit=64 * MIB)
    assert [o.verdict for o in first] == [Verdict.OK] * 3
    assert [o.stdout.split()[0] for o in first] == ["a", "b", "a"]
    again = judge.execute(source, "python", ["b", "a"], time_limit=1, memory_limit=64 * MIB)
    assert again[0].stdout == first[1].stdout and again[1].stdout == first[0].stdout
    other_limits = judge.execute(source, "python", ["a"], time_limit=2, memory_limit=64 * MIB)
    assert other_limits[0].stdout != first[0].stdout


def test_execute_reports_faults_and_compile_errors(judge):
    out = judge.execute("import sys\nx = int(input())\nprint(10 // x)\n", "python", ["5", "0", "oops"],
                        time_limit=1, memory_limit=64 * MIB)
    assert [o.verdict for o in out] == [Verdict.OK, Verdict.RE, Verdict.RE]
    assert out[0].stdout == "2\n" and "ZeroDivisionError" in out[1].stderr and out[1].exit_code == 1
    ce = judge.execute("int main( {", "cpp", ["1", "2"], time_limit=1, memory_limit=64 * MIB)
    assert [o.verdict for o in ce] == [Verdict.CE, Verdict.CE] and "error" in ce[0].message


def test_compilation_is_cached_by_source_and_toolchain(judge):
    source = "#include <cstdio>\nint main() { puts(\"cached\"); }\n"
    first = judge.compile(source, "cpp")
    assert first.ok and (first.directory / "main").is_file()
    stamp = (first.directory / "main").stat().st_mtime_ns
    again = judge.compile(source, "cpp")
    assert again.key == first.key and (again.directory / "main").stat().st_mtime_ns == stamp
    assert judge.compile(source + "\n", "cpp").key != first.key
    bad = judge.compile("int main( {", "cpp")
    assert not bad.ok and bad.key == judge.compile("int main( {", "cpp").key


def test_cache_dir_is_shared_between_judges(tmp_path, problem_of):
    # tmp_path is private (0700 above it): the store need not be reachable by the sandbox uid.
    cache = tmp_path / "cache"
    source = "#include <cstdio>\nint main() { puts(\"42\"); }\n"
    with Judge(JudgeConfig(workers=1, cache_dir=cache)) as j:
        key = j.compile(source, "cpp").key
    assert (cache / "artifacts" / key / "main").is_file()
    stamp = (cache / "artifacts" / key / "main").stat().st_mtime_ns
    with Judge(JudgeConfig(workers=1, cache_dir=cache)) as j:
        assert j.judge(source, "cpp", problem_of([("", "42")])).verdict is Verdict.OK
        assert (j.artifacts / key / "main").is_file()  # copied from the store, not rebuilt
    assert (cache / "artifacts" / key / "main").stat().st_mtime_ns == stamp


def test_a_cache_dir_that_cannot_be_made_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataError, match="cannot use as a cache directory"):
        Judge(JudgeConfig(workers=1, cache_dir=tmp_path / "file" / "cache"))


PROGRAMS = {  # what a Python program can observe of its start and shutdown
    "input-styles": ("import sys\nn = int(sys.stdin.readline())\nrest = sys.stdin.read().split()\n"
                     "print(n, len(rest), open(0).read() == '')\n", "3\n1 2 3\n"),
    "os-read": ("import os\ndata = os.read(0, os.fstat(0).st_size).split()\nprint(sum(map(int, data)))\n", "1 2 3"),
    "exit-message": ("import sys\nprint('partial')\nsys.exit('bye')\n", ""),
    "atexit": ("import atexit, io, sys\nbuf = io.StringIO()\nsys.stdout = buf\nprint('late')\n"
               "atexit.register(lambda: sys.__stdout__.write(buf.getvalue()))\n", ""),
    "finalizer": ("import os\nclass Out:\n    def __init__(self):\n        self.parts = []\n"
                  "    def __del__(self):\n        os.write(1, ''.join(self.parts).encode())\n"
                  "out = Out()\nout.parts.append('flushed by __del__\\n')\n", ""),
    # Finalizers of objects in reference cycles run at the end: made just before it (the young
    # generations), or promoted to the oldest by the collections of a busy program.
    "cycle-finalizer": ("import os\nclass Out:\n    def __init__(self):\n        self.me = self\n"
                        "    def __del__(self):\n        os.write(1, b'cycle flushed\\n')\n"
                        "out = Out()\n", ""),
    "old-cycle-finalizer": ("import os\nclass Out:\n    def __init__(self):\n        self.me = self\n"
                            "    def __del__(self):\n        os.write(1, b'old cycle flushed\\n')\n"
                            "out = Out()\njunk = [[i] for i in range(300000)]\nprint(len(junk))\n", ""),
    "closed-stdout": ("import sys\nwith sys.stdout as f:\n    print('closing', file=f)\n", ""),
    "threads": ("import threading\nr = []\nt = threading.Thread(target=lambda: r.append(7))\nt.start()\n"
                "t.join()\nprint(r)\n", ""),
    "name-and-argv": ("import sys\nprint(__name__, sys.argv[0].endswith('.py'), sys.path[0] != '')\n", ""),
    "hash-order": ("print(list({'apple', 'pear', 'fig', 'kiwi', 'plum'}))\n", ""),
    "signals": ("import signal\nprint([str(signal.getsignal(getattr(signal, n))) for n in "
                "('SIGINT', 'SIGPIPE', 'SIGXFSZ', 'SIGTERM', 'SIGHUP', 'SIGALRM', 'SIGUSR1', 'SIGCHLD')])\n", ""),
    "streams": ("import sys\nfor s, d in ((sys.stdin, sys.__stdin__), (sys.stdout, sys.__stdout__),\n"
                "             (sys.stderr, sys.__stderr__)):\n"
                "    print(s.fileno(), s.mode, s.encoding, s.errors, s.line_buffering, s.buffer.raw._blksize,\n"
                "          s.seekable(), s.isatty(), s is d)\n", "x\n"),
    "traceback": ("def f():\n    return 1 / 0\nf()\n", ""),
}


def test_fast_path_behaves_as_a_fresh_interpreter(judge):
    with Judge(JudgeConfig(workers=1, fast_path=False)) as plain:
        for name, (source, stdin) in PROGRAMS.items():
            fast, = judge.execute(source, "python", [stdin], time_limit=2, memory_limit=64 * MIB)
            slow, = plain.execute(source, "python", [stdin], time_limit=2, memory_limit=64 * MIB)
            assert (fast.stdout, fast.verdict, fast.exit_code) == (slow.stdout, slow.verdict, slow.exit_code), name
            assert fast.stderr.splitlines()[-1:] == slow.stderr.splitlines()[-1:], name
    assert fast.verdict is Verdict.RE and "ZeroDivisionError" in fast.stderr


def test_forked_runs_are_the_oom_killers_choice(judge):
    # The supervisor (PID 1 of the box) must outlive a run that fills the box's memory.
    out, = judge.execute("print(open('/proc/self/oom_score_adj').read())\n", "python", [""], time_limit=2,
                         memory_limit=64 * MIB)
    assert out.stdout.split() == ["1000"]


def test_execd_runs_are_the_oom_killers_choice_too(judge):
    # An exec'd program's /proc entries are root's until its exec finishes (the supervisor is not
    # dumpable, and vfork lets it go on before then): the bait must wait for that, every run.
    source = ("#include <cstdio>\n#include <unistd.h>\nint main() { usleep(20000); int v = -1;\n"
              "  FILE *f = fopen(\"/proc/self/oom_score_adj\", \"r\"); if (f) fscanf(f, \"%d\", &v);\n"
              "  printf(\"%d\\n\", v); }\n")
    outs = judge.execute(source, "cpp", [str(n) for n in range(24)], time_limit=2, memory_limit=64 * MIB)
    assert [o.stdout.split() for o in outs] == [["1000"]] * 24


def test_a_box_killed_between_runs_is_restarted_unnoticed(problem_of):
    with Judge(JudgeConfig(workers=1)) as j:
        problem = problem_of([("1 1", "2")])
        assert j.judge(ECHO_SUM, "python", problem).verdict is Verdict.OK
        box = j._runs.started[0]
        os.kill(box.proc.pid, signal.SIGKILL)  # bwrap dies; --die-with-parent takes the box with it
        box.proc.wait()
        assert j.judge(ECHO_SUM, "python", problem).verdict is Verdict.OK


def test_a_box_dying_during_a_run_is_retried_in_a_fresh_box(problem_of):
    with Judge(JudgeConfig(workers=1)) as j:
        problem = problem_of([("", "")], time_limit=5.0)
        j.judge("print()", "python", problem)
        box = j._runs.started[0]
        first = box.proc.pid
        threading.Timer(0.5, os.kill, (first, signal.SIGKILL)).start()
        result = j.judge("import time\ntime.sleep(1)\n", "python", problem)
        assert result.verdict is Verdict.OK, result.message  # the judge's failure never becomes the program's
        assert box.proc.pid != first


def test_a_box_dying_on_every_try_is_a_judge_error_not_the_programs(problem_of):
    with Judge(JudgeConfig(workers=1)) as j:
        problem = problem_of([("", "")], time_limit=5.0)
        j.judge("print()", "python", problem)
        box = j._runs.started[0]
        done = threading.Event()

        def kill_every_box():  # each box this worker starts, 0.4 s after it is first seen
            seen = {}
            while not done.wait(0.1):
                proc = box.proc
                if proc is not None and time.monotonic() - seen.setdefault(proc.pid, time.monotonic()) > 0.4:
                    os.kill(proc.pid, signal.SIGKILL)

        killer = threading.Thread(target=kill_every_box)
        killer.start()
        try:
            result = j.judge("import time\ntime.sleep(3)\n", "python", problem)
        finally:
            done.set()
            killer.join()
        assert result.verdict is Verdict.IE and "sandbox failure" in result.message
        assert j.judge("print(1)", "python", problem_of([("", "1")])).verdict is Verdict.OK


def test_sandbox_none_still_limits_and_says_what_is_missing(problem_of, caplog):
    with caplog.at_level(logging.WARNING, logger="csim.judge"), Judge(JudgeConfig(sandbox="none", workers=1)) as j:
        layers = {layer.name: layer for layer in j.layers}
        assert not layers["bubblewrap"].active and not layers["seccomp"].active
        assert layers["rlimits"].active
        problem = problem_of([("1 1", "2")], time_limit=0.5)
        assert j.judge(ECHO_SUM, "python", problem).verdict is Verdict.OK
        assert j.judge("while True: pass", "python", problem).verdict is Verdict.TLE
        if layers["cgroup-memory"].active:
            assert j.judge("x = bytearray(1 << 30)", "python", problem).verdict is Verdict.MLE
    assert not caplog.records  # 'none' is asked for: nothing to warn about


def test_local_layers_are_all_active_here(judge):
    layers = {layer.name: layer for layer in judge.layers}
    assert set(layers) == {"unprivileged-uid", "bubblewrap", "seccomp", "cgroup-memory", "cgroup-pids",
                           "cgroup-cpuacct", "rlimits", "subreaper"}
    assert all(layer.active for layer in layers.values()), [lay for lay in layers.values() if not lay.active]


def test_close_removes_cgroups_and_private_directories(problem_of):
    j = Judge(JudgeConfig(workers=2))
    assert j.judge(ECHO_SUM, "python", problem_of([("1 1", "2"), ("2 2", "4")])).verdict is Verdict.OK
    groups = [d for box in j._runs.started for d in box.cgroup.dirs.values()]
    assert groups and all(d.is_dir() for d in groups)
    runtime = j._runtime
    j.close()
    assert not any(d.exists() for d in groups) and not runtime.exists()
    with pytest.raises(RuntimeError, match="closed"):
        j.judge(ECHO_SUM, "python", problem_of([("1 1", "2")]))


def test_unknown_sandbox_is_refused():
    with pytest.raises(DataError, match="unknown sandbox"):
        Judge(JudgeConfig(sandbox="chroot"))


def test_languages():
    assert [detect_language(n) for n in ("a.py", "B.CPP", "x.cc", "Main.java")] == ["python", "cpp", "cpp", "java"]
    with pytest.raises(DataError, match="extension '.rb'"):
        detect_language("x.rb")
    java = get_language("java")
    assert java.source_name("import x;\npublic final class Solver {\n}") == "Solver.java"
    assert java.source_name("class Main {}") == "Main.java"


def test_java_public_class_with_any_name(judge, problem_of):
    source = ("import java.util.*;\npublic class Solver { public static void main(String[] a) {\n"
              "Scanner s = new Scanner(System.in); System.out.println(s.nextInt() * 2); } }\n")
    assert judge.judge(source, "java", problem_of([("21", "42")], time_limit=5.0)).verdict is Verdict.OK


def test_judge_is_usable_from_several_threads(judge, problem_of):
    problem = problem_of([(f"{i} {i}", str(2 * i)) for i in range(6)])
    results = []
    threads = [threading.Thread(target=lambda: results.append(judge.judge(ECHO_SUM, "python", problem)))
               for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert [r.verdict for r in results] == [Verdict.OK] * 4


def test_memory_and_time_are_measured(judge):
    big = judge.execute("x = bytearray(100 << 20)\n", "python", [""], time_limit=2, memory_limit=256 * MIB)[0]
    small = judge.execute("pass\n", "python", [""], time_limit=2, memory_limit=256 * MIB)[0]
    assert 100 * MIB <= big.memory < 140 * MIB and small.memory < 20 * MIB
    busy = judge.execute("s = 0\nfor i in range(3 * 10 ** 6):\n    s += i\n", "python", [""], time_limit=2,
                         memory_limit=256 * MIB)[0]
    assert busy.cpu_time > 0.05 and busy.wall_time >= busy.cpu_time * 0.5


def test_time_is_cpu_time_so_parallel_tests_stay_comparable(judge, problem_of):
    # The same CPU-bound test four times over two workers: each run's CPU time is its own.
    spin = "s = 0\nfor i in range(2 * 10 ** 6):\n    s += i\nprint(s > 0)\n"
    result = judge.judge(spin, "python", problem_of([("", "True")] * 4, time_limit=5.0), all_tests=True)
    cpu = [t.cpu_time for t in result.tests]
    assert result.verdict is Verdict.OK and max(cpu) < 3 * min(cpu), cpu


def test_without_bubblewrap_the_other_layers_still_work(monkeypatch, problem_of, caplog):
    # As on a machine where bubblewrap cannot start (e.g. user namespaces disabled): the probe
    # fails, and the judge runs with the uid change, seccomp, cgroups and rlimits, and says so once.
    import judge.sandbox.layers as layers_module

    monkeypatch.setattr(layers_module, "_probe_bwrap", lambda bwrap, setpriv: "bubblewrap failed here: (simulated)")
    with caplog.at_level(logging.WARNING, logger="csim.judge"), Judge(JudgeConfig(workers=1)) as j:
        active = {layer.name for layer in j.layers if layer.active}
        assert "bubblewrap" not in active and {"seccomp", "cgroup-memory", "unprivileged-uid"} <= active
        problem = problem_of([("1 1", "2")], time_limit=0.5)
        assert j.judge(ECHO_SUM, "python", problem).verdict is Verdict.OK
        assert j.judge("while True: pass", "python", problem).verdict is Verdict.TLE
        assert j.judge("x = bytearray(1 << 30)", "python", problem).verdict is Verdict.MLE
        probe = ("import os, socket\nprint(os.getuid(), end=' ')\ntry:\n    socket.socket()\n    print('OPEN')\n"
                 "except PermissionError:\n    print('blocked')\n")
        assert j.judge(probe, "python", problem_of([("", "65534 blocked")])).verdict is Verdict.OK
        detached = ("import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(10 ** 6)\nprint(1)\n")
        assert j.judge(detached, "python", problem_of([("", "1")])).verdict is Verdict.OK
        box = j._runs.started[0]
        assert box.cgroup.dirs["pids"].joinpath("pids.current").read_text().strip() == "1"  # only the supervisor
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "bubblewrap (bubblewrap failed here: (simulated))" in warnings[0]


UNPRIVILEGED = """
import json
from contests.model import Problem, TestCase
from judge.runner import Judge, JudgeConfig
problem = Problem("x", "a + b", tests=[TestCase("1 2", "3")], time_limit=1.0, memory_limit=64 << 20)
programs = [("a, b = map(int, input().split())\\nprint(a + b)", "python"), ("x = bytearray(1 << 30)", "python"),
            ("#include <vector>\\nint main() { std::vector<int> v; for (;;) v.push_back(1); }", "cpp"),
            ("import socket\\nsocket.socket()", "python")]
with Judge(JudgeConfig(workers=1)) as j:
    print(json.dumps({"layers": {l.name: l.active for l in j.layers},
                      "verdicts": [j.judge(s, lang, problem).verdict.value for s, lang in programs]}))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user")
def test_a_judge_run_by_an_ordinary_user():
    # Not root: no cgroups can be made and no uid change is needed; bubblewrap and seccomp still
    # work, and memory falls back to RLIMIT_AS (MLE from MemoryError / std::bad_alloc). The judge
    # needs only the standard library, so the system python3 runs it from a copy of its sources
    # that uid 65534 can read (a checkout may sit in a directory only root may enter).
    import shutil
    import subprocess
    import tempfile

    root = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory() as src:
        os.chmod(src, 0o755)
        for package in ("contests", "judge"):
            shutil.copytree(root / package, Path(src) / package, ignore=shutil.ignore_patterns("__pycache__"))
        out = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3",
                              "-c", UNPRIVILEGED], capture_output=True, text=True, timeout=300, cwd=src,
                             env={"PATH": "/usr/bin:/bin", "HOME": src, "PYTHONPATH": src})
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["layers"]["bubblewrap"] and result["layers"]["seccomp"]
    assert not result["layers"]["cgroup-memory"]
    assert "cgroup-memory" in out.stderr  # said plainly, once
    assert result["verdicts"] == ["OK", "MLE", "MLE", "RE"]


@pytest.mark.parametrize("raw, stderr, verdict", [
    (dict(exit_code=0), "", Verdict.OK),
    (dict(exit_code=1), "Traceback ...\nZeroDivisionError: division by zero", Verdict.RE),
    (dict(signal=11), "", Verdict.RE),
    (dict(exit_code=0, cpu_time=1.2), "", Verdict.TLE),  # finished, but over the limit
    (dict(signal=9, timed_out=True, oom_killed=True), "", Verdict.TLE),  # TLE > MLE
    (dict(signal=9, oom_killed=True), "", Verdict.MLE),
    (dict(exit_code=1), "MemoryError", Verdict.MLE),
    (dict(exit_code=0), "MemoryError", Verdict.OK),  # caught and recovered: not a fault
    (dict(signal=9, timed_out=True, output_limit=True), "", Verdict.OLE),  # killed for its output, not slow
    (dict(signal=25), "", Verdict.RE),  # SIGXFSZ for a large stderr or scratch file: not output
    (dict(exit_code=1, oom_killed=True), "", Verdict.MLE),  # MLE > RE
    (dict(error="sandbox failure"), "", Verdict.IE),
    (dict(exit_code=0, cgroup_cpu=5.0), "", Verdict.TLE),  # a detached child burnt the CPU
])
def test_classify_precedence(raw, stderr, verdict):
    from judge.outcomes import classify
    from judge.sandbox.box import RawRun

    stdout = raw.pop("stdout", 10)
    assert classify(RawRun(**raw), get_language("python"), 1.0, stdout, 64 * MIB, stderr)[0] is verdict


def test_stopping_at_a_failure_kills_the_later_tests_under_way(problem_of):
    # Test 1 fails at once; test 2, already running on the other worker, would sleep 60 s (its
    # wall-clock limit is 3 x 20 s). judge() must not wait for it, nor leave it running.
    import time

    problem = problem_of([("fail", "ok"), ("sleep", "ok")], time_limit=20.0)
    # Test 1 fails only after half a second, when test 2 is surely asleep in the other box.
    source = "import time\ntime.sleep(60 if input() == 'sleep' else 0.5)\nprint('no')\n"
    with Judge(JudgeConfig(workers=2)) as j:
        assert j.judge("print('ok')", "python", problem).verdict is Verdict.OK  # both boxes started
        started = time.monotonic()
        result = j.judge(source, "python", problem)
        assert result.verdict is Verdict.WA and len(result.tests) == 1
        assert time.monotonic() - started < 30  # far below the 60 s the sleeper would take
        assert j.judge("print('ok')", "python", problem).verdict is Verdict.OK  # both boxes free and sound


def test_a_late_abort_never_reaches_the_boxs_next_run():
    # Two judgements share the boxes. When one stops at a failure it calls off its runs under way;
    # the call can come just as such a run is answered, and the box's next run is then another
    # judgement's. It must not be touched (it was: the supervisor's SIGUSR1 handler could run only
    # after the next request had been read, killing that run: RE "killed by SIGKILL").
    with Judge(JudgeConfig(workers=1)) as j:
        program = j.compile(ECHO_SUM, "python")
        assert j._run(program, "1 1\n", 1.0, 64 * MIB).verdict is Verdict.OK
        box = j._runs.started[0]
        for i in range(30):
            time.sleep(0.002)  # the supervisor is waiting for the next request...
            box.abort()  # ... when the stop for the latest one (answered) comes, just before it
            outcome = j._run(program, f"{i} {i}\n", 1.0, 64 * MIB)
            assert (outcome.verdict, outcome.stdout) == (Verdict.OK, f"{2 * i}\n"), (i, outcome.message)


def test_an_abort_sent_before_its_request_calls_off_that_run_and_no_other():
    class AbortsAtOnce:  # a judgement that stops between begin and the request being sent
        stopped = False

        def begin(self, box):
            box.abort()
            return True

        def end(self, box):
            pass

    with Judge(JudgeConfig(workers=1)) as j:
        sleeper = j.compile("import time\ntime.sleep(4)\nprint(1)\n", "python")
        echo = j.compile(ECHO_SUM, "python")
        assert j._run(echo, "1 1\n", 1.0, 64 * MIB).verdict is Verdict.OK
        assert j._run(sleeper, "", 2.0, 64 * MIB, AbortsAtOnce()) is None  # called off, not run to its end
        outcome = j._run(echo, "2 2\n", 1.0, 64 * MIB)
        assert (outcome.verdict, outcome.stdout) == (Verdict.OK, "4\n"), outcome.message


def test_a_killed_judge_leaves_nothing_behind_for_long(tmp_path, problem_of):
    # A process using the judge is killed (as a replay can be): its boxes die with it, and the next
    # judge to start removes its private directory and its cgroups.
    import subprocess
    import sys

    script = ("import os, sys, time\nfrom contests.model import Problem, TestCase\n"
              "from judge.runner import Judge, JudgeConfig\n"
              "j = Judge(JudgeConfig(workers=1))\n"
              "j.judge('print(1)', 'python', Problem('x', 'y', tests=[TestCase('', '1')]))\n"
              "print(j._runtime, *[d for b in j._runs.started for d in b.cgroup.dirs.values()], flush=True)\n"
              "time.sleep(600)\n")
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=root,
                            env={**os.environ, "PYTHONPATH": str(root)})
    left = [Path(p) for p in proc.stdout.readline().split()]
    proc.kill()
    proc.wait()
    assert left and all(p.exists() for p in left)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(p.is_dir() and any(p.glob("tasks")) and
                                              (p / "tasks").read_text().strip() for p in left[1:]):
        time.sleep(0.2)  # the dead judge's boxes are going away
    with Judge(JudgeConfig(workers=1)):
        pass
    assert not any(p.exists() for p in left)

