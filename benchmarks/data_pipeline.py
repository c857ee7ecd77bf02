"""The data side's speed: how fast solver.model.data.batches builds batches, and what resuming at a step costs.

    .venv/bin/python benchmarks/data_pipeline.py [--steps 20] [--batch-size 16]

For pre-training (the default corpus: Python standard library and /usr/include) and fine-tuning
(the CodeContests records in ../shared/data), with AlphaCode's buckets and an 8,000-piece BPE
tokenizer trained here first: batches per second, real tokens per second (encoder + decoder,
padding not counted), the share of padding, and, side by side in the same run, the time to a
first batch at start_step=N (lengths only for the N skipped) against at step 0; pre-training both
tokenising files as it goes and reading them from a tokenised cache (built first, timed).
Prints one JSON object as its last line.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contests.importers.codecontests import load_codecontests  # noqa: E402
from solver.model.data.corpus import default_corpus_paths  # noqa: E402
from solver.model.data.batches import DataConfig, finetune_batches, pretrain_batches  # noqa: E402
from solver.model.tokenizer import Tokenizer, TokenizerConfig, build_tokenizer  # noqa: E402

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "codecontests" / "dev.jsonl"


def measure(make, steps: int) -> dict:
    """make(start_step) -> a fresh batch iterator. Times its start (listing, counting: up to the
    first batch), `steps` more batches, and a fresh iterator started at step `steps`."""
    start = time.perf_counter()
    batches = make(0)
    first = next(batches)
    startup = time.perf_counter() - start
    start = time.perf_counter()
    built = [first] + list(itertools.islice(batches, steps))
    build = time.perf_counter() - start
    real = sum(int(b.enc_mask.sum() + b.dec_mask.sum()) for b in built[1:])
    slots = sum(b.enc_mask.size + b.dec_mask.size for b in built[1:])
    start = time.perf_counter()
    next(make(steps))
    resume = time.perf_counter() - start
    return {
        "steps": steps,
        "first_batch_seconds": round(startup, 3),
        "seconds_per_batch": round(build / steps, 4),
        "real_tokens_per_s": round(real / build),
        "padding_share": round(1 - real / slots, 3),
        "buckets": sorted({f"{b.bucket[0]}x{b.bucket[1]}" for b in built}),
        # A fresh iterator at step N against one at step 0 (first batch each): the cost of skipping.
        "resume_at_step_n_seconds": round(resume, 3),
        "resume_over_start": round(resume / startup, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stats = build_tokenizer(TokenizerConfig(max_bytes=5_000_000, heldout_bytes=0,
                                                codecontests=(str(DEV),) if DEV.is_file() else (),
                                                sources=tuple(map(str, default_corpus_paths()))), Path(tmp))
        tokenizer = Tokenizer.load(stats["path"])
    config = DataConfig(batch_size=args.batch_size)
    result = {"benchmark": "data_pipeline", "batch_size": args.batch_size, "tokenizer_pieces": tokenizer.vocab_size,
              "pretrain": measure(lambda s: pretrain_batches(None, tokenizer, config, seed=0, start_step=s), args.steps)}
    print(f"pretrain: {result['pretrain']}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        next(pretrain_batches(None, tokenizer, config, seed=0, cache_dir=cache))
        cache_seconds = time.perf_counter() - start
        cached = measure(lambda s: pretrain_batches(None, tokenizer, config, seed=0, start_step=s, cache_dir=cache),
                         args.steps)
        cached["cache_build_seconds"] = round(cache_seconds, 1)
        cached["cache_tokens"] = sum(int(f.stat().st_size) for f in Path(cache).rglob("tokens.bin")) // 2
        result["pretrain_cached"] = cached
        result["cached_speedup_per_batch"] = round(result["pretrain"]["seconds_per_batch"] / cached["seconds_per_batch"], 1)
    print(f"pretrain_cached: {result['pretrain_cached']}", file=sys.stderr)
    if DEV.is_file():
        problems = load_codecontests(DEV)
        make = lambda s: finetune_batches(problems, tokenizer, config, seed=0, start_step=s)  # noqa: E731
        result["finetune"] = measure(make, args.steps)
        # Skipping is bounded by the data set (token counts and edit sites, once per solution),
        # not by the step: many epochs in.
        start = time.perf_counter()
        next(make(100 * args.steps))
        result["finetune"][f"resume_at_step_{100 * args.steps}_seconds"] = round(time.perf_counter() - start, 3)
        print(f"finetune: {result['finetune']}", file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
