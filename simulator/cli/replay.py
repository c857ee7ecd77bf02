"""`csim replay`, `csim demo`, `csim report`, `csim runs list`, `csim compare`: the simulator's commands."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import click

from contests.errors import DataError
from simulator.cli.backend_options import backend_options, options_from, quiet_transformers
from simulator.cli.common import check_range, csim_home, emit_json, end_on_sigterm, one_line_errors
from simulator.cli.progress import progress_view
from simulator.cli.options import (db_option, judge_options, json_option, library_option, open_store,
                                   samples_option, sandbox_option, solver_option)


def _quiet_libraries() -> None:
    """Orbax logs routine notes (read-only checkpoint options) through absl as warnings; not for users."""
    import logging

    logging.getLogger("absl").setLevel(logging.ERROR)


def _console(as_json: bool):
    from simulator.cli.common import make_console

    # Tables go to stdout; with --json stdout carries only the JSON document, so chatter goes to stderr.
    return make_console(stderr=as_json)


def execute_runs(store, run_ids: list[int], contests, solver, judge, fingerprint: str, settings, progress) -> None:
    """Replay each run in turn, reporting to PROGRESS (a simulator.cli.progress.ProgressView)."""
    from simulator.replay import Replayer

    for run_id in run_ids:
        update = progress.task(f"run {run_id}")

        def report(done: int, total: int, what: str, update=update, run_id=run_id) -> None:
            update(done, total, description=f"run {run_id}: {what}")

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
    from simulator.replay import check_contest, check_placement

    for contest in contests:  # refuse bad contests before anything is stored
        check_contest(contest)
        check_placement(contest, settings.newcomer_rating)
    version_id = store.solver_version(solver_identity(solver, code_revision()))
    for contest in contests:
        store.record_contest(contest)
    group = uuid.uuid4().hex if len(seeds) > 1 else None
    recorded = {**settings.to_dict(), **extra, "contests": [c.id for c in contests]}
    return [store.create_run(version_id, seed, recorded, [c.id for c in contests], label, group) for seed in seeds]


@click.command()
@click.option("--contest", "contest_ids", multiple=True, help="Contest id in the library, or `demo`. Repeatable.")
@click.option("--after", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Also every library contest that started after this date (the held-out split); undated "
                   "contests are skipped and named.")
@click.option("--before", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="With or without --after: only library contests that started before this date.")
@library_option
@solver_option()
@click.option("--seed", "seeds", multiple=True, type=int, help="Seed; repeat for several runs (mean and spread).")
@samples_option(1000)
@click.option("--max-submissions", type=int, default=10, show_default=True)
@click.option("--schedule", default="alphacode", show_default=True, help="alphacode | measured | fixed:MINUTE")
@click.option("--start-rating", type=int, help="Start of the sequential rating (default: the newcomer rating).")
@click.option("--newcomer-rating", type=int,
              help="Rating a newcomer is rated with (default: by each contest's date, 1500 before 2020-05-25, "
                   "1400 since; an undated contest with ratings needs it).")
@click.option("--sample-metrics", is_flag=True,
              help="Also judge every sample that passes the examples on the hidden tests, for pass@k and 10@k "
                   "(costs a judging per such sample).")
@click.option("--allow-missing-samples", is_flag=True,
              help="With --solver samples:FILE, replay even if the file has no samples for some problems (they "
                   "count as unsolved and the report names them); without it such a replay is refused.")
@judge_options
@db_option
@click.option("--label", help="A note stored with the run.")
@click.option("--resume", "resume_id", type=int,
              help="Resume this run (killed or failed) where it stopped, with its own settings: only --db, "
                   "--library, --workers, --executor, --ray-address and --json may be given with it.")
@json_option("the runs' reports")
@click.option("--allow-contaminated", is_flag=True,
              help="Replay contests that started before --model-cutoff (or the solver's own cut-off) anyway, "
                   "marked as contaminated in every output.")
@backend_options
@one_line_errors
def replay(contest_ids, after, before, library, solver_spec, seeds, samples, max_submissions, schedule, start_rating,
           newcomer_rating, sample_metrics, allow_missing_samples, sandbox, workers, executor, ray_address, db, label,
           resume_id, as_json, allow_contaminated, **backend_kwargs):
    """Replay contests against a solver and place it among the real participants."""
    from simulator.components import (judging, library_label, load_contests, make_solver, open_library,
                                      recorded_library, undated_warning)
    from simulator.contamination import check_cutoff
    from simulator.store.generations import StoreCache
    from solver.backends.factory import BackendOptions
    from simulator.replay import ReplaySettings
    from simulator.schedule import parse_schedule

    check_range("--max-submissions", max_submissions, 1)
    for seed in seeds:
        check_range("--seed", seed, 0, MAX_SEED)
    end_on_sigterm()
    console = _console(as_json)
    home = csim_home()
    _quiet_libraries()
    if resume_id is not None:
        refuse_with_resume(click.get_current_context())
    with open_store(db) as store:
        if resume_id is not None:
            run = store.run(resume_id)
            if run is None:
                raise DataError(store.where, "run", f"no run {resume_id} to resume")
            recorded = run.settings
            settings = ReplaySettings.from_dict(recorded)
            library = (open_library(store, library, home) if library is not None
                       else recorded_library(store, recorded.get("library"), home))
            contests, _ = load_contests(recorded["contests"], library)
            solver_spec, sandbox = recorded["solver"], recorded.get("sandbox", sandbox)
            options = BackendOptions.from_dict(recorded.get("backend_options") or {})
            allow_contaminated = bool(recorded.get("contaminated"))
        else:
            parse_schedule(schedule)
            settings = ReplaySettings(schedule=schedule, samples=samples, max_submissions=max_submissions,
                                      start_rating=start_rating, newcomer_rating=newcomer_rating,
                                      sample_metrics=sample_metrics)
            library = open_library(store, library, home)
            contests, undated = load_contests(contest_ids, library, after=after, before=before)
            if undated:
                click.echo(f"csim: warning: {undated_warning(undated)}", err=True)
            options = options_from(backend_kwargs)
        with judging(executor, sandbox, workers, ray_address) as (judge, fingerprint, pool), \
                StoreCache(store) as cache:
            quiet_transformers()
            solver = make_solver(solver_spec, judge, options, cache, pool)
            # The user's cut-off, else the solver's own (where it records one).
            cutoff = options.model_cutoff or getattr(solver, "model_cutoff", None)
            contaminated = check_cutoff(contests, cutoff, allow_contaminated)
            if resume_id is not None:
                _check_same_solver(run, solver)
                run_ids = [resume_id]
            else:
                extra = {"solver": solver_spec, "sandbox": sandbox, "library": library_label(library),
                         "executor": executor, "after": _day(after), "before": _day(before), "skipped_undated": undated,
                         "backend_options": options.to_dict(), "model_cutoff": cutoff, "contaminated": contaminated,
                         **_samples_check(solver, contests, allow_missing_samples)}
                run_ids = _start_runs(store, solver, contests, seeds or (0,), settings, extra, label)
            with progress_view(as_json) as progress:
                execute_runs(store, run_ids, contests, solver, judge, fingerprint, settings, progress)
        _show_runs(store, run_ids, as_json, console)


# What may accompany --resume: where and how fast to judge, and where to read and print; everything
# else is the run's own, recorded when it started.
RESUME_MAY_CHANGE = {"resume_id", "db", "library", "workers", "executor", "ray_address", "as_json"}


def refuse_with_resume(ctx: click.Context) -> None:
    """Refuse flags given with --resume that would change the run (they used to be ignored silently)."""
    from click.core import ParameterSource

    given = [p.opts[0] for p in ctx.command.params if p.name not in RESUME_MAY_CHANGE and p.expose_value
             and ctx.get_parameter_source(p.name) not in (ParameterSource.DEFAULT, None)]
    if given:
        raise DataError("--resume", None, f"a resumed run keeps its own settings; drop {', '.join(given)} "
                        "(or start a new run)")


def _samples_check(solver, contests, allow_missing: bool) -> dict:
    """For a samples-file solver: refuse (before anything is stored) a file without samples for some
    judgeable problem of the replay, unless ALLOW_MISSING; what to record with the run either way."""
    from simulator.replay import check_contest
    from solver.solvers.samples_file import SamplesFileSolver

    if not isinstance(solver, SamplesFileSolver):
        return {}
    for contest in contests:  # refuse bad contests first: their message says more
        check_contest(contest)
    judgeable = [(c, p) for c in contests for p in c.problems if p.judgeable]
    coverage = solver.coverage([p for c in contests for p in c.problems])  # "unmatched": names no problem at all
    missing = [f"{c.id} {p.index}" for c, p in judgeable if not coverage.samples[p.id]]
    unmatched = dict(sorted(coverage.unmatched.items()))
    if missing and not allow_missing:
        some = ", ".join(missing[:8]) + (", ..." if len(missing) > 8 else "")
        ids = f"; its problem ids that match no problem here: {', '.join(list(unmatched)[:5])}" if unmatched else ""
        raise DataError(solver.path, "problem", f"no samples for {len(missing)} of the {len(judgeable)} problems to "
                        f"judge ({some}){ids}; pass --allow-missing-samples to count them as unsolved")
    if missing:
        click.echo(f"csim: warning: no samples for {len(missing)} problems ({', '.join(missing)}): counted as "
                   "unsolved", err=True)
    if unmatched:
        click.echo(f"csim: warning: {sum(unmatched.values())} samples name no problem of this replay: "
                   + ", ".join(f"{k!r} ({v})" for k, v in unmatched.items()), err=True)
    return {"allow_missing_samples": allow_missing, "samples_missing": missing, "samples_unmatched": unmatched}


def _day(moment) -> str | None:
    return moment.strftime("%Y-%m-%d") if moment is not None else None


MAX_SEED = 2 ** 63 - 1  # seeds are stored as signed 64-bit integers


def _check_same_solver(run, solver) -> None:
    from simulator.components import code_revision, same_behaviour, solver_identity

    if not same_behaviour(solver_identity(solver, code_revision()), run.solver_version):
        raise DataError(f"run {run.id}", "solver", "the solver changed since this run started (config or "
                        "checkpoint differ); start a new run instead of resuming")


@click.command()
@click.argument("run_id", type=int)
@db_option
@json_option("the report (with submissions, seeds and standings)")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write an HTML report with plots to this file.")
@one_line_errors
def report(run_id, db, as_json, html_file):
    """Show a run's results: contests, problems, ratings."""
    from simulator.analysis.details import report_details
    from simulator.report import build_report, render_report
    from simulator.report_html import render_html

    with open_store(db) as store:
        data = build_report(store, run_id)
        if html_file or as_json:  # submissions, seeds, standings and scaling: a read of the library too
            data.update(report_details(store, run_id))
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
@db_option
@click.option("--limit", type=click.IntRange(min=1), help="Only the latest N runs.")
@json_option("the runs")
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
@click.argument("side_a")
@click.argument("side_b")
@db_option
@click.option("--alpha", type=float, default=0.05, show_default=True, help="Significance level (both tests together).")
@click.option("--max-drop", type=int,
              help="Deterministic gate: exit 1 when B lost more than this many of the problems A solved, "
                   "significant or not (for CI on small suites).")
