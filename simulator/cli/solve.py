"""`csim solve --problem PATH --solver SPEC`: the submissions a solver would make for one problem,
with their cluster sizes and why each was chosen."""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path

import click

from simulator.cli.backend_options import backend_options, options_from, quiet_transformers
from simulator.cli.common import emit_json, one_line_errors
from simulator.cli.judge import _judge_errors
from simulator.cli.options import judge_options, json_option, removed_option, samples_option, solver_option


@click.command()
@click.option("--problem", "problem_path", required=True, type=click.Path(path_type=Path),
              help="A native problem directory or a CodeContests .jsonl file.")
@click.option("--problem-name", help="Which record of a CodeContests file (its `name` or id, e.g. 1041E).")
@solver_option()
@removed_option("--run", "--solver jax:RUN_DIR")
@removed_option("--reference", "--solver reference", takes_value=False)
@removed_option("--samples-per-problem", "--samples N")
@click.option("--languages", default="python,cpp", show_default=True,
              help="jax:, hf:, openai: the languages samples are drawn in (AlphaCode: half Python, half C++).")
@click.option("--temperature", type=click.FloatRange(min=0, min_open=True),
              help="jax:, hf:, openai: the sampling temperature (default: 0.25 for jax:, 0.8 for hf: and openai:).")
@click.option("--headers", type=click.Choice(["random", "problem"]), default="random", show_default=True,
              help="jax:: AlphaCode's random ratings and tags, or the problem's own (an oracle, to check a model "
                   "that memorised its problems; not a fair contest entry); hf:, openai:: random means none.")
@samples_option(1000, "Programs to draw (jax:, hf:, openai:) or read at most (samples:FILE)")
@click.option("--max-submissions", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--inputs", "clustering_inputs", type=click.IntRange(min=0), default=50, show_default=True,
              help="Generated inputs to cluster on.")
@click.option("--seed", type=int, default=0, show_default=True, help="Fixes sampling and test generation.")
@judge_options
@click.option("--show-source", is_flag=True, help="Print each chosen program.")
@json_option("the submissions, the statistics and the solver")
@backend_options(sampling=False, cutoff=False)
@one_line_errors
@_judge_errors
def solve(problem_path, problem_name, solver_spec, languages, temperature, headers, samples, max_submissions,
          clustering_inputs, seed, sandbox, workers, executor, ray_address, show_source, as_json, **backend_kwargs):
    """Choose up to 10 submissions for one problem: sample (or read samples), filter them on the
    examples, cluster them by behaviour on generated inputs, one per cluster, largest first."""
    from contests.errors import DataError
    from contests.problems import load_problem
    from simulator.cli.progress import progress_view, selection_progress
    from simulator.components import judging, make_solver
    from solver.interface import Budget
    from solver.model.data.header import LANGUAGE_NAMES  # the languages the model's headers can ask for

    langs = tuple(x.strip() for x in languages.split(",") if x.strip())
    if not langs or set(langs) - set(LANGUAGE_NAMES):
        raise DataError("--languages", None,
                        f"expected a comma-separated list of {', '.join(LANGUAGE_NAMES)}; got {languages!r}")
    problem = load_problem(problem_path, problem_name)
    budget = Budget(samples=samples, max_submissions=max_submissions, clustering_inputs=clustering_inputs)
    jax_sampling = dict(languages=langs, headers=headers, **({"temperature": temperature} if temperature else {}))
    options = options_from(backend_kwargs)
    options = replace(options, languages=langs, headers="none" if headers == "random" else headers,
                      temperature=temperature or options.temperature)
    quiet_transformers()
    with judging(executor, sandbox, workers, ray_address) as (judge, _, pool), progress_view(as_json) as view:
        solver = make_solver(solver_spec, judge, options, None, pool, progress=selection_progress(view),
                             sampling=jax_sampling)
        result = solver.solve(problem, budget, seed)
        description = solver.describe()
    if as_json:
        emit_json({"problem": problem.id, "name": problem.name, "seed": seed, "budget": asdict(budget),
                   "solver": {"name": solver.name, "version": solver.version, **description}, **result.to_dict()})
        return
    _print(problem, solver, result, show_source)


def _print(problem, solver, result, show_source: bool) -> None:
    from simulator.cli.common import make_console
    from rich.syntax import Syntax
    from rich.table import Table

    console = make_console()
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    s = result.stats
    console.print(f"{problem.id} {problem.name} — solver {solver.name} {solver.version}: {s.drawn} drawn, "
                  f"{s.distinct} distinct, {s.passed_examples} passed the examples, {s.clusters} clusters, "
                  f"{result.seconds:.1f} s", markup=False, highlight=False)
    table = Table(title=f"{len(result.submissions)} submissions")
    for col in ("#", "language", "cluster size", "sample", "ready after s", "reason"):
        table.add_column(col)
    for sub in result.submissions:
        table.add_row(str(sub.order + 1), sub.language, str(sub.cluster_size), str(sub.samples_drawn),
                      f"{sub.ready_after:.1f}", sub.reason)
    console.print(table)
    if show_source:
        for sub in result.submissions:
            console.rule(f"submission {sub.order + 1}")
            console.print(Syntax(sub.source, "cpp" if sub.language == "cpp" else sub.language))
