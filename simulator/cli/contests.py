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
from simulator.cli.options import db_option, json_option, library_option, open_store, sandbox_option

DB_OPTION = db_option(library=True)


@contextmanager
def _library(path: Path | None, db: str | None):
    """The library at PATH, else the one in the store at DB (PostgreSQL), else $CSIM_HOME/contests."""
    from simulator.components import open_library

    if db is None:
        yield open_library(None, path, csim_home())
        return
    with open_store(db) as store:
        yield open_library(store, path, csim_home())


def _console(as_json: bool):
    from simulator.cli.common import make_console

    return make_console(stderr=as_json)  # with --json, stdout carries only the JSON document


def _summary_dict(s) -> dict:
    return {"id": s.id, "name": s.name, "rules": s.rules, "start_time": s.start_time, "date_source": s.date_source,
            "duration_minutes": s.duration_minutes, "problems": s.problems, "judgeable": s.judgeable,
            "problem_list_known": s.problem_list_known, "participants": s.participants,
            "made_up": s.made_up, "path": str(s.path)}


def _import_lines(verb: str, s) -> list[str]:
    """What `import` and `fetch` say about a stored contest, and what is missing for a replay."""
    when = f"date {s.start_time:%Y-%m-%d} (from {s.date_source})" if s.start_time else "date unknown"
    listed = f"{s.problems} problems" if s.problem_list_known else f"{s.problems} problems known (full list unknown)"
    lines = [f"{verb} {s.id} ({s.name}): {listed}, {s.judgeable} of them judgeable (hidden tests), "
             f"{s.participants} participants, rules {s.rules}, {when} -> {s.path}"]
    if not s.problem_list_known:
        lines.append("warning: the source does not list the contest's problems: `csim replay` refuses it until "
                     "you declare them with --problem-index A,B,C,...")
    elif s.judgeable < s.problems:
        lines.append(f"note: only {s.judgeable} of {s.problems} problems judgeable: the others count as unsolved "
                     "and every result on this contest is a lower bound")
    if s.start_time is None:
        lines.append("warning: no date: give --date YYYY-MM-DD (`replay --after/--before` skip undated contests)")
    return lines


# ---------------------------------------------------------------- csim contests

@click.group()
def contests() -> None:
    """Import, list, show, validate and fetch contests."""


PROBLEMS_OPTION = click.option(
    "--problems", "problem_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CodeContests .jsonl whose records of this contest (cf_contest_id, cf_index) bring the problems' hidden "
         "tests, examples and statements; repeatable.")


def _add_to_library(contest, problem_files, library, db):
    """Store CONTEST (with its problems' tests from PROBLEM_FILES) -> its library summary."""
    from contests.importers.codecontests import attach_problems

    if problem_files:
        contest = attach_problems(contest, problem_files)
    with _library(library, db) as lib:
        lib.add(contest)
        return lib.summary(contest.id)


def _report_import(verb: str, summary, as_json: bool) -> None:
    lines = _import_lines(verb, summary)
    if as_json:
        emit_json(dict(_summary_dict(summary), warnings=[line.split(": ", 1)[1] for line in lines[1:]]))
        for line in lines[1:]:
            click.echo(line, err=True)
        return
    click.echo(lines[0])
    for line in lines[1:]:
        click.echo(line, err=True)