@json_option("the comparison")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the comparison as an HTML page.")
@one_line_errors
def compare(side_a, side_b, db, alpha, max_drop, as_json, html_file):
    """Compare side B with baseline side A; exit 1 on a significant regression of B, or when B lost
    more problems than --max-drop. A side is a run id (7), several (7,8,9 or 7-9), or group:RUN
    (every seed started together with that run)."""
    from simulator.compare import compare_runs

    with open_store(db) as store:
        result = compare_runs(store, side_a, side_b, alpha, max_drop)
    if html_file:
        from simulator.html.compare_page import render_compare

        html_file.parent.mkdir(parents=True, exist_ok=True)
        html_file.write_text(render_compare(result.to_dict()), encoding="utf-8")
    if as_json:
        emit_json(result)
    else:
        _render_compare(result, _console(False))
    if result.exit_code:
        sys.exit(result.exit_code)


def _render_compare(result, console) -> None:
    from rich.table import Table

    def side(s: dict) -> str:
        runs = ", ".join(map(str, s["runs"]))
        return f"run{'s' if len(s['runs']) > 1 else ''} {runs} ({s['solver']}, seed{'s' if len(s['seeds']) > 1 else ''} " \
               f"{', '.join(map(str, s['seeds']))})"

    console.print(f"A = {side(result.a)}; B = {side(result.b)}")
    table = Table(title="Contests (mean percentile over each side's runs)")
    for column in ("contest", "A percentile", "B percentile", "B - A"):
        table.add_column(column)
    for c in result.contests:
        table.add_row(c.contest + (" (made up)" if c.made_up else ""), f"{c.a_percentile:.1f}",
                      f"{c.b_percentile:.1f}", f"{c.diff_percentile:+.1f}")
    console.print(table)
    changed = [p for p in result.problems if p.change]
    if changed:
        table = Table(title="Problems that changed (solved: in most of the side's runs)")
        for column in ("contest", "problem", "A solve rate", "B solve rate", "change"):
            table.add_column(column)
        for p in changed:
            table.add_row(p.contest, p.index, f"{p.a_rate:.2f}", f"{p.b_rate:.2f}", p.change)
        console.print(table)
    s, rate = result.solved, result.solve_rate
    console.print(f"solved: A {s['a']}/{s['problems']}, B {s['b']}/{s['problems']} (lost {s['lost']}, gained "
                  f"{s['gained']}); solve rate B - A {rate['diff']:+.3f} (95% CI {rate['diff_ci95'][0]:+.3f}.."
                  f"{rate['diff_ci95'][1]:+.3f}, {rate['interval']})")
    for t in result.tests:
        console.print(f"{t.name}: {t.pairs} pairs, p = {t.p_value:.4g} ({t.direction}"
                      f"{', significant' if t.significant else ''} at {result.per_test_alpha:g})")
    for warning in result.warnings:
        console.print(f"[yellow]Note: {warning}[/yellow]")
    gate = result.gate
    if gate["max_drop"] is not None:
        console.print(f"gate --max-drop {gate['max_drop']}: B lost {gate['lost']}: "
                      + ("[bold red]FAILED[/bold red]" if gate["failed"] else "passed"))
    style = "bold red" if result.exit_code else "bold green" if result.improvement else "bold"
    console.print(f"[{style}]{result.verdict}[/{style}]")
    if result.made_up:
        console.print("[yellow]Note: some contests have MADE-UP standings; their percentiles mean nothing outside csim.[/yellow]")


