"""Python 3: checked for syntax at "compile" time (a SyntaxError is CE, as on Codeforces)."""

from __future__ import annotations

from judge.languages import Language

# Compiling without writing a .pyc: syntax errors only, as `python3 -m py_compile` would report them.
_SYNTAX_CHECK = "import sys; compile(open(sys.argv[1], 'rb').read(), sys.argv[1], 'exec')"


class Python(Language):
    def compile_argv(self, tools, source_name):
        return [tools["python3"], "-c", _SYNTAX_CHECK, source_name]

    def run_argv(self, tools, directory, source_name, memory_limit):
        return [tools["python3"], f"{directory}/{source_name}"]

    def python_fast_path(self) -> bool:
        return True


LANGUAGE = Python(
    id="python",
    title="Python 3",
    extensions=(".py",),
    tools=("python3",),
    mle_markers=("MemoryError",),
    # A fixed hash seed: set iteration order, hence output, is the same in every run and on both
    # the plain and the fast path (the forked interpreter shares its parent's seed).
    run_env={"PYTHONHASHSEED": "0", "PYTHONIOENCODING": "utf-8"},
    self_test="a, b = map(int, input().split())\nprint(a + b)\n",
)
