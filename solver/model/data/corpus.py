"""Where training text comes from: source files on disk, and CodeContests problems.

Pre-training and the tokenizer read code from any directory tree a user names; by default, the
Python and C/C++ sources already on the machine (the running interpreter's standard library and
/usr/include). Files are filtered as AlphaCode filtered GitHub: none over 1 MB, none with a line
over 1,000 characters; we also drop files that are not UTF-8 or contain NUL bytes.
"""

from __future__ import annotations

import os
import sysconfig
from stat import S_ISREG
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from contests.errors import DataError
from contests.model import Problem

EXTENSION_LANGUAGE = {
    ".py": "python",
    # Which files are training code in which language (headers too, unlike judge.languages' source
    # extensions). C is labelled cpp: the model writes python, cpp and java, and C is (nearly) C++.
    ".c": "cpp", ".h": "cpp", ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp", ".hxx": "cpp",
    ".java": "java",
}
MAX_FILE_BYTES = 1_000_000  # AlphaCode: files over 1 MB dropped
MAX_LINE_CHARS = 1000  # AlphaCode: files with a line over 1,000 characters dropped
# Nested directories never walked into: caches, VCS data, and installed third-party packages
# (the standard library's own site-packages is not the standard library).
SKIP_DIRS = frozenset({"site-packages", "dist-packages", "__pycache__", ".git", ".hg", ".svn", "node_modules"})


@dataclass(frozen=True)
class SourceFile:
    path: Path
    language: str | None  # python, cpp, java; None for an explicitly named file of unknown kind
    size: int  # bytes
    mtime_ns: int = 0  # modification time, so a cache of the file's tokens can tell it changed


@dataclass(frozen=True)
class Document:
    """One piece of training text for the tokenizer; `kind` is a language or "statement"."""

    kind: str
    text: str


def default_corpus_paths() -> list[Path]:
    """The Python standard library of the running interpreter and the system's C/C++ headers."""
    candidates = [Path(sysconfig.get_paths()["stdlib"]), Path("/usr/include"), Path("/usr/local/include")]
    return [p for p in candidates if p.is_dir()]


def language_of(path: Path) -> str | None:
    language = EXTENSION_LANGUAGE.get(path.suffix.lower())
    if language is None and not path.suffix and "c++" in path.parts:
        return "cpp"  # libstdc++'s headers (<vector>, <algorithm>) have no extension
    return language


def find_source_files(paths: Iterable[str | Path], *, max_file_bytes: int = MAX_FILE_BYTES) -> list[SourceFile]:
    """Source files under PATHS (directories walked in sorted order, so the list is deterministic).

    Files named explicitly are kept whatever their extension; files found by walking only when
    their language is known. Files over max_file_bytes are left out.
    """
    found: list[SourceFile] = []
    seen: set[tuple[int, int]] = set()  # (device, inode): each file once, however it is reached

    def add(path: Path, language: str | None) -> None:
        try:
            stat = path.stat()
        except OSError:
            return  # a dangling link, or gone since listed
        if (stat.st_dev, stat.st_ino) in seen:
            return
        seen.add((stat.st_dev, stat.st_ino))
        if S_ISREG(stat.st_mode) and 0 < stat.st_size <= max_file_bytes:
            found.append(SourceFile(path, language, stat.st_size, stat.st_mtime_ns))

    for root in paths:
        root = Path(root)
        if root.is_file():
            add(root, language_of(root))
        elif root.is_dir():
            for directory, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
                for name in sorted(files):
                    path = Path(directory, name)
                    language = language_of(path)
                    if language:
                        add(path, language)
        else:
            raise DataError(root, None, "no such file or directory")
    return found


def clean_source(text: str, *, max_line_chars: int = MAX_LINE_CHARS) -> str | None:
    """TEXT if it is usable training code, else None (empty, NUL bytes, or a line too long)."""
    if not text.strip() or "\0" in text:
        return None
    if max(map(len, text.splitlines()), default=0) > max_line_chars:
        return None
    return text


def read_source(path: Path, *, max_line_chars: int = MAX_LINE_CHARS) -> str | None:
    """The file's text if usable (see clean_source), None if not (including not UTF-8)."""
    try:
        # newline="" keeps CRLF as written: the model should see code exactly as it is.
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
    except (UnicodeDecodeError, OSError):
        return None
    return clean_source(text, max_line_chars=max_line_chars)


def problem_documents(problem: Problem) -> Iterator[Document]:
    """A problem's statement and all its solutions, as tokenizer training text."""
    if problem.statement.strip():
        yield Document("statement", problem.statement)
    for solution in problem.solutions:
        yield Document(solution.language, solution.source)
