"""Soak: many mixed programs judged while CPU-burning processes load the machine, counting wrong
verdicts and judge errors (goal: 0 and 0), and the host's memory before and after.

    .venv/bin/python benchmarks/judge_soak.py [--count 1000] [--burners 6] [--workers 2]

The programs cycle through kinds with known verdicts, in Python, C++ and Java: accepted ones
(plain, two threads computing while the main thread waits, the JVM), wrong answers, runtime
errors, time and memory limits, output over the limit, and hostile ones that leave things in
their box for the next run (1,200 nested directories, a path past PATH_MAX, a System V shared
memory segment): every run after them must still get its own verdict. Each judging gets a fresh
input, so nothing is answered from a cache. Host memory is MemTotal - MemAvailable from
/proc/meminfo (the machine is shared: other programs move it too), and Shmem, the shared part. Prints one JSON object as its
last line.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contests.model import Problem, TestCase  # noqa: E402
from judge.runner import Judge, JudgeConfig  # noqa: E402

MIB = 1 << 20
ECHO = {
    "python": "print(int(input()) * 2)\n",
    "cpp": "#include <cstdio>\nint main() { long long x; scanf(\"%lld\", &x); printf(\"%lld\\n\", x * 2); }\n",
    "java": "import java.util.*;\npublic class Main { public static void main(String[] a) {\n"
            "  System.out.println(new Scanner(System.in).nextLong() * 2); } }\n",
}
THREADS_CPP = """#include <cstdio>
#include <thread>
#include <ctime>
static double cpu() { timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static void work() { volatile long x = 0; while (cpu() < 0.2) x++; }
int main() { long long n; scanf("%lld", &n); std::thread a(work), b(work); a.join(); b.join(); printf("%lld\\n", n * 2); }
"""
THREADS_PY = """import threading, time
n = int(input())
def work():
    t = time.thread_time()
    while time.thread_time() - t < 0.15:
        pass
ts = [threading.Thread(target=work) for _ in range(2)]
for t in ts: t.start()
for t in ts: t.join()
print(n * 2)
"""
JAVA_COMPUTE = """import java.util.*;
public class Main { public static void main(String[] a) {
  long n = new Scanner(System.in).nextLong(); long s = 0;
  for (long i = 0; i < 200_000_000L; i++) s += i ^ n;
  System.out.println(s != 42 ? n * 2 : 0); } }
"""
DEEP = "import os\nn = int(input())\nos.chdir('/tmp')\nfor _ in range(1200):\n    os.mkdir('d')\n    os.chdir('d')\nprint(n * 2)\n"
LONG_PATH = ("import os\nn = int(input())\nos.chdir('/tmp')\nfor _ in range(30):\n    os.mkdir('x' * 200)\n"
             "    os.chdir('x' * 200)\nopen('f', 'w').write('x' * 1000)\nprint(n * 2)\n")
SHM = """#include <cstdio>
#include <cstring>
#include <sys/shm.h>
int main() { long long n; scanf("%lld", &n); int id = shmget(4242, 16 << 20, IPC_CREAT | 0666);
  if (id >= 0) { char* p = (char*)shmat(id, nullptr, 0); memset(p, 1, 16 << 20); }
  printf("%lld\\n", n * 2); }
"""
CLEAN_CHECK = ("import os\nn = int(input())\nleft = os.listdir('/tmp') + os.listdir('/dev/shm')\n"
               "print(n * 2 if not left else -1)\n")
SHM_CHECK = """#include <cstdio>
#include <sys/shm.h>
int main() { long long n; scanf("%lld", &n); printf("%lld\\n", shmget(4242, 0, 0) < 0 ? n * 2 : -1); }
"""

# (name, language, source, expected verdict, time limit)
KINDS = [
    ("echo", "python", ECHO["python"], "OK", 2.0),
    ("echo", "cpp", ECHO["cpp"], "OK", 2.0),
    ("echo", "java", ECHO["java"], "OK", 3.0),
    ("two-threads", "cpp", THREADS_CPP, "OK", 1.0),
    ("two-threads", "python", THREADS_PY, "OK", 1.0),
    ("compute", "java", JAVA_COMPUTE, "OK", 2.0),
    ("wrong", "python", "print(int(input()) * 3)\n", "WA", 2.0),
    ("wrong", "cpp", ECHO["cpp"].replace("x * 2", "x * 3"), "WA", 2.0),
    ("crash", "cpp", "#include <cstdio>\nint main() { int* p = nullptr; long long x; scanf(\"%lld\", &x); *p = x; }\n",
     "RE", 2.0),
    ("crash", "java", "public class Main { public static void main(String[] a) { throw new RuntimeException(); } }\n",
     "RE", 3.0),
    ("crash", "python", "import sys\ninput()\nsys.exit(3)\n", "RE", 2.0),
    ("spin", "cpp", "int main() { volatile long x = 0; for (;;) x++; }\n", "TLE", 0.5),
    ("spin", "python", "input()\nwhile True:\n    pass\n", "TLE", 0.5),
    ("memory", "cpp", "#include <vector>\n#include <cstdio>\nint main() { std::vector<char> v(512 << 20, 1);"
                      " printf(\"%d\", v[12345]); }\n", "MLE", 2.0),
    ("flood", "cpp", "#include <cstdio>\nint main() { for (;;) fputs(\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", stdout); }\n",
     "OLE", 2.0),
    ("deep-dirs", "python", DEEP, "OK", 3.0),
    ("after-leftover", "python", CLEAN_CHECK, "OK", 2.0),
    ("long-path", "python", LONG_PATH, "OK", 3.0),
    ("after-leftover", "python", CLEAN_CHECK, "OK", 2.0),
    ("shm", "cpp", SHM, "OK", 2.0),
    ("after-leftover", "cpp", SHM_CHECK, "OK", 2.0),
]


def host_memory() -> tuple[int, int]:
    """(bytes in use on the host: MemTotal - MemAvailable, of which shared memory: Shmem, where a
    leaked System V segment or tmpfs file would show)."""
    info = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        key, value = line.split(":", 1)
        info[key] = int(value.split()[0]) * 1024
    return info["MemTotal"] - info["MemAvailable"], info["Shmem"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="programs judged")
    parser.add_argument("--burners", type=int, default=6, help="CPU-burning processes beside the judge")
    parser.add_argument("--workers", type=int, default=2, help="judge workers")
    args = parser.parse_args()

    memory_before, shmem_before = host_memory()
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
               for _ in range(args.burners)]
    wrong, errors, verdicts = [], [], Counter()
    started = time.monotonic()
    try:
        with Judge(JudgeConfig(workers=args.workers)) as judge:
            for n, (name, language, source, expected, time_limit) in zip(range(args.count), itertools.cycle(KINDS)):
                problem = Problem(f"soak{n}", name, tests=[TestCase(f"{n}\n", f"{n * 2}\n")], time_limit=time_limit,
                                  memory_limit=256 * MIB)
                result = judge.judge(source, language, problem)
                verdicts[result.verdict.value] += 1
                if result.verdict.value == "IE":
                    errors.append(f"{n} {name}/{language}: {result.message}"[:300])
                elif result.verdict.value != expected:
                    wrong.append(f"{n} {name}/{language}: {result.verdict.value}, expected {expected}: "
                                 f"{result.message}"[:300])
                if (n + 1) % 50 == 0:
                    print(f"{n + 1}/{args.count} judged, {len(wrong)} wrong, {len(errors)} IE, "
                          f"{time.monotonic() - started:.0f} s", flush=True)
            recycled = sum(box.recycled for pool in judge._pools for box in pool.started)
    finally:
        for p in burners:
            p.kill()
            p.wait()
    time.sleep(2)  # let the kernel take back what the boxes held
    memory_after, shmem_after = host_memory()
    for line in wrong + errors:
        print(line)
    print(json.dumps({
        "benchmark": "judge_soak", "programs": args.count, "burners": args.burners, "workers": args.workers,
        "cpus": len(os.sched_getaffinity(0)), "wrong_verdicts": len(wrong), "internal_errors": len(errors),
        "verdicts": dict(verdicts), "boxes_replaced": recycled, "seconds": round(time.monotonic() - started, 1),
        "host_memory_used_mb_before": round(memory_before / 1e6, 1),
        "host_memory_used_mb_after": round(memory_after / 1e6, 1),
        "host_memory_change_mb": round((memory_after - memory_before) / 1e6, 1),
        "host_shmem_mb_before": round(shmem_before / 1e6, 1), "host_shmem_mb_after": round(shmem_after / 1e6, 1),
    }))


if __name__ == "__main__":
    main()
