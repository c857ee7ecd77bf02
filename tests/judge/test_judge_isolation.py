"""Isolation between runs in one box (issue 11, items 1, 3, 4): whatever a run leaves behind in
its box (nested directories, paths longer than PATH_MAX, System V IPC objects) is gone before the
next run, as if every run had a fresh box, and the next run's verdict is its own.

One worker, so that every run of a test lands in the same box."""

from __future__ import annotations

import pytest

from judge.runner import Judge, JudgeConfig
from judge.verdicts import Verdict

MIB = 1 << 20


@pytest.fixture
def judge1():
    """A judge of its own per test: a box poisoned by one test must not fail the next."""
    with Judge(JudgeConfig(workers=1)) as j:
        yield j


def judge_one(judge, problem_of, source, language="python", stdin="", answer="", time_limit=2.0):
    return judge.judge(source, language, problem_of([(stdin, answer)], time_limit, 256 * MIB))


pytestmark = pytest.mark.usefixtures("host_unchanged")

# ~1,200 nested directories: deeper than a recursive clean-up can go (Python's recursion limit).
DEEP_DIRS = """import os
os.chdir("/tmp")
for _ in range(1200):
    os.mkdir("d")
    os.chdir("d")
print("made")
"""

# A file under a path longer than PATH_MAX (4096): 30 levels of 200-character names.
LONG_PATH_WRITE = {
    "python": """import os
os.chdir("/tmp")
for _ in range(30):
    os.mkdir("x" * 200)
    os.chdir("x" * 200)
with open("secret", "w") as f:
    f.write("s3cret")
print("written")
""",
    "cpp": """#include <cstdio>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
int main() {
  std::string n(200, 'x');
  if (chdir("/tmp")) return 3;
  for (int i = 0; i < 30; i++) { if (mkdir(n.c_str(), 0700) || chdir(n.c_str())) return 4; }
  FILE* f = fopen("secret", "w"); fputs("s3cret", f); fclose(f);
  puts("written");
}
""",
}

LONG_PATH_READ = """import os
try:
    os.chdir("/tmp")
    for _ in range(30):
        os.chdir("x" * 200)
    print(open("secret").read())
except OSError:
    print("clean")
"""

# A System V shared memory segment of 32 MB holding a secret, left behind on purpose.
SHM_WRITE = {
    "cpp": """#include <cstdio>
#include <cstring>
#include <sys/ipc.h>
#include <sys/shm.h>
int main() {
  int id = shmget(4242, 32 << 20, IPC_CREAT | 0666);
  if (id < 0) { puts("no shm"); return 0; }
  char* p = (char*)shmat(id, nullptr, 0);
  memset(p, 1, 32 << 20);
  strcpy(p, "s3cret");
  puts("written");
}
""",
    "python": """import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
i = libc.shmget(4242, 32 << 20, 0o1000 | 0o666)
if i < 0:
    print("no shm")
else:
    p = libc.shmat(i, None, 0)
    ctypes.memset(p, 1, 32 << 20)
    ctypes.memmove(p, b"s3cret\\0", 7)
    print("written")
""",
    "java": None,  # the JVM has no System V IPC without native code; see the C++ and Python cases
}

SHM_READ = """#include <cstdio>
#include <sys/ipc.h>
#include <sys/shm.h>
int main() {
  int id = shmget(4242, 0, 0);
  if (id < 0) { puts("clean"); return 0; }
  char* p = (char*)shmat(id, nullptr, SHM_RDONLY);
  puts(p == (char*)-1 ? "clean" : p);
}
"""

MQUEUE = """#include <cstdio>
#include <fcntl.h>
#include <mqueue.h>
int main() {
  mqd_t q = mq_open("/csim-leftover", O_CREAT | O_RDWR, 0600, nullptr);
  puts(q == (mqd_t)-1 ? "refused" : "opened");
}
"""


def test_deep_directories_in_tmp_do_not_poison_the_box(judge1, problem_of):
    # Four such runs turned the demo from 5/5 into 0/5: every later run in the box was IE.
    for _ in range(2):
        assert judge_one(judge1, problem_of, DEEP_DIRS, answer="made").verdict is Verdict.OK
        assert judge_one(judge1, problem_of, "print(input())", stdin="7", answer="7").verdict is Verdict.OK
    assert judge_one(judge1, problem_of, "import os\nprint(len(os.listdir('/tmp')))", answer="0").verdict \
        is Verdict.OK


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_files_under_paths_longer_than_path_max_do_not_survive(judge1, problem_of, language):
    assert judge_one(judge1, problem_of, LONG_PATH_WRITE[language], language, answer="written").verdict \
        is Verdict.OK
    result = judge_one(judge1, problem_of, LONG_PATH_READ, answer="clean")
    assert result.verdict is Verdict.OK, result.message
    # The same program again: nothing in its way (it got RE, FileExistsError, before).
    assert judge_one(judge1, problem_of, LONG_PATH_WRITE[language], language, answer="written").verdict \
        is Verdict.OK


@pytest.mark.parametrize("language", ["cpp", "python"])
def test_shared_memory_does_not_survive_its_run(judge1, problem_of, language):
    assert judge_one(judge1, problem_of, SHM_WRITE[language], language, answer="written").verdict is Verdict.OK
    result = judge_one(judge1, problem_of, SHM_READ, "cpp", answer="clean")
    assert result.verdict is Verdict.OK, result.message


def test_java_deep_directories_do_not_poison_the_box(judge1, problem_of):
    deep = ("public class Main { public static void main(String[] a) {\n"
            "  StringBuilder p = new StringBuilder(\"/tmp\");\n"
            "  for (int i = 0; i < 1200; i++) { p.append(\"/d\"); new java.io.File(p.toString()).mkdir(); }\n"
            "  System.out.println(\"made\"); } }\n")
    count = ("public class Main { public static void main(String[] a) {\n"
             "  System.out.println(new java.io.File(\"/tmp\").list().length); } }\n")
    for _ in range(2):
        result = judge_one(judge1, problem_of, deep, "java", answer="made", time_limit=5.0)
        assert result.verdict is Verdict.OK, result.message
        result = judge_one(judge1, problem_of, count, "java", answer="0", time_limit=5.0)
        assert result.verdict is Verdict.OK, result.message


def test_posix_message_queues_are_refused(judge1, problem_of):
    # They live in the IPC namespace and no file system in the box lists them: refused outright.
    assert judge_one(judge1, problem_of, MQUEUE, "cpp", answer="refused").verdict is Verdict.OK
