"""Accelerator check: training MFU and sampling new tokens/s of the 300M and 1B presets in bfloat16,
on whatever devices JAX sees.

Training: Trainer steps on random batches in the training layout (solver.model.train.synthetic_batches)
over a mesh of all devices (FSDP on the data axis when there are several), median step time;
MFU = the model's matmul FLOPs per step (3 x forward, solver.model.transformer.forward_flops) /
step time / peak. Two peaks: the device's nominal dense bfloat16 peak where this script knows the
device kind (NOMINAL_PEAK; the usual definition of MFU), and a large bfloat16 matmul timed in the
same run (what the device really reaches on a plain matmul).
Sampling: benchmarks/sample_throughput.py's measurement (the KV-cached decode loop, random
parameters, EOS off so that every row decodes --new tokens, the statement's K/V shared).

On a CPU it runs the `tiny` preset only (a check that the bfloat16 and attention paths run, not a
figure about any accelerator) and says so in its output.

    .venv/bin/python benchmarks/accelerator_check.py [--presets 300M,1B] [--attention auto]

Goals (issue 14, one H200): training MFU >= 0.45 at 1B; sampling >= 50,000 new tokens/s at 1B.
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

from sample_throughput import measure as measure_sampling  # noqa: E402  (benchmarks/ is on sys.path)
from solver.model import mesh as meshlib  # noqa: E402
from solver.model.config import MODEL_PRESETS, ModelConfig, TrainConfig  # noqa: E402
from solver.model.train import Trainer, synthetic_batches  # noqa: E402
from solver.model.transformer import count_params, forward_flops  # noqa: E402

# Dense bfloat16 FLOP/s by device kind (vendors' figures, without sparsity).
NOMINAL_PEAK = {"H200": 989e12, "H100": 989e12, "A100": 312e12, "L4": 121e12, "TPU v4": 275e12,
                "TPU v5 lite": 197e12, "TPU v5e": 197e12, "TPU v5p": 459e12, "TPU v6 lite": 918e12}
GOALS = {"1B": {"train_mfu": 0.45, "sample_new_tokens_per_s": 50_000}}


def nominal_peak(kind: str) -> float | None:
    return next((peak for name, peak in NOMINAL_PEAK.items() if name.lower() in kind.lower()), None)


def matmul_peak(n: int, dtype, repeats: int = 5) -> float:
    """FLOP/s of an n^3 matmul in DTYPE on the first device, best of REPEATS."""
    a = jnp.asarray(np.random.default_rng(0).normal(size=(n, n)), dtype)
    dot = jax.jit(lambda x, y: x @ y)
    dot(a, a).block_until_ready()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        dot(a, a).block_until_ready()
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best


def measure_training(config: ModelConfig, batch: int, enc_len: int, dec_len: int, steps: int) -> dict:
    devices = jax.device_count()
    train = TrainConfig(steps=10_000, warmup_steps=10, batch_size=batch, fsdp=devices > 1)
    trainer = Trainer(config, train, meshlib.make_mesh())
    batches = synthetic_batches(config.vocab_size, batch, enc_len, dec_len)
    start = time.perf_counter()
    state = trainer.init(0)
    state, metrics = trainer.step(state, trainer.put(next(batches)))
    jax.block_until_ready(metrics)
    compile_seconds = time.perf_counter() - start
    host = [next(batches) for _ in range(steps)]
    times = []
    for raw in host:
        start = time.perf_counter()
        state, metrics = trainer.step(state, trainer.put(raw))
        jax.block_until_ready(metrics)
        times.append(time.perf_counter() - start)
    seconds = float(np.median(times))
    mlm = int(np.ceil(enc_len * train.mlm_max_fraction))
    flops = 3 * batch * forward_flops(config, enc_len, dec_len, mlm)
    return {"batch": batch, "enc_len": enc_len, "dec_len": dec_len, "steps": steps, "fsdp": train.fsdp,
            "first_step_seconds": round(compile_seconds, 2), "step_seconds": round(seconds, 4),
            "tokens_per_s": round(batch * (enc_len + dec_len) / seconds, 1),
            "model_tflop_per_step": round(flops / 1e12, 4), "achieved_tflops": round(flops / seconds / 1e12, 3),
            "loss": round(float(metrics["loss"]), 4)}


def run_preset(name: str, args, attention: str, peaks: dict) -> dict:
    config = replace(MODEL_PRESETS[name], dtype=args.dtype, attention=attention, remat=args.remat)
    result = {"preset": name, "params": count_params(config), "dtype": config.dtype,
              "attention": config.attention, "remat": config.remat}
    train = measure_training(config, args.batch_size * jax.device_count(), args.enc_len, args.dec_len, args.steps)
    for source, peak in peaks.items():
        if peak:
            train[f"mfu_{source}"] = round(train["achieved_tflops"] * 1e12 / peak, 3)
    result["train"] = train
    result["sample"] = measure_sampling(config, args.sample_batch, args.new, args.statement, cached=True,
                                        repeats=2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", help="comma-separated (default: 300M,1B on accelerators, tiny on CPU)")
    parser.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float32"])
    parser.add_argument("--attention", default="auto", choices=["auto", "einsum", "xla", "cudnn"],
                        help="auto: cudnn on NVIDIA GPUs (xla if cuDNN refuses), xla elsewhere")
    parser.add_argument("--remat", default="none", choices=["none", "full", "dots", "dots_no_batch"])
    parser.add_argument("--batch-size", type=int, help="training sequences per device")
    parser.add_argument("--enc-len", type=int)
    parser.add_argument("--dec-len", type=int)
    parser.add_argument("--steps", type=int)
    parser.add_argument("--sample-batch", type=int)
    parser.add_argument("--new", type=int, help="tokens each sampled row decodes")
    parser.add_argument("--statement", type=int, help="encoder tokens when sampling")
    args = parser.parse_args()

    device = jax.devices()[0]
    on_cpu = device.platform == "cpu"
    # AlphaCode's lengths on accelerators; a few seconds' worth on a CPU.
    defaults = ({"presets": "tiny", "batch_size": 4, "enc_len": 128, "dec_len": 64, "steps": 3,
                 "sample_batch": 16, "new": 32, "statement": 128} if on_cpu else
                {"presets": "300M,1B", "batch_size": 8, "enc_len": 1536, "dec_len": 768, "steps": 10,
                 "sample_batch": 512, "new": 256, "statement": 1024})
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)

    dtype = jnp.bfloat16 if args.dtype == "bfloat16" else jnp.float32
    peaks = {"nominal": None if on_cpu else nominal_peak(device.device_kind) if args.dtype == "bfloat16" else None,
             "matmul": matmul_peak(1024 if on_cpu else 8192, dtype)}
    results = []
    for name in args.presets.split(","):
        attention = args.attention
        if attention == "auto":
            attention = "cudnn" if device.platform == "gpu" and args.dtype == "bfloat16" else "xla"
        try:
            result = run_preset(name, args, attention, peaks)
        except Exception as e:  # noqa: BLE001 -- cuDNN refuses some shapes: say so, measure with XLA's attention
            if args.attention != "auto" or attention != "cudnn":
                raise
            result = run_preset(name, args, "xla", peaks)
            result["cudnn_refused"] = str(e).splitlines()[0][:300]
        print(json.dumps(result), flush=True)
        results.append(result)

    goals = {}
    for result in results:
        goal = GOALS.get(result["preset"])
        if goal and "mfu_nominal" in result["train"]:
            goals[result["preset"]] = {
                "train_mfu": [result["train"]["mfu_nominal"], goal["train_mfu"]],
                "sample_new_tokens_per_s": [result["sample"]["new_tokens_per_s"], goal["sample_new_tokens_per_s"]]}
    print(json.dumps({
        "benchmark": "accelerator_check",
        "platform": device.platform,
        "device_kind": device.device_kind,
        "devices": jax.device_count(),
        "processes": jax.process_count(),
        "note": ("CPU only: ran the tiny preset to check that the bfloat16 and attention paths run; these "
                 "figures say nothing about an accelerator" if on_cpu else
                 "mfu_nominal: against the device's nominal dense bfloat16 peak; mfu_matmul: against a "
                 "bfloat16 matmul timed in this run"),
        "peak_tflops": {k: None if v is None else round(v / 1e12, 3) for k, v in peaks.items()},
        "results": results,
        "goals_measured_vs_wanted": goals,
    }))


if __name__ == "__main__":
    main()
