"""Runs are stopped at their limits (issue 16): a busy loop as soon as its CPU time passes the time
limit (not at RLIMIT_CPU's whole seconds plus one), an idle program at the wall-clock limit itself
(not one progress window later because it used some CPU before it went idle). Asserts are on the
times the judge reports, with the margin the supervisor states (CPU_WATCH plus a clock tick)."""

from __future__ import annotations

import pytest

from judge.runner import Judge, JudgeConfig
from judge.verdicts import Verdict

MIB = 1 << 20
MARGIN = 0.25  # seconds: well above CPU_WATCH + a tick, well under the old second


@pytest.fixture(scope="module")
def slow_wall_judge():
    # The wall-clock kill far away (30x TL): only the CPU limit can end a busy loop.
    with Judge(JudgeConfig(workers=1, wall_factor=30.0)) as j:
        yield j


@pytest.mark.parametrize("language, source", [
    ("python", "while True: pass\n"),
    ("cpp", "int main() { volatile unsigned long x = 0; for (;;) x++; }\n"),
])
def test_a_busy_loop_is_killed_when_its_cpu_time_reaches_the_limit(slow_wall_judge, problem_of, language, source):
    # Before: RLIMIT_CPU's SIGXCPU at TL + 1 s (2.0 s of CPU for a 1 s limit).
    result = slow_wall_judge.judge(source, language, problem_of([("", "")], 1.0, 256 * MIB))
    test = result.tests[0]
    assert result.verdict is Verdict.TLE, result.message
    assert 1.0 < test.cpu_time < 1.0 + MARGIN, test


def test_a_program_that_computes_then_sleeps_is_killed_at_the_wall_clock_limit(judge, problem_of):
    # Before: the CPU it used before sleeping counted as progress at the limit, one more window.
    source = "import time\nx = sum(range(3 * 10**6))\ntime.sleep(60)\n"
    result = judge.judge(source, "python", problem_of([("", "")], 1.0, 256 * MIB))
    test = result.tests[0]
    assert result.verdict is Verdict.TLE and "wall-clock" in test.message, test
    assert 3.0 <= test.wall_time < 3.0 + MARGIN, test


def test_a_program_just_under_the_limit_is_not_killed(slow_wall_judge, problem_of):
    source = "import time\nwhile time.process_time() < 0.7: pass\nprint('done')\n"
    result = slow_wall_judge.judge(source, "python", problem_of([("", "done")], 1.0, 256 * MIB))
    assert result.verdict is Verdict.OK, result.message
