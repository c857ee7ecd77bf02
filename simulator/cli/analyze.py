"""`csim analyze scaling|selection|copying`: the analyses a paper publishes beside the rating."""

from __future__ import annotations

from pathlib import Path

import click

from contests.errors import DataError
from simulator.cli.common import emit_json, make_console, one_line_errors
from simulator.cli.options import db_option, json_option, open_store
from simulator.report import print_notes


def runs_of(store, run_ids: tuple[int, ...], all_seeds: bool) -> list[int]:
    """RUN_IDS, and with ALL_SEEDS every finished run started together with each (its other seeds)."""
    chosen = []
    for run_id in run_ids:
        run = store.run(run_id)
        if run is None:
            raise DataError(store.where, "run", f"no run {run_id}")
        group = [r.id for r in store.group_runs(run.group_key) if r.status == "done"] if all_seeds and run.group_key else []
        for r in [run_id, *group]:
            if r not in chosen:
                chosen.append(r)
    return chosen


def runs_argument(command):
    """RUN_IDS... and --all-seeds: the runs an analysis reads (runs_of)."""
    command = click.option("--all-seeds", is_flag=True, help="Add the other seeds of each run's replay.")(command)
    return click.argument("run_ids", nargs=-1, type=int, required=True)(command)


@click.group()
def analyze() -> None:
    """Analyses of stored runs: solve rate against samples, selection strategies, copying from a corpus."""


@analyze.command()
@runs_argument
@click.option("--draws", type=int, default=1000, show_default=True, help="Sub-sampling rounds per problem for 10@k.")
@db_option
@json_option("the curves")
@one_line_errors
def scaling(run_ids, all_seeds, draws, db, as_json):
    """pass@k and 10@k against the number of samples k, per contest and overall (runs replayed
    with --sample-metrics)."""
    from simulator.analysis.scaling import scaling as analyse

    with open_store(db) as store:
        result = analyse(store, runs_of(store, run_ids, all_seeds), draws=draws)
    if as_json:
        emit_json(result)
        return
    from rich.table import Table

    console = make_console()
    for name, curve in [("all contests", result["overall"]), *result["contests"].items()]:
        table = Table(title=f"Solve rate against samples: {name} (runs {', '.join(map(str, result['runs']))})")
        for column in ("k", "problems", "pass@k", "95% CI", "10@k", "95% CI "):
            table.add_column(column, justify="right")
        for p in curve:
            pa, ten = p["pass_at_k"], p["ten_at_k"]
            table.add_row(f"{p['k']:,}", str(p["problems"]), f"{100 * pa['mean']:.1f}%",
                          f"{100 * pa['ci95'][0]:.1f}–{100 * pa['ci95'][1]:.1f}%", f"{100 * ten['mean']:.1f}%",
                          f"{100 * ten['ci95'][0]:.1f}–{100 * ten['ci95'][1]:.1f}%")
        console.print(table)
    print_notes(result["notes"], console)


@analyze.command()
@runs_argument
@click.option("--draws", type=int, default=200, show_default=True,
              help="Sub-samples of k samples per problem and k (the same for every strategy).")
