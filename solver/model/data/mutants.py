"""Plausible wrong programs made from right ones, by one small edit each.

Used as incorrect solutions for value conditioning (CodeContests' dev data has none) and by the
selection tests. The edits are the slips people make: an integer literal off by one, a flipped
comparison, + for -, `and` for `or`, swapped operands of a non-commutative operator, a range one
too long or short, a dropped statement line.

Edits are made in the original text at positions found by a lexer (Python's tokenize and ast;
a small lexer for C++ and Java that skips comments, strings, characters and preprocessor lines),
so comments and formatting stay as written: a model must not learn "reformatted means wrong".
Python mutants are checked to parse. C++ and Java mutants are not compiled here (too slow for a
data pipeline); the lexer avoids template and generic angle brackets so that they usually compile.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

COMPARISON_FLIPS = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
ARITHMETIC_FLIPS = {"+": "-", "-": "+", "+=": "-=", "-=": "+=", "++": "--", "--": "++"}
_INT = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Edit:
    start: int  # character offsets in the source
    end: int
    text: str

    def apply(self, source: str) -> str:
        return source[: self.start] + self.text + source[self.end:]


class Mutator:
    """One program's candidate edits, found once; draws mutants from them (cheap to repeat)."""

    def __init__(self, source: str, language: str):
        self.source = source
        if language == "python":
            self.edits = python_edits(source)
            self.must_parse = _parses(source)
        else:
            self.edits = c_like_edits(source, cpp=language == "cpp")
            self.must_parse = False

    def draw(self, rng: np.random.Generator, limit: int = 8) -> list[str]:
        mutants: list[str] = []
        seen = {self.source}
        for i in rng.permutation(len(self.edits)):
            mutant = self.edits[i].apply(self.source)
            if mutant in seen or (self.must_parse and not _parses(mutant)):
                continue
            seen.add(mutant)
            mutants.append(mutant)
            if len(mutants) == limit:
                break
        return mutants


def mutate(source: str, language: str, rng: np.random.Generator, limit: int = 8) -> list[str]:
    """Up to LIMIT distinct mutants of SOURCE (each one edit away, none equal to SOURCE), in an
    order drawn from RNG. Python mutants parse whenever SOURCE does. [] if nothing can be edited."""
    return Mutator(source, language).draw(rng, limit)


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def _int_edits(text: str, start: int) -> Iterator[Edit]:
    value = int(text)
    yield Edit(start, start + len(text), str(value + 1))
    if value > 0:
        yield Edit(start, start + len(text), str(value - 1))


# ---------------------------------------------------------------- Python

class _Offsets:
    """(line, column) -> character offset; ast columns are UTF-8 bytes, tokenize's are characters."""

    def __init__(self, source: str):
        self.lines = io.StringIO(source).readlines()  # splits at "\n" only, as tokenize reads it
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def chars(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col

    def bytes(self, line: int, col: int) -> int:
        return self.starts[line - 1] + len(self.lines[line - 1].encode("utf-8")[:col].decode("utf-8", "ignore"))


def python_edits(source: str) -> list[Edit]:
    """Every candidate edit of a Python program (lexical ones even if it does not parse)."""
    offsets = _Offsets(source)
    edits: list[Edit] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        tokens = []
    for tok in tokens:
        start, end = offsets.chars(*tok.start), offsets.chars(*tok.end)
        if tok.type == tokenize.NUMBER and _INT.fullmatch(tok.string):
            edits.extend(_int_edits(tok.string, start))
        elif tok.type == tokenize.OP and tok.string in COMPARISON_FLIPS:
            edits.append(Edit(start, end, COMPARISON_FLIPS[tok.string]))
        elif tok.type == tokenize.OP and tok.string in ("+", "-", "+=", "-="):
            edits.append(Edit(start, end, ARITHMETIC_FLIPS[tok.string]))
        elif tok.type == tokenize.NAME and tok.string in ("and", "or"):
            edits.append(Edit(start, end, "or" if tok.string == "and" else "and"))
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return edits
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Sub, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)):
            edits.extend(_swap_operands(source, offsets, node.left, node.right))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range" \
                and node.args and not isinstance(node.args[-1], ast.Constant):
            end = offsets.bytes(node.args[-1].end_lineno, node.args[-1].end_col_offset)
            edits += [Edit(end, end, " + 1"), Edit(end, end, " - 1")]
        for body in _bodies(node):
            if len(body) > 1:
                edits.extend(_drop_line(source, offsets, stmt) for stmt in body if _droppable(stmt, offsets))
    return edits


