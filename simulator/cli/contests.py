"""`csim contests import|list|show|validate|fetch` and `csim rating predict|place`."""

from __future__ import annotations

import math
from contextlib import contextmanager
from pathlib import Path

import click

from contests.errors import DataError
from contests.importers.formats import FORMATS
from contests.model import RULES
from simulator.cli.common import csim_home, emit_json, one_line_errors
LIBRARY_HELP = "Contest library directory (default: the library in the --db store when it is PostgreSQL, " \
               "else $CSIM_HOME/contests)."
DB_OPTION = click.option("--db", help="A PostgreSQL store (postgresql+psycopg://...) whose contest library to use: "
                                      "a team shares one (import once, replay from any machine).")


@contextmanager
def _library(path: Path | None, db: str | None):
    """The library at PATH, else the one in the store at DB (PostgreSQL), else $CSIM_HOME/contests."""
    from simulator.components import open_library

    if db is None:
        yield open_library(None, path, csim_home())
        return
    from simulator.cli.replay import open_store

    with open_store(db) as store:
        yield open_library(store, path, csim_home())


def _console(as_json: bool):
    from simulator.cli.common import make_console

    return make_console(stderr=as_json)  # with --json, stdout carries only the JSON document


def _summary_dict(s) -> dict:
    return {"id": s.id, "name": s.name, "rules": s.rules, "start_time": s.start_time,
            "duration_minutes": s.duration_minutes, "problems": s.problems, "participants": s.participants,
            "made_up": s.made_up, "path": str(s.path)}


# ---------------------------------------------------------------- csim contests

@click.group()
def contests() -> None:
    """Import, list, show, validate and fetch contests."""


PROBLEMS_OPTION = click.option(
    "--problems", "problem_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CodeContests .jsonl whose records of this contest (cf_contest_id, cf_index) bring the problems' hidden "
         "tests, examples and statements; repeatable.")


def _add_to_library(contest, problem_files, library, db):
    """Store CONTEST (with its problems' tests from PROBLEM_FILES) -> (summary, problems with tests)."""
    from contests.importers.codecontests import attach_problems

    if problem_files:
        contest = attach_problems(contest, problem_files)
    with _library(library, db) as lib:
        lib.add(contest)
        summary = lib.summary(contest.id)
    return summary, sum(1 for p in contest.problems if p.tests)


@contests.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Source format (default: told from the source).")
@click.option("--rules", type=click.Choice(RULES), help="Override the rules the source implies.")
@PROBLEMS_OPTION
@click.option("--library", type=click.Path(file_okay=False, path_type=Path), help=LIBRARY_HELP)
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the imported contest's summary as JSON.")
@one_line_errors
def import_command(sources, fmt, rules, problem_files, library, db, as_json):
    """Import a contest into the library from SOURCES: a csim contest directory, carrot rows, Codeforces
    API answers (standings and/or rating changes, and problemset.problems), or a Polygon package.
    Standings sources carry no tests: add them from CodeContests with --problems."""
    from contests.importers.formats import load_contest

    summary, with_tests = _add_to_library(load_contest(sources, fmt, rules), problem_files, library, db)
    if as_json:
        emit_json(dict(_summary_dict(summary), problems_with_tests=with_tests))
        return
    click.echo(f"imported {summary.id} ({summary.name}): {summary.problems} problems ({with_tests} with hidden tests), "
               f"{summary.participants} participants, rules {summary.rules} -> {summary.path}")


@contests.command("list")
@click.option("--library", type=click.Path(file_okay=False, path_type=Path), help=LIBRARY_HELP)
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@one_line_errors
def list_command(library, db, as_json):
    """List the contests in the library."""
    from rich.table import Table

    with _library(library, db) as lib:
        summaries = lib.list()
    if as_json:
        emit_json([_summary_dict(s) for s in summaries])
        return
    table = Table("id", "name", "rules", "start", "problems", "participants")
    for s in summaries:
        table.add_row(s.id, s.name + (" (made up)" if s.made_up else ""), s.rules,
                      s.start_time.strftime("%Y-%m-%d") if s.start_time else "-", str(s.problems), str(s.participants))
    _console(False).print(table)


