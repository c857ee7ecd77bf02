"""Infer a small grammar of a problem's input format from its example inputs, and parse with it.

A grammar is a sequence of items:
  Line    one line: fixed fields (each a named slot; integer fields become variables), then
          optionally a homogeneous tail whose length is a count (a variable, or free).
  Repeat  a block of items repeated `count` times ("n", then n lines; or t test cases).
A count is `mul * var + add` for a few common shapes (n, n - 1, 2n) of a variable bound earlier
(in the same line for "k a_1 ... a_k"). Inference parses all examples in lockstep and backtracks;
the first grammar that parses every example exactly is kept; a step budget bounds the search.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Union

# Count shapes tried, most common first: n lines, n - 1 edges of a tree, 2n numbers, 2n - 1.
COUNT_SHAPES = ((1, 0), (1, -1), (2, 0), (2, -1))
MAX_BODY_ITEMS = 3  # lines (or nested blocks) in one repeated block, e.g. a test case
MAX_PREFIX = 3  # fixed fields before a counted tail on one line
MAX_ITEMS = 12  # items in a whole grammar (a literal line each, or a block)
MAX_VAR_FIELDS = 5  # only lines this short bind variables: counts sit on short lines
COUNT_VARS = 6  # how many of the latest variables may be a count


@dataclass(frozen=True)
class Count:
    var: str
    mul: int = 1
    add: int = 0

    def value(self, env: dict[str, int]) -> int | None:
        v = env.get(self.var)
        return None if v is None else self.mul * v + self.add

    def __str__(self) -> str:
        text = self.var if self.mul == 1 else f"{self.mul}*{self.var}"
        return text + (f"{self.add:+d}" if self.add else "")


@dataclass(frozen=True)
class Line:
    fields: tuple[str, ...]  # slot names of the fixed fields
    tail: str | None = None  # slot name of the tail's elements
    tail_count: Count | None = None  # None with a tail: a free length

    def __str__(self) -> str:
        parts = list(self.fields)
        if self.tail:
            parts.append(f"{self.tail}[{self.tail_count or '*'}]")
        return " ".join(parts) or "(blank)"


@dataclass(frozen=True)
class Repeat:
    name: str
    count: Count
    body: tuple["Item", ...]

    def __str__(self) -> str:
        return f"{self.count} x {{" + " / ".join(map(str, self.body)) + "}"


Item = Union[Line, Repeat]


# Parse trees: what each item matched in one input.
@dataclass(frozen=True)
class LineNode:
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class RepeatNode:
    iterations: tuple[tuple["Node", ...], ...]


Node = Union[LineNode, RepeatNode]

_INT = re.compile(r"[+-]?(0|[1-9]\d*)\Z")


def as_int(token: str) -> int | None:
    """The token's integer value; None for anything else, including digit strings like '0110'."""
    return int(token) if _INT.match(token) else None


def split_lines(text: str) -> tuple[tuple[str, ...], ...]:
    lines = text.replace("\r", "").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return tuple(tuple(line.split()) for line in lines)


def render(lines: list[list[str]]) -> str:
    return "".join(" ".join(tokens) + "\n" for tokens in lines)


class Mismatch(Exception):
    """The grammar does not parse this input."""


class OutOfBudget(Exception):
    pass


# ---------------------------------------------------------------- parsing

def parse_line(line: Line, tokens: tuple[str, ...], env: dict[str, int]) -> dict[str, int]:
    """Check TOKENS against LINE; bind its integer fields in ENV (in place) and return ENV."""
    if len(tokens) < len(line.fields) or (line.tail is None and len(tokens) != len(line.fields)):
        raise Mismatch
    bind = len(line.fields) <= MAX_VAR_FIELDS
    for name, token in zip(line.fields, tokens):
        value = as_int(token) if bind else None
        if value is not None:
            env[name] = value
        else:
            env.pop(name, None)
    if line.tail_count is not None and line.tail_count.value(env) != len(tokens) - len(line.fields):
        raise Mismatch
    return env


