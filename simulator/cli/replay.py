"""`csim replay`, `csim demo`, `csim report`, `csim runs list`, `csim compare`: the simulator's commands."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import click

from contests.errors import DataError
from simulator.cli.common import csim_home, emit_json, executor_options, one_line_errors

DB_HELP = "Database: a SQLite file path or a URL such as postgresql+psycopg://postgres@127.0.0.1:5432/test " \
          "(default: $CSIM_HOME/csim.db)."


def open_store(db: str | None):
    """The store at DB (default: the SQLite file under $CSIM_HOME), with a one-line error if it cannot open."""
    from sqlalchemy.exc import SQLAlchemyError

    from simulator.store import Store

    target = db or csim_home() / "csim.db"
    try:
        return Store(target)
    except SQLAlchemyError as e:
        first_line = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise DataError(str(target), None, f"cannot open the database ({first_line})") from None


def _quiet_libraries() -> None:
    """Orbax logs routine notes (read-only checkpoint options) through absl as warnings; not for users."""
    import logging

    logging.getLogger("absl").setLevel(logging.ERROR)


def _console(as_json: bool):
    from simulator.cli.common import make_console

    # Tables go to stdout; with --json stdout carries only the JSON document, so chatter goes to stderr.
    return make_console(stderr=as_json)


def execute_runs(store, run_ids: list[int], contests, solver, judge, fingerprint: str, settings, console) -> None:
    """Replay each run in turn with a progress bar (on stderr with --json, so stdout stays JSON)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from simulator.replay import Replayer

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        for run_id in run_ids:
            task = progress.add_task(f"run {run_id}", total=None)

            def report(done: int, total: int, what: str, task=task, run_id=run_id) -> None:
                progress.update(task, completed=done, total=total, description=f"run {run_id}: {what}")

            Replayer(store, solver, judge, fingerprint, settings, on_progress=report).run(run_id, contests)


def _show_runs(store, run_ids: list[int], as_json: bool, console) -> None:
    from simulator.report import build_report, render_report

    reports = [build_report(store, run_id) for run_id in run_ids]
    if as_json:
        emit_json(reports)
        return
    for report in reports:
        render_report(report, console)


def _start_runs(store, solver, contests, seeds, settings, extra: dict, label: str | None) -> list[int]:
    from simulator.components import code_revision, solver_identity
    from simulator.replay import check_contest

    for contest in contests:  # refuse bad contests before anything is stored
        check_contest(contest)
    version_id = store.solver_version(solver_identity(solver, code_revision()))
    for contest in contests:
        store.record_contest(contest)
    group = uuid.uuid4().hex if len(seeds) > 1 else None
    recorded = {**settings.to_dict(), **extra, "contests": [c.id for c in contests]}
    return [store.create_run(version_id, seed, recorded, [c.id for c in contests], label, group) for seed in seeds]


