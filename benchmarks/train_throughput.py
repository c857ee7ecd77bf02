"""Training throughput of a preset (default `small`): tokens/s and model FLOP utilisation.

MFU = the model's matmul FLOPs per step (forward x 3, solver.model.transformer.forward_flops) / step time,
divided by the FLOP/s of a large jnp.dot. The machine is shared and noisy, so the two are measured
side by side: each timed training step is followed by a timed 2048^3 matmul, and the reported MFU
is the median of the per-pair ratios. Load from other work slows a step and its matmul by
different amounts (per-pair ratios of 0.4 to 1.4 were seen at a load of 5-30 on 2 cores), so
`mfu_best` also divides the fastest step by the fastest matmul of the same run: each timed at
its least disturbed, the figure an idle machine would give. Batches are random tokens in the exact training layout
(solver.model.train.synthetic_batches): a step's cost does not depend on what the tokens say.

Where the time goes: the same shapes timed as forward only, forward + backward, and the
optimiser update alone (each jitted alone), putting a batch on the devices; and with --profile,
the step's XLA kernels from a jax.profiler trace, summed by kind (matmuls vs copies vs the rest).

    .venv/bin/python benchmarks/train_throughput.py [--preset small] [--steps 10] [--profile]

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import collections
import glob
import gzip
import json
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from solver.model import mesh as meshlib  # noqa: E402
from solver.model.config import MODEL_PRESETS, TrainConfig  # noqa: E402
from solver.model.transformer import count_params, forward_flops  # noqa: E402
from solver.model.train import Trainer, synthetic_batches  # noqa: E402

DOT_N = 2048


def make_dot():
    """A timed DOT_N^3 float32 matmul: returns seconds per call."""
    a = jnp.asarray(np.random.default_rng(0).normal(size=(DOT_N, DOT_N)), jnp.float32)
    dot = jax.jit(lambda x, y: x @ y)
    dot(a, a).block_until_ready()

    def run() -> float:
        start = time.perf_counter()
        dot(a, a).block_until_ready()
        return time.perf_counter() - start

    return run


def kernel_profile(step, state, batch, steps: int = 2) -> tuple[dict, object]:
    """Seconds per step by kind of XLA kernel (ynn_fusion = the matmuls), from a profiler trace."""
    with tempfile.TemporaryDirectory() as trace_dir:
        jax.profiler.start_trace(trace_dir, create_perfetto_trace=True)
        for _ in range(steps):
            state, metrics = step(state, batch)
        jax.block_until_ready(metrics)
        jax.profiler.stop_trace()
        trace = json.load(gzip.open(sorted(glob.glob(f"{trace_dir}/**/*.json.gz", recursive=True))[-1]))
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    kinds: collections.Counter = collections.Counter()
    for e in events:
        name = e.get("name", "")
        if e.get("ph") == "X" and ("fusion" in name or name.startswith(("dot", "copy", "transpose", "wrapped"))):
            kinds[re.sub(r"\.\d+$", "", name)] += e.get("dur", 0) / 1e6 / steps
    return {k: round(v, 4) for k, v in kinds.most_common(12)}, state


def timed(fn, *args, repeats: int) -> float:
    """Median seconds of fn(*args) after one warm-up call."""
    jax.block_until_ready(fn(*args))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn(*args))
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="small", choices=sorted(MODEL_PRESETS))
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--enc-len", type=int, default=512)
    parser.add_argument("--dec-len", type=int, default=256)
    parser.add_argument("--mlm", type=float, default=1.0, help="masked-LM loss weight (0: no MLM head)")
    parser.add_argument("--profile", action="store_true", help="also sum the step's XLA kernels by kind")
    args = parser.parse_args()

    model_config = MODEL_PRESETS[args.preset]
    train_config = TrainConfig(steps=10_000, warmup_steps=10, batch_size=args.batch_size, mlm_weight=args.mlm)
    trainer = Trainer(model_config, train_config, meshlib.make_mesh())
    batches = synthetic_batches(model_config.vocab_size, args.batch_size, args.enc_len, args.dec_len)

    dot_seconds = make_dot()
    start = time.perf_counter()
    state = trainer.init(0)
    batch = trainer.put(next(batches))
    state, metrics = trainer.step(state, batch)
    jax.block_until_ready(metrics)
    compile_seconds = time.perf_counter() - start

    host = [next(batches) for _ in range(args.steps)]
    step_times, dot_times = [], []
    for raw in host:
        start = time.perf_counter()
        state, metrics = trainer.step(state, trainer.put(raw))
        jax.block_until_ready(metrics)
        step_times.append(time.perf_counter() - start)
        dot_times.append(dot_seconds())
    step_seconds = float(np.median(step_times))

    # Where the time goes: the step's parts on the same batch, each jitted alone.
    params, step0 = state.params, state.step
    loss = jax.jit(lambda p, b: trainer._loss_fn(p, b, step0)[0])
    grad = jax.jit(jax.grad(lambda p, b: trainer._loss_fn(p, b, step0)[0]))
    grads = grad(params, batch)
    update = jax.jit(lambda g, o, p: trainer.tx.update(g, o, p))
    repeats = max(3, args.steps // 3)
    parts = {
        "forward_s": timed(loss, params, batch, repeats=repeats),
        "forward_backward_s": timed(grad, params, batch, repeats=repeats),
        "optimizer_update_s": timed(update, grads, state.opt_state, params, repeats=repeats),
        "put_batch_s": timed(trainer.put, host[0], repeats=repeats),
    }

    kernels = None
    if args.profile:
        kernels, state = kernel_profile(trainer.step, state, batch)

    mlm_positions = int(np.ceil(args.enc_len * train_config.mlm_max_fraction)) if args.mlm > 0 else 0
    flops = 3 * args.batch_size * forward_flops(model_config, args.enc_len, args.dec_len, mlm_positions)
    achieved = flops / step_seconds
    peak = 2 * DOT_N**3 / float(np.median(dot_times))
    mfu_pairs = [(flops / st) / (2 * DOT_N**3 / dt) for st, dt in zip(step_times, dot_times)]
    result = {
        "benchmark": "train_throughput",
        "preset": args.preset,
        "params": count_params(model_config),
        "devices": jax.device_count(),
        "device_kind": jax.devices()[0].device_kind,
        "batch": args.batch_size,
        "enc_len": args.enc_len,
        "dec_len": args.dec_len,
        "mlm": args.mlm > 0,
        "steps": args.steps,
        "compile_seconds": round(compile_seconds, 2),
        "step_seconds": round(step_seconds, 4),
        "tokens_per_s": round(args.batch_size * (args.enc_len + args.dec_len) / step_seconds, 1),
        "decoder_tokens_per_s": round(args.batch_size * args.dec_len / step_seconds, 1),
        "model_gflop_per_step": round(flops / 1e9, 2),
        "achieved_gflops": round(achieved / 1e9, 2),
        "peak_dot_gflops": round(peak / 1e9, 2),
        "mfu": round(float(np.median(mfu_pairs)), 3),
        "mfu_min_max": [round(min(mfu_pairs), 3), round(max(mfu_pairs), 3)],
        "mfu_best": round((flops / min(step_times)) / (2 * DOT_N**3 / min(dot_times)), 3),
        "parts_seconds": {k: round(v, 4) for k, v in parts.items()},
        "backward_to_forward": round((parts["forward_backward_s"] - parts["forward_s"]) / parts["forward_s"], 2),
        "kernel_seconds_per_step": kernels,
        "loss": round(float(metrics["loss"]), 4),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
