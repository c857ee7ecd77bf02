"""Load one problem from any path a user may give: a native directory or a CodeContests file."""

from __future__ import annotations

from pathlib import Path

from contests.errors import DataError
from contests.model import Problem


def load_problem(path: str | Path, name: str | None = None) -> Problem:
    path = Path(path)
    if path.is_dir():
        if (path / "problem.json").is_file():
            from contests.native import read_problem
            return read_problem(path)
        raise DataError(path, None, "not a problem directory (no problem.json)")
    if path.suffix in (".jsonl", ".json", ".parquet") and path.is_file():
        if not name:
            raise DataError(path, "name", "a CodeContests file holds many problems: say which with --problem-name")
        from contests.importers.codecontests import find_problem
        return find_problem(path, name)
    if not path.exists():
        raise DataError(path, None, "no such file or directory")
    raise DataError(path, None, "unknown problem format (expected a problem directory or a CodeContests .jsonl)")
