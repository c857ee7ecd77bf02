"""Hostile programs: each is contained with the right verdict, the judge survives (its boxes are
not even restarted), and the host is unchanged (no process of the sandbox's uid left, no file
written outside the box)."""

from __future__ import annotations

import os
import secrets
import time

import pytest

from contests.model import Checker
from judge.verdicts import Verdict

MIB = 1 << 20


@pytest.fixture
def supervisors(judge):
    """The host pids of the judge's run boxes before the test; the test asserts they are the same
    after it (a box that had to be restarted would have a new one)."""
    before = {box.spec.name: box.proc.pid for box in judge._runs.started if box.proc}
    yield
    after = {box.spec.name: box.proc.pid for box in judge._runs.started if box.proc}
    assert {k: after.get(k) for k in before} == before, "a box was restarted"


def run(judge, problem_of, source, language="python", stdin="", answer="", time_limit=1.0, memory_limit=256 * MIB):
    return judge.judge(source, language, problem_of([(stdin, answer)], time_limit, memory_limit))


pytestmark = pytest.mark.usefixtures("host_unchanged", "supervisors")


# ---------------------------------------------------------------- processes


def test_python_fork_bomb_is_contained(judge, problem_of):
    bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    result = run(judge, problem_of, bomb)
    assert result.verdict is Verdict.TLE
    assert run(judge, problem_of, "print(42)", answer="42").verdict is Verdict.OK  # the box still works


def test_cpp_fork_bomb_is_contained(judge, problem_of):
    bomb = "#include <unistd.h>\nint main() { for (;;) fork(); }\n"
    assert run(judge, problem_of, bomb, "cpp").verdict is Verdict.TLE
    assert run(judge, problem_of, "print(42)", answer="42").verdict is Verdict.OK


def test_sleeping_forever_is_killed_at_the_wall_clock_limit(judge, problem_of):
    result = run(judge, problem_of, "import time\ntime.sleep(10 ** 6)\n", time_limit=0.5)
    assert result.verdict is Verdict.TLE
    test = result.tests[0]
    assert test.cpu_time < 0.5 and 1.4 < test.wall_time < 5, test
    assert "wall-clock" in test.message


def test_a_detached_child_does_not_outlive_its_run(judge, problem_of):
    # The run returns at once; a grandchild in its own session keeps sleeping. It must be killed
    # with the run (host_unchanged checks no process of the sandbox uid is left).
    source = ("import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
              "        time.sleep(10 ** 6)\n    os._exit(0)\nprint(1)\n")
    assert run(judge, problem_of, source, answer="1").verdict is Verdict.OK


def test_signalling_the_judge_and_the_supervisor_has_no_effect(judge, problem_of):
    source = f"""
import os, signal
for pid in (1, -1, os.getppid(), {os.getpid()}):
    for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGSTOP, signal.SIGUSR1, signal.SIGUSR2):
        try:
            os.kill(pid, sig)
        except OSError:
            pass
print("alive", len([p for p in os.listdir("/proc") if p.isdigit()]))
"""
    result = run(judge, problem_of, source, answer="alive 2")  # only the supervisor and the run exist
    assert result.verdict is Verdict.OK, result.message
    assert run(judge, problem_of, "print(42)", answer="42").verdict is Verdict.OK


# ---------------------------------------------------------------- network, files, /proc, ptrace


def test_no_network(judge, problem_of):
    source = """
import socket
out = []
for family in (socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK, socket.AF_PACKET):
    try:
        socket.socket(family, socket.SOCK_RAW if family == socket.AF_PACKET else socket.SOCK_STREAM if family != socket.AF_NETLINK else socket.SOCK_RAW)
        out.append("OPEN")
    except PermissionError:
        out.append("blocked")
a, b = socket.socketpair()  # local pairs are allowed
a.sendall(b"x"); out.append("pair" if b.recv(1) == b"x" else "?")
print(*out)
"""
    result = run(judge, problem_of, source, answer="blocked blocked blocked blocked pair")
    assert result.verdict is Verdict.OK, result.message
    crash = run(judge, problem_of, "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=1)\n")
    assert crash.verdict is Verdict.RE and "PermissionError" in crash.message
    cpp = """#include <cstdio>
#include <sys/socket.h>
#include <netinet/in.h>
int main() { int s = socket(AF_INET, SOCK_STREAM, 0); puts(s < 0 ? "blocked" : "OPEN"); }
"""
    assert run(judge, problem_of, cpp, "cpp", answer="blocked").verdict is Verdict.OK


