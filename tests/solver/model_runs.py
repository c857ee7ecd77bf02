"""Shared by the model-side tests: a tiny model fine-tuned until it memorises a few real problems,
trained once per test session (per xdist worker) and reused by every module that asks."""

from __future__ import annotations

import json
from pathlib import Path

from contests.importers.codecontests import load_codecontests
from solver.model.config import load_run_config

MEMORISE_STEPS = 80


def short_problems(shared_data: Path, count: int = 3):
    """The COUNT real problems with the shortest statement + solution (quick to memorise), and
    the one with the shortest solution: its decoder sequence falls in a smaller length bucket."""
    problems = load_codecontests(shared_data / "codecontests" / "dev.jsonl")
    problems = [p for p in problems if p.statement.strip() and p.correct_solutions]
    # One problem per statement: Codeforces repeats some across divisions (627A and 634B are
    # both "XOR Equation", with different solutions), which no model can tell apart.
    problems = list({p.statement: p for p in reversed(problems)}.values())
    chosen = sorted(problems, key=lambda p: len(p.statement) + len(p.correct_solutions[0].source))[:count]
    shortest = min(problems, key=lambda p: len(p.correct_solutions[0].source))
    return chosen + [shortest]


def compilation_cache(tmp_path_factory) -> str:
    """One persistent compilation cache for the session: a Trainer built twice compiles once."""
    return str(tmp_path_factory.getbasetemp() / "jax-compilation-cache")


def tiny_config(tmp_path_factory, **train):
    values = {"steps": MEMORISE_STEPS, "warmup_steps": 10, "learning_rate": 3e-3, "final_learning_rate": 3e-4,
              "batch_size": 4, "checkpoint_every": 1000, "compilation_cache": compilation_cache(tmp_path_factory)}
    values.update(train)
    # Two decoder buckets: the shortest solution gets the smaller one.
    data = {"mutants_per_solution": 0, "dec_buckets": (192, 256)}
    return load_run_config(preset="tiny", overrides={"train": values, "data": data})


def memorised_run(tmp_path_factory, shared_data: Path) -> tuple[Path, list]:
    """(run directory, problems) of a tiny model fine-tuned on three short real problems."""
    from solver.model.train import finetune

    problems = short_problems(shared_data)
    run_dir = tmp_path_factory.getbasetemp() / "memorised-run"
    done = run_dir / "done.json"
    if not done.exists():
        summary = finetune(run_dir, problems, config=tiny_config(tmp_path_factory), progress=False)
        done.write_text(json.dumps(summary))
    return run_dir, problems