@click.option("--seed", type=int, default=0, show_default=True, help="Fixes the sub-samples and random picks.")
@db_option
@json_option("each strategy's curve and the paired differences")
@one_line_errors
def selection(run_ids, all_seeds, draws, seed, db, as_json):
    """10@k of each selection strategy (random, examples then random, mean log-probability, value
    head, clustering, oracle) on the same samples, and their paired differences (runs replayed
    with --sample-metrics)."""
    from simulator.analysis.selection import selection as analyse

    if draws < 1:
        raise DataError("--draws", None, f"must be at least 1, got {draws}")
    with open_store(db) as store:
        result = analyse(store, runs_of(store, run_ids, all_seeds), draws=draws, seed=seed)
    if as_json:
        emit_json(result)
        return
    from rich.table import Table

    console = make_console()
    pct = lambda p: f"{100 * p['mean']:.1f}% ({100 * p['ci95'][0]:.1f}–{100 * p['ci95'][1]:.1f})"  # noqa: E731
    curves = result["curves"]
    table = Table(title=f"10@k per selection strategy, 95% CI over problems (runs {', '.join(map(str, result['runs']))})")
    table.add_column("strategy")
    for point in curves["oracle"]:
        table.add_column(f"k={point['k']:,} ({point['problems']} pr.)", justify="right")
    for s in result["strategies"]:
        if s["available"]:
            table.add_row(s["name"], *[pct(p) for p in curves[s["name"]]])
    console.print(table)
    for s in result["strategies"]:
        console.print(f"  {s['name']}: {s['description']}" + ("" if s["available"] else f" — {s['why']}"))
    k = result["ks"][-1]
    table = Table(title=f"Paired differences in 10@k at k={k:,} (share of problems; 95% CI over problems)")
    for column in ("strategy A", "strategy B", "problems", "A − B"):
        table.add_column(column, justify="right" if column in ("problems", "A − B") else "left")
    for d in result["differences"]:
        if d["k"] == k:
            sign = lambda v: f"{100 * v:+.1f}"  # noqa: E731
            table.add_row(d["a"], d["b"], str(d["problems"]),
                          f"{sign(d['mean'])} pts ({sign(d['ci95'][0])} to {sign(d['ci95'][1])})")
    console.print(table)
    print_notes(result["notes"], console)


@analyze.command()
@runs_argument
@click.option("--corpus", "corpus_paths", multiple=True, required=True, type=click.Path(path_type=Path),
              help="Training or reference programs: JSON lines (samples or CodeContests) or a source tree. Repeatable.")
@click.option("--humans", "human_paths", multiple=True, type=click.Path(path_type=Path),
              help="Held-out human solutions for the baseline (default: the run's problems' own, from the library).")
@db_option
@json_option("the copying analysis")
@one_line_errors
def copying(run_ids, corpus_paths, human_paths, all_seeds, db, as_json):
    """For each submission, the longest substring it shares with any corpus program (and its share
    of the submission), beside the same for held-out human solutions."""
    from simulator.analysis.copying import copying as analyse

    with open_store(db) as store:
        result = analyse(store, runs_of(store, run_ids, all_seeds), list(corpus_paths), list(human_paths) or None)
    if as_json:
        emit_json(result)
        return
    from rich.table import Table

    console = make_console()
    c = result["corpus"]
    console.print(f"corpus: {c['programs']:,} programs, {c['characters']:,} characters (indexed in "
                  f"{c['index_seconds']:.1f} s); lengths in {result['unit']}")
    table = Table(title="Longest common substring with the corpus")
    for column in ("programs", "n", "median share", "mean share", "max share", "median length", "max length"):
        table.add_column(column, justify="left" if column == "programs" else "right")
    for name, label in (("submissions", "submissions"), ("humans", f"human baseline ({result['humans_source']})")):
        share, length = result["summary"][name]["share"], result["summary"][name]["common_bytes"]
        if share is None:
            table.add_row(label, "0", "–", "–", "–", "–", "–")
            continue
        table.add_row(label, str(share["n"]), f"{100 * share['median']:.1f}%", f"{100 * share['mean']:.1f}%",
                      f"{100 * share['max']:.1f}%", f"{length['median']:.0f}", f"{length['max']:.0f}")
    console.print(table)
    top = sorted(result["submissions"], key=lambda r: -r["share"])[:10]
    table = Table(title="Submissions sharing the most with the corpus")
    for column in ("run", "problem", "submission", "verdict", "shared", "share", "found in"):
        table.add_column(column)
    for r in top:
        table.add_row(str(r["run"]), r["problem"], str(r["order"] + 1), r["verdict"] or "–",
                      f"{r['common_bytes']:,} of {r['length_bytes']:,}", f"{100 * r['share']:.1f}%", r["matched"] or "–")
    console.print(table)
    print_notes(result["notes"], console)