def test_writing_outside_the_box_fails(judge, problem_of):
    source = """
import os
out = []
for path in ("/box/evil", "evil", "/usr/evil", "/etc/evil", "/artifacts/evil", "/evil", "/work/evil",
             "/root/evil", "/dev/evil", "/proc/evil", "/tmp/scratch", "/dev/shm/scratch"):
    try:
        with open(path, "w") as f:
            f.write("x")
        out.append("written")
    except OSError:
        out.append("blocked")
print(*out)
"""
    answer = " ".join(["blocked"] * 10 + ["written"] * 2)  # /tmp and /dev/shm are the box's own
    result = run(judge, problem_of, source, answer=answer)
    assert result.verdict is Verdict.OK, result.message
    for path in ("/evil", "/usr/evil", "/etc/evil", "/tmp/scratch", "/dev/shm/scratch"):
        assert not os.path.exists(path)
    # The box's scratch space is emptied after every run: the next run sees nothing of it.
    clean = "import os\nprint(len(os.listdir('/tmp')) + len(os.listdir('/dev/shm')))\n"
    assert all(run(judge, problem_of, clean, answer="0").verdict is Verdict.OK for _ in range(3))


CHECKER = r"""#include <cstdio>
#include <cstring>
// testlib protocol without testlib: checker input output answer; tokens must match.
int main(int argc, char** argv) {
    FILE* out = fopen(argv[2], "r"); FILE* ans = fopen(argv[3], "r");
    char a[4096], b[4096];
    while (true) {
        int ra = fscanf(out, "%4095s", a), rb = fscanf(ans, "%4095s", b);
        if (rb != 1) { if (ra == 1) { fprintf(stderr, "extra output"); return 1; } return 0; }
        if (ra != 1 || strcmp(a, b)) { fprintf(stderr, "expected %s, found %s", b, ra == 1 ? a : "EOF"); return 1; }
    }
}
"""


def test_hidden_tests_and_answers_are_not_readable(judge, problem_of, shared_data):
    # Each test's input names a secret; its answer is found nowhere but in the judge. The program
    # searches everything it can see for its own answer, the other tests' inputs and the checker.
    secrets_ = [secrets.token_hex(8) for _ in range(3)]
    marker = "csim-hidden-" + secrets.token_hex(4)
    tests = [(f"{marker} {s}\n", f"answer-to-{s} {secrets.token_hex(8)}\n") for s in secrets_]
    problem = problem_of(tests, 5.0, 256 * MIB, checker=Checker(kind="testlib", source=CHECKER, language="cpp"))
    source = f"""
import os, sys
marker, mine = sys.stdin.read().split()
me = os.fstat(0)
needles = ("answer" + "-to-" + mine, marker, "testlib protocol" + " without testlib")  # the last: the checker's source
found, walked = [], False
with open("/tmp/control", "w") as f:  # a positive control: the search must find this
    f.write("control-" + "marker")
for top in ("/box", "/tmp", "/dev/shm", "/artifacts", "/etc", "/proc/1", "/proc/self", "/work", "/root", "/var"):
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in ("task", "net", "fdinfo")]
        for name in files:
            path = os.path.join(root, name)
            try:
                st = os.stat(path)
                if (st.st_dev, st.st_ino) == (me.st_dev, me.st_ino) or st.st_size > 1 << 20:
                    continue
                with open(path, errors="replace") as f:
                    text = f.read(1 << 20)
            except OSError:
                continue
            if any(n in text for n in needles):
                found.append(path)
            walked = walked or text == "control-" + "marker"
for path in ("{shared_data}/codecontests/dev.jsonl", "/proc/1/environ", "/proc/1/mem"):
    try:
        open(path, "rb").read(1)
        found.append(path)
    except OSError:
        pass
print("found", *found) if found else print("nothing-walked" if walked else "search-broken")
"""
    result = judge.judge(source, "python", problem, all_tests=True)
    assert [t.verdict for t in result.tests] == [Verdict.WA] * 3, result
    assert all(t.message.endswith("found nothing-walked") for t in result.tests), [t.message for t in result.tests]


def test_proc_shows_only_the_box(judge, problem_of):
    source = """
import os
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
readable = []
for what in ("environ", "mem", "maps", "fd/0"):
    try:
        open(f"/proc/1/{what}", "rb").read(1)
        readable.append(what)
    except OSError:
        pass
print(pids == [1, os.getpid()], os.getuid(), *readable or ["-"])
"""
    result = run(judge, problem_of, source, answer="True 65534 -")
    assert result.verdict is Verdict.OK, result.message


