"""The tokenizer: training time and tokens per byte on held-out text, BPE and unigram side by side
on the same ~5 MB corpus (8,000 pieces, as AlphaCode), and encoding speed.

    .venv/bin/python benchmarks/tokenizer.py [--mb 5] [--vocab-size 8000]

Corpus: the default one (the Python standard library and /usr/include) plus the CodeContests
records in ../shared/data when present (statements and solutions). Documents are held out whole
(1 MB) before training. Prints one JSON object as its last line. For scale: REFERENCES.md
measured BPE on 5 MB in ~1 s and ~0.32 tokens per byte of Python.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solver.model.tokenizer import Tokenizer, TokenizerConfig, build_tokenizer  # noqa: E402

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "codecontests" / "dev.jsonl"


def encode_speed(tokenizer: Tokenizer, text: str) -> float:
    """MB of text encoded per second (best of three)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        tokenizer.encode(text)
        best = min(best, time.perf_counter() - start)
    return len(text.encode("utf-8")) / 1e6 / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0)
    parser.add_argument("--vocab-size", type=int, default=8000)
    args = parser.parse_args()
    from solver.model.data.corpus import default_corpus_paths

    config = TokenizerConfig(vocab_size=args.vocab_size, max_bytes=int(args.mb * 1e6), heldout_bytes=1_000_000,
                             sources=tuple(map(str, default_corpus_paths())),
                             codecontests=(str(DEV),) if DEV.is_file() else ())
    sample = "".join(p.read_text() for p in sorted(Path(json.__file__).parent.glob("*.py")))  # real code to encode
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for model_type in ("bpe", "unigram"):
            stats = build_tokenizer(config.with_overrides(model_type=model_type), Path(tmp, model_type))
            tokenizer = Tokenizer.load(stats["path"])
            results[model_type] = {
                "train_seconds": stats["train_seconds"],
                "training_bytes": stats["training_bytes"],
                "pieces": stats["pieces"],
                "heldout_bytes": stats["heldout_bytes"],
                "tokens_per_byte": stats["tokens_per_byte"],
                "tokens_per_byte_by_kind": stats["tokens_per_byte_by_kind"],
                "encode_mb_per_s": round(encode_speed(tokenizer, sample), 2),
            }
            print(f"{model_type}: {results[model_type]}", file=sys.stderr)
    bpe, unigram = results["bpe"], results["unigram"]
    print(json.dumps({
        "benchmark": "tokenizer",
        "vocab_size": args.vocab_size,
        "corpus": {"sources": list(config.sources), "codecontests": list(config.codecontests)},
        **results,
        "unigram_over_bpe_train_seconds": round(unigram["train_seconds"] / bpe["train_seconds"], 2),
        "unigram_over_bpe_tokens_per_byte": round(unigram["tokens_per_byte"] / bpe["tokens_per_byte"], 3),
    }))


if __name__ == "__main__":
    main()
