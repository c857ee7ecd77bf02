"""Read text and JSON files as csim accepts them: UTF-8, valid Unicode, JSON of sane depth. Every
fault is a one-line DataError naming the file and the line, byte or field at fault (never a
traceback), so every reader of user files goes through here."""

from __future__ import annotations

import errno
import json
import re
from collections.abc import Iterator
from pathlib import Path

from contests.errors import DataError

# A JSON escape of a UTF-16 surrogate; only where one occurs can a decoded string hold a lone one
# (strict UTF-8 decoding never yields them), so the walk below runs on those records only.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _not_utf8(path: Path, data: bytes, e: UnicodeDecodeError, first_line: int = 1, base: int = 0) -> DataError:
    line = first_line + data.count(b"\n", 0, e.start)
    return DataError(path, f"line {line}, byte {base + e.start}",
                     f"not UTF-8 text (byte 0x{data[e.start]:02x})")


def read_text(path: str | Path) -> str:
    """The whole of PATH as UTF-8 text."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(path, None, "no such file") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _not_utf8(path, data, e) from None


def iter_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-blank line of PATH, read as a stream."""
    path = Path(path)
    try:
        f = path.open("rb")
    except FileNotFoundError:
        raise DataError(path, None, "no such file") from None
    offset = 0
    with f:
        for number, raw in enumerate(f, 1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise _not_utf8(path, raw, e, number, offset) from None
            offset += len(raw)
            if text.strip():
                yield number, text


def parse_json(text: str, path: str | Path, where: str | None = None):
    """TEXT as JSON (WHERE: the line it came from, if a line of PATH)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise DataError(path, where or f"line {e.lineno}", f"not valid JSON ({e.msg})") from None
    except RecursionError:
        raise DataError(path, where, "not valid JSON (nested too deep)") from None
    if _SURROGATE_ESCAPE.search(text):
        field = _lone_surrogate(value, "")
        if field is not None:
            at = f"{where}: {field}" if where and field else where or field or None
            raise DataError(path, at, "holds a lone UTF-16 surrogate (\\ud800-\\udfff), not valid Unicode")
    return value


def _lone_surrogate(value, at: str) -> str | None:
    """Where in VALUE a string holds a lone surrogate (a dotted path; "" for VALUE itself), else None."""
    stack = [(value, at)]
    while stack:
        value, at = stack.pop()
        if isinstance(value, str):
            if _LONE_SURROGATE.search(value):
                return at
        elif isinstance(value, dict):
            for k, v in value.items():
                if _LONE_SURROGATE.search(k):
                    return f"{at}.{k!a}".lstrip(".")
                stack.append((v, f"{at}.{k}".lstrip(".")))
        elif isinstance(value, list):
            stack.extend((v, f"{at}[{n}]") for n, v in enumerate(value))
    return None


def read_json(path: str | Path):
    """PATH's JSON document."""
    return parse_json(read_text(path), path)


def iter_json_lines(path: str | Path) -> Iterator[tuple[int, object]]:
    """(line number, value) of each non-blank line of a JSON-lines file."""
    for number, text in iter_lines(path):
        yield number, parse_json(text, path, f"line {number}")


def no_space(e: OSError, path: str | Path) -> DataError | None:
    """A one-line DataError for a write to PATH that failed because its disk is full, else None."""
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return DataError(path, None, "no space left on device; nothing was written there")
    return None