def _swap_operands(source: str, offsets: _Offsets, left: ast.expr, right: ast.expr) -> list[Edit]:
    a = offsets.bytes(left.lineno, left.col_offset)
    b = offsets.bytes(left.end_lineno, left.end_col_offset)
    c = offsets.bytes(right.lineno, right.col_offset)
    d = offsets.bytes(right.end_lineno, right.end_col_offset)
    between = source[b:c]
    if "(" in between or ")" in between or "\n" in between:
        return []  # a parenthesised operand: swapping the bare spans would move the brackets
    return [Edit(a, d, source[c:d] + between + source[a:b])]


def _bodies(node: ast.AST) -> Iterator[list[ast.stmt]]:
    for name in ("body", "orelse", "finalbody"):
        body = getattr(node, name, None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            yield body


_DROPPABLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return, ast.Break, ast.Continue)


def _droppable(stmt: ast.stmt, offsets: _Offsets) -> bool:
    """A simple statement alone on its one line (not a docstring)."""
    if not isinstance(stmt, _DROPPABLE) or stmt.lineno != stmt.end_lineno:
        return False
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return False
    line = offsets.lines[stmt.lineno - 1].encode("utf-8")
    before, after = line[: stmt.col_offset], line[stmt.end_col_offset:].strip()
    return not before.strip() and (not after or after.startswith(b"#"))


def _drop_line(source: str, offsets: _Offsets, stmt: ast.stmt) -> Edit:
    return Edit(offsets.starts[stmt.lineno - 1], offsets.starts[stmt.lineno], "")


# ---------------------------------------------------------------- C++ and Java

@dataclass(frozen=True)
class _Token:
    kind: str  # "name", "number", "op"
    text: str
    start: int
    line: int


_C_LEXEME = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<number>(?:0[xX][0-9a-fA-F']+|[0-9][0-9']*(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)[a-zA-Z]*)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op><<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|::|.)
""", re.S | re.X)
_C_DECIMAL = re.compile(r"([0-9]+)([uUlL]*)")
# Names that open a template or generic argument list when followed by "<".
_TEMPLATE_NAMES = frozenset("""
    template vector map set pair array queue priority_queue deque stack list tuple bitset function
    unordered_map unordered_set multiset multimap unordered_multiset unordered_multimap greater less
    basic_string valarray optional variant static_cast dynamic_cast const_cast reinterpret_cast
    numeric_limits make_pair make_tuple shared_ptr unique_ptr istream_iterator ostream_iterator
