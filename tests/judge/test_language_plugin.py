"""A language is one file: a toy one (POSIX shell scripts), added from outside csim by the
`csim.languages` entry point, judged through the installed command line like the built-in ones.

The plug-in is what a newcomer would write: a module defining LANGUAGE, and a distribution's
metadata naming it in the entry-point group (here a bare .dist-info folder beside the module on
PYTHONPATH, which is what `pip install` of a package declaring the entry point leaves)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from contests.model import Problem, TestCase
from contests.native import write_problem

CSIM = str(Path(sys.executable).parent / "csim")

SHELL_LANGUAGE = '''
from judge.languages import Language


class Shell(Language):
    def run_argv(self, tools, directory, source_name, memory_limit):
        return [tools["sh"], f"{directory}/{source_name}"]


LANGUAGE = Shell(id="{id}", title="POSIX shell", extensions=(".sh",), tools=("sh",), version_args=("-c", "echo sh"),
                 self_test="read a b\\necho $((a + b))\\n")
'''


def plugin(root: Path, language_id: str = "sh") -> dict:
    """The toy language as an installed plug-in under ROOT; the environment that sees it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "csim_shell_language.py").write_text(SHELL_LANGUAGE.replace("{id}", language_id))
    info = root / "csim_shell_language-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: csim-shell-language\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[csim.languages]\nsh = csim_shell_language:LANGUAGE\n")
    return {**os.environ, "PYTHONPATH": str(root)}


def csim(env: dict, *args) -> subprocess.CompletedProcess:
    return subprocess.run([CSIM, *map(str, args)], capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def native(tmp_path_factory):
    d = tmp_path_factory.mktemp("problem") / "sum"
    write_problem(d, Problem("sum", "A + B", tests=[TestCase("1 2\n", "3\n"), TestCase("5 5\n", "10\n")],
                             time_limit=1.0, memory_limit=64 << 20))
    return d


def test_a_plugged_in_language_is_judged_through_the_command_line(tmp_path, native):
    env = plugin(tmp_path / "site")
    right = tmp_path / "sum.sh"
    right.write_text("read a b\necho $((a + b))\n")
    wrong = tmp_path / "diff.sh"
    wrong.write_text("read a b\necho $((a - b))\n")
    out = csim(env, "judge", "run", right, "--problem", native, "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["language"] == "sh" and result["verdict"] == "OK" and len(result["tests"]) == 2
    out = csim(env, "judge", "run", wrong, "--problem", native, "--lang", "sh", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["verdict"] == "WA"
    # Without the plug-in, csim does not know the language.
    out = csim({**os.environ, "PYTHONPATH": ""}, "judge", "run", right, "--problem", native, "--lang", "sh")
    assert out.returncode == 2 and "unknown language 'sh'" in out.stderr


def test_doctor_runs_the_plugged_in_languages_self_test(tmp_path):
    out = csim(plugin(tmp_path / "site"), "judge", "doctor", "--json")
    report = json.loads(out.stdout)
    assert report["smoke"]["sh"]["verdict"] == "OK", report["smoke"]
    assert {"python", "cpp", "java", "sh"} <= set(report["toolchains"])


def test_a_plugin_may_not_take_a_built_in_languages_id(tmp_path):
    env = plugin(tmp_path / "site", language_id="python")
    out = subprocess.run([sys.executable, "-c", "from judge.languages import language_ids; language_ids()"],
                         capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode != 0 and "language 'python' is already declared in judge.languages.python" in out.stderr
