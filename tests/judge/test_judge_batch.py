"""The batch path (a Python program's tests in one box visit, JudgeConfig.batch) judges exactly as
the per-run path (batch=False): the same verdicts on the same tests, on real programs and on
programs that probe what a batch could get wrong (exit statuses, the streams, limits hit in the
middle of a batch, processes left between tests); and it is really taken."""

from __future__ import annotations

import numpy as np
import pytest

from judge.runner import Judge, JudgeConfig
from judge.verdicts import Verdict
from solver.model.data.mutants import mutate

MIB = 1 << 20


@pytest.fixture(scope="module")
def judges():
    """(batch, per-run), one worker each, a small output limit so that OLE is cheap."""
    with Judge(JudgeConfig(workers=1, output_limit=MIB)) as batch, \
            Judge(JudgeConfig(workers=1, output_limit=MIB, batch=False)) as per_run:
        yield batch, per_run


def _same(batch, per_run) -> None:
    """Equal judgements: the verdict, and each test's verdict and message (a TLE's message names
    the CPU time, which varies from run to run)."""
    assert batch.verdict == per_run.verdict, (batch, per_run)
    assert batch.compile_output == per_run.compile_output
    assert [t.verdict for t in batch.tests] == [t.verdict for t in per_run.tests], (batch, per_run)
    for b, p in zip(batch.tests, per_run.tests):
        assert b.exit_code == p.exit_code and b.signal == p.signal, (b, p)
        if b.verdict is not Verdict.TLE:
            assert b.message == p.message, (b, p)


ANSWER = "a, b = map(int, input().split())\nprint(a + b)\n"
TESTS = [("1 2\n", "3\n"), ("2 2\n", "4\n"), ("3 4\n", "7\n")]
EDGE_CASES = {
    "accepted": ANSWER,
    "wrong on the second test": "a, b = map(int, input().split())\nprint(a + b + (a == 2))\n",
    "exit code 3": "import sys\nsys.exit(3)\n",
    "exit() after the answer": ANSWER + "exit()\n",
    "sys.exit caught in a try": "import sys\ntry:\n    sys.exit(5)\nexcept SystemExit:\n    pass\n" + ANSWER,
    "sys.exit in a try's finally": "import sys\ntry:\n    print(sum(map(int, input().split())))\nfinally:\n"
                                   "    sys.exit(0)\n",
    "a message as exit status": "import sys\nsys.exit('bye')\n",
    "os.read of fd 0": "import os\nprint(sum(map(int, os.read(0, 100).split())))\n",
    "from sys import stdin": "from sys import stdin\nprint(sum(map(int, stdin.readline().split())))\n",
    "an exception on the second test": "a, b = map(int, input().split())\nassert a != 2, 'two'\nprint(a + b)\n",
    "killed by a signal": "import os, signal\na, b = map(int, input().split())\nif a == 2:\n"
                          "    os.kill(os.getpid(), signal.SIGSEGV)\nprint(a + b)\n",
    "output over the limit on the second test": "a, b = map(int, input().split())\n"
                                                 "print(a + b)\nif a == 2:\n    print('x' * (2 << 20))\n",
    "a time limit in the middle": "a, b = map(int, input().split())\nwhile a == 2:\n    pass\nprint(a + b)\n",
    "a memory limit in the middle": "a, b = map(int, input().split())\nx = bytearray((200 << 20) if a == 2 else 1)\n"
                                    "x[::4096] = b'1' * len(x[::4096])\nprint(a + b)\n",
    "a child left behind each test": "import os, time\na, b = map(int, input().split())\nprint(a + b, flush=True)\n"
                                     "if os.fork() == 0:\n    os.setsid()\n    time.sleep(0.3)\n"
                                     "    print('late', flush=True)\n    os._exit(0)\n",
    "a file left in /tmp for the next test": "import os\na, b = map(int, input().split())\n"
                                             "print(a + b + os.path.exists('/tmp/mark'))\nopen('/tmp/mark', 'w').close()\n",
    "its output files made unwritable": "import os\na, b = map(int, input().split())\nprint(a + b, flush=True)\n"
                                        "os.chmod('/proc/self/fd/1', 0)\nos.chmod('/proc/self/fd/2', 0)\n",
    "importing itself by its file's name": "import sys\nif 'main' not in sys.modules:\n    import main\n"
                                           "else:\n    print(sum(map(int, input().split())))\n",
    "globals and __name__": "def f():\n    global s\n    s = sum(map(int, input().split()))\n"
                            "if __name__ == '__main__':\n    f()\n    print(s)\n",
    "a syntax error": "print(1\n",
    "a null byte": "print(1)\0\n",
    "an undefined name": "print(undefined_name)\n",
    "a warning while compiling": "x = 1\nif x is 1:\n    pass\n" + ANSWER,
}


@pytest.mark.parametrize("all_tests", [False, True], ids=["first-failure", "all-tests"])
@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_edge_cases_are_judged_as_on_the_per_run_path(judges, problem_of, name, all_tests):
    batch, per_run = judges
    problem = problem_of(TESTS, time_limit=0.5, memory_limit=64 * MIB)
    _same(batch.judge(EDGE_CASES[name], "python", problem, all_tests=all_tests),
          per_run.judge(EDGE_CASES[name], "python", problem, all_tests=all_tests))


def test_memory_is_measured_per_test_in_a_batch(judges, problem_of):
    # The peak is reset between the tests: the test after the memory limit was hit reports its own.
    batch, _ = judges
    problem = problem_of(TESTS, time_limit=2.0, memory_limit=64 * MIB)
    result = batch.judge(EDGE_CASES["a memory limit in the middle"], "python", problem, all_tests=True)
    assert [t.verdict for t in result.tests] == [Verdict.OK, Verdict.MLE, Verdict.OK]
    assert result.tests[1].memory >= 60 * MIB and result.tests[2].memory < 16 * MIB, result.tests


def test_the_batch_path_is_taken(problem_of):
    # No compile box starts (the syntax check is the batch's), and a test's input is written once
    # however many programs run on it.
    with Judge(JudgeConfig(workers=1)) as judge:
        problem = problem_of(TESTS)
        for source in (ANSWER, ANSWER + "# another\n", "print(1\n"):
            judge.judge(source, "python", problem, all_tests=True)
        assert judge._compiles.started == []
        assert len(list((judge._runtime / "inputs").iterdir())) == len(TESTS)
        # Nothing stays in the box between programs: no program run later in the box reads
        # another's source, input or output.
        assert [f for f in judge._runs.started[0].spec.host_dir.glob("**/*") if not f.is_dir()] == []


def test_real_programs_are_judged_as_on_the_per_run_path(judges, codecontests_dev):
    # Human solutions of real problems and mutants of them (wrong answers, crashes), on the first
    # tests of each problem.
    batch, per_run = judges
    rng = np.random.default_rng(0)
    judged = 0
    for problem in codecontests_dev[:12]:
        human = next((s.source for s in problem.correct_solutions if s.language == "python"), None)
        if human is None:
            continue
        for source in [human, *mutate(human, "python", rng, limit=2)]:
            _same(batch.judge(source, "python", problem, tests=problem.tests[:4]),
                  per_run.judge(source, "python", problem, tests=problem.tests[:4]))
            judged += 1
    assert judged >= 24