def parse_items(items, lines, pos: int, env: dict[str, int], nodes: list | None = None, steps=None) -> int:
    """Parse ITEMS from LINES[POS:]; return the position after them. Appends parse nodes to NODES."""
    for item in items:
        if steps is not None:
            steps.tick()
        if isinstance(item, Line):
            if pos >= len(lines):
                raise Mismatch
            parse_line(item, lines[pos], env)
            if nodes is not None:
                nodes.append(LineNode(lines[pos]))
            pos += 1
        else:
            k = item.count.value(env)
            if k is None or k < 0 or k > len(lines) - pos:
                raise Mismatch
            iterations = []
            for _ in range(k):
                inner = [] if nodes is not None else None
                pos = parse_items(item.body, lines, pos, dict(env), inner, steps)
                iterations.append(tuple(inner or ()))
            if nodes is not None:
                nodes.append(RepeatNode(tuple(iterations)))
    return pos


def parse(items, text: str) -> tuple[Node, ...]:
    """The parse tree of a whole input; raises Mismatch unless ITEMS consume it exactly."""
    lines = split_lines(text)
    nodes: list = []
    if parse_items(items, lines, 0, {}, nodes) != len(lines):
        raise Mismatch
    return tuple(nodes)


# ---------------------------------------------------------------- inference

