"""Limits decided right in hard cases (issue 11, items 5, 6, 8): CPU time decides TLE for every
thread under CPU load, exactly the output limit is allowed, a large stderr or scratch file is not
output, the output's page cache is not memory, Java class names the file system cannot hold are
CE, and the token checker splits where testlib's wcmp does."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager

import pytest

from judge.checkers import check_floats, check_tokens
from judge.runner import Judge, JudgeConfig
from judge.verdicts import Verdict

MIB = 1 << 20


@contextmanager
def cpu_load(burners: int):
    """BURNERS CPU-burning processes and this process (hence the judge's boxes, started inside)
    all on one CPU: every thread of a run gets about 1/(burners + its threads) of it."""
    cpu = min(os.sched_getaffinity(0))
    before = os.sched_getaffinity(0)
    # Each in its own session, as unrelated programs on a machine are (the scheduler shares the CPU
    # between sessions first where autogroups are on).
    procs = [subprocess.Popen([sys.executable, "-c", f"import os; os.sched_setaffinity(0, {{{cpu}}})\nwhile True: pass"],
                              start_new_session=True) for _ in range(burners)]
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)
        for p in procs:
            p.kill()
            p.wait()


# Two threads each computing 0.3 s of CPU while the main thread waits in join(): 0.6 s of a 1 s limit
# (Java: 0.5 s in main() and the JVM's own work).
TWO_THREADS = {
    "cpp": """#include <cstdio>
#include <thread>
#include <ctime>
static double cpu() { timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static void work() { volatile long x = 0; while (cpu() < 0.3) x++; }
int main() { std::thread a(work), b(work); a.join(); b.join(); puts("done"); }
""",
    "python": """import threading, time
def work():
    start = time.thread_time()
    while time.thread_time() - start < 0.3:
        pass
threads = [threading.Thread(target=work) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("done")
""",
    # The java launcher's first thread waits while main() runs in another one.
    "java": """public class Main {
  public static void main(String[] a) throws Exception {
    java.lang.management.ThreadMXBean m = java.lang.management.ManagementFactory.getThreadMXBean();
    long x = 0;
    while (m.getCurrentThreadCpuTime() < 500_000_000L) x++;
    System.out.println(x > 0 ? "done" : "none");
  }
}
""",
}


@pytest.mark.parametrize("language", ["cpp", "python", "java"])
def test_no_false_tle_under_cpu_load_when_the_main_thread_waits(problem_of, language):
    # 42 of 202 verdicts were wrong with 6 busy processes beside the judge: the wall-clock limit
    # (3x) passed while the main thread slept in join(), with 0.54 s CPU used of a 1 s limit.
    with cpu_load(8), Judge(JudgeConfig(workers=1)) as j:
        j.compile(TWO_THREADS[language], language)  # compiling is not what is timed
        result = j.judge(TWO_THREADS[language], language, problem_of([("", "done")], 1.0, 256 * MIB))
    assert result.verdict is Verdict.OK, result.message
    assert result.tests[0].wall_time > 3.0, "the load was too light to matter"


def test_a_sleeping_program_under_load_is_still_killed_at_the_wall_clock_limit(problem_of):
    with cpu_load(4), Judge(JudgeConfig(workers=1)) as j:
        result = j.judge("import time\ntime.sleep(60)\n", "python", problem_of([("", "")], 0.5))
    assert result.verdict is Verdict.TLE and result.tests[0].wall_time < 4, result.tests[0]


@pytest.fixture(scope="module")
def judge1():
    with Judge(JudgeConfig(workers=1)) as j:
        yield j


def test_output_of_exactly_the_limit_is_not_ole(judge1, problem_of):
    source = "import sys\nsys.stdout.buffer.write(b'a' * (64 << 20))\n"
    result = judge1.judge(source, "python", problem_of([("", "a" * (64 << 20))], 5.0, 256 * MIB))
    assert result.verdict is Verdict.OK, result.message
    over = judge1.judge("import sys\nsys.stdout.buffer.write(b'a' * ((64 << 20) + 1))\n", "python",
                        problem_of([("", "a")], 5.0, 256 * MIB))
    assert over.verdict is Verdict.OLE


@pytest.mark.parametrize("language, source", [
    ("python", "import sys\nsys.stderr.buffer.write(b'e' * (65 << 20))\nprint(1)\n"),
    ("python", "open('/tmp/big', 'wb').write(b's' * (65 << 20))\nprint(1)\n"),
    ("cpp", "#include <cstdio>\n#include <vector>\nint main() { std::vector<char> v(65 << 20, 'e');\n"
            "  fwrite(v.data(), 1, v.size(), stderr); puts(\"1\"); }\n"),
])
def test_a_large_stderr_or_scratch_file_is_not_output_over_the_limit(judge1, problem_of, language, source):
    result = judge1.judge(source, language, problem_of([("", "1")], 5.0, 256 * MIB))
    assert result.verdict is not Verdict.OLE, result.message


@pytest.mark.parametrize("language, source", [
    ("python", "import sys\nchunk = b'a' * (1 << 20)\nfor _ in range(50):\n    sys.stdout.buffer.write(chunk)\n"),
    ("cpp", "#include <cstdio>\n#include <cstring>\nstatic char b[1 << 20];\n"
            "int main() { memset(b, 'a', sizeof b); for (int i = 0; i < 50; i++) fwrite(b, 1, sizeof b, stdout); }\n"),
])
def test_reported_memory_excludes_the_outputs_page_cache(judge1, problem_of, language, source):
    result = judge1.judge(source, language, problem_of([("", "a" * (50 << 20))], 5.0, 256 * MIB))
    assert result.verdict is Verdict.OK, result.message
    assert result.tests[0].memory < 30 * MIB, result.tests[0].memory


def test_java_class_names_the_file_system_cannot_hold_are_ce(judge1, problem_of):
    name = "A" * 300
    source = f"public class {name} {{ public static void main(String[] a) {{ System.out.println(1); }} }}\n"
    result = judge1.judge(source, "java", problem_of([("", "1")]))
    assert result.verdict is Verdict.CE, result.message
    assert "File name too long" in result.compile_output


@pytest.mark.parametrize("separator", ["\x1f", "\xa0", "\u2028", "\x0b", "\x0c", "\x1c", "\u3000"])
def test_token_checker_separates_only_where_testlib_wcmp_does(separator):
    # testlib's isBlanks: space, \t, \n and \r; anything else is part of a token.
    assert check_tokens(f"1{separator}2", "1 2").verdict is Verdict.WA
    assert check_tokens(f"1{separator}2", f"1{separator}2").verdict is Verdict.OK
    assert check_floats(f"1.0{separator}2", "1.0 2").verdict is Verdict.WA
    assert check_tokens(" 1\t2\r\n3\n\n", "1 2 3").verdict is Verdict.OK
