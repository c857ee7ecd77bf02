"""Commands over the model backends: `csim solver sample --backend`, `csim solver serve`,
`csim samples export`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from contests.errors import DataError
from simulator.cli.backend_options import backend_options, options_from, quiet_transformers
from simulator.cli.common import emit_json, end_on_sigterm, one_line_errors
from simulator.cli.options import db_option, json_option, open_store


def sample_with_backend(problem, spec: str, options, count: int, out_path: Path, seed: int, db, as_json: bool):
    """Draw COUNT samples for PROBLEM through the backend SPEC, cached in the store (a killed draw
    resumes; a larger one extends), and write the ones holding code to OUT_PATH as a samples file."""
    from simulator.cli.progress import progress_view
    from simulator.store.generations import StoreCache
    from solver.backends.draw import draw_samples
    from solver.backends.factory import draw_settings, make_backend

    quiet_transformers()
    backend = make_backend(spec, options)
    settings = draw_settings(backend, options)
    end_on_sigterm()  # SIGTERM ends the draw as Ctrl-C does: the samples received are stored first
    with open_store(db) as store, StoreCache(store) as cache, progress_view(as_json) as progress:
        drawn = draw_samples(backend, problem, count, seed, settings, cache,
                             progress.task(f"sampling {problem.id}", count))
    backend.close()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for s in drawn.samples:
            if s.source is not None:
                out.write(json.dumps({"problem": problem.id, "index": s.index, "language": s.language,
                                      "source": s.source, "extraction": s.extraction,
                                      "completion_tokens": s.generation.completion_tokens}) + "\n")
    tmp.replace(out_path)  # whole or not at all
    summary = {"problem": problem.id, "out": str(out_path), "drawn": count,
               "with_code": count - len(drawn.unextracted), "unextracted": len(drawn.unextracted),
               "unextracted_note": drawn.unextracted_note(), "cost": drawn.cost.to_dict(), "seed": seed,
               "model": backend.model, "backend": backend.describe(), "sampling": settings.to_dict()}
    if as_json:
        emit_json(summary)
        return
    c = drawn.cost
    click.echo(f"{count} samples for {problem.id} from {backend.kind} model {backend.model[:40]}: {c.requested} "
               f"asked of the model, {c.cached} from the cache, in {c.wall_seconds:.1f} s -> {out_path}")
    click.echo(f"cost: {c.prompt_tokens} prompt tokens, {c.completion_tokens} completion tokens, "
               f"{c.request_seconds:.1f} s summed over requests")
    if drawn.unextracted_note():
        click.echo(drawn.unextracted_note())


@click.command("serve")
@click.option("--backend", "spec", required=True, help="hf:PATH, the local checkpoint to serve.")
@click.option("--name", help="The model name clients ask for (default: the checkpoint directory's name).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@backend_options(cutoff=False)
@one_line_errors
def serve_command(spec, name, host, port, **kwargs):
    """Serve a local checkpoint over the OpenAI API (/v1/completions, /v1/chat/completions, /v1/models)."""
    import uvicorn

    from solver.backends.factory import make_backend
    from solver.backends.serve import make_app

    quiet_transformers()
    options = options_from(kwargs)
    if not spec.startswith("hf:"):
        raise DataError("--backend", None, f"only hf:PATH can be served, not {spec!r}")
    backend = make_backend(spec, options)
    name = name or Path(spec[3:]).resolve().name
    click.echo(f"serving {name} ({backend.model[:12]}) at http://{host}:{port}/v1", err=True)
    uvicorn.run(make_app(backend, name), host=host, port=port, log_level="warning")


@click.group()
def samples() -> None:
    """Samples drawn from model backends (the generation cache in the store)."""


@samples.command("export")
@click.argument("run_id", type=int)
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Samples file to write (JSON lines; replaced).")
@db_option
@json_option("a summary")
@one_line_errors
def export_command(run_id, out_path, db, as_json):
    """Write the samples a replay run drew (from the generation cache) as a samples file, for
    `--solver samples:FILE` or any other tool."""
    from simulator.replay import problem_seed
    from simulator.store.generations import StoreCache

    with open_store(db) as store:
        run = store.run(run_id)
        if run is None:
            raise DataError(store.where, "run", f"no run {run_id}")
        config = run.solver_version.config
        if config.get("solver") not in ("hf", "openai"):
            raise DataError(f"run {run_id}", "solver", f"drew no samples from a model backend (solver "
                                                       f"{config.get('solver')!r}); nothing is cached for it")
        from sqlalchemy import select

        from simulator.store.models import ProblemRef

        with store.transaction() as s:
            refs = list(s.scalars(select(ProblemRef).where(
                ProblemRef.contest_id.in_([link.contest_id for link in run.contests]))))
        seeds = {p.problem_id: problem_seed(run.seed, p.contest_id, p.index) for p in refs}
        rows = StoreCache(store).rows(backend=config["solver"], model=config["model"],
                                      params=config["sampling"]["params"], seeds_by_problem=seeds,
                                      limit=run.settings.get("samples"))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for r in rows:
            if r.source is not None:
                out.write(json.dumps({"problem": r.problem_id, "index": r.index, "language": r.language,
                                      "source": r.source, "extraction": r.extraction}) + "\n")
    tmp.replace(out_path)
    summary = {"run": run_id, "out": str(out_path), "samples": len(rows),
               "written": sum(r.source is not None for r in rows),
               "unextracted": sum(r.source is None for r in rows)}
    if as_json:
        emit_json(summary)
    else:
        click.echo(f"run {run_id}: {summary['written']} samples with code written to {out_path} "
                   f"({summary['unextracted']} without code left out, of {summary['samples']} cached)")
