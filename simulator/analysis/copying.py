"""Does a solver copy its training data? For each submission, the longest substring it shares with
any program of a corpus (AlphaCode, Li et al. 2022, section 6.1), beside the same figure for
held-out human solutions, which share idioms and boilerplate with any corpus too.

The corpus is one byte string (programs joined by NUL) with its suffix array, built by libdivsufsort
(pydivsufsort). The longest common substring of a program with it is found by one pass over the
program: with BEST the longest match so far, it asks whether program[i : i + BEST + 1] occurs in the
corpus (a binary search in the suffix array); if so BEST grows, else i moves on. That is at most
2 x len(program) searches, each O(BEST x log(corpus)), whatever the corpus size.

Lengths are in bytes of UTF-8, which are characters for the ASCII source code contests are
written in. A NUL byte never occurs in source code; it is dropped from programs, so no match can
run across two corpus programs.
"""

from __future__ import annotations

import json
import os
import time
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from contests.errors import DataError

SOURCE_SUFFIXES = {".py", ".cpp", ".cc", ".cxx", ".c", ".h", ".hpp", ".java", ".go", ".rs", ".kt", ".js", ".rb", ".cs"}
SEPARATOR = b"\x00"


@dataclass(frozen=True)
class Program:
    origin: str  # file (and record) it came from
    source: str


@dataclass(frozen=True)
class Match:
    common_bytes: int  # longest substring shared with the corpus
    length_bytes: int  # the program's length
    origin: str | None  # the corpus program holding that substring (one of them)

    @property
    def share(self) -> float:
        return self.common_bytes / self.length_bytes if self.length_bytes else 0.0


def _codecontests_programs(record: dict, where: str) -> Iterator[Program]:
    for field in ("solutions", "incorrect_solutions"):
        block = record.get(field) or {}
        for n, source in enumerate(block.get("solution") or []):
            yield Program(f"{where} {field}[{n}]", source)


def read_programs(path: Path) -> Iterator[Program]:
    """The programs in PATH: a source tree (every source file under it), a JSON lines file of
    samples (`source`) or CodeContests records (`solutions` and `incorrect_solutions`), or one
    source file."""
    if path.is_dir():
        for root, _, files in os.walk(path):
            for name in sorted(files):
                file = Path(root) / name
                if file.suffix in SOURCE_SUFFIXES:
                    yield Program(str(file), file.read_text(encoding="utf-8", errors="replace"))
        return
    if not path.is_file():
        raise DataError(str(path), None, "no such file or directory (pass a JSON lines file or a source tree)")
    if path.suffix in SOURCE_SUFFIXES:
        yield Program(str(path), path.read_text(encoding="utf-8", errors="replace"))
        return
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise DataError(str(path), f"line {line_no}", f"not JSON ({e.msg}); pass JSON lines or a source tree") from None
            where = f"{path}:{line_no}"
            if isinstance(record, dict) and isinstance(record.get("source"), str):
                yield Program(where, record["source"])
            elif isinstance(record, dict) and ("solutions" in record or "incorrect_solutions" in record):
                yield from _codecontests_programs(record, where)
            else:
                raise DataError(str(path), f"line {line_no}", "neither a sample (`source`) nor a CodeContests record "
                                "(`solutions`)")


def _bytes(source: str) -> bytes:
    return source.encode("utf-8").replace(SEPARATOR, b"")


class CorpusIndex:
    """A suffix array over every program of a corpus, for longest-common-substring queries."""

    def __init__(self, programs: Iterable[Program]):
        from pydivsufsort import divsufsort

        started = time.perf_counter()
        parts, self.starts, self.origins = [], [], []
        offset = 0
        for p in programs:
            data = _bytes(p.source)
            self.starts.append(offset)
            self.origins.append(p.origin)
            parts.append(data)
            offset += len(data) + 1
        self.text = SEPARATOR.join(parts) + SEPARATOR
        if len(self.text) <= 1:
            raise DataError("--corpus", None, "the corpus holds no program")
        self.programs = len(parts)
        self.sa = divsufsort(self.text)
        self._find = self._searcher()
        self.seconds = time.perf_counter() - started

    @property
    def characters(self) -> int:
        return len(self.text) - self.programs  # separators are not the corpus's

    def _searcher(self):
        """libdivsufsort's sa_search, called directly with the corpus and suffix array bound once:
        pydivsufsort's wrapper re-wraps the whole suffix array on every call (90 us a search)."""
        import ctypes

        from pydivsufsort.dll import libdivsufsort, libdivsufsort64

        wide = self.sa.dtype == np.int64
        index_t = ctypes.c_int64 if wide else ctypes.c_int32
        search = libdivsufsort64.sa_search64 if wide else libdivsufsort.sa_search
        search.restype = index_t
        search.argtypes = [ctypes.c_char_p, index_t, ctypes.c_char_p, index_t, ctypes.POINTER(index_t), index_t,
                           ctypes.POINTER(index_t)]
        sa_pointer = self.sa.ctypes.data_as(ctypes.POINTER(index_t))
        text, size, left = self.text, len(self.text), index_t()
        left_ref, sa = ctypes.byref(left), self.sa

        def find(pattern: bytes) -> int | None:
            """A corpus position where PATTERN occurs, or None."""
            count = search(text, size, pattern, len(pattern), sa_pointer, size, left_ref)
            if count < 0:
                raise RuntimeError(f"libdivsufsort sa_search failed ({count})")
            return int(sa[left.value]) if count else None

        return find

    def longest_common(self, source: str) -> Match:
        query = _bytes(source)
        find = self._find
        best, where, i = 0, None, 0
        while i + best < len(query):
            found = find(query[i:i + best + 1])
            if found is None:
                i += 1
            else:
                best, where = best + 1, found
        origin = self.origins[bisect_right(self.starts, where) - 1] if where is not None else None
        return Match(best, len(query), origin)


