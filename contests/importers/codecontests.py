"""CodeContests records (JSON lines, field names of contest_problem.proto) -> Problem.

One importer for the whole project: the judge, the solver and the simulator all read
CodeContests data through here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from contests.errors import DataError
from contests.model import DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT, Contest, Problem, Solution, TestCase
from contests.textfiles import iter_json_lines

# contest_problem.proto's Solution.Language enum. PYTHON (1) is Python 2, which csim does not run.
LANGUAGE_BY_ENUM = {2: "cpp", 3: "python", 4: "java"}

# Some re-packagings of CodeContests append markdown sections (categories, source, a clean copy of
# the examples, how to run) to the statement. They are not part of the statement.
_APPENDIX = re.compile(r"\n## (Categories|Source|Examples|Testing)\s*\n")
_MD_EXAMPLE = re.compile(
    r"### Example \d+\s*\n\s*\*\*Input\*\*:\s*\n```\n(.*?)```\s*\n\s*\*\*Output\*\*:\s*\n```\n(.*?)```",
    re.S,
)
_NAME = re.compile(r"^(\d+)_([A-Z][0-9]?)\. (.+)$")


def split_statement(description: str) -> tuple[str, list[TestCase]]:
    """The statement without any appended markdown, and the examples from that markdown if any."""
    m = _APPENDIX.search(description)
    statement = description[: m.start()].rstrip() + "\n" if m else description
    examples = [TestCase(i, o) for i, o in _MD_EXAMPLE.findall(description[m.start():])] if m else []
    return statement, examples


def _tests(record: dict, key: str, where: str, path: Path) -> list[TestCase]:
    value = record.get(key) or {"input": [], "output": []}
    if not isinstance(value, dict):
        raise DataError(path, f"{where}: {key}", "expected an object with 'input' and 'output' lists")
    inputs, outputs = value.get("input"), value.get("output")
    if not isinstance(inputs, list) or not isinstance(outputs, list) or len(inputs) != len(outputs):
        raise DataError(path, f"{where}: {key}", "'input' and 'output' must be lists of equal length")
    if not all(isinstance(x, str) for x in inputs + outputs):
        raise DataError(path, f"{where}: {key}", "tests must be strings")
    return [TestCase(i, o) for i, o in zip(inputs, outputs)]


def _solutions(record: dict, key: str, correct: bool, where: str, path: Path) -> list[Solution]:
    value = record.get(key) or {"language": [], "solution": []}
    if not isinstance(value, dict):
        raise DataError(path, f"{where}: {key}", "expected an object with 'language' and 'solution' lists")
    langs, sources = value.get("language"), value.get("solution")
    if not isinstance(langs, list) or not isinstance(sources, list) or len(langs) != len(sources):
        raise DataError(path, f"{where}: {key}", "'language' and 'solution' must be lists of equal length")
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in langs):
        raise DataError(path, f"{where}: {key}.language", "expected a list of language numbers")
    if not all(isinstance(x, str) for x in sources):
        raise DataError(path, f"{where}: {key}.solution", "expected a list of strings")
    out = []
    for n, (lang, src) in enumerate(zip(langs, sources)):
        if lang in LANGUAGE_BY_ENUM:  # Python 2 and unknown languages are skipped, not guessed at
            out.append(Solution(src, LANGUAGE_BY_ENUM[lang], correct, name=f"{key}-{n}"))
    return out


def _number(value) -> bool:
    """A finite JSON number (not a bool, NaN or Infinity)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and (isinstance(value, int) or math.isfinite(value))


def _limit_seconds(value, path: Path, where: str) -> float | None:
    """The time limit in seconds; None where the record has none (missing, null or 0)."""
    if isinstance(value, dict):  # protobuf Duration as JSON; int64 seconds may come as a string
        seconds, nanos = value.get("seconds", 0), value.get("nanos", 0)
        if isinstance(seconds, str) and seconds.isdigit():
            seconds = int(seconds)
        if not _number(seconds) or not _number(nanos):
            raise DataError(path, f"{where}: time_limit", f"expected {{seconds, nanos}} numbers, got {value!r:.60}")
        value = seconds + nanos / 1e9
    if value is None or _number(value) and value == 0:
        return None
    if not _number(value) or not value > 0:
        raise DataError(path, f"{where}: time_limit", f"expected a positive number of seconds, got {value!r:.60}")
    return float(value)


