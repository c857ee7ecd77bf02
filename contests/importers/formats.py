"""Load a contest from any supported source, telling the format from the source when not given."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from contests.errors import DataError
from contests.model import RULES, Contest, Problem

FORMATS = ("native", "carrot", "cf-api", "polygon")


def detect_format(path: Path) -> str:
    if path.is_dir():
        if (path / "contest.json").is_file():
            return "native"
        if (path / "problem.xml").is_file() or (path / "contest.xml").is_file():
            return "polygon"
        raise DataError(path, None, "a directory that is neither a csim contest (contest.json) "
                                    "nor a Polygon package (problem.xml or contest.xml)")
    if not path.is_file():
        raise DataError(path, None, "no such file or directory")
    if zipfile.is_zipfile(path):
        return "polygon"
    try:
        with path.open(encoding="utf-8") as f:
            head = f.read(4096).lstrip()
    except UnicodeDecodeError:
        raise DataError(path, None, "not a text file, a directory or a zip package") from None
    if head.startswith("[") and head[1:].lstrip().startswith("["):
        return "carrot"  # a list of rows that are lists
    if head.startswith("{") or head.startswith("["):
        return "cf-api"
    raise DataError(path, None, f"cannot tell the format; say it with --format ({', '.join(FORMATS)})")


def load_contest(sources: Sequence[str | Path], fmt: str | None = None, rules: str | None = None) -> Contest:
    """A contest from SOURCES (several only for cf-api: standings, rating changes, problems).

    RULES, when given, overrides the rules the source implies."""
    paths = [Path(s) for s in sources]
    if not paths:
        raise DataError(".", None, "no source given")
    if rules is not None and rules not in RULES:
        raise DataError(paths[0], "rules", f"unknown rules {rules!r}; expected one of {', '.join(RULES)}")
    fmt = fmt or detect_format(paths[0])
    if fmt not in FORMATS:
        raise DataError(paths[0], "format", f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt != "cf-api" and len(paths) > 1:
        raise DataError(paths[1], None, f"a {fmt} contest comes from one source; only cf-api takes several files")
    if fmt == "native":
        from contests.native import read_contest
        contest = read_contest(paths[0])
    elif fmt == "carrot":
        from contests.importers.carrot import load_carrot_contest
        return load_carrot_contest(paths[0], rules)
    elif fmt == "cf-api":
        from contests.importers.cfapi import load_cfapi_contest
        return load_cfapi_contest(paths, rules)
    else:
        from contests.importers.polygon import load_polygon_contest
        contest = load_polygon_contest(paths[0])
    if rules is not None:
        contest.rules = rules
    return contest



_INDEX = re.compile(r"^[A-Z][A-Z0-9]{0,3}$")


def parse_problem_indexes(text: str) -> list[str]:
    """`A,B,C1,C2` -> ["A", "B", "C1", "C2"] (Codeforces problem indexes, each once)."""
    indexes = [i.strip().upper() for i in text.split(",") if i.strip()]
    bad = [i for i in indexes if not _INDEX.match(i)]
    if not indexes or bad:
        raise DataError("--problem-index", None, f"expected problem indexes like A,B,C1,C2, got {text!r}")
    twice = sorted({i for i in indexes if indexes.count(i) > 1})
    if twice:
        raise DataError("--problem-index", None, f"problem {', '.join(twice)} given twice")
    return indexes


def declare(contest: Contest, *, date: datetime | None = None, problem_indexes: Sequence[str] | None = None) -> Contest:
    """CONTEST with what the user declared about it: its date (UTC midnight of DATE) and its full
    problem list (PROBLEM_INDEXES; problems not yet known are listed without tests, so not
    judgeable until --problems brings their tests). A declared list that contradicts the list the
    source gives is refused."""
    if date is not None:
        day = datetime(date.year, date.month, date.day, tzinfo=timezone.utc)
        said = f" (the source said {contest.start_time:%Y-%m-%d})" if contest.start_time else ""
        contest = replace(contest, start_time=day, date_source=f"--date{said}")
    if problem_indexes is not None:
        known = {p.index: p for p in contest.problems}
        if contest.problem_list_known and known and set(known) != set(problem_indexes):
            raise DataError(contest.origin or contest.id, "--problem-index",
                            f"the source lists problems {','.join(known)}, not {','.join(problem_indexes)}")
        extra = sorted(set(known) - set(problem_indexes))
        if extra:
            raise DataError(contest.origin or contest.id, "--problem-index",
                            f"problem {', '.join(extra)} is in the contest but not in --problem-index")
        problems = [known.get(i) or Problem(id=f"{contest.id}{i}", name="", contest_id=str(contest.id), index=i,
                                           origin="--problem-index (no tests)")
                    for i in problem_indexes]
        contest = replace(contest, problems=problems, problem_list_known=True)
    return contest