@click.command()
@solver_option("jax", extra="Here `jax` alone trains the tiny model on the demo's own solutions and samples "
                            "it; `reference` submits the problems' own reference solutions (no model).")
@click.option("--model", "model_preset", type=click.Choice(["tiny", "small"]), default="tiny", show_default=True,
              help="With --solver jax: the demo model's size.")
@click.option("--seed", type=int, default=0, show_default=True)
@samples_option(None, "Samples per problem (default: 64 with --solver jax, else 1000)")
@sandbox_option
@db_option
@json_option("the run's report")
@one_line_errors
def demo(solver_spec, model_preset, seed, samples, sandbox, db, as_json):
    """Replay the shipped demo contest end to end (its standings are MADE UP)."""
    check_range("--seed", seed, 0, MAX_SEED)
    end_on_sigterm()
    from contests.demo import demo_contest
    from simulator.cli.progress import training_progress
    from simulator.components import judging, make_solver
    from simulator.demo import DEMO_INTRO, HEADERS_NOTE, MEMORISE_NOTE, demo_settings, prepare_demo_model

    console = _console(as_json)
    home = csim_home()
    _quiet_libraries()
    console.print(DEMO_INTRO)
    contest = demo_contest()
    settings = demo_settings(solver_spec, samples)
    with open_store(db) as store, judging("local", sandbox, None) as (judge, fingerprint, _):
        with progress_view(as_json) as progress:
            spec = solver_spec
            if solver_spec == "jax":
                console.print(MEMORISE_NOTE)
                console.print(HEADERS_NOTE)
                run_dir = prepare_demo_model(contest, model_preset, home / "work", console,
                                             training_progress(progress, "fine-tuning the demo model"))
                spec = f"jax-demo:{run_dir}"
            solver = make_solver(spec, judge)
            run_ids = _start_runs(store, solver, [contest], (seed,), settings,
                                  {"solver": spec, "sandbox": sandbox, "demo": True}, "csim demo")
            execute_runs(store, run_ids, [contest], solver, judge, fingerprint, settings, progress)
        _show_runs(store, run_ids, as_json, console)
        if not as_json:
            console.print(f"Stored as run {run_ids[0]} in {store.where}; see `csim report {run_ids[0]}`.")