@click.command()
@click.option("--contest", "contest_ids", multiple=True, help="Contest id in the library, or `demo`. Repeatable.")
@click.option("--after", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Also every library contest that started after this date (the held-out split).")
@click.option("--library", type=click.Path(file_okay=False, path_type=Path),
              help="Contest library directory (default: the library in the --db store when it is PostgreSQL, "
                   "else $CSIM_HOME/contests).")
@click.option("--solver", "solver_spec", default="reference", show_default=True,
              help="reference | samples:FILE | jax:RUN_DIR")
@click.option("--seed", "seeds", multiple=True, type=int, help="Seed; repeat for several runs (mean and spread).")
@click.option("--samples", type=int, default=1000, show_default=True, help="Samples per problem (the budget).")
@click.option("--max-submissions", type=int, default=10, show_default=True)
@click.option("--schedule", default="alphacode", show_default=True, help="alphacode | measured | fixed:MINUTE")
@click.option("--start-rating", type=int, help="Start of the sequential rating (default: the newcomer rating).")
@click.option("--sample-metrics", is_flag=True,
              help="Also judge every sample that passes the examples on the hidden tests, for pass@k and 10@k "
                   "(costs a judging per such sample).")
@click.option("--sandbox", type=click.Choice(["local", "docker", "none"]), default="local", show_default=True)
@click.option("--workers", type=int, help="Judge workers (default: the judge's; with --executor ray, per node).")
@executor_options
@click.option("--db", help=DB_HELP)
@click.option("--label", help="A note stored with the run.")
@click.option("--resume", "resume_id", type=int, help="Resume this run (killed or failed) where it stopped.")
@click.option("--json", "as_json", is_flag=True, help="Print the runs' reports as JSON.")
@one_line_errors
def replay(contest_ids, after, library, solver_spec, seeds, samples, max_submissions, schedule, start_rating,
           sample_metrics, sandbox, workers, executor, ray_address, db, label, resume_id, as_json):
    """Replay contests against a solver and place it among the real participants."""
    from simulator.components import STORE_LIBRARY, judging, library_label, load_contests, make_solver, open_library
    from simulator.replay import ReplaySettings
    from simulator.schedule import parse_schedule

    console = _console(as_json)
    home = csim_home()
    _quiet_libraries()
    with open_store(db) as store:
        if resume_id is not None:
            run = store.run(resume_id)
            if run is None:
                raise DataError(store.url, "run", f"no run {resume_id} to resume")
            recorded = run.settings
            settings = ReplaySettings.from_dict(recorded)
            if library is None and recorded.get("library") != STORE_LIBRARY:
                library = Path(recorded.get("library") or home / "contests")
            contests = load_contests(recorded["contests"], None, open_library(store, library, home))
            solver_spec, sandbox = recorded["solver"], recorded.get("sandbox", sandbox)
        else:
            parse_schedule(schedule)
            settings = ReplaySettings(schedule=schedule, samples=samples, max_submissions=max_submissions,
                                      start_rating=start_rating, sample_metrics=sample_metrics)
            library = open_library(store, library, home)
            contests = load_contests(contest_ids, after, library)
        with judging(executor, sandbox, workers, ray_address) as (judge, fingerprint, pool):
            solver = make_solver(solver_spec, judge, pool)
            if resume_id is not None:
                _check_same_solver(run, solver)
                run_ids = [resume_id]
            else:
                run_ids = _start_runs(store, solver, contests, seeds or (0,), settings,
                                      {"solver": solver_spec, "sandbox": sandbox, "library": library_label(library),
                                       "executor": executor}, label)
            execute_runs(store, run_ids, contests, solver, judge, fingerprint, settings, console)
        _show_runs(store, run_ids, as_json, console)


def _check_same_solver(run, solver) -> None:
    from simulator.components import code_revision, same_behaviour, solver_identity

    if not same_behaviour(solver_identity(solver, code_revision()), run.solver_version):
        raise DataError(f"run {run.id}", "solver", "the solver changed since this run started (config or "
                        "checkpoint differ); start a new run instead of resuming")


@click.command()
@click.argument("run_id", type=int)
@click.option("--db", help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write an HTML report with plots to this file.")
@one_line_errors
def report(run_id, db, as_json, html_file):
    """Show a run's results: contests, problems, ratings."""
    from simulator.report import build_report, render_report
    from simulator.report_html import render_html

    with open_store(db) as store:
        data = build_report(store, run_id)
    if html_file:
        html_file.parent.mkdir(parents=True, exist_ok=True)
        html_file.write_text(render_html(data), encoding="utf-8")
    if as_json:
        emit_json(data)
    else:
        render_report(data, _console(False))
        if html_file:
            click.echo(f"wrote {html_file}")


@click.group()
def runs() -> None:
    """The runs in the store."""


@runs.command("list")
@click.option("--db", help=DB_HELP)
@click.option("--limit", type=int, help="Only the latest N runs.")
@click.option("--json", "as_json", is_flag=True)
@one_line_errors
def runs_list_command(db, limit, as_json):
    """List runs, latest first."""
    from simulator.report import render_runs, runs_list

    with open_store(db) as store:
        rows = runs_list(store, limit)
    if as_json:
        emit_json(rows)
    else:
        render_runs(rows, _console(False))


@click.command()
@click.argument("run_a", type=int)
@click.argument("run_b", type=int)
@click.option("--db", help=DB_HELP)
@click.option("--alpha", type=float, default=0.05, show_default=True, help="Significance level (both tests together).")
@click.option("--json", "as_json", is_flag=True)
@one_line_errors
def compare(run_a, run_b, db, alpha, as_json):
    """Compare run B with baseline run A; exit status 1 only on a significant regression of B."""
    from simulator.compare import compare_runs

    with open_store(db) as store:
        result = compare_runs(store, run_a, run_b, alpha)
    if as_json:
        emit_json(result)
    else:
        _render_compare(result, _console(False))
    if result["regression"]:
        sys.exit(1)


def _render_compare(result: dict, console) -> None:
    from rich.table import Table

    a, b = result["a"], result["b"]
    console.print(f"A = run {a['id']} ({a['solver']}, seed {a['seed']}); B = run {b['id']} ({b['solver']}, seed {b['seed']})")
    table = Table(title="Contests")
    for column in ("contest", "A percentile", "B percentile", "B - A", "A rank", "B rank"):
        table.add_column(column)
    for c in result["contests"]:
        table.add_row(c["contest"] + (" (made up)" if c["made_up"] else ""), f"{c['a_percentile']:.1f}",
                      f"{c['b_percentile']:.1f}", f"{c['diff_percentile']:+.1f}", str(c["a_rank"]), str(c["b_rank"]))
    console.print(table)
    changed = [p for p in result["problems"] if p["change"]]
    if changed:
        table = Table(title="Problems that changed")
        for column in ("contest", "problem", "A", "B"):
            table.add_column(column)
        for p in changed:
            table.add_row(p["contest"], p["index"], "solved" if p["a_solved"] else "-", "solved" if p["b_solved"] else "-")
        console.print(table)
    s = result["solved"]
    console.print(f"solved: A {s['a']}/{s['problems']}, B {s['b']}/{s['problems']} (lost {s['lost']}, gained {s['gained']})")
    for t in result["tests"]:
        console.print(f"{t['name']}: {t['pairs']} pairs, p = {t['p_value']:.4g} ({t['direction']}"
                      f"{', significant' if t['significant'] else ''} at {result['per_test_alpha']:g})")
    style = "bold red" if result["regression"] else "bold green" if result["improvement"] else "bold"
    console.print(f"[{style}]{result['verdict']}[/{style}]")
    if result["made_up"]:
        console.print("[yellow]Note: some contests have MADE-UP standings; their percentiles mean nothing outside csim.[/yellow]")


@click.command()
@click.option("--solver", "solver_kind", type=click.Choice(["jax", "reference"]), default="jax", show_default=True,
              help="jax: train the tiny model on the demo's solutions and sample it; reference: submit the "
                   "problems' own reference solutions (no model).")
@click.option("--model", "model_preset", type=click.Choice(["tiny", "small"]), default="tiny", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--samples", type=int, help="Samples per problem (default: 64 with jax).")
@click.option("--sandbox", type=click.Choice(["local", "docker", "none"]), default="local", show_default=True)
@click.option("--db", help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the run's report as JSON.")
@one_line_errors
def demo(solver_kind, model_preset, seed, samples, sandbox, db, as_json):
    """Replay the shipped demo contest end to end (its standings are MADE UP)."""
    from contests.demo import demo_contest
    from simulator.components import make_judge, make_solver
    from simulator.demo import DEMO_INTRO, HEADERS_NOTE, MEMORISE_NOTE, demo_settings, prepare_demo_model

    console = _console(as_json)
    home = csim_home()
    _quiet_libraries()
    console.print(DEMO_INTRO)
    contest = demo_contest()
    settings = demo_settings(solver_kind, samples)
    with open_store(db) as store:
        judge, fingerprint = make_judge(sandbox, None)
        with judge:
            if solver_kind == "jax":
                console.print(MEMORISE_NOTE)
                console.print(HEADERS_NOTE)
                run_dir = prepare_demo_model(contest, model_preset, home / "work", console)
                spec = f"jax-demo:{run_dir}"
            else:
                spec = "reference"
            solver = make_solver(spec, judge)
            run_ids = _start_runs(store, solver, [contest], (seed,), settings,
                                  {"solver": spec, "sandbox": sandbox, "demo": True}, "csim demo")
            execute_runs(store, run_ids, [contest], solver, judge, fingerprint, settings, console)
        _show_runs(store, run_ids, as_json, console)
        if not as_json:
            console.print(f"Stored as run {run_ids[0]} in {store.url}; see `csim report {run_ids[0]}`.")
