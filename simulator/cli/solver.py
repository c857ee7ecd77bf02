"""`csim solver ...`: build the solver's tokenizer, train and sample the model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from contests.errors import DataError
from simulator.cli.backend_options import backend_options, options_from
from simulator.cli.backends import serve_command
from simulator.cli.common import emit_json, one_line_errors
from simulator.cli.options import db_option, json_option, samples_option
from simulator.cli.progress import progress_view, training_progress
from solver.model.rundir import RunDir


@click.group()
def solver() -> None:
    """Train and sample the AlphaCode-style solver."""


solver.add_command(serve_command)


@solver.command("tokenizer")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory to write tokenizer.model into (created if missing).")
@click.option("--codecontests", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CodeContests JSON-lines file: its statements and solutions join the corpus. Repeatable.")
@click.option("--sources", multiple=True, type=click.Path(path_type=Path),
              help="Directory (or file) of source code to train on. Repeatable. Default, when neither "
                   "this nor --codecontests is given: the Python standard library and /usr/include.")
@click.option("--vocab-size", type=int, help="Number of pieces (default 8000, as AlphaCode).")
@click.option("--model-type", type=click.Choice(["bpe", "unigram"]), help="SentencePiece algorithm (default bpe).")
@click.option("--max-mb", type=float, help="Cap on the training text, in MB (default 16).")
@click.option("--seed", type=int, help="Seed for the choice of training and held-out documents (default 0).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="JSON file of TokenizerConfig fields (flat, or under a \"tokenizer\" key); flags override it.")
@json_option("the statistics")
@one_line_errors
def tokenizer_command(out_dir, codecontests, sources, vocab_size, model_type, max_mb, seed, config_file, as_json):
    """Train the SentencePiece tokenizer on code and statements; report tokens per byte on held-out text."""
    from solver.model.tokenizer import TokenizerConfig, build_tokenizer, load_tokenizer_config

    config = load_tokenizer_config(config_file) if config_file else TokenizerConfig()
    config = config.with_overrides(
        vocab_size=vocab_size,
        model_type=model_type,
        max_bytes=int(max_mb * 1_000_000) if max_mb is not None else None,
        seed=seed,
        codecontests=tuple(str(p) for p in codecontests) or None,
        sources=tuple(str(p) for p in sources) or None,
    )
    with progress_view(as_json) as progress:
        update = progress.task("reading corpus")
        stats = build_tokenizer(config, Path(out_dir), progress=lambda stage, done, total: update(
            done, total, description=stage))
    if as_json:
        emit_json(stats)
        return
    click.echo(f"wrote {stats['path']}: {stats['pieces']} pieces ({stats['model_type']}), "
               f"trained on {stats['training_bytes'] / 1e6:.1f} MB in {stats['train_seconds']:.1f} s")
    click.echo(f"held-out: {stats['heldout_bytes']:,} bytes -> {stats['heldout_tokens']:,} tokens, "
               f"{stats['tokens_per_byte']:.3f} tokens/byte")
    for kind, value in sorted(stats["tokens_per_byte_by_kind"].items()):
        click.echo(f"  {kind:10} {value:.3f} tokens/byte")


# --- training and sampling (the model side) ---------------------------------------------------------

def _training_options(func):
    """Options shared by pretrain and finetune: a config file, a preset, and flags overriding it."""
    options = [
        click.option("--run", "run_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
                     help=f"Run directory ({RunDir.LAYOUT}); "
                          "an existing run is resumed."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
                     help="JSON or TOML file with `model` (fields, or `preset`), `train` and `data` sections; "
                          "flags override it."),
        click.option("--preset", type=click.Choice(["tiny", "small", "300M", "1B", "3B", "9B", "41B"]),
                     help="Model size (default small)."),
        click.option("--tokenizer", "tokenizer_path", type=click.Path(path_type=Path),
                     help="tokenizer.model (or a run directory) to use instead of training one."),
        click.option("--steps", type=int, help="Optimiser steps in all (the run resumes up to this)."),
        click.option("--batch-size", type=int, help="Sequences per step (global, over all devices)."),
        click.option("--learning-rate", type=float, help="Peak learning rate after warm-up."),
        click.option("--warmup-steps", type=int, help="Linear warm-up steps."),
        click.option("--seed", type=int, help="Seed of the initialisation and the data order."),
        click.option("--checkpoint-every", type=int, help="Steps between checkpoints."),
        click.option("--gold-start-step", type=int, help="Switch GOLD on from this step (default: never)."),
        click.option("--data-parallel", type=int, help="Devices on the mesh's data axis (default: all)."),
        click.option("--model-parallel", type=int, help="Devices on the mesh's model axis (default 1)."),
        click.option("--distributed", is_flag=True, default=None,
                     help="Several hosts: call jax.distributed.initialize() (coordinator from the environment)."),
        json_option("the run's summary"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _run_config(run_dir: Path, config_file, preset, flags: dict, train_defaults: dict | None = None):
    """A new run's configuration (defaults, file, preset, flags), or an existing run's with the
    flags applied (the run then refuses any change but --steps)."""
    from dataclasses import replace

    from contests.errors import DataError
    from simulator.cli.common import csim_home
    from solver.model.config import load_run_config, read_run_config

    train = {k: v for k, v in flags.items() if v is not None}
    stored = RunDir(run_dir).config
    if stored.exists():
        if config_file or preset:
            raise DataError(stored, None, "the run exists: resume it with flags such as --steps, not a new config")
        config, _ = read_run_config(stored)
        try:
            return replace(config, train=replace(config.train, **train))
        except (TypeError, ValueError) as e:
            raise DataError(stored, "train", str(e)) from None
    train.setdefault("compilation_cache", str(csim_home() / "jax-cache"))
    return load_run_config(config_file, preset=preset, overrides={"train": train}, train_defaults=train_defaults)


def _report_run(summary: dict, as_json: bool) -> None:
    if as_json:
        emit_json(summary)
        return
    last = summary.get("last") or {}
    click.echo(f"{summary['run_dir']}: step {summary['step']} of {summary['steps']} in {summary['seconds']:.1f} s; "
               f"loss {last.get('loss', float('nan')):.4f}, {last.get('tokens_per_s', 0):,.0f} tokens/s")


def _load_tokenizer(path):
    from solver.model.tokenizer import Tokenizer

    return None if path is None else Tokenizer.load(path)


@solver.command("pretrain")
@click.option("--sources", multiple=True, type=click.Path(path_type=Path),
              help="Directory (or file) of source code. Repeatable. Default: the Python standard library "
                   "and /usr/include.")
@_training_options
@one_line_errors
def pretrain_command(run_dir, sources, config_file, preset, tokenizer_path, as_json, **flags):
    """Pre-train the model on source files (masked-LM on the encoder, next-token on the decoder)."""
    from solver.model.train import pretrain

    config = _run_config(run_dir, config_file, preset, flags)
    with progress_view(as_json) as view:
        summary = pretrain(run_dir, list(sources) or None, config=config, tokenizer=_load_tokenizer(tokenizer_path),
                           progress=training_progress(view, "pre-training"))
    _report_run(summary, as_json)


def _load_problems(paths) -> list:
    """Problems from CodeContests .jsonl files, problem directories, or directories of them."""
    from contests.errors import DataError
    from contests.importers.codecontests import load_codecontests
    from contests.native import read_problem

    problems = []
    for path in map(Path, paths):
        if path.is_file():
            problems += load_codecontests(path)
        elif (path / "problem.json").is_file():
            problems.append(read_problem(path))
        elif path.is_dir() and any((d / "problem.json").is_file() for d in path.iterdir()):
            problems += [read_problem(d) for d in sorted(path.iterdir()) if (d / "problem.json").is_file()]
        else:
            raise DataError(path, None, "not a CodeContests file, a problem directory or a directory of them")
    return problems


@solver.command("finetune")
@click.option("--problems", "problem_paths", multiple=True, required=True, type=click.Path(path_type=Path),
              help="CodeContests .jsonl, problem directory, or directory of problem directories. Repeatable.")
@click.option("--init-from", type=click.Path(file_okay=False, path_type=Path),
              help="Pre-trained run to start from (its model shape, tokenizer and parameters).")
@_training_options
@one_line_errors
def finetune_command(run_dir, problem_paths, init_from, config_file, preset, tokenizer_path, as_json, **flags):
    """Fine-tune on contest problems: statements in the encoder, value-conditioned solutions
    (correct, incorrect, mutants) in the decoder; tempering, optionally GOLD."""
    from solver.model.config import FINETUNE_DEFAULTS
    from solver.model.train import finetune

    from simulator.cli.common import csim_home
    from simulator.contamination import write_training_cutoff

    config = _run_config(run_dir, config_file, preset, flags, train_defaults=FINETUNE_DEFAULTS)
    problems = _load_problems(problem_paths)
    with progress_view(as_json) as view:
        summary = finetune(run_dir, problems, init_from=init_from, config=config,
                           tokenizer=_load_tokenizer(tokenizer_path), progress=training_progress(view, "fine-tuning"))
    # Dates come from the contest library (CodeContests records carry none); `replay` applies the cut-off.
    summary["training_cutoff"] = write_training_cutoff(run_dir, problems, csim_home() / "contests")
    _report_run(summary, as_json)


def _share(value: str) -> tuple[int, int]:
    host, _, hosts = value.partition("/")
    if not (host.isdigit() and hosts.isdigit() and int(host) < int(hosts)):
        raise click.BadParameter(f"expected HOST/HOSTS with 0 <= HOST < HOSTS (e.g. 0/4), not {value!r}")
    return int(host), int(hosts)


@solver.command("sample")
@click.option("--problem", "problem_path", required=True, type=click.Path(path_type=Path),
              help="A problem directory or a CodeContests .jsonl (with --problem-name).")
@click.option("--problem-name", help="Which problem of a CodeContests file (its name, e.g. '1041_E. Tree Reconstruction').")
@click.option("--run", "run_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Trained run directory (usually a fine-tuned one).")
@click.option("--backend", "backend_spec",
              help="Instead of --run: hf:PATH (a local transformers checkpoint) or openai:URL (with --model); "
                   "samples are cached in the store (--db). --headers random means none here.")
@db_option
@samples_option(100, "Samples to draw")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSON-lines file to write the distinct samples to (replaced).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--temperature", type=float, default=0.25, show_default=True)
@click.option("--top-k", type=int, help="Sample among the K most likely tokens only.")
@click.option("--top-p", type=float, help="Sample among the most likely tokens that make up P of the probability.")
@click.option("--languages", default="python,cpp", show_default=True, help="Comma-separated languages to draw from.")
@click.option("--batch-size", type=int, default=32, show_default=True, help="Samples decoded together.")
@click.option("--headers", type=click.Choice(["random", "problem"]), default="random", show_default=True,
              help="random: AlphaCode's random ratings and popular tag sets (all a contest allows); problem: "
                   "the problem's own rating and tags (an oracle, e.g. to check a memorised model).")
@click.option("--step", type=int, help="Checkpoint step (default: the latest).")
@click.option("--share", default="0/1", show_default=True, callback=lambda ctx, param, value: _share(value),
              help="HOST/HOSTS: draw only this host's share of the N samples (indices HOST, HOST+HOSTS, ...); "
                   "the hosts' files together hold exactly what one host would draw (docs/cluster-jax.md).")
@json_option("a summary")
@backend_options(sampling=False, cutoff=False)
@one_line_errors
def sample_command(problem_path, problem_name, run_dir, backend_spec, db, samples, out_path, seed, temperature, top_k,
                   top_p, languages, batch_size, headers, step, share, as_json, **backend_kwargs):
    """Draw programs for a problem and stream the distinct ones to a JSON-lines file (--run); or draw
    them from a model backend through the generation cache (--backend)."""
    if (run_dir is None) == (backend_spec is None):
        raise DataError("--run", None, "give either --run RUN_DIR (csim's model) or --backend hf:PATH|openai:URL")
    if backend_spec is not None:
        from contests.problems import load_problem
        from simulator.cli.backends import sample_with_backend

        if share != (0, 1):  # a backend's draws are keyed per sample in the generation cache: no shares needed
            raise DataError("--share", None, "only with --run (csim's model); a --backend draw is shared through "
                            "its cache")

        options = replace(options_from(backend_kwargs), temperature=temperature, top_k=top_k, top_p=top_p,
                          batch_size=batch_size, headers="none" if headers == "random" else headers,
                          languages=tuple(x.strip() for x in languages.split(",") if x.strip()))
        return sample_with_backend(load_problem(problem_path, problem_name), backend_spec, options, samples, out_path,
                                   seed, db, as_json)
    import json
    import time

    from contests.problems import load_problem
    from simulator.cli.common import csim_home
    from solver.model.mesh import start_runtime
    from solver.model.sampler import Sampler, host_share

    problem = load_problem(problem_path, problem_name)
    count_here = len(host_share(samples, *share))
    languages = tuple(x.strip() for x in languages.split(",") if x.strip())
    start_runtime(compilation_cache=csim_home() / "jax-cache")
    sampler = Sampler.from_run(run_dir, step=step, batch_size=batch_size)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    seen: set[tuple[str, str]] = set()
    started = time.perf_counter()
    # Streamed: each distinct sample is written (whole lines, flushed) as soon as it is drawn.
    with out_path.open("w", encoding="utf-8") as out, progress_view(as_json) as progress:
        update = progress.task(f"sampling {problem.id}", count_here)
        for drawn, sample in enumerate(sampler.sample(problem, samples, seed=seed, temperature=temperature,
                                                      top_k=top_k, top_p=top_p, languages=languages, headers=headers,
                                                      share=share), 1):
            if (sample.language, sample.source) not in seen:
                seen.add((sample.language, sample.source))
                out.write(json.dumps({"problem": problem.id, "index": sample.index, "language": sample.language,
                                      "source": sample.source, "logprob": round(sample.logprob, 4),
                                      "tokens": sample.tokens, "header": sample.header}) + "\n")
                out.flush()
            rate = drawn / max(time.perf_counter() - started, 1e-9)
            update(drawn, detail=f"{rate:.1f} samples/s, {len(seen)} distinct")
    seconds = time.perf_counter() - started
    summary = {"problem": problem.id, "out": str(out_path), "drawn": count_here, "share": list(share),
               "distinct": len(seen), "seconds": round(seconds, 3),
               "samples_per_s": round(count_here / max(seconds, 1e-9), 2),
               "seed": seed, "temperature": temperature, "top_k": top_k, "top_p": top_p,
               "languages": list(languages), "headers": headers, "sampler": sampler.describe()}
    if as_json:
        emit_json(summary)
    else:
        click.echo(f"{count_here} samples ({len(seen)} distinct) for {problem.id} in {seconds:.1f} s "
                   f"({summary['samples_per_s']} samples/s) -> {out_path}")
