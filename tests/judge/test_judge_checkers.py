"""Built-in checkers, and testlib-protocol checker programs (written here in plain C++: testlib.h
is not installed) run by the judge."""

from __future__ import annotations

import pytest

from contests.model import Checker
from judge.checkers import check_floats, check_lines, check_tokens, read_testlib
from judge.verdicts import Verdict


@pytest.mark.parametrize("output, answer, verdict", [
    ("1 2 3\n", "1 2 3\n", Verdict.OK),
    ("1\n2\n\n3   ", "1 2 3", Verdict.OK),  # wcmp: only the tokens matter
    ("1 2", "1 2 3", Verdict.WA),
    ("1 2 3 4", "1 2 3", Verdict.WA),
    ("YES", "yes", Verdict.WA),
    ("", "", Verdict.OK),
])
def test_tokens(output, answer, verdict):
    assert check_tokens(output, answer).verdict is verdict


def test_tokens_messages_say_where():
    assert check_tokens("1 5 3", "1 2 3").message == "2nd token differs: expected '2', found '5'"
    assert "too short" in check_tokens("1", "1 2").message
    assert check_tokens("YES", "yes", case_sensitive=False).verdict is Verdict.OK


@pytest.mark.parametrize("output, answer, verdict", [
    ("0.3333333", "0.333333333", Verdict.OK),  # absolute 1e-6
    ("1000000.5", "1000000.0", Verdict.OK),  # relative 1e-6
    ("1000002", "1000000", Verdict.WA),
    ("0.334", "0.333333", Verdict.WA),
    ("1e-7", "0", Verdict.OK),
    ("abc 1.0000001", "abc 1", Verdict.OK),
    ("abd 1", "abc 1", Verdict.WA),
    ("nan", "nan", Verdict.OK),  # non-numbers compare as text
    ("1_000", "1000", Verdict.WA),  # not a number to a judge, though Python's float() takes it
])
def test_floats(output, answer, verdict):
    assert check_floats(output, answer, 1e-6, 1e-6).verdict is verdict


def test_lines():
    assert check_lines("a b  \nc\n\n\n", "a b\nc").verdict is Verdict.OK
    assert check_lines("a  b\nc", "a b\nc").verdict is Verdict.WA  # spacing inside a line matters
    assert check_lines("a b c", "a b\nc").verdict is Verdict.WA
    assert check_lines("A\r\nB", "a\nb", case_sensitive=False).verdict is Verdict.OK


@pytest.mark.parametrize("code, verdict", [(0, Verdict.OK), (1, Verdict.WA), (2, Verdict.PE), (3, Verdict.IE),
                                           (7, Verdict.WA), (42, Verdict.IE)])
def test_testlib_exit_codes(code, verdict):
    assert read_testlib(code, None, "points 0.5").verdict is verdict


def test_testlib_points_and_signals():
    assert read_testlib(7, None, "0.25 partially").points == 0.25
    assert read_testlib(None, 11, "").verdict is Verdict.IE


# A checker with the testlib protocol: exit 0 when the output is ANY pair of numbers summing to
# the input's N (several valid answers), 1 on a wrong pair, 2 on a malformed output, 3 when the
# answer file itself is broken, 7 with partial points when only the first number is right.
PAIR_CHECKER = r"""#include <cstdio>
int main(int argc, char** argv) {
    if (argc != 4) return 3;
    FILE* in = fopen(argv[1], "r"); FILE* out = fopen(argv[2], "r"); FILE* ans = fopen(argv[3], "r");
    long long n, a, b, ja, jb;
    if (fscanf(in, "%lld", &n) != 1 || fscanf(ans, "%lld %lld", &ja, &jb) != 2 || ja + jb != n) {
        fprintf(stderr, "FAIL: bad jury data"); return 3;
    }
    if (fscanf(out, "%lld %lld", &a, &b) != 2) { fprintf(stderr, "two numbers expected"); return 2; }
    if (a + b == n) { fprintf(stderr, "ok %lld + %lld", a, b); return 0; }
    if (a == ja) { fprintf(stderr, "0.5 first number only"); return 7; }
    fprintf(stderr, "%lld + %lld != %lld", a, b, n); return 1;
}
"""


@pytest.fixture(scope="module")
def pair_problem():
    from contests.model import Problem, TestCase

    return Problem("pair", "any pair", tests=[TestCase("10\n", "3 7\n"), TestCase("4\n", "2 2\n")],
                   time_limit=1.0, memory_limit=64 << 20,
                   checker=Checker(kind="testlib", source=PAIR_CHECKER, language="cpp"))


def test_testlib_checker_accepts_any_valid_answer(judge, pair_problem):
    # The expected answers are 3 7 and 2 2; this prints other valid pairs.
    result = judge.judge("n = int(input())\nprint(1, n - 1)\n", "python", pair_problem, all_tests=True)
    assert result.verdict is Verdict.OK and [t.message for t in result.tests] == ["ok 1 + 9", "ok 1 + 3"]


@pytest.mark.parametrize("source, verdict, message", [
    ("print(1, 1)", Verdict.WA, "1 + 1 != 10"),
    ("print('x')", Verdict.PE, "two numbers expected"),
    ("print(3, 0)", Verdict.WA, "0.5 first number only"),
])
def test_testlib_checker_verdicts(judge, pair_problem, source, verdict, message):
    result = judge.judge(source, "python", pair_problem)
    assert (result.verdict, result.tests[0].message) == (verdict, message)
    if message.startswith("0.5"):
        assert result.tests[0].points == 0.5


def test_testlib_fail_is_a_judge_error(judge, pair_problem):
    import dataclasses

    from contests.model import TestCase

    broken = dataclasses.replace(pair_problem, tests=[TestCase("10\n", "1 1\n")])
    result = judge.judge("print(5, 5)", "python", broken)
    assert result.verdict is Verdict.IE and "bad jury data" in result.tests[0].message


def test_a_checker_that_does_not_compile_is_a_judge_error(judge, pair_problem):
    import dataclasses

    bad = dataclasses.replace(pair_problem, checker=Checker(kind="testlib", source="int main( {", language="cpp"))
    result = judge.judge("print(5, 5)", "python", bad)
    assert result.verdict is Verdict.IE and "checker does not compile" in result.message


def test_float_and_lines_checkers_through_the_judge(judge, problem_of):
    floats = problem_of([("", "0.333333333\n")], checker=Checker(kind="float", abs_eps=1e-6, rel_eps=1e-6))
    assert judge.judge("print(1 / 3)", "python", floats).verdict is Verdict.OK
    assert judge.judge("print(0.3334)", "python", floats).verdict is Verdict.WA
    lines = problem_of([("", "a b\nc\n")], checker=Checker(kind="lines"))
    assert judge.judge("print('a b')\nprint('c')", "python", lines).verdict is Verdict.OK
    assert judge.judge("print('a b c')", "python", lines).verdict is Verdict.WA
