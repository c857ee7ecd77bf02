"""Training examples, one at a time: what the encoder and the decoder of one row see.

Two sources, each a numbered list of items that yields, for (epoch, item), first its lengths
(token counts are cached; with a tokenised corpus on disk they cost nothing, so a resumed
stream skips ahead without building anything) and then the example itself. Every random choice for an item comes from a generator seeded by
(tag, seed, epoch, item), so an example does not depend on what was built before it.

- PretrainSource: source files. A file's tokens are cut at a pivot drawn uniformly from
  1..len-1 (AlphaCode). The encoder gets the tokens before the pivot (the last max-encoder ones:
  the context nearest the cut) with masked-LM applied; the decoder gets BOS, a header that
  names only the language ("LANGUAGE IS python3": the one field known for any file, and the
  line the sampler's headers carry), then the tokens after the pivot and EOS.
- FinetuneSource: contests.model.Problem records. The encoder gets the statement (its first
  max-encoder tokens: story, input and output format come first); the decoder gets BOS, the
  full header (rating, tags, language, CORRECT/INCORRECT SOLUTION), the solution and EOS. Every
  solution is an item; a problem without incorrect solutions also gets, per correct solution,
  `mutants_per_solution` items that are a mutant of it (drawn afresh each epoch) marked
  INCORRECT. Masked-LM on the statement too when finetune_mlm (AlphaCode kept both losses).
  A mutant is bucketed by its original's length plus MUTANT_MARGIN tokens (one edit changes a
  few tokens), so lengths never mutate and skipping ahead stays cheap. Should no edit of a
  program give a valid mutant in some epoch (rare: every edit site fails to parse), that row
  comes out empty (masks all False, correct -1), like a padding row.

A decoder sequence longer than the largest decoder bucket keeps its beginning; its last target
is then the next code token, not EOS, so the model never learns to stop mid-program.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from contests.model import Problem, Solution
from solver.model.data.corpus import SourceFile, read_source
from solver.model.data.tokenized import TokenizedCorpus
from solver.model.data.header import make_header
from solver.model.data.mutants import Mutator
from solver.model.tokenizer import Tokenizer

# First words of every seed, so that no two uses of (seed, epoch, item) share a random stream.
TAG_ORDER, TAG_PIVOT, TAG_MLM, TAG_MUTANT = 1, 2, 3, 4
MUTANT_MARGIN = 8  # tokens a mutant may gain over its original (e.g. "range(n)" -> "range(n + 1)": ~3)


def item_rng(tag: int, seed: int, epoch: int, item: int) -> np.random.Generator:
    return np.random.default_rng([tag, seed, epoch, item])


@dataclass
class Example:
    enc_tokens: np.ndarray  # [s] int32, after masked-LM corruption
    mlm_targets: np.ndarray  # [s] int32, the uncorrupted tokens
    mlm_mask: np.ndarray  # [s] bool, positions scored by masked-LM
    dec_inputs: np.ndarray  # [t] int32: BOS, header, code
    dec_targets: np.ndarray  # [t] int32: dec_inputs shifted left, EOS at the end if it fits
    dec_loss_mask: np.ndarray  # [t] bool: targets that are code (or the final EOS)
    correct: int  # 1, 0, or -1 (unknown)


@dataclass(frozen=True)
class Limits:
    max_encoder: int
    max_decoder: int
    mlm_probability: float
    mlm_mask_fraction: float
    mlm_random_fraction: float


def decoder_prefix(tokenizer: Tokenizer, header: str) -> list[int]:
    """The tokens a decoder sequence starts with: BOS and the header. The sampler starts from these."""
    return [tokenizer.bos_id] + tokenizer.encode(header)


def decoder_positions(prefix_len: int, code_len: int, max_decoder: int) -> int:
    """Decoder length of prefix + code + EOS once shifted (one less than the sequence), capped."""
    return min(prefix_len + code_len + 1, max_decoder + 1) - 1


def build_decoder(prefix: list[int], code: list[int], eos_id: int, max_decoder: int) -> tuple[np.ndarray, ...]:
    sequence = np.array((prefix + code + [eos_id])[: max_decoder + 1], dtype=np.int32)
    inputs, targets = sequence[:-1], sequence[1:]
    loss_mask = np.arange(1, len(sequence)) >= len(prefix)  # targets past the header: code and EOS
    return inputs, targets, loss_mask


def apply_mlm(tokens: np.ndarray, tokenizer: Tokenizer, regular_ids: np.ndarray, limits: Limits,
              rng: np.random.Generator, enabled: bool = True) -> tuple[np.ndarray, ...]:
    """BERT's masked-LM corruption, as its create_pretraining_data.py does it: round(15%) of the
    tokens (at least one) are chosen; a chosen token becomes <mask> (80%), a random regular token
    (10%) or stays (10%); the chosen ones are scored. A fixed share, so a trainer that gathers
    a fixed number of positions per row never drops any."""
    targets = tokens.astype(np.int32)
    chosen = np.zeros(len(tokens), dtype=bool)
    if not enabled or not len(tokens) or limits.mlm_probability <= 0:
        return targets.copy(), targets, chosen
    chosen[rng.choice(len(tokens), size=max(1, round(len(tokens) * limits.mlm_probability)), replace=False)] = True
    how = rng.random(len(tokens))
    corrupted = targets.copy()
    to_mask = chosen & (how < limits.mlm_mask_fraction)
    to_random = chosen & (how >= limits.mlm_mask_fraction) & (how < limits.mlm_mask_fraction + limits.mlm_random_fraction)
    corrupted[to_mask] = tokenizer.mask_id
    corrupted[to_random] = rng.choice(regular_ids, size=int(to_random.sum()))
    return corrupted, targets, chosen


class TokenCache:
    """Recently used token arrays, up to a total number of tokens (oldest dropped first): a file
    tokenised to learn its length is not tokenised again when its example is built soon after."""

    def __init__(self, budget: int = 8_000_000):
        self.budget, self.size = budget, 0
        self._arrays: OrderedDict[int, np.ndarray] = OrderedDict()

    def get(self, key: int) -> np.ndarray | None:
        array = self._arrays.get(key)
        if array is not None:
            self._arrays.move_to_end(key)
        return array

    def put(self, key: int, array: np.ndarray) -> None:
        if key in self._arrays or len(array) > self.budget:
            return
        self._arrays[key] = array
        self.size += len(array)
        while self.size > self.budget:
            self.size -= len(self._arrays.popitem(last=False)[1])


class PretrainSource:
    def __init__(self, files: list[SourceFile], tokenizer: Tokenizer, limits: Limits, seed: int, *,
                 header: bool = True, max_line_chars: int = 1000, corpus: TokenizedCorpus | None = None):
        self.files, self.tokenizer, self.limits, self.seed = files, tokenizer, limits, seed
        self.corpus = corpus  # the same files tokenised on disk, if given
        self.header = header
        self.max_line_chars = max_line_chars
        self.regular_ids = tokenizer.regular_ids
        self._counts: dict[int, int | None] = {}  # token count per file, None if unusable
        self._cache = TokenCache()
        self._prefixes: dict[str | None, list[int]] = {}

    def __len__(self) -> int:
        return len(self.files)

    @property
    def origin(self) -> str:
        return f"{len(self.files)} source files"

    def _prefix(self, language: str | None) -> list[int]:
        if language not in self._prefixes:
            text = make_header(None, (), language, None) if self.header and language else ""
            self._prefixes[language] = decoder_prefix(self.tokenizer, text)
        return self._prefixes[language]

    def _tokens(self, item: int) -> np.ndarray | None:
        """The file's tokens, None if it is unusable (unreadable, filtered out, under 2 tokens)."""
        if self.corpus is not None:
            return self.corpus.tokens_of(item) if self.corpus.count(item) else None
        tokens = self._cache.get(item)
        if tokens is None and self._counts.get(item, 0) is not None:
            text = read_source(self.files[item].path, max_line_chars=self.max_line_chars)
            tokens = np.array(self.tokenizer.encode(text) if text else [], dtype=np.int32)
            self._counts[item] = len(tokens) if len(tokens) >= 2 else None
            if self._counts[item]:
                self._cache.put(item, tokens)
        return tokens if self._counts[item] else None

    def _pivot(self, epoch: int, item: int, count: int) -> int:
        return int(item_rng(TAG_PIVOT, self.seed, epoch, item).integers(1, count))

    def lengths(self, epoch: int, item: int) -> tuple[int, int] | None:
        if self.corpus is not None:
            count = self.corpus.count(item) or None
        else:
            if item not in self._counts:
                self._tokens(item)
            count = self._counts[item]
        if count is None:
            return None
        pivot = self._pivot(epoch, item, count)
        prefix = self._prefix(self.files[item].language)
        return min(pivot, self.limits.max_encoder), decoder_positions(len(prefix), count - pivot, self.limits.max_decoder)

    def example(self, epoch: int, item: int) -> Example:
        tokens = self._tokens(item)
        pivot = self._pivot(epoch, item, len(tokens))
        encoder = tokens[max(0, pivot - self.limits.max_encoder): pivot]
        corrupted, targets, mlm_mask = apply_mlm(encoder, self.tokenizer, self.regular_ids, self.limits,
                                                 item_rng(TAG_MLM, self.seed, epoch, item))
        prefix = self._prefix(self.files[item].language)
        dec = build_decoder(prefix, tokens[pivot: pivot + self.limits.max_decoder].tolist(), self.tokenizer.eos_id,
                            self.limits.max_decoder)
        return Example(corrupted, targets, mlm_mask, *dec, correct=-1)