@contests.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Source format (default: told from the source).")
@click.option("--rules", type=click.Choice(RULES), help="Override the rules the source implies.")
@PROBLEMS_OPTION
@click.option("--date", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The contest's date (UTC), for sources without one (carrot rows); overrides the source's.")
@click.option("--problem-index", "problem_index",
              help="The contest's full problem list, e.g. A,B,C,D1,D2,E, for sources that do not list it (carrot "
                   "rows, rating changes alone). Problems without tests count as unsolved.")
@library_option
@DB_OPTION
@json_option("the imported contest's summary")
@one_line_errors
def import_command(sources, fmt, rules, problem_files, date, problem_index, library, db, as_json):
    """Import a contest into the library from SOURCES: a csim contest directory, carrot rows, Codeforces
    API answers (standings and/or rating changes, and problemset.problems), or a Polygon package.
    Standings sources carry no tests: add them from CodeContests with --problems."""
    from contests.importers.formats import declare, load_contest, parse_problem_indexes

    indexes = parse_problem_indexes(problem_index) if problem_index is not None else None
    contest = declare(load_contest(sources, fmt, rules), date=date, problem_indexes=indexes)
    _report_import("imported", _add_to_library(contest, problem_files, library, db), as_json)


@contests.command("list")
@library_option
@DB_OPTION
@json_option("the list")
@one_line_errors
def list_command(library, db, as_json):
    """List the contests in the library."""
    from rich.table import Table

    with _library(library, db) as lib:
        summaries = lib.list()
    if as_json:
        emit_json([_summary_dict(s) for s in summaries])
        return
    table = Table("id", "name", "rules", "start", "problems (judgeable)", "participants")
    for s in summaries:
        problems = f"{s.problems} ({s.judgeable})" if s.problem_list_known else f"{s.problems}+? (list unknown)"
        table.add_row(s.id, s.name + (" (made up)" if s.made_up else ""), s.rules,
                      s.start_time.strftime("%Y-%m-%d") if s.start_time else "-", problems, str(s.participants))
    _console(False).print(table)


@contests.command("show")
@click.argument("contest_id")
@click.option("--top", type=int, default=10, show_default=True, help="Standing rows to show.")
@library_option
@DB_OPTION
@json_option("the contest (problems and standings)")
@one_line_errors
def show_command(contest_id, top, library, db, as_json):
    """Show one contest of the library: its problems and the head of its standings."""
    from rich.table import Table

    from contests.native import standing_to_dict

    with _library(library, db) as lib:
        contest = lib.get(contest_id)
    problems = [{"index": p.index, "id": p.id, "name": p.name, "points": p.points, "rating": p.rating,
                 "tags": p.tags, "tests": len(p.tests), "examples": len(p.examples),
                 "generated_tests": p.generated_tests, "judgeable": p.judgeable,
                 "time_limit": p.time_limit, "memory_limit": p.memory_limit,
                 "limits_defaulted": p.limits_defaulted} for p in contest.problems]
    if as_json:
        emit_json({"id": contest.id, "name": contest.name, "rules": contest.rules,
                   "start_time": contest.start_time, "date_source": contest.date_source,
                   "duration_minutes": contest.duration_minutes, "made_up": contest.made_up,
                   "problem_list_known": contest.problem_list_known, "problems": problems,
                   "participants": len(contest.standings),
                   "standings": [standing_to_dict(r) for r in contest.standings[:top]]})
        return
    console = _console(False)
    when = (f"{contest.start_time:%Y-%m-%d %H:%M %Z} (from {contest.date_source})" if contest.start_time
            else "date unknown")
    console.print(f"[bold]{contest.id}[/bold] {contest.name} - rules {contest.rules}, "
                  f"{contest.duration_minutes} min, {when}" + (" - MADE-UP standings" if contest.made_up else ""))
    table = Table("index", "name", "points", "rating", "tests (examples / hidden / generated)", "limits",
                  title=None if contest.problem_list_known else "problem list UNKNOWN: declare it with --problem-index")
    for p in problems:
        limits = f"{p['time_limit']:g} s, {p['memory_limit'] // 2**20} MiB" + (" (defaults)" if p["limits_defaulted"] else "")
        tests = f"{p['examples']} / {p['tests']} / {p['generated_tests']}" + ("" if p["judgeable"] else " not judgeable")
        table.add_row(p["index"] or "", p["name"], f"{p['points']:g}" if p["points"] else "-",
                      str(p["rating"] or "-"), tests, limits)
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
@sandbox_option
@json_option("the validation results")
@one_line_errors
def validate_command(path, problem_name, sandbox, as_json):
    """Run every reference solution of a problem (or of each problem of a contest) on all its tests."""
    from judge.validate import validate_problem
    from simulator.cli.progress import progress_view
    from simulator.components import make_judge

    problems = _problems_at(path, problem_name)
    results = []
    # No cache_dir: a one-off check keeps its compiled programs in a private temporary directory,
    # which the sandbox can always reach.
    with make_judge(sandbox) as judge, progress_view(as_json) as progress:
        update = progress.task("validating", len(problems))
        for done, problem in enumerate(problems):
            update(done, description=f"validating {problem.id}")
            report = validate_problem(judge, problem).to_dict()
            results.append({"problem": problem.id, "index": problem.index, "report": report})
            if not as_json:
                click.echo(_validation_text(problem.id, report))
        update(len(problems), description="validating")
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
@library_option
@DB_OPTION
@json_option("the fetched contest's summary")
@click.option("--raw-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where the API's raw answers are kept and read again instead of calling "
                   "(default: $CSIM_HOME/raw/codeforces).")
@click.option("--refetch", is_flag=True, help="Call the API even where a raw answer is kept (and keep the new one).")
@one_line_errors
def fetch_command(contest_id, rules, api_url, problem_files, library, db, as_json, raw_dir, refetch):
    """Download a contest's standings and rating changes from the Codeforces API into the library.
    The API has no tests: add them from CodeContests with --problems."""
    from contests.fetch import fetch_contest

    raw_dir = raw_dir or csim_home() / "raw" / "codeforces"
    with _console(as_json).status(f"fetching contest {contest_id} from {api_url}"):
        contest = fetch_contest(contest_id, base_url=api_url, rules=rules, raw_dir=raw_dir, refetch=refetch)
    _report_import("fetched", _add_to_library(contest, problem_files, library, db), as_json)


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


PERFORMANCE_DEFINITION = ("performance: Codeforces' definition (carrot's): the rating at which the participant's "
                          "change would be <= 0, at the worst place of their tie")


@rating.command("predict")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["carrot", "cf-api"]), required=True)
@click.option("--newcomer-rating", type=int,
              help="Rating of participants without one (default: by the contest's date, 1500 before 2020-05-25, "
                   "1400 since; an undated file with newcomers needs it).")
