"""The solver's tokenizer: SentencePiece, trained so that any source text survives a round trip.

Byte-pair encoding (BPE), not unigram: on code it trains faster and encodes shorter (benchmarks/
tokenizer.py measures both side by side), it needs no sampling, and its greedy merges make the
encoding of a string fixed, which the sampler relies on when it re-encodes a header.

Settings that keep code intact (REFERENCES.md): identity normalisation, no whitespace folding,
no dummy prefix, whitespace-only pieces (indentation), digits split, and byte fallback so that
any character, tab and carriage return included, has a spelling. Newlines are ordinary
characters to SentencePiece, so pieces such as "):\\n" form. One character cannot survive
SentencePiece by itself: U+2581, its own stand-in for a space, which it decodes as " ". Encode
spells that one character with its three UTF-8 byte pieces, which decode back to it.

Special ids: pad 0, unk 1, bos 2, eos 3, <mask> 4. <mask> is a control symbol, not a user-defined
one, so the text "<mask>" in a program is spelled out and never becomes the mask.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np
import sentencepiece as spm

from contests.errors import DataError

PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3
MASK_PIECE = "<mask>"
SPACE_META = "\u2581"  # SentencePiece's stand-in for " "
MODEL_FILE = "tokenizer.model"
# SentencePiece trains on "sentences"; code is fed as runs of whole lines up to this many bytes
# (SentencePiece's default max_sentence_length is 4,192), so pieces may span line ends.
SENTENCE_BYTES = 4096
DEFAULT_MAX_BYTES = 16_000_000


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def sentences(texts: Iterable[str], max_bytes: int | None = None) -> Iterator[str]:
    """TEXTS cut into runs of whole lines of at most SENTENCE_BYTES bytes (a longer line is cut
    too), stopping once max_bytes have been yielded."""
    total = 0
    for text in texts:
        chunk: list[str] = []
        size = 0
        for line in text.splitlines(keepends=True):
            n = len(line.encode("utf-8"))
            if chunk and size + n > SENTENCE_BYTES:
                yield "".join(chunk)
                total += size
                chunk, size = [], 0
                if max_bytes is not None and total >= max_bytes:
                    return
            while n > SENTENCE_BYTES:  # a very long line: cut by characters (<= 4 bytes each)
                yield line[: SENTENCE_BYTES // 4]
                line = line[SENTENCE_BYTES // 4:]
                n = len(line.encode("utf-8"))
            chunk.append(line)
            size += n
        if chunk:
            yield "".join(chunk)
            total += size
        if max_bytes is not None and total >= max_bytes:
            return


class Tokenizer:
    """A trained SentencePiece model with csim's special ids and an exact round trip."""

    def __init__(self, model_proto: bytes, origin: str = "<memory>"):
        self._proto = bytes(model_proto)
        self._sp = spm.SentencePieceProcessor()
        try:
            self._sp.LoadFromSerializedProto(self._proto)
        except (RuntimeError, OSError):
            raise DataError(origin, None, "not a SentencePiece model") from None
        self.mask_id = self._sp.piece_to_id(MASK_PIECE)
        if (self._sp.pad_id(), self._sp.bos_id(), self._sp.eos_id()) != (PAD_ID, BOS_ID, EOS_ID) \
                or self._sp.id_to_piece(self.mask_id) != MASK_PIECE or not self._sp.is_control(self.mask_id):
            raise DataError(origin, None, "not a csim tokenizer (expected pad 0, bos 2, eos 3 and a <mask> control piece)")
        meta_bytes = [self._sp.piece_to_id(f"<0x{b:02X}>") for b in SPACE_META.encode("utf-8")]
        if any(self._sp.is_unknown(i) for i in meta_bytes):
            raise DataError(origin, None, "tokenizer was trained without byte fallback")
        self._meta_ids = meta_bytes
        self.origin = origin

    # ------------------------------------------------------------ construction

    @classmethod
    def train(cls, texts: Iterable[str], model_prefix: str | Path | None, vocab_size: int = 8000, *,
              model_type: str = "bpe", seed: int = 0, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Tokenizer:
        """Train on TEXTS (streamed, at most max_bytes of them) and write `<model_prefix>.model`
        (atomically) unless model_prefix is None.

        The same texts and seed give a byte-identical model. SentencePiece's only randomness
        (sub-sampling its input, which is switched off here, and unigram's seeding) is seeded
        with SEED; BPE training is itself deterministic.
        """
        if model_type not in ("bpe", "unigram"):
            raise ValueError(f"model_type must be 'bpe' or 'unigram', not {model_type!r}")
        writer = io.BytesIO()
        spm.set_random_generator_seed(seed)
        try:
            spm.SentencePieceTrainer.train(
                sentence_iterator=sentences(texts, max_bytes),
                model_writer=writer,
                model_type=model_type,
                vocab_size=vocab_size,
                normalization_rule_name="identity",
                remove_extra_whitespaces=False,
                add_dummy_prefix=False,
                allow_whitespace_only_pieces=True,
                split_digits=True,
                byte_fallback=True,
                # Every character seen gets a piece if room; the rest (rare unicode) falls back to bytes.
                character_coverage=0.9999,
                required_chars="\t\r",  # tabs and CRs are common in code: give them pieces, not bytes
                max_sentence_length=SENTENCE_BYTES + 96,
                input_sentence_size=0,  # use everything given (max_bytes already caps it)
                pad_id=PAD_ID, unk_id=UNK_ID, bos_id=BOS_ID, eos_id=EOS_ID,
                control_symbols=[MASK_PIECE],
                hard_vocab_limit=False,  # a tiny corpus may not support vocab_size pieces
                num_threads=os.cpu_count() or 1,
                minloglevel=2,
            )
        except RuntimeError as e:
            raise DataError(f"{model_prefix}.model" if model_prefix else "<tokenizer>", None,
                            f"SentencePiece could not train: {str(e).splitlines()[0]}") from None
        tokenizer = cls(writer.getvalue())
        if model_prefix is not None:
            tokenizer.save(f"{model_prefix}.model")
        return tokenizer

    @classmethod
    def load(cls, path: str | Path) -> Tokenizer:
        """A tokenizer from a .model file, or from a directory holding tokenizer.model (a run directory)."""
        path = Path(path)
        if path.is_dir():
            path = path / MODEL_FILE
        try:
            proto = path.read_bytes()
        except FileNotFoundError:
            raise DataError(path, None, "no such file") from None
        return cls(proto, origin=str(path))

    def save(self, path: str | Path) -> None:
        _atomic_write(Path(path), self._proto)

    # ------------------------------------------------------------ use

    def encode(self, text: str) -> list[int]:
        if SPACE_META not in text:
            return self._sp.encode(text)
        ids: list[int] = []
        for n, part in enumerate(text.split(SPACE_META)):
            if n:
                ids.extend(self._meta_ids)
            if part:
                ids.extend(self._sp.encode(part))
        return ids

    def encode_many(self, texts: list[str]) -> list[list[int]]:
        plain = [t for t in texts if SPACE_META not in t]
        if len(plain) < len(texts):
            return [self.encode(t) for t in texts]
        return self._sp.encode(plain)

    def decode(self, ids: Iterable[int]) -> str:
        """The text of IDS; special ids (pad, bos, eos, mask) spell nothing."""
        return self._sp.decode([int(i) for i in ids])

    def piece(self, token_id: int) -> str:
        return self._sp.id_to_piece(int(token_id))

    @property
    def vocab_size(self) -> int:
        return self._sp.get_piece_size()

    pad_id, unk_id, bos_id, eos_id = PAD_ID, UNK_ID, BOS_ID, EOS_ID

    @property
    def regular_ids(self) -> np.ndarray:
        """Ids that spell text (not pad, unk, bos, eos, mask): the pool for MLM's random replacements."""
        return np.array([i for i in range(self.vocab_size)
                         if not (self._sp.is_control(i) or self._sp.is_unknown(i))], dtype=np.int32)

    @property
    def model_proto(self) -> bytes:
        return self._proto

    @property
    def digest(self) -> str:
        """Identifies the model (for a solver's describe())."""
        return hashlib.sha256(self._proto).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"Tokenizer({self.origin!r}, vocab_size={self.vocab_size})"


# ---------------------------------------------------------------- building from a corpus

@dataclass(frozen=True)
class TokenizerConfig:
    vocab_size: int = 8000  # AlphaCode
    model_type: str = "bpe"
    max_bytes: int = DEFAULT_MAX_BYTES  # training text cap
    heldout_bytes: int = 1_000_000  # documents set aside (whole) to measure tokens per byte; at most 10% of the corpus
    seed: int = 0  # orders the documents, hence which are held out and which fit under max_bytes
    sources: tuple[str, ...] = ()  # directories or files of code
    codecontests: tuple[str, ...] = ()  # CodeContests JSON-lines files: statements and solutions

    def with_overrides(self, **values) -> TokenizerConfig:
        """A copy with the given fields replaced; None means "keep"."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})


def load_tokenizer_config(path: str | Path) -> TokenizerConfig:
    """TokenizerConfig from a JSON file: its fields at top level, or under a "tokenizer" key."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(path, None, "no such file") from None
    except json.JSONDecodeError as e:
        raise DataError(path, f"line {e.lineno}", f"not valid JSON ({e.msg})") from None
    if isinstance(data, dict) and isinstance(data.get("tokenizer"), dict):
        data = data["tokenizer"]
    if not isinstance(data, dict):
        raise DataError(path, None, "expected a JSON object")
    known = {f.name: f for f in fields(TokenizerConfig)}
    values = {}
    for key, value in data.items():
        if key not in known:
            raise DataError(path, key, f"unknown setting (known: {', '.join(known)})")
        default = getattr(TokenizerConfig(), key)
        if isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise DataError(path, key, "expected a list of paths")
            value = tuple(value)
        elif not isinstance(value, type(default)) or isinstance(value, bool):
            raise DataError(path, key, f"expected {type(default).__name__}, got {type(value).__name__}")
        values[key] = value
    return TokenizerConfig(**values)


Progress = Callable[[str, int, "int | None"], None]


def build_tokenizer(config: TokenizerConfig, out_dir: Path, progress: Progress | None = None) -> dict:
    """Train on the configured corpus, write OUT_DIR/tokenizer.model, and return statistics
    (pieces, training bytes, training seconds with the reading of the training text, tokens per
    byte on held-out documents overall and by kind).

    Documents (whole files, statements, solutions) are put in a seeded order; the first ones, up
    to heldout_bytes (or a tenth of the corpus if less), are held out; the rest train, up to
    max_bytes. No sources and no CodeContests files means the default corpus
    (solver.model.data.corpus.default_corpus_paths()).
    """
    from contests.importers.codecontests import iter_codecontests
    from solver.model.data.corpus import default_corpus_paths, find_source_files, problem_documents, read_source

    progress = progress or (lambda stage, done, total: None)
    sources = list(config.sources) or ([] if config.codecontests else default_corpus_paths())
    files = find_source_files(sources)
    problems_docs = [d for path in config.codecontests for p in iter_codecontests(path) for d in problem_documents(p)]
    # A document is (kind, a way to get its text): files are read only when used.
    entries: list[tuple[str, object]] = [(f.language or "other", f.path) for f in files]
    entries += [(d.kind, d.text) for d in problems_docs]
    if not entries:
        raise DataError(", ".join(map(str, sources + list(config.codecontests))) or "<corpus>", None,
                        "no training text found")
    order = np.random.default_rng(config.seed).permutation(len(entries))

    def texts() -> Iterator[tuple[str, str]]:
        for n, i in enumerate(order):
            kind, ref = entries[i]
            text = read_source(ref) if isinstance(ref, Path) else ref
            progress("reading corpus", n + 1, len(order))
            if text:
                yield kind, text

    docs = texts()
    heldout: list[tuple[str, str]] = []
    held = 0
    corpus_bytes = sum(f.size for f in files) + sum(len(d.text.encode("utf-8")) for d in problems_docs)
    heldout_target = min(config.heldout_bytes, corpus_bytes // 10)
    while held < heldout_target and (doc := next(docs, None)) is not None:
        heldout.append(doc)
        held += len(doc[1].encode("utf-8"))
    first = next(docs, None)
    # A corpus too small to spare held-out text trains on all of it and says so.
    overlap = first is None and bool(heldout)
    training_docs = heldout if overlap else itertools.chain([first] if first else [], docs)
    training_bytes = 0

    def training_texts() -> Iterator[str]:
        nonlocal training_bytes
        for _, text in training_docs:
            if config.max_bytes and training_bytes >= config.max_bytes:
                return
            training_bytes += len(text.encode("utf-8"))
            yield text

    start = time.perf_counter()
    out_dir = Path(out_dir)
    tokenizer = Tokenizer.train(training_texts(), out_dir / MODEL_FILE.removesuffix(".model"),
                                config.vocab_size, model_type=config.model_type, seed=config.seed,
                                max_bytes=None)  # training_texts() applies the cap, in whole documents
    seconds = time.perf_counter() - start
    progress("measuring held-out text", 0, len(heldout))
    by_kind: dict[str, list[int]] = {}
    for kind, text in heldout:
        counts = by_kind.setdefault(kind, [0, 0])
        counts[0] += len(text.encode("utf-8"))
        counts[1] += len(tokenizer.encode(text))
    total_bytes = sum(b for b, _ in by_kind.values())
    total_tokens = sum(t for _, t in by_kind.values())
    return {
        "path": str(out_dir / MODEL_FILE),
        "digest": tokenizer.digest,
        "pieces": tokenizer.vocab_size,
        "model_type": config.model_type,
        "training_bytes": training_bytes,
        "train_seconds": round(seconds, 3),
        "heldout_documents": len(heldout),
        "heldout_bytes": total_bytes,
        "heldout_tokens": total_tokens,
        "heldout_is_training_text": overlap,
        "tokens_per_byte": round(total_tokens / total_bytes, 4) if total_bytes else None,
        "tokens_per_byte_by_kind": {k: round(t / b, 4) for k, (b, t) in sorted(by_kind.items()) if b},
        "config": asdict(config),
    }
