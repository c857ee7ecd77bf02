"""Read a JSON file, or raise DataError naming the file and the line at fault."""

from __future__ import annotations

import json
from pathlib import Path

from contests.errors import DataError


def read_json(path: Path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(path, None, "no such file") from None
    except UnicodeDecodeError:
        raise DataError(path, None, "not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise DataError(path, f"line {e.lineno}", f"not valid JSON ({e.msg})") from None
