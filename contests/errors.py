"""The one error type for bad input data: it names the file and the field at fault."""

from __future__ import annotations

from pathlib import Path


class DataError(ValueError):
    """Malformed or missing input. str() is one line: `FILE: FIELD: what is wrong`."""

    def __init__(self, path: str | Path, field: str | None, problem: str):
        self.path = str(path)
        self.field = field
        self.problem = problem
        where = f"{self.path}: {field}" if field else self.path
        super().__init__(f"{where}: {problem}")
