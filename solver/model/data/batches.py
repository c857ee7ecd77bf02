"""Training batches for the solver: deterministic for a seed, resumable at any step, and shaped by
a few length buckets so the jitted step compiles few times.

Each example is put in the smallest (encoder, decoder) bucket pair that holds it; a longer one is
cut to the largest bucket (how: solver/model/data/examples.py). Examples are visited in a seeded
random order per epoch and queued per bucket pair; a queue that reaches batch_size becomes the
next batch, so every batch has one bucket shape and no padding rows. Queues carry over from one
epoch to the next, so the stream is endless and nothing is dropped. With a fixed number of
epochs, the last partly filled queues come out at the end padded with empty rows (masks all
False, correct -1).

Resuming: batches(..., start_step=s) yields exactly what an uninterrupted stream yields from its
step s on. It replays the bucketing for the first s steps from example lengths alone (token
counts are cached; nothing is masked, mutated into arrays, or collated), so skipping costs
about one tokenisation of each example, not a pass of training.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from contests.errors import DataError
from contests.model import Problem
from solver.model.data.corpus import MAX_FILE_BYTES, MAX_LINE_CHARS, default_corpus_paths, find_source_files
from solver.model.data.examples import TAG_ORDER, Example, FinetuneSource, Limits, PretrainSource, decoder_prefix
from solver.model.data.tokenized import open_tokenized_corpus
from solver.model.tokenizer import Tokenizer

__all__ = ["Batch", "DataConfig", "pretrain_batches", "finetune_batches", "decoder_prefix", "bucket_for"]


@dataclass(frozen=True)
class DataConfig:
    batch_size: int = 16
    enc_buckets: tuple[int, ...] = (128, 256, 512, 1024, 1536)  # AlphaCode's encoder: 1536 tokens
    dec_buckets: tuple[int, ...] = (64, 128, 256, 512, 768)  # AlphaCode's decoder: 768 tokens
    mlm_probability: float = 0.15  # BERT: round(15%) of encoder tokens chosen (at least one)...
    mlm_mask_fraction: float = 0.8  # ...of which 80% become <mask>,
    mlm_random_fraction: float = 0.1  # 10% a random token, and the rest stay as they are
    finetune_mlm: bool = True  # AlphaCode kept the masked-LM loss when fine-tuning
    pretrain_header: bool = True  # start pre-training decoder sequences with "LANGUAGE IS ..."
    mutants_per_solution: int = 1  # mutants (as incorrect) per correct solution where a problem has no incorrect one
    max_file_bytes: int = MAX_FILE_BYTES
    max_line_chars: int = MAX_LINE_CHARS

    def __post_init__(self):
        for name in ("enc_buckets", "dec_buckets"):
            buckets = getattr(self, name)
            if not buckets or any(b <= 0 for b in buckets) or list(buckets) != sorted(set(buckets)):
                raise ValueError(f"{name} must be increasing positive lengths, got {buckets!r}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size}")
        if not (0 <= self.mlm_probability <= 1 and self.mlm_mask_fraction >= 0 and self.mlm_random_fraction >= 0
                and self.mlm_mask_fraction + self.mlm_random_fraction <= 1):
            raise ValueError("masked-LM probabilities must lie in [0, 1], mask + random fractions at most 1")

    @classmethod
    def for_lengths(cls, max_encoder_len: int, max_decoder_len: int, **values) -> DataConfig:
        """The default buckets cut at the given maximum lengths, each maximum being the last bucket
        (e.g. a 512-token encoder: 128, 256, 512)."""
        defaults = cls()

        def cut(buckets: tuple[int, ...], top: int) -> tuple[int, ...]:
            return tuple(b for b in buckets if b < top) + (top,)

        return cls(enc_buckets=cut(defaults.enc_buckets, max_encoder_len),
                   dec_buckets=cut(defaults.dec_buckets, max_decoder_len), **values)

    @classmethod
    def from_dict(cls, values: dict, origin: str = "<config>") -> DataConfig:
        """From JSON-like values (lists for the buckets); unknown keys are a DataError naming ORIGIN."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise DataError(origin, unknown[0], f"unknown data setting (known: {', '.join(sorted(known))})")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        try:
            return cls(**values)
        except (TypeError, ValueError) as e:
            raise DataError(origin, None, str(e)) from None

    @property
    def limits(self) -> Limits:
        return Limits(self.enc_buckets[-1], self.dec_buckets[-1], self.mlm_probability,
                      self.mlm_mask_fraction, self.mlm_random_fraction)


@dataclass
class Batch:
    """One training step's data (docs/interfaces.md). B rows; S, T from one bucket pair."""

    enc_tokens: np.ndarray  # [B,S] int32: statement, or a file's first part with masked-LM applied
    enc_mask: np.ndarray  # [B,S] bool: real encoder tokens
    mlm_targets: np.ndarray  # [B,S] int32: the uncorrupted encoder tokens
    mlm_mask: np.ndarray  # [B,S] bool: positions scored by masked-LM (all False without MLM)
    dec_inputs: np.ndarray  # [B,T] int32: BOS + header + code
    dec_targets: np.ndarray  # [B,T] int32: dec_inputs shifted left, EOS at the end
    dec_mask: np.ndarray  # [B,T] bool: real decoder tokens
    dec_loss_mask: np.ndarray  # [B,T] bool: targets that are code (and the final EOS): no header, no padding
    correct: np.ndarray  # [B] int32: 1 correct, 0 incorrect, -1 unknown (pre-training, padding rows)

    @property
    def bucket(self) -> tuple[int, int]:
        return self.enc_tokens.shape[1], self.dec_inputs.shape[1]

    def shard(self, index: int, count: int) -> Batch:
        """Rows index*B/count .. (index+1)*B/count: one host's part of a global batch."""
        size = len(self.correct) // count
        if size * count != len(self.correct):
            raise ValueError(f"batch of {len(self.correct)} rows does not split into {count} shards")
        part = slice(index * size, (index + 1) * size)
        return Batch(**{f.name: getattr(self, f.name)[part] for f in fields(self)})