@dataclass(frozen=True)
class _FinetuneItem:
    problem: int
    solution: int
    mutant: bool


class FinetuneSource:
    def __init__(self, problems: list[Problem], tokenizer: Tokenizer, limits: Limits, seed: int, *,
                 mlm: bool = True, mutants_per_solution: int = 1):
        self.problems, self.tokenizer, self.limits, self.seed, self.mlm = problems, tokenizer, limits, seed, mlm
        self.regular_ids = tokenizer.regular_ids
        self.items: list[_FinetuneItem] = []
        for p, problem in enumerate(problems):
            if not problem.statement.strip():
                continue  # nothing for the encoder to read
            for s, _ in enumerate(problem.solutions):
                self.items.append(_FinetuneItem(p, s, False))
            if not problem.incorrect_solutions:
                for s, solution in enumerate(problem.solutions):
                    self.items += [_FinetuneItem(p, s, True)] * (mutants_per_solution if solution.correct else 0)
        self._statement_counts: dict[int, int] = {}
        self._code_counts: dict[int, int] = {}  # per item: its solution's (for a mutant item, the original's)
        # Finding a program's edit sites is the costly part of mutating: once per solution.
        self._mutator = functools.lru_cache(maxsize=4096)(self._make_mutator)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def origin(self) -> str:
        return self.problems[0].origin.rsplit(":", 1)[0] if self.problems else "<no problems>"

    def _code(self, epoch: int, index: int) -> tuple[Solution, str | None, bool]:
        """The solution, the code of this item in this epoch (None: no mutant exists), and whether correct."""
        item = self.items[index]
        solution = self.problems[item.problem].solutions[item.solution]
        if not item.mutant:
            return solution, solution.source, solution.correct
        return solution, self._draw_mutant(epoch, index), False

    def _make_mutator(self, problem: int, solution: int) -> Mutator:
        chosen = self.problems[problem].solutions[solution]
        return Mutator(chosen.source, chosen.language)

    def _draw_mutant(self, epoch: int, index: int) -> str | None:
        item = self.items[index]
        mutants = self._mutator(item.problem, item.solution).draw(item_rng(TAG_MUTANT, self.seed, epoch, index), limit=1)
        return mutants[0] if mutants else None

    def _prefix(self, index: int, solution: Solution, correct: bool) -> list[int]:
        problem = self.problems[self.items[index].problem]
        return decoder_prefix(self.tokenizer, make_header(problem.rating, problem.tags, solution.language, correct))

    def _count(self, index: int, text: str) -> int:
        if index not in self._code_counts:
            self._code_counts[index] = len(self.tokenizer.encode(text))
        return self._code_counts[index]

    def lengths(self, epoch: int, index: int) -> tuple[int, int] | None:
        item = self.items[index]
        problem = self.problems[item.problem]
        if item.problem not in self._statement_counts:
            self._statement_counts[item.problem] = len(self.tokenizer.encode(problem.statement))
        solution = problem.solutions[item.solution]
        count = self._count(index, solution.source)
        if item.mutant:
            if not self._mutator(item.problem, item.solution).edits:
                return None  # nothing to edit: no mutant, ever
            count += MUTANT_MARGIN
        correct = solution.correct and not item.mutant
        return (min(self._statement_counts[item.problem], self.limits.max_encoder),
                decoder_positions(len(self._prefix(index, solution, correct)), count, self.limits.max_decoder))

    def example(self, epoch: int, index: int) -> Example:
        item = self.items[index]
        solution, code, correct = self._code(epoch, index)
        if code is None:  # no valid mutant this epoch: an empty row
            empty = np.zeros(0, np.int32)
            return Example(empty, empty, np.zeros(0, bool), empty, empty, np.zeros(0, bool), correct=-1)
        statement = self.tokenizer.encode(self.problems[item.problem].statement)[: self.limits.max_encoder]
        corrupted, targets, mlm_mask = apply_mlm(np.array(statement, dtype=np.int32), self.tokenizer, self.regular_ids,
                                                 self.limits, item_rng(TAG_MLM, self.seed, epoch, index), self.mlm)
        dec = build_decoder(self._prefix(index, solution, correct), self.tokenizer.encode(code),
                            self.tokenizer.eos_id, self.limits.max_decoder)
        return Example(corrupted, targets, mlm_mask, *dec, correct=int(correct))
