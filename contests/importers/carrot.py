"""carrot's recorded rounds (github.com/meooow25/carrot, tests/data):

- `round-<id>-<slug>-data.json`: one row per rated participant,
  [handle, points, penalty, oldRating, trueDelta]; oldRating may be null (a newcomer) and
  trueDelta (the official change) may be missing or null;
- `round-<id>-<slug>-perfs.json`: [handle, performance], "Infinity" for the winner.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from contests.errors import DataError
from contests.textfiles import read_json
from contests.model import RULES, Contest, StandingRow
from contests.ranking import rank_table

_NAME = re.compile(r"round-(\d+)-(.+?)-(data|perfs)\.json$")


def _read_list(path: Path) -> list:
    data = read_json(path)
    if not isinstance(data, list):
        raise DataError(path, None, "expected a JSON list of rows")
    return data


def _number(value, path: Path, where: str, *, integer: bool, optional: bool = False):
    if value is None and optional:
        return None
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if not ok or isinstance(value, bool) or (not integer and not math.isfinite(value)):
        kind = "an integer" if integer else "a number"
        raise DataError(path, where, f"expected {kind}{' or null' if optional else ''}, got {value!r}")
    return value


def read_carrot_rows(path: str | Path) -> list[StandingRow]:
    """Standing rows (rank = best place of the tie; new_rating = old + official change if known)."""
    path = Path(path)
    rows = []
    for n, item in enumerate(_read_list(path)):
        where = f"[{n}]"
        if not isinstance(item, list) or len(item) not in (4, 5):
            raise DataError(path, where, "expected [handle, points, penalty, oldRating, trueDelta]")
        handle = item[0]
        if not isinstance(handle, str) or not handle:
            raise DataError(path, f"{where}.handle", f"expected a non-empty string, got {handle!r}")
        points = _number(item[1], path, f"{where}.points", integer=False)
        penalty = _number(item[2], path, f"{where}.penalty", integer=True)
        old = _number(item[3], path, f"{where}.oldRating", integer=True, optional=True)
        delta = _number(item[4] if len(item) == 5 else None, path, f"{where}.trueDelta", integer=True, optional=True)
        new = None if old is None or delta is None else old + delta
        rows.append(StandingRow(handle, float(points), penalty, old_rating=old, new_rating=new))
    if rows:
        best, _ = rank_table([r.points for r in rows], [r.penalty for r in rows])
        for row, rank in zip(rows, best):
            row.rank = int(rank)
    return rows


def official_deltas(rows: list[StandingRow]) -> list[int | None]:
    """The official change of each row, where the file recorded it (carrot's trueDelta)."""
    return [None if r.old_rating is None or r.new_rating is None else r.new_rating - r.old_rating for r in rows]


def read_carrot_perfs(path: str | Path) -> dict[str, float]:
    """handle -> carrot's performance (math.inf for "Infinity")."""
    path = Path(path)
    perfs = {}
    for n, item in enumerate(_read_list(path)):
        where = f"[{n}]"
        if not isinstance(item, list) or len(item) != 2 or not isinstance(item[0], str):
            raise DataError(path, where, "expected [handle, performance]")
        value = math.inf if item[1] == "Infinity" else _number(item[1], path, f"{where}.performance", integer=False)
        perfs[item[0]] = float(value)
    return perfs


def infer_rules(rows: list[StandingRow]) -> str:
    """carrot rows do not say their rules: points rounds carry no penalty, ICPC-style rounds do."""
    return "cf-icpc" if any(r.penalty for r in rows) else "cf-points"


def load_carrot_contest(path: str | Path, rules: str | None = None) -> Contest:
    """A contest holding the file's standings (no problems). Id and name come from the file name."""
    path = Path(path)
    rows = read_carrot_rows(path)
    if not rows:
        raise DataError(path, None, "no rows")
    if rules is not None and rules not in RULES:
        raise DataError(path, "rules", f"unknown rules {rules!r}; expected one of {', '.join(RULES)}")
    m = _NAME.search(path.name)
    contest_id, name = (m.group(1), m.group(2)) if m else (path.stem, path.stem)
    # carrot rows carry neither the date nor the problem list: the user declares them
    # (`csim contests import FILE --date YYYY-MM-DD --problem-index A,B,...`).
    return Contest(id=contest_id, name=name, rules=rules or infer_rules(rows), standings=rows,
                   problem_list_known=False, origin=str(path))