def bucket_for(length: int, buckets: tuple[int, ...]) -> int:
    """The smallest bucket holding LENGTH (the largest if none does: the sequence is cut to it)."""
    for bucket in buckets:
        if length <= bucket:
            return bucket
    return buckets[-1]


def collate(examples: list[Example], bucket: tuple[int, int], batch_size: int) -> Batch:
    """Pad EXAMPLES into one batch of BUCKET's shape; missing rows stay empty."""
    S, T = bucket
    batch = Batch(
        enc_tokens=np.zeros((batch_size, S), np.int32), enc_mask=np.zeros((batch_size, S), bool),
        mlm_targets=np.zeros((batch_size, S), np.int32), mlm_mask=np.zeros((batch_size, S), bool),
        dec_inputs=np.zeros((batch_size, T), np.int32), dec_targets=np.zeros((batch_size, T), np.int32),
        dec_mask=np.zeros((batch_size, T), bool), dec_loss_mask=np.zeros((batch_size, T), bool),
        correct=np.full((batch_size,), -1, np.int32),
    )
    for row, ex in enumerate(examples):
        s, t = len(ex.enc_tokens), len(ex.dec_inputs)
        batch.enc_tokens[row, :s] = ex.enc_tokens
        batch.enc_mask[row, :s] = True
        batch.mlm_targets[row, :s] = ex.mlm_targets
        batch.mlm_mask[row, :s] = ex.mlm_mask
        batch.dec_inputs[row, :t] = ex.dec_inputs
        batch.dec_targets[row, :t] = ex.dec_targets
        batch.dec_mask[row, :t] = True
        batch.dec_loss_mask[row, :t] = ex.dec_loss_mask
        batch.correct[row] = ex.correct
    return batch


def stream(source: PretrainSource | FinetuneSource, config: DataConfig, seed: int, *,
           start_step: int = 0, epochs: int | None = None) -> Iterator[Batch]:
    """The batches of SOURCE from step START_STEP on (see the module's docstring)."""
    B = config.batch_size
    queues: dict[tuple[int, int], list[tuple[int, int]]] = {}
    step = 0
    for epoch in itertools.count() if epochs is None else range(epochs):
        used = 0
        for item in np.random.default_rng([TAG_ORDER, seed, epoch]).permutation(len(source)):
            lengths = source.lengths(epoch, int(item))
            if lengths is None:
                continue  # unusable (unreadable file, nothing to mutate): skipped the same way every time
            used += 1
            key = (bucket_for(lengths[0], config.enc_buckets), bucket_for(lengths[1], config.dec_buckets))
            queue = queues.setdefault(key, [])
            queue.append((epoch, int(item)))
            if len(queue) == B:
                if step >= start_step:
                    yield collate([source.example(e, i) for e, i in queue], key, B)
                step += 1
                queues[key] = []
        if not used:
            raise DataError(source.origin, None, "no usable training example")
    for key in sorted(k for k, queue in queues.items() if queue):  # a finite stream's remainder
        if step >= start_step:
            yield collate([source.example(e, i) for e, i in queues[key]], key, B)
        step += 1


def _check_seed(seed: int) -> None:
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")


def pretrain_batches(paths: Iterable[str | Path] | None, tokenizer: Tokenizer, config: DataConfig, seed: int, *,
                     start_step: int = 0, epochs: int | None = None, cache_dir: str | Path | None = None,
                     progress: Callable[[int, int], None] | None = None) -> Iterator[Batch]:
    """Pre-training batches from the source files under PATHS (None: default_corpus_paths(), the
    machine's Python standard library and C/C++ headers). Endless unless EPOCHS is given.

    With CACHE_DIR, the files are tokenised once into it (progress(done, total) meanwhile) and
    read from there: the same batches, built without tokenising (solver/model/data/tokenized.py)."""
    _check_seed(seed)
    roots = default_corpus_paths() if paths is None else [Path(p) for p in paths]
    files = find_source_files(roots, max_file_bytes=config.max_file_bytes)
    if not files:
        raise DataError(", ".join(map(str, roots)) or "<no paths>", None, "no source files found")
    corpus = None if cache_dir is None else open_tokenized_corpus(
        cache_dir, files, tokenizer, max_line_chars=config.max_line_chars, progress=progress)
    source = PretrainSource(files, tokenizer, config.limits, seed, header=config.pretrain_header,
                            max_line_chars=config.max_line_chars, corpus=corpus)
    return stream(source, config, seed, start_step=start_step, epochs=epochs)


def finetune_batches(problems: list[Problem], tokenizer: Tokenizer, config: DataConfig, seed: int, *,
                     start_step: int = 0, epochs: int | None = None) -> Iterator[Batch]:
    """Fine-tuning batches from PROBLEMS' statements and solutions (correct and incorrect, with
    mutants of correct ones as incorrect where a problem has none). Endless unless EPOCHS is given."""
    _check_seed(seed)
    source = FinetuneSource(list(problems), tokenizer, config.limits, seed, mlm=config.finetune_mlm,
                            mutants_per_solution=config.mutants_per_solution)
    if not len(source):
        raise DataError(source.origin, None, "no problem with a statement and a solution")
    return stream(source, config, seed, start_step=start_step, epochs=epochs)