def quantiles(values: list[float]) -> dict | None:
    if not values:
        return None
    q = np.quantile(np.asarray(values, dtype=float), [0.0, 0.25, 0.5, 0.75, 1.0])
    return {"n": len(values), "mean": float(np.mean(values)), "min": float(q[0]), "q25": float(q[1]),
            "median": float(q[2]), "q75": float(q[3]), "max": float(q[4])}


def _row(match: Match, **keys) -> dict:
    return {**keys, "length_bytes": match.length_bytes, "common_bytes": match.common_bytes,
            "share": match.share, "matched": match.origin}


def copying(store, run_ids: list[int], corpus_paths: list[Path], human_paths: list[Path] | None = None,
            humans_per_problem: int = 20) -> dict:
    """The copying check of RUN_IDS' submissions against the corpus, with held-out human solutions as
    the baseline: those in HUMAN_PATHS, else the correct human solutions of the run's problems from
    the contest library (up to HUMANS_PER_PROBLEM each, the first ones)."""
    if not corpus_paths:
        raise DataError("--corpus", None, "pass at least one corpus file or source tree")
    programs = [p for path in corpus_paths for p in read_programs(Path(path))]
    index = CorpusIndex(programs)
    started = time.perf_counter()
    submissions, keys, notes = [], set(), []
    for run_id in run_ids:
        if store.run(run_id) is None:
            raise DataError(store.where, "run", f"no run {run_id}")
        names = {p.problem_id: (p.contest_id, p.problem.index) for p in store.problem_results(run_id)}
        for s in store.submissions(run_id):
            if not s.in_time:
                continue
            contest, index_ = names.get(s.problem_id, ("?", str(s.problem_id)))
            keys.add((contest, index_))
            submissions.append(_row(index.longest_common(s.source), run=run_id, problem=f"{contest}/{index_}",
                                    order=s.order, language=s.language, verdict=s.verdict))
    if not submissions:
        raise DataError(f"run {', '.join(map(str, run_ids))}", "submissions", "no submission to check")
    if human_paths:
        baseline = [p for path in human_paths for p in read_programs(Path(path))]
        source = "files: " + ", ".join(map(str, human_paths))
    else:
        baseline, source = _library_humans(store, run_ids, keys, humans_per_problem, notes)
    humans = [_row(index.longest_common(p.source), origin=p.origin) for p in baseline]
    if not humans:
        notes.append("No held-out human solutions to compare with: pass --humans FILE (CodeContests JSON lines).")
    corpus_sources = {p.source for p in programs}
    if leaked := sum(p.source in corpus_sources for p in baseline):
        notes.append(f"{leaked} of the human baseline programs are in the corpus verbatim: the baseline is not "
                     "held out from it.")
    return {
        "runs": list(run_ids),
        "corpus": {"paths": [str(p) for p in corpus_paths], "programs": index.programs,
                   "characters": index.characters, "index_seconds": round(index.seconds, 3)},
        "query_seconds": round(time.perf_counter() - started, 3),
        "unit": "bytes of UTF-8 (characters, for ASCII source)",
        "humans_source": source,
        "summary": {"submissions": {"share": quantiles([r["share"] for r in submissions]),
                                    "common_bytes": quantiles([r["common_bytes"] for r in submissions])},
                    "humans": {"share": quantiles([r["share"] for r in humans]),
                               "common_bytes": quantiles([r["common_bytes"] for r in humans])}},
        "submissions": submissions, "humans": humans, "notes": notes,
    }


def _library_humans(store, run_ids: list[int], keys: set, per_problem: int, notes: list[str]) -> tuple[list[Program], str]:
    from simulator.components import NO_HOME, load_contests, recorded_library

    run = store.run(run_ids[0])
    library = run.settings.get("library")
    try:
        contests, _ = load_contests(run.settings.get("contests") or [], recorded_library(store, library, NO_HOME))
    except (DataError, OSError, ValueError) as e:
        notes.append(f"The run's contests are not readable from the library ({e}): no human baseline.")
        return [], "none"
    out = []
    for contest in contests:
        for problem in contest.problems:
            if (contest.id, problem.index) in keys:
                correct = [s for s in problem.solutions if s.correct][:per_problem]
                out += [Program(f"{contest.id}/{problem.index} human solution {n + 1}", s.source)
                        for n, s in enumerate(correct)]
    return out, f"the correct human solutions of the run's problems (up to {per_problem} each)"
