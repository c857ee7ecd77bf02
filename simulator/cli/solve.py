"""`csim solve --problem PATH (--samples FILE | --run DIR | --reference)`: the submissions a solver
would make for one problem, with their cluster sizes and why each was chosen."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from simulator.cli.common import emit_json, executor_options, one_line_errors
from simulator.cli.judge import _judge_errors, sandbox_option


@click.command()
@click.option("--problem", "problem_path", required=True, type=click.Path(path_type=Path),
              help="A native problem directory or a CodeContests .jsonl file.")
@click.option("--problem-name", help="Which record of a CodeContests file (its `name` or id, e.g. 1041E).")
@click.option("--samples", "samples_path", type=click.Path(path_type=Path),
              help="Choose among the programs of this samples file (JSON lines from any model).")
@click.option("--run", "run_dir", type=click.Path(path_type=Path), help="Sample from the csim model in this run directory.")
@click.option("--reference", is_flag=True, help="Submit the problem's known correct solutions.")
@click.option("--languages", default="python,cpp", show_default=True,
              help="With --run: the languages samples are drawn in (AlphaCode: half Python, half C++).")
@click.option("--temperature", type=click.FloatRange(min=0, min_open=True), default=0.25, show_default=True,
              help="With --run: the sampling temperature.")
@click.option("--headers", type=click.Choice(["random", "problem"]), default="random", show_default=True,
              help="With --run: AlphaCode's random ratings and tags, or the problem's own (an oracle, to "
                   "check a model that memorised its problems; not a fair contest entry).")
@click.option("-n", "--samples-per-problem", "n", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Programs to draw (--run) or read (--samples).")
@click.option("--max-submissions", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--inputs", "clustering_inputs", type=click.IntRange(min=0), default=50, show_default=True,
              help="Generated inputs to cluster on.")
@click.option("--seed", type=int, default=0, show_default=True, help="Fixes sampling and test generation.")
@sandbox_option
@click.option("--workers", type=int, default=None, help="Parallel sandboxes (default: all cores; per node with --executor ray).")
@executor_options
@click.option("--show-source", is_flag=True, help="Print each chosen program.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@one_line_errors
@_judge_errors
def solve(problem_path, problem_name, samples_path, run_dir, reference, languages, temperature, headers, n, max_submissions, clustering_inputs, seed,
          sandbox, workers, executor, ray_address, show_source, as_json):
    """Choose up to 10 submissions for one problem: sample (or read samples), filter them on the
    examples, cluster them by behaviour on generated inputs, one per cluster, largest first."""
    from contests.errors import DataError
    from contests.problems import load_problem
    from simulator.cli.common import make_console
    from simulator.components import judging
    from solver.interface import Budget

    chosen = [flag for flag, given in (("--samples", samples_path), ("--run", run_dir), ("--reference", reference)) if given]
    if len(chosen) != 1:
        raise DataError("csim solve", None, "give exactly one of --samples FILE, --run DIR, --reference"
                        + (f" (got {', '.join(chosen)})" if chosen else ""))
    for path in (samples_path,) if samples_path else ():
        if not path.is_file():
            raise DataError(path, None, "no such samples file")
    from solver.model.data.header import LANGUAGE_NAMES  # the languages the model's headers can ask for

    langs = tuple(x.strip() for x in languages.split(",") if x.strip())
    if not langs or set(langs) - set(LANGUAGE_NAMES):
        raise DataError("--languages", None,
                        f"expected a comma-separated list of {', '.join(LANGUAGE_NAMES)}; got {languages!r}")
    problem = load_problem(problem_path, problem_name)
    budget = Budget(samples=n, max_submissions=max_submissions, clustering_inputs=clustering_inputs)
    console = make_console(stderr=True, quiet=as_json)
    with judging(executor, sandbox, workers, ray_address) as (judge, _, pool), _progress(console) as progress:
        solver = _make_solver(samples_path, run_dir, judge, progress,
                              dict(languages=langs, temperature=temperature, headers=headers), pool)
        result = solver.solve(problem, budget, seed)
        description = solver.describe()
    if as_json:
        emit_json({"problem": problem.id, "name": problem.name, "seed": seed, "budget": asdict(budget),
                   "solver": {"name": solver.name, "version": solver.version, **description}, **result.to_dict()})
        return
    _print(problem, solver, result, show_source)


def _make_solver(samples_path, run_dir, judge, progress, sampling: dict, executor=None):
    from solver.solvers.jax import JaxSolver
    from solver.solvers.reference import ReferenceSolver
    from solver.solvers.samples_file import SamplesFileSolver

    if samples_path is not None:
        return SamplesFileSolver(samples_path, judge, progress=progress, executor=executor)
    if run_dir is not None:
        return JaxSolver(run_dir, judge, progress=progress, executor=executor, **sampling)
    return ReferenceSolver(judge)


class _progress:
    """Rich progress bars for filtering and clustering (on stderr), as solver Progress callbacks."""

    def __init__(self, console):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bars, TextColumn, TimeElapsedColumn

        self.bars = Bars(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                         console=console, transient=True)
        self.tasks = {}

    def _callback(self, name: str):
        def update(done: int, total: int) -> None:
            if name not in self.tasks:
                self.tasks[name] = self.bars.add_task(name, total=total)
            self.bars.update(self.tasks[name], completed=done, total=total)
        return update

    def __enter__(self):
        from solver.selection.pipeline import Progress

        if not self.bars.console.is_terminal:  # bars only where someone watches
            return Progress()
        self.bars.__enter__()
        return Progress(filtering=self._callback("filtering on the examples"),
                        clustering=self._callback("running on generated inputs"))

    def __exit__(self, *exc):
        return self.bars.__exit__(*exc) if self.bars.live.is_started else None


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