@click.option("--top", type=int, default=20, show_default=True, help="Rows to print (all with --json).")
@json_option("every participant")
@one_line_errors
def predict_command(files, fmt, newcomer_rating, top, as_json):
    """Compute every participant's rating change from a standings FILE (carrot rows, or Codeforces API
    answers: standings with rating changes, or rating changes alone, ranked by their places), beside
    the official change where the file has it, and their performance (Codeforces' definition)."""
    import numpy as np
    from rich.table import Table

    from contests.rating import codeforces_performance, contest_newcomer_rating, rating_changes

    contest, rows, by_rank = _predict_rows(files, fmt)
    newcomer = (contest_newcomer_rating(contest, newcomer_rating)
                if any(r.old_rating is None for r in rows) or newcomer_rating is not None else None)
    columns = ([r.points for r in rows], [r.penalty for r in rows], [r.old_rating for r in rows])
    deltas = rating_changes(*columns, new_participant_rating=newcomer, rules=contest.rules)
    perfs = codeforces_performance(*columns, new_participant_rating=newcomer, rules=contest.rules)
    official = [None if r.old_rating is None or r.new_rating is None else r.new_rating - r.old_rating for r in rows]
    known = [i for i, o in enumerate(official) if o is not None]
    matches = sum(1 for i in known if official[i] == deltas[i])
    notes = [PERFORMANCE_DEFINITION + "; the winner's is unbounded (null)"]
    if by_rank:
        notes.append("ranked by the API's places (ties widened to their worst place); points unknown")
    if contest.start_time and contest_newcomer_rating(contest) == 1400 and fmt == "cf-api":
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
    table = Table("rank", "handle", "old", "delta", "official", "CF perf", title=f"contest {contest.id}")
    order = np.argsort([r.rank or 0 for r in rows], kind="stable")
    for i in order[:top]:
        o = out[i]
        table.add_row(str(o["rank"]), o["handle"], str(o["old_rating"]), f"{o['delta']:+d}",
                      "-" if o["official_delta"] is None else f"{o['official_delta']:+d}",
                      "unbounded" if o["performance"] is None else str(o["performance"]))
    console.print(table)
    if known:
        console.print(f"{matches} of {len(known)} official changes reproduced ({100 * matches / len(known):.2f}%)")
    for note in notes:
        console.print(f"note: {note}")


