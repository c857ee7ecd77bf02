"""`csim solver ...`: build the solver's tokenizer, train and sample the model."""

from __future__ import annotations

from pathlib import Path

import click

from simulator.cli.common import emit_json, one_line_errors


@click.group()
def solver() -> None:
    """Train and sample the AlphaCode-style solver."""


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
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@one_line_errors
def tokenizer_command(out_dir, codecontests, sources, vocab_size, model_type, max_mb, seed, config_file, as_json):
    """Train the SentencePiece tokenizer on code and statements; report tokens per byte on held-out text."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from solver.tokenizer import TokenizerConfig, build_tokenizer, load_tokenizer_config

    config = load_tokenizer_config(config_file) if config_file else TokenizerConfig()
    config = config.with_overrides(
        vocab_size=vocab_size,
        model_type=model_type,
        max_bytes=int(max_mb * 1_000_000) if max_mb is not None else None,
        seed=seed,
        codecontests=tuple(str(p) for p in codecontests) or None,
        sources=tuple(str(p) for p in sources) or None,
    )
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=as_json) as progress:
        task = progress.add_task("reading corpus", total=None)

        def report(stage: str, done: int, total: int | None) -> None:
            progress.update(task, description=stage, completed=done, total=total)

        stats = build_tokenizer(config, Path(out_dir), progress=report)
    if as_json:
        emit_json(stats)
        return
    click.echo(f"wrote {stats['path']}: {stats['pieces']} pieces ({stats['model_type']}), "
               f"trained on {stats['training_bytes'] / 1e6:.1f} MB in {stats['train_seconds']:.1f} s")
    click.echo(f"held-out: {stats['heldout_bytes']:,} bytes -> {stats['heldout_tokens']:,} tokens, "
               f"{stats['tokens_per_byte']:.3f} tokens/byte")
    for kind, value in sorted(stats["tokens_per_byte_by_kind"].items()):
        click.echo(f"  {kind:10} {value:.3f} tokens/byte")
