"""`csim demo`: the whole pipeline on the shipped demo contest, with embedded defaults.

With the JAX solver it first fine-tunes a small model on the demo problems' own statements and
reference solutions (cached under the work directory, keyed by the configuration and the
problems, so a second demo reuses it), then samples, filters, clusters, judges, scores, places and
rates, and stores the run in SQL.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from contests.model import Contest
from simulator.replay import ReplaySettings
from solver.solvers.jax import JaxSolver

DEMO_INTRO = ("[bold]csim demo[/bold]: replaying the shipped demo contest (5 easy problems, Codeforces points rules, "
              "120 minutes). Its standings are [bold red]MADE UP[/bold red] (300 invented participants): the rank "
              "and rating below show the pipeline working, not anyone's strength.")
MEMORISE_NOTE = ("The demo model is trained on the demo's OWN problems and reference solutions, so it memorises "
                 "them: a good result shows that sampling -> filtering -> clustering -> judging -> scoring -> "
                 "placement -> rating -> SQL works end to end, not that the model can solve unseen problems.")

HEADERS_NOTE = ("The demo samples with each problem's own rating and tags in the header (AlphaCode drew them at "
                "random, as a real contest hides them): a model that memorised 15 programs cannot yet ignore "
                "metadata it never saw varied.")

DEMO_SAMPLES = 64  # per problem: plenty for a memorising model, quick on 2 cores
# AlphaCode sampled at T = 0.12 from a model trained with tempering only (0.25 with GOLD; the demo
# trains without GOLD). Python only: every distinct C++ sample costs a compile (seconds here) in
# filtering, which 2 cores cannot afford within the demo's 10 minutes.
DEMO_SAMPLING = {"temperature": 0.12, "languages": ("python",), "headers": "problem"}

# Fine-tuning that makes the tiny model memorise the demo's 15 short programs in 150 steps on a
# 2-core CPU: a learning rate 300x AlphaCode's fine-tuning one (nothing here to preserve), a short
# warm-up, no extra mutants (the demo ships incorrect solutions), and a 512-piece tokenizer (the
# demo's text is far too small for 8,000 pieces).
DEMO_TRAIN = {"steps": 150, "learning_rate": 3e-3, "final_learning_rate": 3e-4, "warmup_steps": 10,
              "batch_size": 8, "checkpoint_every": 50, "log_every": 10}
DEMO_DATA = {"mutants_per_solution": 0}
DEMO_MODEL = {"vocab_size": 512}
FINISHED = "demo-model-finished.json"


def demo_settings(solver_kind: str, samples: int | None) -> ReplaySettings:
    if solver_kind == "jax":
        return ReplaySettings(schedule="alphacode", samples=samples or DEMO_SAMPLES)
    return ReplaySettings(schedule="alphacode", samples=samples or 1000)


def demo_run_config(preset: str, compilation_cache: Path | None = None):
    from solver.model.config import load_run_config

    train = {**DEMO_TRAIN, "compilation_cache": str(compilation_cache) if compilation_cache else None}
    return load_run_config(preset=preset, overrides={"model": DEMO_MODEL, "train": train, "data": DEMO_DATA})


def demo_model_dir(contest: Contest, preset: str, work_dir: Path) -> Path:
    """Where the demo model for this configuration and these problems lives (or will)."""
    config = demo_run_config(preset)  # without the compilation cache's path: it changes no weight
    h = hashlib.sha256(json.dumps(config.to_dict(), sort_keys=True, default=str).encode())
    for p in contest.problems:
        h.update(p.statement.encode())
        for s in p.solutions:
            h.update(f"{s.language}/{s.correct}/{s.source}".encode())
    return work_dir / f"demo-model-{preset}-{h.hexdigest()[:16]}"


def prepare_demo_model(contest: Contest, preset: str, work_dir: Path, console, progress=None) -> Path:
    """Fine-tune (or reuse, or finish fine-tuning) the demo model, reporting to PROGRESS
    (solver.model.train's callback); returns its run directory."""
    run_dir = demo_model_dir(contest, preset, work_dir)
    if (run_dir / FINISHED).is_file():
        console.print(f"Reusing the trained demo model in {run_dir}.")
        return run_dir
    from solver.model.train import finetune

    config = demo_run_config(preset, work_dir / "jax-compilation-cache")
    console.print(f"Fine-tuning the `{preset}` model on the demo's {len(contest.problems)} problems "
                  f"({config.train.steps} steps; cached in {run_dir} for the next demo).")
    summary = finetune(run_dir, contest.problems, config=config, progress=progress)
    if summary["step"] != config.train.steps:
        raise RuntimeError(f"fine-tuning stopped at step {summary['step']} of {config.train.steps}")
    (run_dir / FINISHED).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return run_dir


def demo_solver(run_dir: Path, judge) -> JaxSolver:
    """The JAX solver with the demo's sampling (DEMO_SAMPLING; see HEADERS_NOTE)."""
    return JaxSolver(run_dir, judge, **DEMO_SAMPLING)