@rating.command("place")
@click.option("--contest", "contest_id", required=True, help="Contest id in the library.")
@click.option("--points", type=float, help="Points (or solved count in ICPC-style rounds); with --as, "
              "default: that participant's.")
@click.option("--penalty", type=int, help="Penalty minutes (ICPC-style rounds; default 0, or the --as participant's).")
@click.option("--rating", "rating_value", type=int,
              help="The participant's rating (default: a newcomer's, or the --as participant's old rating).")
@click.option("--as", "as_handle", help="Place this real participant again: their row is taken out of the "
              "standings and their points, penalty and old rating are the defaults.")
@click.option("--newcomer-rating", type=int,
              help="Rating of newcomers (default: by the contest's date, 1500 before 2020-05-25, 1400 since; "
                   "an undated contest needs it).")
@library_option
@DB_OPTION
@json_option("the placement")
@one_line_errors
def place_command(contest_id, points, penalty, rating_value, as_handle, newcomer_rating, library, db, as_json):
    """Where a result would have stood in a real contest: rank, percentile, performance, rating change."""
    import dataclasses

    from contests.rating import place_in_contest

    with _library(library, db) as lib:
        contest = lib.get(contest_id)
    if as_handle is not None:
        mine = [r for r in contest.standings if r.handle == as_handle]
        if not mine:
            raise DataError(contest.origin, "standings", f"no participant {as_handle!r} in contest {contest.id}")
        row = mine[0]
        points = row.points if points is None else points
        penalty = row.penalty if penalty is None else penalty
        rating_value = row.old_rating if rating_value is None else rating_value
        contest = dataclasses.replace(contest, standings=[r for r in contest.standings if r is not row])
    if points is None:
        raise DataError("--points", None, "missing: pass the result's points (or --as HANDLE)")
    spot = place_in_contest(contest, points, penalty or 0, rating_value, newcomer_rating)
    result = {"contest": contest.id, "points": points, "penalty": penalty or 0, **spot.to_dict(),
              "performance_definition": "codeforces", "made_up": contest.made_up}
    if as_json:
        emit_json(result)
        return
    click.echo(f"contest {contest.id} ({contest.name}){' - MADE-UP standings' if contest.made_up else ''}")
    tie = f"-{spot.worst_rank}" if spot.worst_rank > spot.rank else ""
    left_out = f" ({spot.unrated} unrated rows left out)" if spot.unrated else ""
    click.echo(f"rank {spot.rank}{tie} of {spot.participants + 1} ({spot.participants} rated participants and "
               f"this result{left_out}); "
               f"{spot.percentile:.1f}% did strictly better ({spot.worst_percentile:.1f}% better or tied)")
    if spot.rating_change is None:
        click.echo(f"no performance or rating change: {spot.performance_note}", err=True)
        return
    perf = "-" if spot.performance is None else f"{spot.performance:.0f}"
    if spot.performance_note:
        perf += f" ({spot.performance_note})"
    codeelo = "-" if spot.codeelo_performance is None else f"{spot.codeelo_performance:.0f}"
    click.echo(f"performance {perf} (Codeforces' definition, as carrot computes it); CodeElo's definition {codeelo}")
    click.echo(f"rating change {spot.rating_change:+d} for a participant rated {spot.rating}"
               + (f" (newcomers at {spot.newcomer_rating})" if spot.newcomer_rating is not None else ""))
