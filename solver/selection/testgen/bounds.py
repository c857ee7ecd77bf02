"""Numeric bounds stated in a problem's Input section, e.g. "1 ≤ n, m ≤ 2 ⋅ 10^5" or "1 ≤ |s| ≤ 2 000".

Only two-sided numeric chains (and `|x| ≤ N`) are read; symbolic bounds such as "a_i ≤ n" are left
to the relations inferred from the examples. Statements that lost their superscripts ("n ≤ 105"
for 10^5) are read literally, which only ever narrows the range: safe for generating inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Bound:
    name: str  # as written, e.g. "n", "a_i", "|s|"
    lo: float | None
    hi: float | None
    length: bool = False  # a bound on a string's length (|s|)


# LaTeX and typographic variants -> one spelling.
_REWRITES = (
    (re.compile(r"\\leq?(?![a-z])|<=|⩽"), "≤"),
    (re.compile(r"\\geq?(?![a-z])|>=|⩾"), "≥"),
    (re.compile(r"\\lt(?![a-z])"), "<"),
    (re.compile(r"⋅|·|\\cdot(?![a-z])|\\times(?![a-z])|×"), "*"),
    (re.compile(r"[−–]"), "-"),
    (re.compile(r"\$|\\,|\\ |[{}]"), ""),
)

_NUM = r"(?:-\s*)?(?:\d{1,3}(?: \d{3})+(?!\d)|\d+(?:\.\d+)?)(?:\s*\*\s*\d+(?:\s*\^\s*\d+)?|\s*\^\s*\d+)?"
_NAME = r"\|?[A-Za-z](?:_?[A-Za-z0-9]{1,3})?\|?"
_NAMES = rf"{_NAME}(?:\s*,\s*{_NAME})*"
_CHAIN = re.compile(
    rf"(?<![\w^.])(?P<lo>{_NUM})\s*(?P<r1>[≤<])\s*(?P<names>{_NAMES})\s*(?P<r2>[≤<])\s*(?P<hi>{_NUM})(?![\w^]|\.\d)"
)
_ABS = re.compile(rf"(?<![\w|])\|(?P<name>[A-Za-z](?:_?[A-Za-z0-9]{{1,3}})?)\|\s*(?P<r>[≤<])\s*(?P<hi>{_NUM})(?![\w^]|\.\d)")


def _number(text: str) -> float | None:
    text = text.replace(" ", "")
    negative = text.startswith("-")
    text = text.lstrip("-")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(?:\*(\d+)(?:\^(\d+))?|\^(\d+))?", text)
    if not m:
        return None
    base, factor, factor_exp, exp = m.groups()
    value = float(base) if "." in base else int(base)
    if factor is not None:
        value *= int(factor) ** int(factor_exp) if factor_exp is not None else int(factor)
    elif exp is not None:
        if int(exp) > 64:
            return None
        value = value ** int(exp)
    return -value if negative else value


def input_section(statement: str) -> str:
    """The statement's Input section (between the 'Input' and 'Output' headings), or all of it."""
    m = re.search(r"(?m)^\s*Input\s*$", statement)
    if not m:
        return statement
    end = re.search(r"(?m)^\s*Output\s*$", statement[m.end():])
    return statement[m.end(): m.end() + end.start()] if end else statement[m.end():]


def normalise(text: str) -> str:
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return text


def statement_bounds(statement: str) -> list[Bound]:
    """Bounds in the Input section, one per name, in order of first mention."""
    text = normalise(input_section(statement))
    found: list[tuple[int, Bound]] = []
    for m in _CHAIN.finditer(text):
        if m["lo"].startswith("-") and re.search(r"[\w)]\s*$", text[: m.start()]):
            continue  # "n - 1 ≤ m ≤ ...": a symbolic lower bound, not -1
        lo, hi = _number(m["lo"]), _number(m["hi"])
        if lo is None or hi is None:
            continue
        if m["r1"] == "<":
            lo += 1
        if m["r2"] == "<":
            hi -= 1
        for name in re.split(r"\s*,\s*", m["names"]):
            length = name.startswith("|") and name.endswith("|") and len(name) > 2
            found.append((m.start(), Bound(name, lo, hi, length)))
    for m in _ABS.finditer(text):
        if text[: m.start()].rstrip().endswith(("≤", "<")):
            continue  # the middle of a chain: a length bound, read above
        hi = _number(m["hi"])
        if hi is not None:
            hi = hi - 1 if m["r"] == "<" else hi
            found.append((m.start(), Bound(m["name"], -hi, hi)))
    bounds, seen = [], set()
    for _, b in sorted(found, key=lambda x: x[0]):
        if b.name not in seen:
            seen.add(b.name)
            bounds.append(b)
    return bounds
