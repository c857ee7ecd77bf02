"""contests/ holds a language as an id, whatever languages the judge knows (judge.languages):
a native problem keeps solutions in any language, and refuses only what is not an id."""

from __future__ import annotations

import json

import pytest

from contests.errors import DataError
from contests.model import Problem, Solution, TestCase
from contests.native import read_problem, write_problem


def test_solutions_in_any_language_round_trip(tmp_path):
    problem = Problem("p", "p", tests=[TestCase("1\n", "1\n")],
                      solutions=[Solution("print(1)\n", "python"), Solution("echo 1\n", "sh", correct=False)])
    write_problem(tmp_path / "p", problem)
    files = [s["file"] for s in json.loads((tmp_path / "p" / "problem.json").read_text())["solutions"]]
    assert files == ["solutions/correct-1.py", "solutions/incorrect-2.sh"]
    assert read_problem(tmp_path / "p").solutions == [Solution("print(1)\n", "python", True, files[0]),
                                                      Solution("echo 1\n", "sh", False, files[1])]


def test_what_is_not_a_language_id_is_refused(tmp_path):
    write_problem(tmp_path / "p", Problem("p", "p", tests=[TestCase("1\n", "1\n")],
                                          solutions=[Solution("print(1)\n", "python")]))
    meta_path = tmp_path / "p" / "problem.json"
    meta = json.loads(meta_path.read_text())
    meta["solutions"][0]["language"] = "../C++"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(DataError, match=r"solutions\[0\]\.language.*not a language id"):
        read_problem(tmp_path / "p")
