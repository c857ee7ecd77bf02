"""What each slot of an inferred input grammar holds, learnt from the example inputs: kinds,
ranges, string alphabets and lengths, relations to earlier variables (a_i <= n, l <= r), list
properties (distinct, sorted, permutation, parent array), graphs (edge lists that are trees, or
connected, or simple), and the Input section's stated bounds where they can be matched up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from solver.selection.testgen.bounds import Bound, statement_bounds
from solver.selection.testgen.grammar import (
    MAX_VAR_FIELDS,
    Count,
    Item,
    Line,
    Node,
    Repeat,
    RepeatNode,
    as_int,
    parse,
    walk_items,
)

_FLOAT = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?\Z")


@dataclass
class Slot:
    name: str
    in_list: bool = False  # the elements of a line's tail
    kind: str = "int"  # "int" | "float" | "str"
    lo: float = 0  # observed range (numbers)
    hi: float = 0
    decimals: int = 0  # digits after the point (floats)
    charset: str = ""  # observed characters (strings)
    min_len: int = 0  # observed lengths (strings; tails of free length)
    max_len: int = 0
    length: Count | None = None  # a string whose length is a count, e.g. n then a string of n letters
    choices: tuple[str, ...] = ()  # a few words seen again and again: "+"/"-", "YES"/"NO"
    upper: str | None = None  # value <= this earlier variable in every example
    lower: str | None = None  # value >= this earlier variable in every example
    upper_tight: bool = False  # ... and equal to it somewhere: the variable IS the range's end
    lower_tight: bool = False
    distinct: bool = False
    ascending: bool = False
    permutation: int | None = None  # base (0 or 1): every list is a permutation of base..base+len-1
    parent: int | None = None  # base: a_j in [base, base + j], a parent array of a rooted tree
    hard_lo: float | None = None  # stated in the Input section
    hard_hi: float | None = None
    is_count: bool = False  # sizes something


@dataclass(frozen=True)
class Graph:
    """A block of edge lines: its first two fields are vertices in base..base+n-1, n = `vertices`."""

    vertices: str
    base: int
    tree: bool
    connected: bool
    simple: bool  # no repeated edge
    loops: bool  # some edge joins a vertex to itself
    ordered: bool  # every edge is written smaller vertex first


@dataclass
class Grammar:
    items: tuple[Item, ...]
    slots: dict[str, Slot]
    graphs: dict[str, Graph]  # by Repeat name
    examples: tuple[tuple[Node, ...], ...]  # the examples' parse trees: templates for mutation
    bounds: tuple[Bound, ...] = ()


@dataclass
class _Seen:
    scalars: list[tuple[str, dict]] = field(default_factory=list)  # token, env before it
    lists: list[tuple[tuple[str, ...], dict]] = field(default_factory=list)


def _kind(tokens: list[str]) -> str:
    if all(as_int(t) is not None for t in tokens):
        # Long runs of 0s and 1s are bit strings, not numbers (but 1000000000 is a number).
        if all(set(t) <= {"0", "1"} for t in tokens) and max(map(len, tokens)) >= 4 and any("1" in t[1:] for t in tokens):
            return "str"
        return "int"
    if all(_FLOAT.match(t) and not re.fullmatch(r"[+-]?0\d+", t) for t in tokens):
        return "float"
    return "str"


def _observe(items, nodes, env: dict, seen: dict[str, _Seen], blocks: dict[str, list]) -> None:
    for item, node in zip(items, nodes):
        if isinstance(item, Line):
            bind = len(item.fields) <= MAX_VAR_FIELDS
            for name, token in zip(item.fields, node.tokens):
                seen.setdefault(name, _Seen()).scalars.append((token, dict(env)))
                value = as_int(token) if bind else None
                if value is not None:
                    env[name] = value
                else:
                    env.pop(name, None)
            if item.tail:
                seen.setdefault(item.tail, _Seen()).lists.append((node.tokens[len(item.fields):], dict(env)))
        else:
            blocks.setdefault(item.name, []).append((node, dict(env)))
            for iteration in node.iterations:
                _observe(item.body, iteration, dict(env), seen, blocks)


def _relation(values_envs: list[tuple[float, dict]], name: str, op) -> tuple[str | None, bool]:
    """The earlier variable V (tightest first) with op(value, env[V]) in every observation, and
    whether value == env[V] somewhere."""
    if len(values_envs) < 3:
        return None, False
    envs = [e for _, e in values_envs]
    common = [v for v in envs[0] if v != name and all(v in e for e in envs)]
    best = None
    for var in common:
        if all(op(x, e[var]) for x, e in values_envs):
            slack = sum(abs(e[var] - x) for x, e in values_envs)
            if best is None or slack < best[0]:
                best = (slack, var)
    if best is None:
        return None, False
    return best[1], any(x == e[best[1]] for x, e in values_envs)


def _slot(name: str, s: _Seen) -> Slot:
    in_list = bool(s.lists)
    tokens = [t for t, _ in s.scalars] + [t for tokens, _ in s.lists for t in tokens]
    slot = Slot(name, in_list=in_list)
    if in_list:
        lengths = [len(tokens) for tokens, _ in s.lists]
        slot.min_len, slot.max_len = min(lengths), max(lengths)
    if not tokens:  # only empty tails seen
        return slot
    slot.kind = _kind(tokens)
    if slot.kind in ("int", "float"):
        values = [float(t) if slot.kind == "float" else int(t) for t in tokens]
        slot.lo, slot.hi = min(values), max(values)
        if slot.kind == "float":
            slot.decimals = max(len(t.split(".")[1]) if "." in t else 0 for t in tokens)
        pairs = [(int(t) if slot.kind == "int" else float(t), e) for t, e in s.scalars]
        pairs += [(int(t) if slot.kind == "int" else float(t), e) for ts, e in s.lists for t in ts]
        slot.upper, slot.upper_tight = _relation(pairs, name, lambda x, v: x <= v)
        slot.lower, slot.lower_tight = _relation(pairs, name, lambda x, v: x >= v)
    else:
        slot.charset = "".join(sorted(set("".join(tokens))))
        if not in_list:
            slot.min_len, slot.max_len = min(map(len, tokens)), max(map(len, tokens))
            if len(s.scalars) >= 2:
                envs = [e for _, e in s.scalars]
                for var in [v for v in envs[0] if all(v in e for e in envs)]:
                    if all(len(t) == e[var] for t, e in s.scalars) and max(map(len, tokens)) >= 2:
                        slot.length = Count(var)
                        break
        distinct_words = sorted(set(tokens))
        if len(distinct_words) <= 4 and len(tokens) >= 2 * len(distinct_words) and len(tokens) >= 3:
            slot.choices = tuple(distinct_words)
    if in_list:
        _list_properties(slot, [tokens for tokens, _ in s.lists])
    return slot


def _list_properties(slot: Slot, lists: list[tuple[str, ...]]) -> None:
    if not any(len(x) >= 3 for x in lists):
        return
    if slot.kind == "int":
        lists = [[int(t) for t in x] for x in lists]
    elif slot.kind == "float":
        return
    slot.distinct = all(len(set(x)) == len(x) for x in lists)
    slot.ascending = all(all(a <= b for a, b in zip(x, x[1:])) for x in lists) and any(
        a < b for x in lists for a, b in zip(x, x[1:]))
    if slot.kind != "int":
        return
    for base in (1, 0):
        if slot.distinct and all(sorted(x) == list(range(base, base + len(x))) for x in lists):
            slot.permutation = base
            return
    for base in (1, 0):
        if all(base <= a <= base + j for x in lists for j, a in enumerate(x)):
            slot.parent = base
            return


def _graph(repeat: Repeat, slots: dict[str, Slot], seen: list[tuple[RepeatNode, dict]]) -> Graph | None:
    if len(repeat.body) != 1 or not isinstance(repeat.body[0], Line):
        return None
    line = repeat.body[0]
    if line.tail or len(line.fields) < 2:
        return None
    a, b = slots[line.fields[0]], slots[line.fields[1]]
    if a.kind != "int" or a.upper is None or a.upper != b.upper or not (a.upper_tight or b.upper_tight):
        return None
    base = 0 if min(a.lo, b.lo) == 0 else 1
    if min(a.lo, b.lo) < 0:
        return None
    edge_lists, sizes = [], []
    for node, env in seen:
        if a.upper not in env:
            return None
        edges = [(int(it[0].tokens[0]), int(it[0].tokens[1])) for it in node.iterations]
        n = env[a.upper]
        if any(not (base <= u < base + n and base <= v < base + n) for u, v in edges):
            return None
        edge_lists.append(edges)
        sizes.append(n)
    if not any(len(e) >= 2 for e in edge_lists):
        return None
    loops = any(u == v for edges in edge_lists for u, v in edges)
    simple = all(len({frozenset(e) for e in edges}) == len(edges) for edges in edge_lists)
    connected = all(_connected(n, base, edges) for n, edges in zip(sizes, edge_lists))
    tree = connected and all(len(edges) == n - 1 for n, edges in zip(sizes, edge_lists))
    ordered = all(u < v for edges in edge_lists for u, v in edges)
    return Graph(a.upper, base, tree, connected, simple, loops, ordered)


def _connected(n: int, base: int, edges: list[tuple[int, int]]) -> bool:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for u, v in edges:
        parent[find(u - base)] = find(v - base)
    return len({find(x) for x in range(n)}) <= 1


def _link_bounds(slots: list[Slot], bounds: list[Bound]) -> None:
    """Match the Input section's bounds to slots in order of mention; a bound is taken only where
    every observed value fits it (a look-ahead of a few names skips unrelated ones)."""
    j = 0
    for slot in slots:
        for k in range(j, min(j + 3, len(bounds))):
            b = bounds[k]
            if slot.kind == "str":
                fits = b.length and (b.lo is None or b.lo <= slot.min_len) and (b.hi is None or slot.max_len <= b.hi)
            else:
                fits = not b.length and b.lo <= slot.lo and slot.hi <= b.hi
            if fits:
                slot.hard_lo, slot.hard_hi = b.lo, b.hi  # lengths for strings
                j = k + 1
                break


def learn(items: tuple[Item, ...], inputs: list[str], statement: str = "") -> Grammar:
    """The slots, graphs and stated bounds of ITEMS, from the inputs it parses."""
    examples = tuple(parse(items, text) for text in inputs)
    seen: dict[str, _Seen] = {}
    blocks: dict[str, list] = {}
    for nodes in examples:
        _observe(items, nodes, {}, seen, blocks)
    slots = {name: _slot(name, s) for name, s in seen.items()}
    for item in walk_items(items):
        counts = [item.count] if isinstance(item, Repeat) else [item.tail_count]
        counts += [slots[f].length for f in item.fields if f in slots] if isinstance(item, Line) else []
        for count in counts:
            if count is not None and count.var in slots:
                slots[count.var].is_count = True
    graphs = {}
    for item in walk_items(items):
        if isinstance(item, Repeat) and item.name in blocks:
            g = _graph(item, slots, blocks[item.name])
            if g is not None:
                graphs[item.name] = g
    bounds = statement_bounds(statement) if statement else []
    ordered = [slots[n] for item in walk_items(items) if isinstance(item, Line)
               for n in (*item.fields, *([item.tail] if item.tail else [])) if n in slots]
    _link_bounds(ordered, bounds)
    return Grammar(items, slots, graphs, examples, tuple(bounds))
