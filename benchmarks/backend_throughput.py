"""Throughput of the model backends against the same local model, and the overhead of csim's
openai: client over raw HTTP requests.

- hf: samples/s drawing --samples samples of the demo's problem A in-process (batched).
- openai: the same checkpoint served by `csim solver serve` (a subprocess), samples/s through
  csim's client at --concurrency requests in flight.
- client overhead: csim's client (OpenAIBackend through draw_samples: retries, parsing, code
  extraction, the generation cache in memory and in a SQLite store) against raw httpx requests
  (the same bodies, the same concurrency, nothing done with the answers), both against the model
  server and against an instant server answering a fixed completion (the client's worst case:
  nothing hides its cost). Interleaved, best of --repeats.

The checkpoint is --checkpoint, else a tiny random GPT-2 written to a temporary directory (the
tests' tests/hf_models.py). The last line printed is one JSON object.

    .venv/bin/python benchmarks/backend_throughput.py [--samples 64] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from contests.native import read_problem  # noqa: E402
from solver.backends.base import MemoryCache, SamplingParams  # noqa: E402
from solver.backends.draw import DrawSettings, draw_samples  # noqa: E402
from solver.backends.openai import OpenAIBackend  # noqa: E402

INSTANT_SERVER = """
import sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
ANSWER = {"choices": [{"index": 0, "text": "print(2 * int(input()))\\n", "finish_reason": "stop"}],
          "model": "instant", "usage": {"prompt_tokens": 100, "completion_tokens": 10}}
async def handle(request):
    await request.body()
    return JSONResponse(ANSWER)
app = Starlette(routes=[Route("/v1/completions", handle, methods=["POST"])])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server on port {port} did not start")
            time.sleep(0.3)


def csim_draw(url: str, model: str, problem, n: int, settings: DrawSettings, concurrency: int,
              cache) -> tuple[float, float]:
    """(wall seconds, this process's CPU seconds) to draw N samples through csim's client."""
    backend = OpenAIBackend(url, model, api="completions", concurrency=concurrency)
    start, cpu = time.perf_counter(), time.process_time()
    drawn = draw_samples(backend, problem, n, 0, settings, cache)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert drawn.cost.requested == n
    return seconds, cpu


def raw_draw(url: str, bodies: list[dict], concurrency: int) -> tuple[float, float]:
    import httpx

    async def main() -> None:
        gate = asyncio.Semaphore(concurrency)
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(timeout=600, limits=limits) as client:
            async def one(body):
                async with gate:
                    r = await client.post(f"{url}/completions", json=body)
                    r.raise_for_status()
            await asyncio.gather(*(one(b) for b in bodies))

    start, cpu = time.perf_counter(), time.process_time()
    asyncio.run(main())
    return time.perf_counter() - start, time.process_time() - cpu


def compare_clients(url: str, model: str, problem, n: int, settings: DrawSettings, concurrency: int,
                    repeats: int, store_dir: Path) -> dict:
    from simulator.store import Store
    from simulator.store.generations import StoreCache
    from solver.backends.base import sample_seed
    from solver.backends.prompts import build_prompt

    prompt = build_prompt(problem, "python", settings.style, settings.headers, settings.templates)
    template = OpenAIBackend(url, model, api="completions")
    bodies = [template.body(prompt, settings.params, sample_seed(1, i)) for i in range(n)]
    runs: dict[str, list[tuple[float, float]]] = {"raw": [], "csim_memory_cache": [], "csim_sqlite_cache": []}
    for r in range(repeats):  # interleaved, so load on the machine hits all three alike
        runs["raw"].append(raw_draw(url, bodies, concurrency))
        runs["csim_memory_cache"].append(csim_draw(url, model, problem, n, settings, concurrency, MemoryCache()))
        with Store(store_dir / f"bench-{r}-{n}.db") as store, StoreCache(store) as cache:
            runs["csim_sqlite_cache"].append(csim_draw(url, model, problem, n, settings, concurrency, cache))
    best = {k: min(w for w, _ in v) for k, v in runs.items()}
    # The client's own CPU time (all its threads) is the figure that load on the machine and the
    # server's speed disturb least: it is what the client costs per sample.
    cpu = {k: min(c for _, c in v) for k, v in runs.items()}
    return {"seconds_best": {k: round(v, 4) for k, v in best.items()},
            "samples_per_s": {k: round(n / v, 1) for k, v in best.items()},
            "overhead_memory_cache": round(best["csim_memory_cache"] / best["raw"] - 1, 4),
            "overhead_sqlite_cache": round(best["csim_sqlite_cache"] / best["raw"] - 1, 4),
            "client_cpu_ms_per_sample": {k: round(1000 * v / n, 3) for k, v in cpu.items()},
            "cpu_overhead_memory_cache": round(cpu["csim_memory_cache"] / cpu["raw"] - 1, 4),
            "cpu_overhead_sqlite_cache": round(cpu["csim_sqlite_cache"] / cpu["raw"] - 1, 4)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoint", type=Path)
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--instant-samples", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    problem = read_problem(ROOT / "contests" / "demo" / "A")
    settings = DrawSettings(SamplingParams(temperature=1.0, top_p=0.95, max_new_tokens=args.max_new_tokens),
                            ("python",), "base")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        checkpoint = args.checkpoint
        if checkpoint is None:
            from hf_models import write_causal

            checkpoint = write_causal(tmp / "tiny")
        from solver.backends.hf import HFBackend

        hf = HFBackend(checkpoint, batch_size=args.batch_size)
        draw_samples(hf, problem, 2, 99, settings)  # warm-up
        start = time.perf_counter()
        drawn = draw_samples(hf, problem, args.samples, 0, settings)
        hf_seconds = time.perf_counter() - start
        hf.close()
        result = {"checkpoint": str(checkpoint), "samples": args.samples, "max_new_tokens": args.max_new_tokens,
                  "concurrency": args.concurrency,
                  "hf": {"batch_size": args.batch_size, "seconds": round(hf_seconds, 3),
                         "samples_per_s": round(args.samples / hf_seconds, 2),
                         "completion_tokens_per_s": round(drawn.cost.completion_tokens / hf_seconds, 1)}}
        csim = Path(sys.executable).parent / "csim"
        for name, command, n in (
                ("served_model", [str(csim), "solver", "serve", "--backend", f"hf:{checkpoint}", "--name", "tiny",
                                  "--batch-size", str(args.batch_size)], args.samples),
                ("instant_server", [sys.executable, "-c", INSTANT_SERVER], args.instant_samples)):
            port = free_port()
            proc = subprocess.Popen(command + (["--port", str(port)] if name == "served_model" else [str(port)]),
                                    stderr=subprocess.DEVNULL)
            try:
                wait_up(port, proc)
                url = f"http://127.0.0.1:{port}/v1"
                csim_draw(url, "tiny" if name == "served_model" else "instant", problem, 4, settings, 4,
                          MemoryCache())  # warm-up
                result[name] = {"samples": n, **compare_clients(
                    url, "tiny" if name == "served_model" else "instant", problem, n, settings, args.concurrency,
                    args.repeats, tmp)}
            finally:
                proc.terminate()
                proc.wait(30)
        print(json.dumps(result))


if __name__ == "__main__":
    main()
