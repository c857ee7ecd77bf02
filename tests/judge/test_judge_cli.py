"""`csim judge SOURCE --problem PATH` and `csim judge doctor`, through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from contests.model import Problem, TestCase
from contests.native import write_problem
from simulator.cli import main

CSIM = [str(Path(sys.executable).parent / "csim")]


@pytest.fixture(scope="module")
def native(tmp_path_factory):
    d = tmp_path_factory.mktemp("problem") / "sum"
    write_problem(d, Problem("sum", "A + B", tests=[TestCase("1 2\n", "3\n"), TestCase("5 5\n", "10\n")],
                             time_limit=1.0, memory_limit=64 << 20))
    return d


def source(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def invoke(*args):
    result = CliRunner().invoke(main, ["judge", *map(str, args)])
    return result


def test_judges_a_native_problem_as_json(tmp_path, native):
    src = source(tmp_path, "sum.py", "a, b = map(int, input().split())\nprint(a + b)\n")
    result = invoke(src, "--problem", native, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["verdict"] == "OK" and out["problem"] == "sum" and out["language"] == "python"
    assert [t["verdict"] for t in out["tests"]] == ["OK", "OK"]
    assert {"number", "cpu_seconds", "wall_seconds", "memory_bytes", "exit_code", "signal", "message"} <= set(out["tests"][0])
    assert [t["number"] for t in out["tests"]] == [1, 2]  # numbered as the text table numbers them


def test_a_rejection_still_exits_zero(tmp_path, native):
    src = source(tmp_path, "wrong.cpp", "#include <cstdio>\nint main() { puts(\"0\"); }\n")
    result = invoke(src, "--problem", native, "--json", "--all-tests")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    # 1-based, as the text says "test 1"
    assert out["verdict"] == "WA" and out["failed_test_number"] == 1 and len(out["tests"]) == 2
    human = invoke(src, "--problem", native)
    assert human.exit_code == 0 and "verdict: WA" in human.stdout


def test_a_codecontests_record_by_name_with_its_note(tmp_path, shared_data, codecontests_dev):
    problem = next(p for p in codecontests_dev if p.id == "177B1")
    src = source(tmp_path, "human.txt", problem.correct_solutions[0].source)
    result = invoke(src, "--problem", shared_data / "codecontests" / "dev.jsonl",
                    "--problem-name", "177_B1. Rectangular Game", "--lang", "python", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["verdict"] == "OK" and len(out["tests"]) == 10
    assert out["notes"] == ["limits defaulted to 2 s / 256 MB (the problem gives none)"]


@pytest.mark.parametrize("args, message", [
    (["{src}", "--problem", "/nonexistent"], "no such file or directory"),
    (["{src}", "--problem", "{shared}/codecontests/dev.jsonl"], "--problem-name"),
    (["{src}", "--problem", "{shared}/codecontests/dev.jsonl", "--problem-name", "nope"], "nope"),
    (["{rb}", "--problem", "{native}"], "say it with --lang"),
])
def test_the_judge_not_running_is_one_line_and_non_zero(tmp_path, native, shared_data, args, message):
    src = source(tmp_path, "a.py", "print(1)\n")
    rb = source(tmp_path, "a.rb", "puts 1\n")
    args = [a.format(src=src, rb=rb, native=native, shared=shared_data) for a in args]
    result = invoke(*args)
    assert result.exit_code != 0
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr


def test_doctor_reports_layers_and_judges_each_language():
    result = invoke("doctor", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["ok"] and out["sandbox"] == "local"
    assert {layer["name"] for layer in out["layers"] if layer["active"]} >= {"bubblewrap", "seccomp", "cgroup-memory"}
    assert {lang: s["verdict"] for lang, s in out["smoke"].items()} == {"python": "OK", "cpp": "OK", "java": "OK"}


def test_the_installed_command(tmp_path, native):
    """The console script itself: the default subcommand, and exit status 0 on a wrong answer."""
    src = source(tmp_path, "zero.py", "print(0)\n")
    out = subprocess.run([*CSIM, "judge", str(src), "--problem", str(native), "--json"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["verdict"] == "WA"
    explicit = subprocess.run([*CSIM, "judge", "run", str(src), "--problem", str(native)], capture_output=True,
                              text=True, timeout=120)
    assert explicit.returncode == 0 and "verdict: WA" in explicit.stdout


@pytest.mark.parametrize("meta, message", [
    ({"time_limit": float("nan")}, "time_limit: nan is not a time limit"),
    ({"time_limit": float("inf")}, "time_limit: inf is not a time limit"),
    ({"time_limit": 1e300}, "time_limit: 1e+300 is not a time limit"),
    ({"memory_limit": 1}, "memory_limit: 1 is not a memory limit"),
    ({"memory_limit": 10 ** 30}, "memory_limit: 1000000000000000000000000000000 is not a memory limit"),
    ({"tests": []}, "has no tests to judge on"),
])
def test_limits_no_run_can_be_judged_under_are_refused_naming_the_file(tmp_path, meta, message):
    # Each reached a traceback or an IE with exit status 0 before.
    tests = meta.pop("tests", [TestCase("1\n", "1\n")])
    limits = {"time_limit": 1.0, "memory_limit": 64 << 20, **meta}
    problem = tmp_path / "p"
    write_problem(problem, Problem("p", "p", tests=tests, **limits))
    result = invoke(source(tmp_path, "a.py", "print(1)\n"), "--problem", problem)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and message in result.stderr and str(problem) in result.stderr, \
        result.stderr


def test_a_negative_worker_count_is_refused_naming_the_flag(tmp_path, native):
    result = invoke(source(tmp_path, "a.py", "print(1)\n"), "--problem", native, "--workers", "-3")
    assert result.exit_code == 2 and "--workers: -3 is out of range" in result.stderr, result.output