def _memory_bytes(value, path: Path, where: str) -> int | None:
    """The memory limit in bytes; None where the record has none (missing, null or 0). int64 in
    protobuf's JSON is a string of digits."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if value is None or _number(value) and value == 0:
        return None
    if not _number(value) or not value > 0 or value != int(value):
        raise DataError(path, f"{where}: memory_limit_bytes", f"expected a positive whole number of bytes, "
                                                              f"got {value!r:.60}")
    return int(value)


def _optional(record: dict, key: str, kinds: tuple, path: Path, where: str):
    value = record.get(key)
    if value is not None and (not isinstance(value, kinds) or isinstance(value, bool)):
        raise DataError(path, f"{where}: {key}", f"expected {' or '.join(k.__name__ for k in kinds)}, "
                                                 f"got {type(value).__name__}")
    return value


def problem_from_record(record: dict, path: Path, line: int) -> Problem:
    where = f"line {line}"
    if not isinstance(record, dict):
        raise DataError(path, where, "expected a JSON object")
    name = record.get("name")
    if not isinstance(name, str) or not name:
        raise DataError(path, f"{where}: name", "missing or not a string")
    description = record.get("description")
    if not isinstance(description, str):
        raise DataError(path, f"{where}: description", "missing or not a string")
    m = _NAME.match(name)
    contest_id = str(_optional(record, "cf_contest_id", (int, str), path, where) or (m.group(1) if m else "")) or None
    index = _optional(record, "cf_index", (str,), path, where) or (m.group(2) if m else None)
    title = m.group(3) if m else name
    pid = f"{contest_id}{index}" if contest_id and index else name

    statement, examples = split_statement(description)
    if not examples:
        # No clean copy: fall back on the parsed examples, cutting any markdown glued to the
        # last output by a faulty parse.
        examples = [TestCase(t.input, t.output.split("\n\n## ")[0])
                    for t in _tests(record, "public_tests", where, path)]
    # The contest's own hidden tests first, then CodeContests' generated ones (their count is kept:
    # reports say how many of a problem's tests are the real ones).
    generated = _tests(record, "generated_tests", where, path)
    tests = _tests(record, "private_tests", where, path) + generated

    time_limit = _limit_seconds(record.get("time_limit"), path, where)
    memory = _memory_bytes(record.get("memory_limit_bytes"), path, where)
    points = _optional(record, "cf_points", (int, float), path, where)
    rating = _optional(record, "cf_rating", (int, float), path, where)
    tags = record.get("cf_tags") or []
    if not isinstance(tags, list):
        raise DataError(path, f"{where}: cf_tags", "expected a list of strings")
    return Problem(
        id=pid,
        name=title,
        statement=statement,
        examples=examples,
        tests=tests,
        generated_tests=len(generated),
        time_limit=time_limit or DEFAULT_TIME_LIMIT,
        memory_limit=memory or DEFAULT_MEMORY_LIMIT,
        limits_defaulted=time_limit is None or memory is None,
        points=float(points) if isinstance(points, (int, float)) and points > 0 else None,
        rating=int(rating) if isinstance(rating, (int, float)) and rating > 0 else None,
        tags=[str(t) for t in tags],
        solutions=_solutions(record, "solutions", True, where, path)
        + _solutions(record, "incorrect_solutions", False, where, path),
        contest_id=contest_id,
        index=index,
        origin=f"{path}:{line}",
    )


def iter_codecontests(path: str | Path) -> Iterator[Problem]:
    """Yield the problems of a CodeContests JSON-lines or Parquet file, in file order."""
    path = Path(path)
    if not path.is_file():
        raise DataError(path, None, "no such file")
    if path.suffix == ".parquet":
        from contests.importers.codecontests_parquet import iter_parquet_records

        for row, record in iter_parquet_records(path):
            yield problem_from_record(record, path, row)
        return
    for line, record in iter_json_lines(path):
        yield problem_from_record(record, path, line)


def load_codecontests(path: str | Path) -> list[Problem]:
    return list(iter_codecontests(path))


def find_problem(path: str | Path, name: str) -> Problem:
    """The one record of PATH that NAME names (contests.problem_ids: id, `1141_A`, `1141_A. Title`,
    the literal record name); no match or several is a one-line error listing close matches.
    The file is read as a stream: only the names of the other records are kept."""
    from contests.problem_ids import ProblemName, names_problem, resolve_position

    names: list[ProblemName] = []
    hits: dict[int, Problem] = {}
    for problem in iter_codecontests(path):
        if names_problem(name, problem):
            hits[len(names)] = problem
        names.append(ProblemName.of(problem))
    return hits[resolve_position(name, names, str(path), "name")]


def attach_problems(contest: Contest, paths: Sequence[str | Path]) -> Contest:
    """CONTEST with the CodeContests problems of PATHS whose cf_contest_id is its id, matched by
    index: they bring the hidden tests, examples, statement and reference solutions that standings
    sources (Codeforces API, carrot rows) lack. Where the contest already lists a problem (API
    answers do), its id, points, rating and tags win, being the contest's own."""
    listed = {p.index: p for p in contest.problems}
    found: dict[str, Problem] = {}
    for path in paths:
        for problem in iter_codecontests(path):
            if problem.contest_id != str(contest.id) or not problem.index:
                continue
            if listed and problem.index not in listed:
                raise DataError(problem.origin, "cf_index", f"contest {contest.id} has no problem {problem.index} "
                                                            f"(its problems: {', '.join(sorted(listed))})")
            own = listed.get(problem.index)
            if own is not None:
                problem = replace(problem, id=own.id, points=own.points or problem.points,
                                  rating=own.rating or problem.rating, tags=own.tags or problem.tags)
            found[problem.index] = problem
    if not found:
        raise DataError(paths[0] if paths else ".", "cf_contest_id", f"no problem of contest {contest.id} in the file")
    indexes = sorted(set(listed) | set(found), key=_index_order)
    return replace(contest, problems=[found.get(i) or listed[i] for i in indexes])


def _index_order(index: str) -> tuple[str, int]:
    """"A" < "B" < "B1" < "B2" < "C"; "B10" after "B9"."""
    letters = index.rstrip("0123456789")
    return letters, int(index[len(letters):] or 0)
