"""Polygon packages (polygon.codeforces.com), as a directory or a .zip.

A problem package: problem.xml names the limits (time in ms, memory in bytes), the tests
(`tests/%02d` inputs, `tests/%02d.a` answers; `sample="true"` marks the statement's examples),
the checker, an interactor if any, and the solutions with their tags; the statement is in
statement-sections/<language>/{legend,input,output,notes}.tex. Only packages that carry their
test files (Polygon's "full" packages) can be imported: generated tests are not rebuilt here.

A contest package: contest.xml lists the problems by index, each in problems/<index>/ or
problems/<short-name>/.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path, PurePosixPath

from contests.errors import DataError
from contests.model import Checker, Contest, Problem, Solution, TestCase

# Polygon's standard checkers that csim's built-in comparisons do the same job as.
STANDARD_CHECKERS = {
    "std::wcmp.cpp": Checker("tokens"),
    "std::ncmp.cpp": Checker("tokens"),
    "std::icmp.cpp": Checker("tokens"),
    "std::lcmp.cpp": Checker("tokens"),
    "std::yesno.cpp": Checker("tokens", case_sensitive=False),
    "std::nyesno.cpp": Checker("tokens", case_sensitive=False),
    "std::rcmp4.cpp": Checker("float", abs_eps=1e-4, rel_eps=1e-4),
    "std::rcmp6.cpp": Checker("float", abs_eps=1e-6, rel_eps=1e-6),
    "std::rcmp9.cpp": Checker("float", abs_eps=1e-9, rel_eps=1e-9),
}
# Solution tags: which ones are correct. Others (wrong-answer, time-limit-exceeded, rejected,
# memory-limit-exceeded, failed, presentation-error, ...) are incorrect; an ambiguous tag is skipped.
CORRECT_TAGS = {"main", "accepted"}
AMBIGUOUS_TAGS = {"time-limit-exceeded-or-accepted", "time-limit-exceeded-or-memory-limit-exceeded"}
STATEMENT_SECTIONS = (("legend", ""), ("input", "Input"), ("output", "Output"), ("notes", "Note"))


def language_of(source_type: str) -> str | None:
    """Polygon source types ("cpp.g++17", "python.3", "java11", ...) -> csim language or None."""
    kind = source_type.lower()
    if kind.startswith("cpp") or kind.startswith("c++"):
        return "cpp"
    if kind.startswith("python.3") or kind.startswith("python.pypy3") or kind in ("python3", "pypy3"):
        return "python"
    if kind.startswith("java"):
        return "java"
    return None


class Package:
    """Read the files of a package given as a directory or a zip archive (or a folder of either)."""

    def __init__(self, path: str | Path, *, archive: zipfile.ZipFile | None = None, prefix: str = ""):
        self.path = Path(path)
        self._zip, self._prefix = archive, prefix
        if archive is None:
            if self.path.is_file() and zipfile.is_zipfile(self.path):
                self._zip = zipfile.ZipFile(self.path)
            elif not self.path.is_dir():
                raise DataError(self.path, None, "not a Polygon package (expected a directory or a .zip)")
        self._names = set(self._zip.namelist()) if self._zip else None

    def __enter__(self) -> "Package":
        return self

    def __exit__(self, *exc) -> None:
        if self._zip and not self._prefix:
            self._zip.close()

    def where(self, name: str) -> str:
        full = self._prefix + name
        return f"{self.path}!{full}" if self._zip else str(self.path / full)

    def exists(self, name: str) -> bool:
        full = self._prefix + name
        return full in self._names if self._zip else (self.path / full).is_file()

    def read(self, name: str) -> str:
        if not self.exists(name):
            raise DataError(self.where(name), None, "no such file in the package")
        full = self._prefix + name
        data = self._zip.read(full) if self._zip else (self.path / full).read_bytes()
        return data.decode("utf-8", errors="replace")

    def sub(self, folder: str) -> "Package":
        return Package(self.path, archive=self._zip, prefix=self._prefix + folder.rstrip("/") + "/")

    def xml(self, name: str) -> ET.Element:
        try:
            return ET.fromstring(self.read(name))
        except ET.ParseError as e:
            raise DataError(self.where(name), f"line {e.position[0]}", f"not valid XML ({e})") from None


def _int(element: ET.Element | None, pkg: Package, field: str) -> int:
    text = element.text.strip() if element is not None and element.text else ""
    if not text.isdigit() or int(text) <= 0:
        raise DataError(pkg.where("problem.xml"), field, f"expected a positive integer, got {text!r}")
    return int(text)


def _tests(pkg: Package, testset: ET.Element) -> tuple[list[TestCase], list[TestCase]]:
    where = pkg.where("problem.xml")
    count = len(testset.findall("tests/test"))
    declared = testset.find("test-count")
    if declared is not None:
        count = _int(declared, pkg, "judging.testset.test-count")
    inputs = testset.findtext("input-path-pattern", "tests/%02d")
    answers = testset.findtext("answer-path-pattern", "tests/%02d.a")
    marks = testset.findall("tests/test")
    tests, examples = [], []
    for n in range(1, count + 1):
        try:
            input_name, answer_name = inputs % n, answers % n
        except (TypeError, ValueError):
            raise DataError(where, "judging.testset.input-path-pattern", f"bad pattern {inputs!r} / {answers!r}") from None
        mark = marks[n - 1] if n - 1 < len(marks) else None
        if not pkg.exists(input_name) or not pkg.exists(answer_name):
            method = mark.get("method", "manual") if mark is not None else "manual"
            raise DataError(where, f"test {n}",
                            f"{input_name} or {answer_name} is not in the package ({method} test): "
                            "export a full package, with tests")
        test = TestCase(pkg.read(input_name), pkg.read(answer_name))
        tests.append(test)
        if mark is not None and mark.get("sample") == "true":
            examples.append(test)
    return tests, examples


def _checker(pkg: Package, root: ET.Element) -> Checker:
    element = root.find("assets/checker")
    if element is None:
        return Checker()
    name = element.get("name", "")
    if name in STANDARD_CHECKERS:
        return STANDARD_CHECKERS[name]
    source = element.find("source")
    if source is None or not source.get("path"):
        raise DataError(pkg.where("problem.xml"), "assets.checker.source", f"checker {name or '?'} has no source")
    language = language_of(source.get("type", "cpp"))
    if language != "cpp":
        raise DataError(pkg.where("problem.xml"), "assets.checker.source.type",
                        f"only C++ testlib checkers are supported, got {source.get('type')!r}")
    path = source.get("path")
    return Checker("testlib", source=inline_includes(pkg, path), language="cpp")


_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"\s*$')


def inline_includes(pkg: Package, path: str, seen: set[str] | None = None) -> str:
    """The source at PATH with every `#include "x"` that the package holds (testlib.h, the
    checker's own headers) pasted in, once each: csim keeps a checker as one source file. Headers
    the package lacks are left to the compiler."""
    seen = set() if seen is None else seen
    folder = PurePosixPath(path).parent
    lines = []
    for line in pkg.read(path).splitlines(keepends=True):
        m = _INCLUDE.match(line)
        header = str(folder / m.group(1)) if m else None
        if header is not None and pkg.exists(header):
            if header not in seen:
                seen.add(header)
                lines.append(inline_includes(pkg, header, seen).rstrip("\n") + "\n")
            continue
        lines.append(line)
    return "".join(lines)


def _solutions(pkg: Package, root: ET.Element) -> list[Solution]:
    out = []
    for element in root.findall("assets/solutions/solution"):
        tag = element.get("tag", "")
        source = element.find("source")
        if tag in AMBIGUOUS_TAGS or source is None:
            continue
        language = language_of(source.get("type", ""))
        if language is None:  # a language csim does not run
            continue
        path = source.get("path", "")
        out.append(Solution(pkg.read(path), language, tag in CORRECT_TAGS, name=PurePosixPath(path).name))
    return out


def _statement(pkg: Package, root: ET.Element) -> tuple[str, str]:
    """(title, statement text) in English if there is an English statement, else the first one."""
    names = {n.get("language"): n.get("value", "") for n in root.findall("names/name")}
    language = "english" if "english" in names or not names else next(iter(names))
    parts = []
    for section, heading in STATEMENT_SECTIONS:
        name = f"statement-sections/{language}/{section}.tex"
        if pkg.exists(name):
            text = pkg.read(name).strip()
            if text:
                parts.append(f"{heading}\n\n{text}" if heading else text)
    return names.get(language, ""), "\n\n".join(parts) + ("\n" if parts else "")


def load_polygon_problem(path: str | Path) -> Problem:
    with Package(path) as pkg:
        return _problem(pkg, Path(path).name.removesuffix(".zip"))


def _problem(pkg: Package, default_id: str) -> Problem:
    root = pkg.xml("problem.xml")
    where = pkg.where("problem.xml")
    testset = root.find("judging/testset[@name='tests']")
    if testset is None:
        testset = root.find("judging/testset")
    if testset is None:
        raise DataError(where, "judging.testset", "missing: the package names no tests")
    time_limit = _int(testset.find("time-limit"), pkg, "judging.testset.time-limit") / 1000
    memory_limit = _int(testset.find("memory-limit"), pkg, "judging.testset.memory-limit")
    tests, examples = _tests(pkg, testset)
    title, statement = _statement(pkg, root)
    short_name = root.get("short-name") or default_id
    return Problem(
        id=short_name,
        name=title or short_name,
        statement=statement,
        examples=examples,
        tests=tests,
        time_limit=time_limit,
        memory_limit=memory_limit,
        limits_defaulted=False,
        checker=_checker(pkg, root),
        interactive=root.find("assets/interactor") is not None,
        tags=[t.get("value", "") for t in root.findall("tags/tag") if t.get("value")],
        solutions=_solutions(pkg, root),
        origin=where,
    )


def load_polygon_contest(path: str | Path, rules: str = "cf-points") -> Contest:
    """A contest package (contest.xml); a single problem package becomes a contest of one problem."""
    with Package(path) as pkg:
        if not pkg.exists("contest.xml"):
            problem = _problem(pkg, Path(path).name.removesuffix(".zip"))
            problem.index = "A"
            return Contest(id=problem.id, name=problem.name, rules=rules, problems=[problem], origin=str(path))
        return _contest(pkg, Path(path).name.removesuffix(".zip"), rules)


def _contest(pkg: Package, contest_id: str, rules: str) -> Contest:
    root = pkg.xml("contest.xml")
    names = {n.get("language"): n.get("value", "") for n in root.findall("names/name")}
    problems = []
    for n, element in enumerate(root.findall("problems/problem")):
        index = element.get("index")
        if not index:
            raise DataError(pkg.where("contest.xml"), f"problems[{n}].index", "missing")
        short_name = (element.get("url") or "").rstrip("/").rsplit("/", 1)[-1]
        folder = next((f"problems/{d}" for d in (index, short_name) if d and pkg.exists(f"problems/{d}/problem.xml")), None)
        if folder is None:
            raise DataError(pkg.where("contest.xml"), f"problems[{n}]",
                            f"no problems/{index}/problem.xml (nor problems/{short_name}/) in the package")
        problem = _problem(pkg.sub(folder), short_name or index)
        problem.index = index
        problems.append(problem)
    if not problems:
        raise DataError(pkg.where("contest.xml"), "problems", "no problems listed")
    return Contest(id=contest_id, name=names.get("english") or next(iter(names.values()), contest_id), rules=rules,
                   problems=problems, origin=str(pkg.path))
