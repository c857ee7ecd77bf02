"""New test inputs in the format of a problem's examples, for behaviour clustering.

AlphaCode clusters samples by their outputs on generated inputs. Here the inputs come from
grammar-aware mutation of the examples: a small grammar of the input format is inferred from the
example inputs (solver.selection.testgen.grammar), what each slot holds is learnt from them and from the
statement's stated bounds (solver.selection.testgen.slots), and new inputs are drawn from an example's
parse tree with some of its values redrawn, counts, lengths and sizes kept consistent by
construction. Where no grammar is found, tokens of the examples are mutated one by one
(AlphaCode's own test-mutation scheme). Inputs on which most candidate programs crash are
probably invalid: `invalid_inputs` says which to drop once the programs have run on them.

Inputs sampled from a model trained to write inputs (AlphaCode's test-input generation model)
can be added through the `InputModel` hook; csim has no such model yet.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from contests.model import Problem
from judge.interface import Judge
from solver.selection.testgen.grammar import MAX_VAR_FIELDS, Line, LineNode, Repeat, as_int, describe, infer_items, render, split_lines
from solver.selection.testgen.slots import Grammar, Graph, Slot, learn

MAX_TOKENS = 4000  # per generated input: clustering wants behaviour, not load
SIZE_CAP = 12  # counts may grow past the examples' up to this, where the statement allows
RATES = (0.15, 0.35, 0.7, 1.0)  # share of an example's values redrawn (1.0: all, a fresh input)
ATTEMPTS_PER_INPUT = 20


class Infeasible(Exception):
    """This draw broke a constraint (a negative count, too few values for distinct ones...)."""


class InputModel(Protocol):
    """A model that writes test inputs for a problem (AlphaCode's test-input generation model)."""

    def sample_inputs(self, problem: Problem, n: int, seed: int) -> list[str]: ...


@dataclass(frozen=True)
class GeneratedInputs:
    inputs: tuple[str, ...]
    grammar: str | None  # the inferred input grammar, described; None when tokens were mutated
    notes: tuple[str, ...] = ()


def infer_grammar(examples: list[str], statement: str = "") -> Grammar | None:
    items = infer_items(examples)
    return learn(items, examples, statement) if items is not None else None


def generate_inputs(problem: Problem, n: int, seed: int, *, model: InputModel | None = None,
                    max_tokens: int = MAX_TOKENS) -> GeneratedInputs:
    """Up to N distinct new inputs for PROBLEM (never one of its examples); the same seed gives
    the same inputs."""
    examples = [t.input for t in problem.examples]
    if not examples or n <= 0:
        return GeneratedInputs((), None, ("no examples to mutate",) if not examples else ())
    rng = random.Random(f"csim-testgen:{seed}:{problem.id}")
    grammar = infer_grammar(examples, problem.statement)
    notes = [] if grammar else ["no input grammar found: example tokens mutated one by one"]
    seen = {_key(e) for e in examples}
    out: list[str] = []
    for _ in range(n * ATTEMPTS_PER_INPUT):
        if len(out) >= n:
            break
        rate = rng.choice(RATES)
        try:
            if grammar:
                text = _Generator(grammar, rng, rate, max_tokens).run(rng.randrange(len(grammar.examples)))
            else:
                text = mutate_tokens(rng.choice(examples), rng, rate)
        except Infeasible:
            continue
        if _key(text) not in seen:
            seen.add(_key(text))
            out.append(text)
    if model is not None:
        for text in model.sample_inputs(problem, n, seed):
            if _key(text) not in seen:
                seen.add(_key(text))
                out.append(text)
    if len(out) < n:
        notes.append(f"only {len(out)} distinct inputs found (asked for {n})")
    return GeneratedInputs(tuple(out), describe(grammar.items) if grammar else None, tuple(notes))


def invalid_inputs(runs_ok: Sequence[Sequence[bool]], threshold: float = 0.5) -> list[int]:
    """Indices of the inputs on which more than THRESHOLD of the programs failed to run cleanly
    (crash, time-out...): such inputs are probably invalid. RUNS_OK[p][i]: program p ran input i."""
    if not runs_ok:
        return []
    n_inputs = len(runs_ok[0])
    return [i for i in range(n_inputs)
            if sum(not row[i] for row in runs_ok) > threshold * len(runs_ok)]


def validity(judge: Judge, problems: Sequence[Problem], n_inputs: int, seed: int) -> dict:
    """How valid generated inputs are: the share of them each problem's first correct solution runs
    cleanly (verdict OK: no crash, no time-out) through JUDGE. Problems whose solution does not
    run cleanly on its own examples are skipped (and listed)."""
    per_problem, with_grammar, fallback = {}, [0, 0], [0, 0]
    skipped = []
    for p in problems:
        human = p.correct_solutions[0]
        clean = judge.execute(human.source, human.language, [t.input for t in p.examples],
                              time_limit=p.time_limit, memory_limit=p.memory_limit)
        if not all(o.verdict.value == "OK" for o in clean):
            skipped.append(p.id)  # the human solution itself fails on the examples (real data quirks)
            continue
        gen = generate_inputs(p, n_inputs, seed)
        outcomes = judge.execute(human.source, human.language, list(gen.inputs), time_limit=p.time_limit,
                                 memory_limit=p.memory_limit)
        ok = sum(o.verdict.value == "OK" for o in outcomes)
        per_problem[p.id] = (ok, len(outcomes))
        bucket = with_grammar if gen.grammar is not None else fallback
        bucket[0] += ok
        bucket[1] += len(outcomes)
    ok = sum(a for a, _ in per_problem.values())
    total = sum(b for _, b in per_problem.values())
    worst = sorted((a / b, pid) for pid, (a, b) in per_problem.items() if b and a < b)[:15]
    return {"problems": len(per_problem), "skipped": skipped, "inputs": total, "accepted": ok,
            "share": round(ok / total, 4) if total else None,
            "share_with_grammar": round(with_grammar[0] / with_grammar[1], 4) if with_grammar[1] else None,
            "inputs_with_grammar": with_grammar[1],
            "share_token_mutation": round(fallback[0] / fallback[1], 4) if fallback[1] else None,
            "inputs_token_mutation": fallback[1],
            "problems_all_accepted": sum(a == b for a, b in per_problem.values()),
            "worst": [[pid, round(s, 2)] for s, pid in worst]}


def _key(text: str) -> tuple:
    return split_lines(text)


def mutate_tokens(text: str, rng: random.Random, rate: float) -> str:
    """AlphaCode's mutation of a test input: nudge integers, change characters of strings."""
    lines = []
    for tokens in split_lines(text):
        new = []
        for token in tokens:
            if rng.random() >= rate:
                new.append(token)
                continue
            value = as_int(token)
            if value is not None:
                new.append(str(value + rng.choice((-1, 1)) if rng.random() < 0.5 else rng.randint(min(value, 0), max(2 * value, 1))))
            else:
                chars = list(token)
                chars[rng.randrange(len(chars))] = rng.choice(token)
                new.append("".join(chars))
        lines.append(new)
    if lines == [list(t) for t in split_lines(text)]:
        raise Infeasible
    return render(lines)


class _Generator:
    """One new input from one example's parse tree, redrawing about RATE of its values."""

    def __init__(self, grammar: Grammar, rng: random.Random, rate: float, max_tokens: int):
        self.g = grammar
        self.rng = rng
        self.rate = rate
        self.max_tokens = max_tokens
        self.tokens = 0

    def run(self, example: int) -> str:
        out: list[list[str]] = []
        self._items(self.g.items, self.g.examples[example], {}, out)
        return render(out)

    def _keep(self) -> bool:
        return self.rng.random() >= self.rate

    def _emit(self, tokens: list[str], out: list[list[str]]) -> None:
        self.tokens += len(tokens)
        if self.tokens > self.max_tokens:
            raise Infeasible
        out.append(tokens)

    def _items(self, items, nodes, env: dict, out: list[list[str]]) -> None:
        for i, item in enumerate(items):
            node = nodes[i] if nodes is not None and i < len(nodes) else None
            if isinstance(item, Line):
                self._line(item, node, env, out)
            else:
                self._repeat(item, node, env, out)

    def _line(self, line: Line, node: LineNode | None, env: dict, out, override: dict[int, str] | None = None) -> None:
        old = node.tokens if node is not None else None
        bind = len(line.fields) <= MAX_VAR_FIELDS
        tokens = []
        for i, name in enumerate(line.fields):
            if override and i in override:
                token = override[i]
            else:
                token = self._scalar(self.g.slots.get(name), old[i] if old else None, env)
            tokens.append(token)
            value = as_int(token) if bind else None
            if value is not None:
                env[name] = value
            else:
                env.pop(name, None)
        if line.tail:
            slot = self.g.slots.get(line.tail) or Slot(line.tail)
            old_tail = old[len(line.fields):] if old is not None else None
            if line.tail_count is not None:
                n = line.tail_count.value(env)
                if n is None or n < 0:
                    raise Infeasible
            elif old_tail is not None and self._keep():
                n = len(old_tail)
            else:
                n = self.rng.randint(slot.min_len, slot.max_len)
            tokens += self._list(slot, old_tail, n, env)
        self._emit(tokens, out)

    def _repeat(self, repeat: Repeat, node, env: dict, out) -> None:
        k = repeat.count.value(env)
        if k is None or k < 0:
            raise Infeasible
        iterations = node.iterations if node is not None else ()
        graph = self.g.graphs.get(repeat.name)
        edges = self._edges(graph, k, env, iterations) if graph else None
        for i in range(k):
            template = iterations[i] if i < len(iterations) else None
            child = dict(env)
            if edges is not None:
                u, v = edges[i]
                self._line(repeat.body[0], template[0] if template else None, child, out, {0: str(u), 1: str(v)})
            else:
                self._items(repeat.body, template, child, out)

    # ---------------------------------------------------------------- values

    def _range(self, slot: Slot, env: dict) -> tuple[float, float]:
        # A variable the values reached is the range's end (a_i <= n); one they never reached
        # only caps the observed range.
        lo, hi = slot.lo, slot.hi
        if slot.upper in env:
            hi = env[slot.upper] if slot.upper_tight else min(hi, env[slot.upper])
        if slot.lower in env:
            lo = env[slot.lower] if slot.lower_tight else max(lo, env[slot.lower])
        if lo > hi:
            raise Infeasible
        return lo, hi

    def _number(self, slot: Slot, lo: float, hi: float) -> float:
        rng, r = self.rng, self.rng.random()
        if r >= 0.8:  # beyond the examples, within what the statement allows
            if slot.hard_lo is not None and slot.lower is None:
                lo = min(lo, max(slot.hard_lo, 0) if slot.is_count else slot.hard_lo)
            if slot.hard_hi is not None and slot.upper is None:
                hi = max(hi, min(slot.hard_hi, max(hi, SIZE_CAP)) if slot.is_count else slot.hard_hi)
            if rng.random() < 0.5:  # small values are where edge cases live
                hi = min(hi, lo + 10)
        elif r >= 0.6:
            return rng.choice((lo, hi))
        if slot.kind == "int":
            return rng.randint(int(lo), int(hi))
        return rng.uniform(lo, hi)

    def _format(self, slot: Slot, value: float) -> str:
        return str(int(value)) if slot.kind == "int" else f"{value:.{slot.decimals}f}"

    def _scalar(self, slot: Slot | None, old: str | None, env: dict) -> str:
        if slot is None:
            return old or "0"
        keep = old is not None and self._keep()
        if slot.kind == "str":
            return self._string(slot, old, keep, env)
        lo, hi = self._range(slot, env)
        if keep:
            value = int(old) if slot.kind == "int" and as_int(old) is not None else None
            if slot.kind == "float":
                try:
                    value = float(old)
                except ValueError:
                    value = None
            if value is not None and lo <= value <= hi:
                return old
        return self._format(slot, self._number(slot, lo, hi))

    def _string(self, slot: Slot, old: str | None, keep: bool, env: dict) -> str:
        rng = self.rng
        if slot.choices:
            return old if keep and old in slot.choices else rng.choice(slot.choices)
        if slot.length is not None:
            n = slot.length.value(env)
            if n is None or n < 0:
                raise Infeasible
        elif old is not None and (keep or rng.random() < 0.5):
            n = len(old)
        else:
            lo, hi = slot.min_len, slot.max_len
            if slot.hard_hi is not None and rng.random() < 0.2:
                lo, hi = max(int(slot.hard_lo or 1), 0), max(hi, min(int(slot.hard_hi), 2 * SIZE_CAP))
            n = rng.randint(lo, hi)
        alphabet = slot.charset or "a"
        if old is not None and (keep or rng.random() < 0.5):
            chars = list(old[:n]) + [rng.choice(alphabet) for _ in range(n - len(old))]
            if not keep:
                for _ in range(max(1, round(self.rate * n / 4))):
                    if chars:
                        chars[rng.randrange(n)] = rng.choice(alphabet)
            return "".join(chars)
        return "".join(rng.choice(alphabet) for _ in range(n))

    def _list(self, slot: Slot, old: tuple[str, ...] | None, n: int, env: dict) -> list[str]:
        rng = self.rng
        if slot.permutation is not None:
            base = slot.permutation
            values = list(range(base, base + n))
            if old is not None and len(old) == n and sorted(map(as_int, old), key=lambda x: x or 0) == values:
                values = [int(t) for t in old]
                for _ in range(round(self.rate * n)):
                    i, j = rng.randrange(n), rng.randrange(n)
                    values[i], values[j] = values[j], values[i]
            else:
                rng.shuffle(values)
            return [str(v) for v in values]
        tokens = []
        for j in range(n):
            o = old[j] if old is not None and j < len(old) else None
            if slot.parent is not None:
                lo, hi = slot.parent, slot.parent + j
                keep = o is not None and self._keep() and as_int(o) is not None and lo <= as_int(o) <= hi
                tokens.append(o if keep else str(rng.randint(lo, hi)))
            else:
                tokens.append(self._scalar(slot, o, env))
        if slot.distinct:
            used = set()
            for j, t in enumerate(tokens):
                tries = 0
                while t in used:
                    tries += 1
                    if tries > 20:
                        raise Infeasible
                    t = self._scalar(slot, None, env)
                used.add(t)
                tokens[j] = t
        if slot.ascending:
            tokens.sort(key=(lambda t: float(t)) if slot.kind != "str" else None)
        return tokens

    def _edges(self, graph: Graph, m: int, env: dict, iterations) -> list[tuple[int, int]]:
        n = env.get(graph.vertices)
        if n is None or n < 1:
            raise Infeasible
        rng, base = self.rng, graph.base
        old = [(as_int(it[0].tokens[0]), as_int(it[0].tokens[1])) for it in iterations]
        if len(old) == m and all(base <= x < base + n for e in old for x in e) and self._keep():
            return old
        if graph.tree and m != n - 1 or graph.connected and m < n - 1:
            raise Infeasible
        if graph.simple and m > n * (n - 1) // 2 + (n if graph.loops else 0):
            raise Infeasible
        if not graph.loops and n < 2 and m > 0:
            raise Infeasible
        label = list(range(base, base + n))
        rng.shuffle(label)
        edges: list[tuple[int, int]] = []
        if graph.connected:  # a random spanning tree first
            edges = [(label[rng.randrange(i)], label[i]) for i in range(1, n)]
        present = {frozenset(e) for e in edges}
        tries = 0
        while len(edges) < m:
            tries += 1
            if tries > 50 * (m + 1):
                raise Infeasible
            u, v = rng.randrange(base, base + n), rng.randrange(base, base + n)
            if (u == v and not graph.loops) or (graph.simple and frozenset((u, v)) in present):
                continue
            present.add(frozenset((u, v)))
            edges.append((u, v))
        rng.shuffle(edges)
        return [(min(e), max(e)) if graph.ordered else (e if rng.random() < 0.5 else e[::-1]) for e in edges]
