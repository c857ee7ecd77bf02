"""Comparing a program's output with the expected answer: the built-in checkers, and how a testlib
checker program's exit code is read.

tokens: testlib's wcmp (whitespace-separated tokens must be equal; how the whitespace falls does
not matter), optionally case-insensitive. float: tokens, where two numbers are equal within an
absolute or a relative error (testlib's rcmp family; AlphaCode used 1e-5). lines: the lines must
be equal, trailing spaces and trailing empty lines ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contests.model import Checker
from judge.verdicts import Verdict

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SHOW = 32  # characters of a token shown in a message
# testlib's isBlanks: LF, CR, SPACE and TAB separate tokens; nothing else does (not \v, \f, NBSP or
# U+2028, which str.split() would take as whitespace).
_BLANKS = re.compile(r"[ \t\n\r]+")


def _tokens(text: str) -> list[str]:
    return [t for t in _BLANKS.split(text) if t]


@dataclass(frozen=True)
class CheckResult:
    verdict: Verdict  # OK, WA, PE or IE
    message: str = ""
    points: float | None = None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _show(token: str) -> str:
    return repr(token if len(token) <= _SHOW else token[:_SHOW] + "...")


def _compare_tokens(output: str, answer: str, same) -> CheckResult:
    got, want = _tokens(output), _tokens(answer)
    for n, (g, w) in enumerate(zip(got, want), 1):
        if not same(g, w):
            return CheckResult(Verdict.WA, f"{_ordinal(n)} token differs: expected {_show(w)}, found {_show(g)}")
    if len(got) < len(want):
        return CheckResult(Verdict.WA, f"answer too short: {len(got)} tokens, expected {len(want)}")
    if len(got) > len(want):
        return CheckResult(Verdict.WA, f"answer too long: {len(got)} tokens, expected {len(want)}")
    return CheckResult(Verdict.OK, f"{len(want)} tokens")


def check_tokens(output: str, answer: str, case_sensitive: bool = True) -> CheckResult:
    if case_sensitive:
        return _compare_tokens(output, answer, str.__eq__)
    return _compare_tokens(output, answer, lambda a, b: a.lower() == b.lower())


def numbers_close(found: float, expected: float, abs_eps: float, rel_eps: float) -> bool:
    diff = abs(found - expected)
    return diff <= abs_eps or diff <= rel_eps * abs(expected)


def check_floats(output: str, answer: str, abs_eps: float = 1e-6, rel_eps: float = 1e-6,
                 case_sensitive: bool = True) -> CheckResult:
    def same(g: str, w: str) -> bool:
        if _NUMBER.fullmatch(g) and _NUMBER.fullmatch(w):
            return numbers_close(float(g), float(w), abs_eps, rel_eps)
        return g == w if case_sensitive else g.lower() == w.lower()

    return _compare_tokens(output, answer, same)


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def check_lines(output: str, answer: str, case_sensitive: bool = True) -> CheckResult:
    got, want = _lines(output), _lines(answer)
    if not case_sensitive:
        got, want = [g.lower() for g in got], [w.lower() for w in want]
    for n, (g, w) in enumerate(zip(got, want), 1):
        if g != w:
            return CheckResult(Verdict.WA, f"line {n} differs: expected {_show(w)}, found {_show(g)}")
    if len(got) != len(want):
        return CheckResult(Verdict.WA, f"{len(got)} lines, expected {len(want)}")
    return CheckResult(Verdict.OK, f"{len(want)} lines")


def check_builtin(checker: Checker, output: str, answer: str) -> CheckResult:
    if checker.kind == "tokens":
        return check_tokens(output, answer, checker.case_sensitive)
    if checker.kind == "float":
        return check_floats(output, answer, checker.abs_eps, checker.rel_eps, checker.case_sensitive)
    if checker.kind == "lines":
        return check_lines(output, answer, checker.case_sensitive)
    raise ValueError(f"not a built-in checker: {checker.kind!r}")


# testlib's exit codes: _ok 0, _wa 1, _pe 2, _fail 3 (the checker or the data is wrong: a judge
# error), _dirt 4 (extra output: presentation), _points 7 (partial points), _unexpected_eof 8.
TESTLIB_EXITS = {0: Verdict.OK, 1: Verdict.WA, 2: Verdict.PE, 3: Verdict.IE, 4: Verdict.PE, 7: Verdict.WA,
                 8: Verdict.WA}


def read_testlib(exit_code: int | None, signal: int | None, message: str) -> CheckResult:
    """A testlib checker's verdict. Partial points (exit 7) are not an accept under Codeforces
    rules: the verdict is WA and the points are kept."""
    message = " ".join(message.split())[:300]
    if signal is not None or exit_code not in TESTLIB_EXITS:
        how = f"killed by signal {signal}" if signal is not None else f"exit code {exit_code}"
        return CheckResult(Verdict.IE, f"checker failed ({how}): {message}".rstrip(": "))
    verdict = TESTLIB_EXITS[exit_code]
    points = None
    if exit_code == 7:
        m = _NUMBER.search(message)
        points = float(m.group()) if m else None
    if verdict is Verdict.IE:
        message = f"checker FAIL: {message}"
    return CheckResult(verdict, message, points)
