"""Small helpers every command shares: JSON output, one-line errors."""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from contests.errors import DataError
from contests.textfiles import no_space


def emit_json(obj: Any) -> None:
    """Print OBJ as one JSON document on stdout: typed results by their to_dict(), times in ISO 8601
    with their zone (naive ones are UTC, as csim stores them)."""
    click.echo(json.dumps(obj, indent=2, default=_json_value))


def _json_value(value: Any) -> Any:
    from datetime import datetime

    from contests.model import as_utc

    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return str(value)


def csim_home() -> Path:
    """Where csim keeps its state (database, contest library, work files): $CSIM_HOME, else ~/.csim.
    Read only here, at the command line's edge, and passed down as a path."""
    return Path(os.environ.get("CSIM_HOME") or Path.home() / ".csim").expanduser()


def one_line_errors(func):
    """Turn bad-input errors into a clear one-line message and exit status 2 (not a traceback)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (DataError, FileNotFoundError, NotADirectoryError, IsADirectoryError) as e:
            click.echo(f"csim: error: {e}", err=True)
            sys.exit(2)
        except OSError as e:
            # A full disk under any writer that does not say so itself (contests.native does).
            full = no_space(e, e.filename or "a file csim was writing")
            if full is None:
                raise
            click.echo(f"csim: error: {full}", err=True)
            sys.exit(2)

    return wrapper


def check_range(flag: str, value: int | None, low: int, high: int | None = None) -> None:
    """Refuse a number flag outside [LOW, HIGH] in one line naming the flag (None: not given)."""
    if value is None or (value >= low and (high is None or value <= high)):
        return
    bounds = f"at least {low}" if high is None else f"from {low} to {high}"
    raise DataError(flag, None, f"{value} is out of range; give {bounds}")


def end_on_sigterm() -> None:
    """Let SIGTERM end the command as Ctrl-C does (KeyboardInterrupt), so a run it stops is
    recorded as interrupted, never left `running`."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


def make_console(*, stderr: bool = False, quiet: bool = False):
    """A rich Console; piped into a file or a CI log it is 120 columns wide (rich's 80 cut the
    report's tables), unless COLUMNS says otherwise."""
    import os

    from rich.console import Console

    console = Console(stderr=stderr, quiet=quiet)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(stderr=stderr, quiet=quiet, width=120)
    return console
