"""The judge on the 244 real CodeContests problems in ../shared/data, each with one accepted human
Python solution and up to 10 real hidden tests (2,439 runs at most).

Measured on 2026-11-25 with three independent methods that agree on the very same 191 problems:
a plain `python3` per test outside any sandbox with `str.split()` comparison (no csim code), the
judge's fast path, and its plain path (fast_path=False). The other 53 are rejected for reasons
of the data (several valid answers, inputs the solution does not parse, slow Python); the test
re-checks every one of those rejections outside the sandbox, so none can be the sandbox's doing.
Judging all of them here takes ~2 minutes of the suite.
"""

from __future__ import annotations

import pytest

from judge.verdicts import Verdict

ACCEPTED_BY_PLAIN_TOKEN_COMPARISON = 191


@pytest.mark.slow
def test_every_problem_the_human_solution_solves_is_judged_ok(judge, codecontests_dev, plain):
    assert len(codecontests_dev) == 244
    results = {p.id: judge.judge(p.correct_solutions[0].source, "python", p) for p in codecontests_dev}
    accepted = [pid for pid, r in results.items() if r.accepted]
    assert len(accepted) == ACCEPTED_BY_PLAIN_TOKEN_COMPARISON, \
        {pid: r.message for pid, r in results.items() if not r.accepted}

    assert all(r.notes == ("limits defaulted to 2 s / 256 MB (the problem gives none)",) for r in results.values())
    assert not [pid for pid, r in results.items() if r.verdict in (Verdict.IE, Verdict.CE)]

    # Every rejection is real: the same solution, run plainly outside the sandbox on the failing
    # test, also fails there (wrong tokens, a crash, or more CPU than the limit).
    for problem in codecontests_dev:
        result = results[problem.id]
        if result.accepted:
            continue
        test = problem.tests[result.failed_test]
        stdout, status, cpu = plain(problem.correct_solutions[0].source, test.input, timeout=30)
        if result.verdict is Verdict.TLE:
            assert status is None or cpu > problem.time_limit, (problem.id, cpu)
        elif result.verdict is Verdict.RE:
            assert status != 0, problem.id
        else:
            assert result.verdict is Verdict.WA, (problem.id, result.verdict)
            assert status == 0 and stdout.split() != test.output.split(), problem.id