""".split())
# Statements safe to drop: assignment to a plain or indexed name, ++/--, a call; never a declaration.
_C_DROPPABLE = re.compile(r"""^[ \t]*(?:
    [A-Za-z_]\w*(?:\[[^\]\n]*\]|\.[A-Za-z_]\w*)*[ \t]*(?:[-+*/%&|^]|<<|>>)?=[^=][^;\n]*;
  | [A-Za-z_]\w*[ \t]*(?:\+\+|--)[ \t]*;
  | (?:\+\+|--)[ \t]*[A-Za-z_]\w*[ \t]*;
  | [A-Za-z_]\w*(?:(?:\.|->)[A-Za-z_]\w*)*[ \t]*\([^;\n]*\)[ \t]*;
)[ \t]*(?://[^\n]*)?\r?\n""", re.X | re.M)


def _c_tokens(source: str, cpp: bool) -> list[_Token]:
    tokens: list[_Token] = []
    line = 1
    at_line_start = True
    pos = 0
    while pos < len(source):
        m = _C_LEXEME.match(source, pos)
        kind, text = m.lastgroup, m.group()
        if cpp and at_line_start and text == "#":  # preprocessor line (with continuations): skip
            end = pos
            while True:
                nl = source.find("\n", end)
                if nl < 0 or not source[:nl].rstrip("\r").endswith("\\"):
                    break
                end = nl + 1
            nl = source.find("\n", end)
            pos = len(source) if nl < 0 else nl
            continue
        if kind in ("name", "number", "op"):
            tokens.append(_Token(kind, text, pos, line))
        if "\n" in text:
            line += text.count("\n")
            at_line_start = kind == "space"  # a space run spans to the next token, so it starts a line
        elif kind != "space":
            at_line_start = False
        pos = m.end()
    return tokens


def _is_operand_end(tok: _Token | None) -> bool:
    return tok is not None and (tok.kind in ("name", "number") or tok.text in (")", "]"))


def _is_operand_start(tok: _Token | None) -> bool:
    return tok is not None and (tok.kind in ("name", "number") or tok.text in ("(", "-", "!"))


def _looks_generic(name: _Token | None) -> bool:
    return name is not None and name.kind == "name" and (name.text in _TEMPLATE_NAMES or name.text[0].isupper())


def c_like_edits(source: str, cpp: bool = True) -> list[Edit]:
    """Every candidate edit of a C++ (cpp=True) or Java program."""
    tokens = _c_tokens(source, cpp)
    edits: list[Edit] = []
    open_angles: dict[int, int] = {}  # line -> "<" taken as template/generic brackets, not yet closed
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        end = tok.start + len(tok.text)
        if tok.kind == "number":
            m = _C_DECIMAL.fullmatch(tok.text)
            if m and (prev is None or prev.text != "."):
                edits.extend(_int_edits(m.group(1), tok.start))
        elif tok.text in ("<", ">"):
            comparison = _is_operand_end(prev) and _is_operand_start(nxt) and not (tok.text == "<" and _looks_generic(prev))
            if tok.text == "<" and not comparison:
                open_angles[tok.line] = open_angles.get(tok.line, 0) + 1
            elif tok.text == ">" and open_angles.get(tok.line, 0):
                open_angles[tok.line] -= 1
            elif comparison:
                edits.append(Edit(tok.start, end, COMPARISON_FLIPS[tok.text]))
        elif tok.text == ">>" and open_angles.get(tok.line, 0) >= 2:  # vector<vector<int>>
            open_angles[tok.line] -= 2
        elif tok.text in ("<=", ">=", "==", "!="):
            edits.append(Edit(tok.start, end, COMPARISON_FLIPS[tok.text]))
        elif tok.text in ("+", "-") and _is_operand_end(prev) or tok.text in ("+=", "-=", "++", "--"):
            edits.append(Edit(tok.start, end, ARITHMETIC_FLIPS[tok.text]))
        elif tok.text in ("&&", "||"):
            edits.append(Edit(tok.start, end, "||" if tok.text == "&&" else "&&"))
        if tok.text in ("-", "/", "%") and 0 < i < len(tokens) - 1:
            edits.extend(_swap_simple_operands(source, tokens, i))
    edits += [Edit(m.start(), m.end(), "") for m in _C_DROPPABLE.finditer(source)]
    return edits


def _swap_simple_operands(source: str, tokens: list[_Token], i: int) -> list[Edit]:
    """`a - b` -> `b - a` where both operands are a lone name or number."""
    left, right = tokens[i - 1], tokens[i + 1]
    before = tokens[i - 2] if i >= 2 else None
    after = tokens[i + 2] if i + 2 < len(tokens) else None
    simple = all(t.kind in ("name", "number") for t in (left, right))
    if not simple or (before and before.text in (".", "->", "::")) or (after and after.text in ("(", "[", ".", "->", "::")):
        return []
    start, stop = left.start, right.start + len(right.text)
    middle = source[left.start + len(left.text): right.start]
    return [Edit(start, stop, right.text + middle + left.text)]