@contests.command("show")
@click.argument("contest_id")
@click.option("--top", type=int, default=10, show_default=True, help="Standing rows to show.")
@click.option("--library", type=click.Path(file_okay=False, path_type=Path), help=LIBRARY_HELP)
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the contest (problems and standings) as JSON.")
@one_line_errors
def show_command(contest_id, top, library, db, as_json):
    """Show one contest of the library: its problems and the head of its standings."""
    from rich.table import Table

    from contests.native import standing_to_dict

    with _library(library, db) as lib:
        contest = lib.get(contest_id)
    problems = [{"index": p.index, "id": p.id, "name": p.name, "points": p.points, "rating": p.rating,
                 "tags": p.tags, "tests": len(p.tests), "examples": len(p.examples),
                 "time_limit": p.time_limit, "memory_limit": p.memory_limit,
                 "limits_defaulted": p.limits_defaulted} for p in contest.problems]
    if as_json:
        emit_json({"id": contest.id, "name": contest.name, "rules": contest.rules,
                   "start_time": contest.start_time, "duration_minutes": contest.duration_minutes,
                   "made_up": contest.made_up, "problems": problems,
                   "participants": len(contest.standings),
                   "standings": [standing_to_dict(r) for r in contest.standings[:top]]})
        return
    console = _console(False)
    when = contest.start_time.strftime("%Y-%m-%d %H:%M %Z") if contest.start_time else "date unknown"
    console.print(f"[bold]{contest.id}[/bold] {contest.name} - rules {contest.rules}, "
                  f"{contest.duration_minutes} min, {when}" + (" - MADE-UP standings" if contest.made_up else ""))
    table = Table("index", "name", "points", "rating", "tests", "limits")
    for p in problems:
        limits = f"{p['time_limit']:g} s, {p['memory_limit'] // 2**20} MiB" + (" (defaults)" if p["limits_defaulted"] else "")
        table.add_row(p["index"] or "", p["name"], f"{p['points']:g}" if p["points"] else "-",
                      str(p["rating"] or "-"), str(p["tests"]), limits)
    console.print(table)
    standings = Table("rank", "handle", "points", "penalty", "old rating", "new rating",
                      title=f"{len(contest.standings)} participants")
    for r in contest.standings[:top]:
        standings.add_row(str(r.rank or "-"), r.handle, f"{r.points:g}", str(r.penalty),
                          str(r.old_rating if r.old_rating is not None else "-"),
                          str(r.new_rating if r.new_rating is not None else "-"))
    console.print(standings)


def _problems_at(path: Path, name: str | None):
    """The problems to validate at PATH: one problem (directory or CodeContests record) or a contest's."""
    from contests.importers.formats import detect_format, load_contest
    from contests.problems import load_problem

    if (path.is_dir() and (path / "problem.json").is_file()) or path.suffix == ".jsonl" or name:
        return [load_problem(path, name)]
    if detect_format(path) in ("native", "polygon"):
        return load_contest([path]).problems
    raise DataError(path, None, "not a problem or a contest with problems")


