"""The languages csim runs, one small module each (DMOJ-style executors): the one registry of them.

A language says how to name, compile and run a source, and carries a tiny self-test program
(`csim judge doctor` judges it to prove the toolchain works); the sandbox does the rest. Everything
else asks here (language_ids, get_language, detect_language): contests/ treats a language id as
data, the solvers and the command line check ids against this registry.

Adding a language is one module that defines LANGUAGE, a Language (see python.py): either in this
package (found by listing it) or in any installed distribution that names it in the
`csim.languages` entry-point group, e.g. in its pyproject.toml:

    [project.entry-points."csim.languages"]
    toy = "my_package.toy:LANGUAGE"

(tests/judge/test_language_plugin.py adds one that way.) The model's own spelling of a language in
its training headers (solver/model/data/header.py) is part of the model, which must be trained on
a language before it can write it.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points

from contests.errors import DataError

# Toolchains are looked up on the system's own PATH, never on the judge's (a virtualenv's python
# or a user's ~/bin are not visible inside the sandbox, which binds only system directories).
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
MIB = 1024 * 1024
ENTRY_POINT_GROUP = "csim.languages"


@dataclass(frozen=True)
class Language:
    """How to build and run one language. Paths in commands are inside the sandbox."""

    id: str
    title: str
    extensions: tuple[str, ...]
    tools: tuple[str, ...]  # executables looked up on SYSTEM_PATH; the first one's version keys the cache
    version_args: tuple[str, ...] = ("--version",)
    flags: tuple[str, ...] = ()  # compiler flags, part of the cache key
    memory_overhead: int = 0  # added to the memory cgroup limit for the runtime itself (the JVM)
    mle_markers: tuple[str, ...] = ()  # text on stderr that means "out of memory"
    address_space_limit: bool = True  # may RLIMIT_AS stand in for a memory cgroup (not for the JVM)
    run_env: dict[str, str] = field(default_factory=dict)
    # A program that reads two integers from one line and prints their sum: `csim judge doctor`
    # judges it with this language to prove the toolchain and the sandbox work (required).
    self_test: str = ""

    def source_name(self, source: str) -> str:
        return "main" + self.extensions[0]

    def compile_argv(self, tools: dict[str, str], source_name: str) -> list[str] | None:
        """The command that builds source_name in the current directory, or None if nothing to do."""
        return None

    def run_argv(self, tools: dict[str, str], directory: str, source_name: str, memory_limit: int) -> list[str]:
        raise NotImplementedError

    def python_fast_path(self) -> bool:
        """True when runs may use the supervisor's forked, pre-started interpreter."""
        return False


@cache
def _languages() -> dict[str, Language]:
    """This package's modules, then the `csim.languages` entry points, by id."""
    found: dict[str, Language] = {}
    where: dict[str, str] = {}

    def add(language: object, origin: str) -> None:
        if not isinstance(language, Language):
            raise DataError(origin, None, "LANGUAGE is not a judge.languages.Language")
        if not language.self_test:
            raise DataError(origin, "self_test", f"language {language.id!r} has no self-test program")
        if language.id in found:
            raise DataError(origin, None, f"language {language.id!r} is already declared in {where[language.id]}")
        found[language.id], where[language.id] = language, origin

    for module in pkgutil.iter_modules(__path__):
        name = f"{__name__}.{module.name}"
        add(importlib.import_module(name).LANGUAGE, name)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        add(entry.load(), f"entry point {entry.name} = {entry.value}")
    return found


def language_ids() -> tuple[str, ...]:
    return tuple(sorted(_languages()))


def get_language(language_id: str) -> Language:
    language = _languages().get(language_id)
    if language is None:
        raise DataError("<language>", None, f"unknown language {language_id!r}; expected one of "
                                            f"{', '.join(language_ids())}")
    return language


def detect_language(filename: str | os.PathLike) -> str:
    """The language id for a source file, from its extension."""
    ext = os.path.splitext(str(filename))[1].lower()
    for language in _languages().values():
        if ext in language.extensions:
            return language.id
    raise DataError(filename, None, f"cannot tell the language from the extension {ext!r}; say it with --lang")


@cache
def resolve_tools(language_id: str) -> dict[str, str]:
    """Absolute, symlink-free paths of a language's tools (so /etc/alternatives need not be in the box)."""
    lang = get_language(language_id)
    tools = {}
    for tool in lang.tools:
        found = shutil.which(tool, path=SYSTEM_PATH)
        if found is None:
            raise DataError(tool, None, f"{lang.title}: {tool} is not installed (run scripts/setup.sh)")
        tools[tool] = os.path.realpath(found)
    return tools


@cache
def toolchain_version(language_id: str) -> str:
    """First line of the main tool's version output: part of every compiled artifact's cache key."""
    lang = get_language(language_id)
    tool = resolve_tools(language_id)[lang.tools[0]]
    out = subprocess.run([tool, *lang.version_args], capture_output=True, text=True, timeout=60,
                         env={"PATH": SYSTEM_PATH})
    text = (out.stdout or out.stderr).strip()
    return f"{tool} {text.splitlines()[0] if text else '?'}"