class _Search:
    def __init__(self, budget: int, allow_free: bool):
        self.budget = budget
        self.allow_free = allow_free
        self.steps = 0
        self.names = 0

    def tick(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > self.budget:
            raise OutOfBudget

    def name(self, prefix: str = "v") -> str:
        self.names += 1
        return f"{prefix}{self.names}"


@dataclass(frozen=True)
class _Cursor:
    lines: tuple[tuple[str, ...], ...]
    pos: int
    env: dict

    @property
    def at_end(self) -> bool:
        return self.pos >= len(self.lines)

    @property
    def line(self) -> tuple[str, ...]:
        return self.lines[self.pos]


def _recent_vars(envs: list[dict]) -> list[str]:
    """Variables bound in every env, latest first; counts are nearly always among the last few."""
    common = [v for v in reversed(list(envs[0])) if all(v in e for e in envs)]
    return common[:COUNT_VARS]


def _counts_matching(envs: list[dict], targets: list[int], own: tuple[str, ...] = ()) -> Iterator[Count]:
    """Counts equal to TARGETS in each env, commonest shape first. A variable of the same line
    (OWN: "k a_1 ... a_k") only counts as itself: k - 1 there is nearly always a coincidence."""
    names = _recent_vars(envs)
    for mul, add in COUNT_SHAPES:
        for var in names:
            if (var not in own or (mul, add) == (1, 0)) and all(mul * e[var] + add == t for e, t in zip(envs, targets)):
                yield Count(var, mul, add)


def _repeat_counts(cursors: list[_Cursor]) -> Iterator[Count]:
    seen = set()
    names = _recent_vars([c.env for c in cursors])
    for mul, add in COUNT_SHAPES:
        for var in names:
            ks = tuple(mul * c.env[var] + add for c in cursors)
            if ks in seen or max(ks) < 1 or any(k < 0 or k > len(c.lines) - c.pos for k, c in zip(ks, cursors)):
                continue
            seen.add(ks)
            yield Count(var, mul, add)


def _line_alternatives(cursors: list[_Cursor], search: _Search) -> list[Line]:
    widths = [len(c.line) for c in cursors]
    constant = len(set(widths)) == 1
    exact, counted = [], []  # "n, then n numbers" / other counted tails
    for p in range(min(min(widths), MAX_PREFIX) + 1):
        names = tuple(search.name() for _ in range(p))
        envs = []
        for c in cursors:
            env = dict(c.env)
            parse_line(Line(names, tail="_"), c.line, env)
            envs.append(env)
        rest = [w - p for w in widths]
        count = next(_counts_matching(envs, rest, names), None)
        if count is not None and max(rest) >= 2:  # a count sizing at most one token explains nothing
            line = Line(names, search.name(), count)
            (exact if p == 0 and (count.mul, count.add) == (1, 0) else counted).append(line)
    fixed = [Line(tuple(search.name() for _ in range(widths[0])))] if constant else []
    free = [Line((), search.name(), None)] if search.allow_free else []
    # Where every example has the same width, only "n, then n numbers" beats a literal line.
    return exact + fixed + counted + free if constant else exact + counted + free


def _items(cursors: list[_Cursor], search: _Search, limit: int,
           block_start: bool) -> Iterator[tuple[Item, list[_Cursor], int]]:
    """Single items parsing every cursor, with their sizes (items, nested ones included)."""
    search.tick()
    # A block never opens with another block: that would recurse without consuming a line.
    for count in () if block_start or limit < 2 else _repeat_counts(cursors):
        starts = [_Cursor(c.lines, c.pos, dict(c.env)) for c in cursors if count.value(c.env) >= 1]
        for n_items in range(1, MAX_BODY_ITEMS + 1):
            for body, _, size in _sequences(starts, search, limit - 1, n_items, block_start=True):
                repeat = Repeat(search.name("r"), count, tuple(body))
                try:
                    after = []
                    for c in cursors:
                        env = dict(c.env)
                        after.append(_Cursor(c.lines, parse_items([repeat], c.lines, c.pos, env, steps=search), env))
                except Mismatch:
                    continue
                yield repeat, after, size + 1
    if any(c.at_end for c in cursors):
        return
    for line in _line_alternatives(cursors, search):
        try:
            after = [_Cursor(c.lines, c.pos + 1, parse_line(line, c.line, dict(c.env))) for c in cursors]
        except Mismatch:
            continue
        yield line, after, 1


def _sequences(cursors: list[_Cursor], search: _Search, limit: int, exact: int | None,
               block_start: bool = False) -> Iterator[tuple[list[Item], list[_Cursor], int]]:
    """Item sequences of total size <= LIMIT parsing every cursor: to the end of each (exact=None),
    or exactly EXACT items (a block's body)."""
    if exact == 0 or (exact is None and all(c.at_end for c in cursors)):
        yield [], cursors, 0
        return
    if limit <= 0:
        return
    for item, after, size in _items(cursors, search, limit, block_start):
        for rest, end, rest_size in _sequences(after, search, limit - size, None if exact is None else exact - 1):
            yield [item, *rest], end, size + rest_size


def _literal(cursors: list[_Cursor]) -> tuple[Line, ...] | None:
    """One fixed line per input line, where every input has the same shape."""
    shapes = {tuple(len(line) for line in c.lines) for c in cursors}
    if len(shapes) != 1:
        return None
    names = iter(range(1, 1 << 30))
    return tuple(Line(tuple(f"w{next(names)}" for _ in range(width))) for width in shapes.pop())


def _smallest(cursors: list[_Cursor], budget: int, allow_free: bool, max_items: int) -> tuple[Item, ...] | None:
    steps = 0
    try:
        for limit in range(1, max_items + 1):
            search = _Search(budget - steps, allow_free)
            try:
                for items, _, _ in _sequences(cursors, search, limit, None):
                    return tuple(items)
            finally:
                steps += search.steps
    except (OutOfBudget, RecursionError):
        pass
    return None


def infer_items(inputs: list[str], budget: int = 30_000) -> tuple[Item, ...] | None:
    """The smallest grammar parsing every input exactly (iterative deepening on its number of
    items), else one literal line per line where all inputs have the same shape, else a grammar
    with lines of unexplained length. None when none is found within BUDGET search steps."""
    if not inputs:
        return None
    cursors = [_Cursor(split_lines(text), 0, {}) for text in inputs]
    literal = _literal(cursors)
    smaller = min(MAX_ITEMS, len(literal) - 1) if literal is not None else MAX_ITEMS
    # Where a literal grammar exists, a smaller one is a bonus worth a third of the search.
    return (_smallest(cursors, budget // 3 if literal else budget, False, smaller) or literal
            or _smallest(cursors, budget, True, MAX_ITEMS))


def walk_items(items) -> Iterator[Item]:
    """Every item, nested ones included, in grammar order."""
    for item in items:
        yield item
        if isinstance(item, Repeat):
            yield from walk_items(item.body)


def describe(items) -> str:
    return " / ".join(map(str, items))