@contests.command("validate")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--problem-name", help="Which record of a CodeContests .jsonl file.")
@click.option("--sandbox", type=click.Choice(["local", "docker", "none"]), default="local", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the validation results as JSON.")
@one_line_errors
def validate_command(path, problem_name, sandbox, as_json):
    """Run every reference solution of a problem (or of each problem of a contest) on all its tests."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from judge.runner import Judge, JudgeConfig
    from judge.validate import validate_problem

    problems = _problems_at(path, problem_name)
    results = []
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=_console(True), transient=True)
    # No cache_dir: a one-off check keeps its compiled programs in a private temporary directory,
    # which the sandbox can always reach.
    with Judge(JudgeConfig(sandbox=sandbox)) as judge, progress:
        task = progress.add_task("validating", total=len(problems))
        for problem in problems:
            progress.update(task, description=f"validating {problem.id}")
            report = validate_problem(judge, problem).to_dict()
            results.append({"problem": problem.id, "index": problem.index, "report": report})
            if not as_json:
                click.echo(_validation_text(problem.id, report))
            progress.advance(task)
    if as_json:
        emit_json(results)


def _validation_text(name: str, report: dict) -> str:
    verdict = "ok" if report["ok"] else "NEEDS ATTENTION" + (" (needs a checker)" if report["needs_checker"] else "")
    lines = [f"{name}: {verdict}"]
    for s in report["solutions"]:
        kind = "correct" if s["correct"] else "incorrect"
        detail = (s["detail"] or "").strip().splitlines()
        lines.append(f"  {s['name']} ({s['language']}, {kind}): {s['verdict']} {s['category']}"
                     + (f" - {detail[0]}" if detail else ""))
    return "\n".join(lines)


@contests.command("fetch")
@click.argument("contest_id", type=int)
@click.option("--rules", type=click.Choice(RULES), help="Override the rules the contest's type implies.")
@click.option("--api-url", default="https://codeforces.com/api", show_default=True, help="Codeforces API base URL.")
@PROBLEMS_OPTION
@click.option("--library", type=click.Path(file_okay=False, path_type=Path), help=LIBRARY_HELP)
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the fetched contest's summary as JSON.")
@one_line_errors
def fetch_command(contest_id, rules, api_url, problem_files, library, db, as_json):
    """Download a contest's standings and rating changes from the Codeforces API into the library.
    The API has no tests: add them from CodeContests with --problems."""
    from contests.fetch import fetch_contest

    with _console(as_json).status(f"fetching contest {contest_id} from {api_url}"):
        contest = fetch_contest(contest_id, base_url=api_url, rules=rules)
    summary, with_tests = _add_to_library(contest, problem_files, library, db)
    if as_json:
        emit_json(dict(_summary_dict(summary), problems_with_tests=with_tests))
        return
    click.echo(f"fetched {summary.id} ({summary.name}): {summary.problems} problems ({with_tests} with hidden tests), "
               f"{summary.participants} participants, rules {summary.rules} -> {summary.path}")


# ---------------------------------------------------------------- csim rating

@click.group()
def rating() -> None:
    """Codeforces rating arithmetic on real standings."""


def _predict_rows(files: tuple[Path, ...], fmt: str):
    """(contest, its rated rows, whether they are ranked by place alone: rating changes without standings)."""
    if fmt == "carrot":
        from contests.importers.carrot import load_carrot_contest

        if len(files) > 1:
            raise DataError(files[1], None, "carrot rows come in one file")
        contest, by_rank = load_carrot_contest(files[0]), False
    else:
        from contests.importers.cfapi import contest_from_answers, read_api_file

        answers = [read_api_file(f) for f in files]
        contest = contest_from_answers(answers)
        by_rank = not any(a.method == "contest.standings" for a in answers)
    rows = [r for r in contest.standings if r.rated]
    if not rows:
        raise DataError(files[0], None, "no rated participants")
    return contest, rows, by_rank


@rating.command("predict")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["carrot", "cf-api"]), required=True)
@click.option("--newcomer-rating", type=int,
              help="Rating of participants without one (default: by the contest's date, 1500 before May 2020).")
@click.option("--top", type=int, default=20, show_default=True, help="Rows to print (all with --json).")
@click.option("--json", "as_json", is_flag=True, help="Print every participant as JSON.")
@one_line_errors
def predict_command(files, fmt, newcomer_rating, top, as_json):
    """Compute every participant's rating change from a standings FILE (carrot rows, or Codeforces API
    answers: standings with rating changes, or rating changes alone, ranked by their places), beside
    the official change where the file has it."""
    import numpy as np
    from rich.table import Table

    from contests.rating import carrot_performance, newcomer_rating as newcomer_by_date, rating_changes

    contest, rows, by_rank = _predict_rows(files, fmt)
    newcomer = newcomer_rating if newcomer_rating is not None else newcomer_by_date(contest.start_time)
    columns = ([r.points for r in rows], [r.penalty for r in rows], [r.old_rating for r in rows])
    deltas = rating_changes(*columns, new_participant_rating=newcomer, rules=contest.rules)
    perfs = carrot_performance(*columns, new_participant_rating=newcomer, rules=contest.rules)
    official = [None if r.old_rating is None or r.new_rating is None else r.new_rating - r.old_rating for r in rows]
    known = [i for i, o in enumerate(official) if o is not None]
    matches = sum(1 for i in known if official[i] == deltas[i])
    notes = []
    if by_rank:
        notes.append("ranked by the API's places (ties widened to their worst place); points unknown")
    if contest.start_time and newcomer_by_date(contest.start_time) == 1400 and fmt == "cf-api":
        notes.append("after May 2020 the API shows display ratings (0 + bonuses) for a participant's first six "
                     "contests: their changes cannot match")
    out = [{"handle": r.handle, "rank": r.rank, "points": None if by_rank else r.points,
            "penalty": None if by_rank else r.penalty, "old_rating": r.old_rating, "delta": int(d),
            "official_delta": o, "performance": None if math.isinf(p) else int(p)}
           for r, d, o, p in zip(rows, deltas, official, perfs)]
    if as_json:
        emit_json(out)
        for note in notes:
            click.echo(f"note: {note}", err=True)
        return
    console = _console(False)
    table = Table("rank", "handle", "old", "delta", "official", "performance", title=f"contest {contest.id}")
    order = np.argsort([r.rank or 0 for r in rows], kind="stable")
    for i in order[:top]:
        o = out[i]
        table.add_row(str(o["rank"]), o["handle"], str(o["old_rating"]), f"{o['delta']:+d}",
                      "-" if o["official_delta"] is None else f"{o['official_delta']:+d}",
                      "inf" if o["performance"] is None else str(o["performance"]))
    console.print(table)
    if known:
        console.print(f"{matches} of {len(known)} official changes reproduced ({100 * matches / len(known):.2f}%)")
    for note in notes:
        console.print(f"note: {note}")


@rating.command("place")
@click.option("--contest", "contest_id", required=True, help="Contest id in the library.")
@click.option("--points", type=float, required=True, help="Points (or solved count in ICPC-style rounds).")
@click.option("--penalty", type=int, default=0, show_default=True, help="Penalty minutes (ICPC-style rounds).")
@click.option("--rating", "rating_value", type=int,
              help="The participant's rating (default: a newcomer's at the contest's date).")
@click.option("--library", type=click.Path(file_okay=False, path_type=Path), help=LIBRARY_HELP)
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the placement as JSON.")
@one_line_errors
def place_command(contest_id, points, penalty, rating_value, library, db, as_json):
    """Where a result would have stood in a real contest: rank, percentile, performance, rating change."""
    from contests.ranking import place
    from contests.rating import newcomer_rating, performance, rating_change_for

    with _library(library, db) as lib:
        contest = lib.get(contest_id)
    if not contest.standings:
        raise DataError(contest.origin, "standings", "this contest has no standings to place a result among")
    placement = place(points, penalty, contest.standings, contest.rules)
    newcomer = newcomer_rating(contest.start_time)
    rating_used = newcomer if rating_value is None else rating_value
    rated = [r for r in contest.standings if r.rated]
    ratings = [r.old_rating for r in rated if r.old_rating is not None]
    result = {"contest": contest.id, "points": points, "penalty": penalty, "rank": placement.rank,
              "worst_rank": placement.worst_rank, "participants": placement.participants,
              "percentile": placement.percentile, "performance": None, "rating": rating_used,
              "rating_change": None, "made_up": contest.made_up}
    if ratings:
        result["performance"] = round(performance(placement.rank, ratings))
        result["rating_change"] = rating_change_for(points, penalty, rating_used, contest.standings, contest.rules,
                                                    newcomer)
    if as_json:
        emit_json(result)
        return
    click.echo(f"contest {contest.id} ({contest.name}){' - MADE-UP standings' if contest.made_up else ''}")
    tie = f" (tied down to {placement.worst_rank})" if placement.worst_rank > placement.rank else ""
    click.echo(f"rank {placement.rank}{tie} of {placement.participants}; "
               f"{placement.percentile:.1f}% of participants did better")
    if ratings:
        click.echo(f"performance {result['performance']} (CodeElo); rating change {result['rating_change']:+d} "
                   f"for a participant rated {rating_used}")
    else:
        click.echo("no ratings in these standings: no performance or rating change", err=True)
