"""csim's own on-disk format for problems and contests; also the export format.

Problem directory:
    problem.json      metadata (see _problem_meta), format "csim-problem/1"
    statement.md
    examples/NNN.in, NNN.ans
    tests/NNN.in, NNN.ans        hidden tests, judged in name order; the last `generated_tests`
                                 of them (problem.json) were generated, not the contest's own.
                                 A contest's problem without tests is listed but not judgeable.
    checker.<ext>                optional testlib checker (named in problem.json)
    solutions/<file>             reference solutions (listed in problem.json with language, correct)

Contest directory:
    contest.json      metadata, format "csim-contest/1", problems [{index, dir, points}],
                      problem_list_known (true: `problems` is the contest's full list; missing
                      or false: unknown, and `csim replay` refuses the contest), date_source
    standings.json    [{handle, points, penalty, rank, old_rating, new_rating, rated, problems}]
    <dir>/            one problem directory per problem

Writers build the directory beside the target and rename it into place, so a reader never sees
half an export.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from contests.errors import DataError
from contests.model import (
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_TIME_LIMIT,
    LANGUAGE_ID,
    RULES,
    Checker,
    Contest,
    Problem,
    ProblemResult,
    Solution,
    StandingRow,
    TestCase,
)

from contests.textfiles import no_space, read_json, read_text

PROBLEM_FORMAT = "csim-problem/1"
CONTEST_FORMAT = "csim-contest/1"
# Exported files are named by their language id (solutions/correct-1.cpp, .java), except where
# the usual extension differs from the id.
FILE_SUFFIXES = {"python": "py"}


# ---------------------------------------------------------------- reading

def _field(meta: dict, key: str, kind, path: Path, default=...):
    if key not in meta or meta[key] is None:
        if default is ...:
            raise DataError(path, key, "missing")
        return default
    value = meta[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise DataError(path, key, f"expected {getattr(kind, '__name__', kind)}, got {type(value).__name__}")
    return value


def _read_tests(folder: Path) -> list[TestCase]:
    if not folder.is_dir():
        return []
    tests = []
    for inp in sorted(folder.glob("*.in")):
        ans = inp.with_suffix(".ans")
        if not ans.is_file():
            raise DataError(ans, None, f"answer file missing for test {inp.name}")
        tests.append(TestCase(read_text(inp), read_text(ans)))
    return tests


def read_problem(directory: str | Path) -> Problem:
    directory = Path(directory)
    meta_path = directory / "problem.json"
    meta = read_json(meta_path)
    if not isinstance(meta, dict):
        raise DataError(meta_path, None, "expected a JSON object")
    if meta.get("format") != PROBLEM_FORMAT:
        raise DataError(meta_path, "format", f"expected {PROBLEM_FORMAT!r}, got {meta.get('format')!r}")

    checker_meta = _field(meta, "checker", dict, meta_path, {})
    checker_source = None
    if checker_meta.get("file"):
        checker_file = directory / checker_meta["file"]
        if not checker_file.is_file():
            raise DataError(meta_path, "checker.file", f"{checker_file} does not exist")
        checker_source = read_text(checker_file)
    checker = Checker(
        kind=checker_meta.get("kind", "tokens"),
        abs_eps=float(checker_meta.get("abs_eps", 1e-6)),
        rel_eps=float(checker_meta.get("rel_eps", 1e-6)),
        case_sensitive=bool(checker_meta.get("case_sensitive", True)),
        source=checker_source,
        language=checker_meta.get("language"),
    )
    if checker.kind not in ("tokens", "float", "lines", "testlib"):
        raise DataError(meta_path, "checker.kind", f"unknown checker kind {checker.kind!r}")
    if checker.kind == "testlib" and not checker.source:
        raise DataError(meta_path, "checker.file", "a testlib checker needs its source file")

    solutions = []
    for n, s in enumerate(_field(meta, "solutions", list, meta_path, [])):
        where = f"solutions[{n}]"
        if not isinstance(s, dict) or "file" not in s or "language" not in s:
            raise DataError(meta_path, where, "expected {file, language, correct}")
        if not isinstance(s["language"], str) or not LANGUAGE_ID.fullmatch(s["language"]):
            raise DataError(meta_path, f"{where}.language", f"not a language id: {s['language']!r}")
        src = directory / s["file"]
        if not src.is_file():
            raise DataError(meta_path, f"{where}.file", f"{src} does not exist")
        solutions.append(Solution(read_text(src), s["language"], bool(s.get("correct", True)),
                                  name=s["file"]))

    statement = directory / "statement.md"
    tests = _read_tests(directory / "tests")
    generated = _field(meta, "generated_tests", int, meta_path, 0)
    if not 0 <= generated <= len(tests):
        raise DataError(meta_path, "generated_tests", f"{generated} generated of {len(tests)} tests")
    time_limit = _field(meta, "time_limit", float, meta_path, None)
    memory_limit = _field(meta, "memory_limit", int, meta_path, None)
    if time_limit is not None and time_limit <= 0:
        raise DataError(meta_path, "time_limit", "must be positive (seconds)")
    if memory_limit is not None and memory_limit <= 0:
        raise DataError(meta_path, "memory_limit", "must be positive (bytes)")
    return Problem(
        id=_field(meta, "id", str, meta_path),
        name=_field(meta, "name", str, meta_path),
        statement=read_text(statement) if statement.is_file() else "",
        examples=_read_tests(directory / "examples"),
        tests=tests,
        generated_tests=generated,
        time_limit=time_limit or DEFAULT_TIME_LIMIT,
        memory_limit=memory_limit or DEFAULT_MEMORY_LIMIT,
        limits_defaulted=bool(meta.get("limits_defaulted", time_limit is None or memory_limit is None)),
        checker=checker,
        interactive=bool(meta.get("interactive", False)),
        points=_field(meta, "points", float, meta_path, None),
        rating=_field(meta, "rating", int, meta_path, None),
        tags=list(_field(meta, "tags", list, meta_path, [])),
        solutions=solutions,
        contest_id=_field(meta, "contest_id", str, meta_path, None),
        index=_field(meta, "index", str, meta_path, None),
        origin=str(directory),
    )


def _row(item: dict, path: Path, n: int) -> StandingRow:
    where = f"[{n}]"
    if not isinstance(item, dict) or "handle" not in item or "points" not in item:
        raise DataError(path, where, "expected an object with at least handle and points")
    results = {}
    for index, r in (item.get("problems") or {}).items():
        results[index] = ProblemResult(float(r.get("points", 0)), int(r.get("rejected", 0)),
                                       r.get("minute"), bool(r.get("accepted", False)))
    try:
        return StandingRow(
            handle=str(item["handle"]),
            points=float(item["points"]),
            penalty=int(item.get("penalty") or 0),
            rank=None if item.get("rank") is None else int(item["rank"]),
            old_rating=None if item.get("old_rating") is None else int(item["old_rating"]),
            new_rating=None if item.get("new_rating") is None else int(item["new_rating"]),
            rated=bool(item.get("rated", True)),
            problem_results=results,
        )
    except (TypeError, ValueError) as e:
        raise DataError(path, where, f"bad value ({e})") from None


def read_contest(directory: str | Path) -> Contest:
    directory = Path(directory)
    meta_path = directory / "contest.json"
    meta = read_json(meta_path)
    if not isinstance(meta, dict):
        raise DataError(meta_path, None, "expected a JSON object")
    if meta.get("format") != CONTEST_FORMAT:
        raise DataError(meta_path, "format", f"expected {CONTEST_FORMAT!r}, got {meta.get('format')!r}")
    rules = _field(meta, "rules", str, meta_path)
    if rules not in RULES:
        raise DataError(meta_path, "rules", f"unknown rules {rules!r}; expected one of {', '.join(RULES)}")
    start = _field(meta, "start_time", str, meta_path, None)
    try:
        start_time = datetime.fromisoformat(start) if start else None
    except ValueError:
        raise DataError(meta_path, "start_time", f"not an ISO date-time: {start!r}") from None

    problems = []
    for n, entry in enumerate(_field(meta, "problems", list, meta_path)):
        if not isinstance(entry, dict) or "index" not in entry or "dir" not in entry:
            raise DataError(meta_path, f"problems[{n}]", "expected {index, dir, points}")
        problem = read_problem(directory / entry["dir"])
        problem.index = entry["index"]
        if entry.get("points") is not None:
            problem.points = float(entry["points"])
        problems.append(problem)

    standings = []
    if meta.get("standings"):
        standings_path = directory / meta["standings"]
        rows = read_json(standings_path)
        if not isinstance(rows, list):
            raise DataError(standings_path, None, "expected a JSON list of rows")
        standings = [_row(item, standings_path, n) for n, item in enumerate(rows)]
    return Contest(
        id=str(_field(meta, "id", (str, int), meta_path)),
        name=_field(meta, "name", str, meta_path),
        rules=rules,
        duration_minutes=_field(meta, "duration_minutes", int, meta_path, 120),
        start_time=start_time,
        problems=problems,
        standings=standings,
        made_up=bool(meta.get("made_up", False)),
        # Written before problem lists were recorded: unknown, so a replay asks for the list.
        problem_list_known=_field(meta, "problem_list_known", bool, meta_path, False),
        date_source=_field(meta, "date_source", str, meta_path, "") or ("contest.json" if start_time else ""),
        points_known=bool(meta.get("points_known", True)),
        origin=str(directory),
    )


# ---------------------------------------------------------------- writing

def _write_tests(folder: Path, tests: list[TestCase]) -> None:
    folder.mkdir()
    width = max(3, len(str(len(tests))))
    for n, t in enumerate(tests, 1):
        (folder / f"{n:0{width}d}.in").write_text(t.input, encoding="utf-8")
        (folder / f"{n:0{width}d}.ans").write_text(t.output, encoding="utf-8")


def _fill_problem(directory: Path, problem: Problem) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    checker = {"kind": problem.checker.kind, "abs_eps": problem.checker.abs_eps,
               "rel_eps": problem.checker.rel_eps, "case_sensitive": problem.checker.case_sensitive}
    if problem.checker.source:
        lang = problem.checker.language or "cpp"
        checker.update(file=f"checker.{FILE_SUFFIXES.get(lang, lang)}", language=lang)
        (directory / checker["file"]).write_text(problem.checker.source, encoding="utf-8")
    solutions = []
    if problem.solutions:
        (directory / "solutions").mkdir()
    for n, s in enumerate(problem.solutions, 1):
        kind = "correct" if s.correct else "incorrect"
        name = f"solutions/{kind}-{n}.{FILE_SUFFIXES.get(s.language, s.language)}"
        (directory / name).write_text(s.source, encoding="utf-8")
        solutions.append({"file": name, "language": s.language, "correct": s.correct})
    meta = {
        "format": PROBLEM_FORMAT, "id": problem.id, "name": problem.name,
        "time_limit": problem.time_limit, "memory_limit": problem.memory_limit,
        "limits_defaulted": problem.limits_defaulted, "checker": checker,
        "generated_tests": problem.generated_tests,
        "interactive": problem.interactive, "points": problem.points, "rating": problem.rating,
        "tags": problem.tags, "contest_id": problem.contest_id, "index": problem.index,
        "solutions": solutions,
    }
    (directory / "problem.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (directory / "statement.md").write_text(problem.statement, encoding="utf-8")
    _write_tests(directory / "examples", problem.examples)
    _write_tests(directory / "tests", problem.tests)


def _atomic_directory(target: Path, fill) -> Path:
    """Build a directory with fill(tmp) beside TARGET, then swap it in; TARGET is replaced whole."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        fill(tmp)
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.rename(target, old)
            os.rename(tmp, target)
            shutil.rmtree(old)
        else:
            os.rename(tmp, target)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        full = no_space(e, target)
        if full is None:
            raise
        raise full from None  # TARGET, if it was there, is untouched: fill() wrote only into tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def write_problem(directory: str | Path, problem: Problem) -> Path:
    return _atomic_directory(Path(directory), lambda tmp: _fill_problem(tmp, problem))


