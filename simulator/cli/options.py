"""Options several commands share, declared once (as sqlite-utils does), so that a flag means the
same, with the same help and unit, in every command that takes it; and the store they open."""

from __future__ import annotations

from pathlib import Path

import click

from contests.errors import DataError
from judge.sandbox import SANDBOXES
from simulator.cli.common import csim_home


def json_option(what: str):
    """--json: WHAT printed as one JSON document on stdout (progress and notes go to stderr)."""
    return click.option("--json", "as_json", is_flag=True,
                        help=f"Print {what} as one JSON document on stdout (progress and notes go to stderr).")


DB_HELP = ("The store: a SQLite file (its folder must exist) or a database URL such as "
           "postgresql+psycopg://user@host/db (default: $CSIM_HOME/csim.db).")


def db_option(func=None, *, library: bool = False):
    """--db; LIBRARY: the command reads contests, which a PostgreSQL store holds too (without --db
    such a command opens no store and uses $CSIM_HOME/contests)."""
    if func is None:
        return lambda f: db_option(f, library=library)
    help_text = DB_HELP if not library else (
        "A PostgreSQL store (postgresql+psycopg://...) whose contest library to use: a team shares one "
        "(import once, replay from any machine). Default: no store, the library $CSIM_HOME/contests.")
    return click.option("--db", help=help_text)(func)


library_option = click.option(
    "--library", type=click.Path(file_okay=False, path_type=Path),
    help="Contest library directory (default: the library in the --db store when it is PostgreSQL, "
         "else $CSIM_HOME/contests).")


sandbox_option = click.option(
    "--sandbox", type=click.Choice(SANDBOXES), default="local", show_default=True,
    help="local: bubblewrap + seccomp + cgroups; docker: a warm container per worker; none: limits only, "
         "no isolation.")

def refuse(message: str, ctx: click.Context) -> None:
    """A bad flag found while click parses (before the command's one_line_errors can catch it):
    the same one line, exit status 2."""
    click.echo(f"csim: error: {message}", err=True)
    ctx.exit(2)


def count(flag: str, low: int = 1, hint: str = ""):
    """A click callback reading a whole number of at least LOW for FLAG, refusing anything else in
    one line (HINT added where the text is not a number)."""
    def check(ctx, param, value):
        if value is None or isinstance(value, int):
            number = value
        else:
            try:
                number = int(value)
            except ValueError:
                refuse(f"{flag}: {value!r} is not a whole number{hint}", ctx)
        if number is not None and number < low:
            refuse(f"{flag}: {number} is out of range; give at least {low}", ctx)
        return number
    return check


workers_option = click.option(
    "--workers", type=str, metavar="N", callback=count("--workers"),
    help="Parallel sandboxes (default: all cores; with --executor ray, per node).")


def executor_options(command):
    """--executor and --ray-address: where the judge work runs."""
    command = click.option("--ray-address", envvar="RAY_ADDRESS",
                           help="The Ray cluster (e.g. ray://head:10001 or head:6379; default: $RAY_ADDRESS, "
                                "else a Ray instance started on this machine).")(command)
    return click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True,
                        help="local: a pool of sandboxes on this machine; ray: one judge per node of a Ray "
                             "cluster, each with its own sandbox (every node must judge alike).")(command)


def judge_options(command):
    """--sandbox, --workers, --executor, --ray-address: how and where programs are judged."""
    return sandbox_option(workers_option(executor_options(command)))


SOLVER_SPECS = "reference | samples:FILE | jax:RUN_DIR | hf:PATH | openai:URL (with --model)"


def solver_option(default: str | None = "reference", extra: str = ""):
    """--solver SPEC, the one way every command chooses a solver (simulator.components.make_solver)."""
    return click.option("--solver", "solver_spec", metavar="SPEC", default=default, show_default=default is not None,
                        help=f"The solver: {SOLVER_SPECS}.{' ' + extra if extra else ''}")


def samples_option(default: int | None, what: str = "Samples per problem (the budget)"):
    """--samples N (also -n): how many programs to draw per problem, a count in every command (a
    samples file, which `csim solve --samples` once took, gets a hint)."""
    return click.option("--samples", "-n", "samples", type=str, metavar="N", default=default, show_default=default is not None,
                        callback=count("--samples", hint="; a samples file is given as --solver samples:FILE"),
                        help=f"{what}; a count.")


def removed_option(flag: str, instead: str, *, takes_value: bool = True):
    """A flag csim no longer takes: a hidden option that refuses it in one line saying what to pass."""
    def check(ctx, param, value):
        if value not in (None, False):
            refuse(f"{flag} was removed; use {instead}", ctx)
        return value

    name = flag.lstrip("-").replace("-", "_") + "_removed"
    return click.option(flag, name, hidden=True, expose_value=False, callback=check, is_flag=not takes_value)


def open_store(db: str | None):
    """The store at DB (default: the SQLite file csim.db under $CSIM_HOME, its folder made): a one-line
    error for a SQLite path whose folder does not exist (a mistyped path must not silently start an
    empty store) or a database that cannot open. Messages name it with its password masked."""
    from sqlalchemy.exc import SQLAlchemyError

    from simulator.store import Store
    from simulator.store.engine import masked_url

    if db is not None and "://" not in db and not Path(db).expanduser().parent.is_dir():
        raise DataError(db, None, "no such folder for the database file; create it first or fix the path")
    target = db or csim_home() / "csim.db"
    try:
        return Store(target)
    except SQLAlchemyError as e:
        first_line = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise DataError(masked_url(str(target)), None, f"cannot open the database ({first_line})") from None

