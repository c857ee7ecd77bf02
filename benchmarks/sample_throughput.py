"""Sampling throughput: new tokens/s of the KV-cached decode loop, against recomputing the whole
decoder every step, and multi-query (1 K/V head) against multi-head attention.

Random parameters and random prefixes (the speed of a decode step does not depend on what the
model learned); EOS is switched off so every row decodes exactly --new tokens. The statement
(--statement tokens) is encoded once and its cross-attention K/V shared by every row, as the
sampler does. Each configuration is timed after its compilation, best of --repeats.

    .venv/bin/python benchmarks/sample_throughput.py [--preset small] [--batches 16,64,256]

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from flax import nnx  # noqa: E402

from solver.model import mesh as meshlib  # noqa: E402
from solver.model.config import MODEL_PRESETS, ModelConfig  # noqa: E402
from solver.model.transformer import Transformer, count_params  # noqa: E402
from solver.model.sampler import Decoder  # noqa: E402

PREFIX = 32  # a header's length, about


def measure(config: ModelConfig, batch: int, new: int, statement: int, *, cached: bool, repeats: int) -> dict:
    mesh = meshlib.make_mesh()
    decoder = Decoder(config, mesh, eos_id=-1, banned=(0,))  # no EOS (nor pad): every row decodes `new` tokens
    params = jax.jit(lambda key: nnx.split(Transformer(config, key=key), nnx.Param)[1])(jax.random.key(0))
    rng = np.random.default_rng(0)
    enc = jnp.asarray(rng.integers(5, config.vocab_size, statement), jnp.int32)
    enc_mask = jnp.ones(statement, bool)
    cross = decoder.encode(params, enc, enc_mask)
    prefix = jnp.asarray(rng.integers(5, config.vocab_size, (batch, PREFIX)), jnp.int32)
    start = jnp.zeros(batch, jnp.int32)
    keys = jax.vmap(lambda i: jax.random.fold_in(jax.random.key(1), i))(jnp.arange(batch))
    limits = jnp.full(batch, new, jnp.int32)
    generate = decoder.generate if cached else decoder.generate_uncached

    def run():
        return generate(params, cross, enc_mask, prefix, start, keys, limits, jnp.float32(1.0), jnp.float32(1.0),
                        max_new=new, top_k=None, use_top_p=False)

    begin = time.perf_counter()
    tokens, _, lengths = jax.block_until_ready(run())
    compile_seconds = time.perf_counter() - begin
    assert int(lengths.min()) == new
    best = float("inf")
    for _ in range(repeats):
        begin = time.perf_counter()
        jax.block_until_ready(run())
        best = min(best, time.perf_counter() - begin)
    return {"batch": batch, "new_tokens": new, "cached": cached, "kv_heads": config.num_kv_heads,
            "seconds": round(best, 4), "first_call_seconds": round(compile_seconds, 2),
            "new_tokens_per_s": round(batch * new / best, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="small", choices=sorted(MODEL_PRESETS))
    parser.add_argument("--batches", default="16,64,256", help="batch sizes for the cached loop")
    parser.add_argument("--new", type=int, default=256, help="tokens each row decodes (cached runs)")
    parser.add_argument("--statement", type=int, default=512, help="encoder tokens")
    parser.add_argument("--compare-batch", type=int, default=32, help="batch for cache vs recomputation")
    parser.add_argument("--compare-new", type=int, default=64, help="tokens per row, cache vs recomputation")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    mqa = MODEL_PRESETS[args.preset]
    mha = replace(mqa, num_kv_heads=mqa.num_heads)

    runs = []
    # 1. The cache against recomputation, side by side on the same shapes.
    for cached in (True, False):
        runs.append(measure(mqa, args.compare_batch, args.compare_new, args.statement, cached=cached,
                            repeats=args.repeats))
        print(runs[-1], file=sys.stderr)
    with_cache, without = runs[0], runs[1]
    # 2. The cached loop's best batch size, multi-query and multi-head side by side.
    by_batch = []
    for batch in [int(b) for b in args.batches.split(",")]:
        pair = {}
        for name, config in (("mqa", mqa), ("mha", mha)):
            pair[name] = measure(config, batch, args.new, args.statement, cached=True, repeats=args.repeats)
            print(pair[name], file=sys.stderr)
        by_batch.append({"batch": batch, "mqa_new_tokens_per_s": pair["mqa"]["new_tokens_per_s"],
                         "mha_new_tokens_per_s": pair["mha"]["new_tokens_per_s"],
                         "mqa_over_mha": round(pair["mqa"]["new_tokens_per_s"] / pair["mha"]["new_tokens_per_s"], 2)})
    best = max(by_batch, key=lambda r: r["mqa_new_tokens_per_s"])
    result = {
        "benchmark": "sample_throughput",
        "preset": args.preset,
        "params": count_params(mqa),
        "params_mha": count_params(mha),
        "devices": jax.device_count(),
        "device_kind": jax.devices()[0].device_kind,
        "statement_tokens": args.statement,
        "prefix_tokens": PREFIX,
        "cached_new_tokens_per_s": with_cache["new_tokens_per_s"],
        "uncached_new_tokens_per_s": without["new_tokens_per_s"],
        "cache_speedup": round(with_cache["new_tokens_per_s"] / without["new_tokens_per_s"], 1),
        "compare_batch": args.compare_batch,
        "compare_new_tokens": args.compare_new,
        "best_batch": best["batch"],
        "best_new_tokens_per_s": best["mqa_new_tokens_per_s"],
        "mqa_over_mha_at_best_batch": best["mqa_over_mha"],
        "by_batch": by_batch,
        "new_tokens_per_batch_row": args.new,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