def standing_to_dict(row: StandingRow) -> dict:
    d = {"handle": row.handle, "points": row.points, "penalty": row.penalty, "rank": row.rank,
         "old_rating": row.old_rating, "new_rating": row.new_rating, "rated": row.rated}
    if row.problem_results:
        d["problems"] = {i: {"points": r.points, "rejected": r.rejected, "minute": r.minute, "accepted": r.accepted}
                         for i, r in row.problem_results.items()}
    return d


def write_contest(directory: str | Path, contest: Contest) -> Path:
    def fill(tmp: Path) -> None:
        entries = []
        for p in contest.problems:
            sub = p.index or p.id
            _fill_problem(tmp / sub, p)
            entries.append({"index": p.index or p.id, "dir": sub, "points": p.points})
        meta = {
            "format": CONTEST_FORMAT, "id": contest.id, "name": contest.name, "rules": contest.rules,
            "duration_minutes": contest.duration_minutes,
            "start_time": contest.start_time.isoformat() if contest.start_time else None,
            "made_up": contest.made_up, "points_known": contest.points_known, "problems": entries,
            "problem_list_known": contest.problem_list_known,
            "date_source": contest.date_source,
            "standings": "standings.json" if contest.standings else None,
        }
        (tmp / "contest.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        if contest.standings:
            rows = [standing_to_dict(r) for r in contest.standings]
            (tmp / "standings.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")

    return _atomic_directory(Path(directory), fill)