def test_no_ptrace(judge, problem_of):
    cpp = """#include <cstdio>
#include <sys/ptrace.h>
int main() {
    long me = ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
    long sup = ptrace(PTRACE_ATTACH, 1, nullptr, nullptr);
    puts(me < 0 && sup < 0 ? "denied" : "ALLOWED");
}
"""
    assert run(judge, problem_of, cpp, "cpp", answer="denied").verdict is Verdict.OK
    python = ("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
              "print('denied' if libc.ptrace(16, 1, 0, 0) < 0 else 'ALLOWED')\n")
    assert run(judge, problem_of, python, answer="denied").verdict is Verdict.OK


def test_no_new_namespaces_or_mounts(judge, problem_of):
    source = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
flags = {"user": 0x10000000, "net": 0x40000000, "mount": 0x00020000, "pid": 0x20000000}
out = ["blocked" if libc.unshare(f) != 0 else "ALLOWED" for f in flags.values()]
out.append("blocked" if libc.mount(b"none", b"/tmp", b"tmpfs", 0, None) != 0 else "ALLOWED")
print(*out)
"""
    assert run(judge, problem_of, source, answer="blocked " * 5).verdict is Verdict.OK


# ---------------------------------------------------------------- allowed, as on Codeforces


def test_deep_recursion_is_allowed(judge, problem_of):
    python = ("import sys\nsys.setrecursionlimit(10 ** 6)\n"
              "def depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)\nprint(depth(200000))\n")
    assert run(judge, problem_of, python, answer="200000").verdict is Verdict.OK
    threaded = ("import sys, threading\nsys.setrecursionlimit(10 ** 6)\nthreading.stack_size(1 << 27)\n"
                "def depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)\n"
                "t = threading.Thread(target=lambda: print(depth(100000)))\nt.start()\nt.join()\n")
    assert run(judge, problem_of, threaded, answer="100000").verdict is Verdict.OK
    # ~100 MB of stack: far beyond the usual 8 MB, within the memory limit.
    cpp = """#include <cstdio>
__attribute__((noinline)) int depth(int n) {
    volatile char pad[64]; pad[0] = (char)n;
    if (n == 0) return 0;
    int below = depth(n - 1);  // used after the call: no tail call, every frame stays
    return below + 1 + (pad[0] != (char)n);
}
int main() { printf("%d\\n", depth(1000000)); }
"""
    result = run(judge, problem_of, cpp, "cpp", answer="1000000")
    assert result.verdict is Verdict.OK, result.message
    assert result.tests[0].memory > 50 * MIB


def test_many_threads_are_allowed(judge, problem_of):
    python = ("import threading\nout = [0] * 100\n"
              "def work(i):\n    out[i] = sum(range(i * 1000))\n"
              "ts = [threading.Thread(target=work, args=(i,)) for i in range(100)]\n"
              "[t.start() for t in ts]; [t.join() for t in ts]\nprint(sum(out) > 0)\n")
    assert run(judge, problem_of, python, answer="True").verdict is Verdict.OK
    cpp = """#include <cstdio>
#include <thread>
#include <vector>
#include <atomic>
int main() {
    std::atomic<long> total{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < 100; ++i) ts.emplace_back([&total, i] { total += i; });
    for (auto& t : ts) t.join();
    printf("%ld\\n", total.load());
}
"""
    assert run(judge, problem_of, cpp, "cpp", answer="4950").verdict is Verdict.OK


@pytest.mark.slow
def test_many_java_threads_are_allowed(judge, problem_of):
    java = """public class Main {
    public static void main(String[] args) throws Exception {
        Thread[] ts = new Thread[100];
        long[] out = new long[100];
        for (int i = 0; i < 100; i++) { final int k = i; ts[i] = new Thread(() -> out[k] = k); ts[i].start(); }
        long s = 0;
        for (int i = 0; i < 100; i++) { ts[i].join(); s += out[i]; }
        System.out.println(s);
    }
}
"""
    assert run(judge, problem_of, java, "java", answer="4950", time_limit=5.0).verdict is Verdict.OK


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to start a process as the sandbox uid")
def test_the_host_check_sees_a_leftover_process(leftover_probe):
    """The host_unchanged check itself can fail: a process of the sandbox uid started from here is seen."""
    import subprocess

    proc = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sleep", "60"])
    try:
        time.sleep(0.2)
        assert proc.pid in leftover_probe()
    finally:
        proc.kill()
        proc.wait()
    assert proc.pid not in leftover_probe()
