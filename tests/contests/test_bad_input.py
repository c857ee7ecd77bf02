"""Bad input files end in one line on stderr naming the file and what is wrong, exit 2: never a
traceback or an internal error, and nothing stored half-written (issue 11, item 7)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main

DATA = Path(__file__).parent / "data"


def record(**fields) -> dict:
    """A small, valid CodeContests record; FIELDS replace its own."""
    base = {"name": "1_A. Echo", "description": "Print the input.\n", "cf_contest_id": 1, "cf_index": "A",
            "public_tests": {"input": ["1\n"], "output": ["1\n"]},
            "private_tests": {"input": ["2\n"], "output": ["2\n"]},
            "time_limit": {"seconds": 1}, "memory_limit_bytes": 256000000,
            "solutions": {"language": [3], "solution": ["print(input())\n"]}}
    return {**base, **fields}


def jsonl(*records) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def native_problem(tmp_path: Path, **meta) -> Path:
    directory = tmp_path / "problem"
    (directory / "tests").mkdir(parents=True)
    (directory / "tests" / "001.in").write_text("1\n")
    (directory / "tests" / "001.ans").write_text("1\n")
    (directory / "problem.json").write_text(json.dumps({"format": "csim-problem/1", "id": "1A", "name": "Echo",
                                                        **meta}))
    return directory


# name -> (file content, the text the error must hold)
PROBLEM_FILES = {
    "not UTF-8": (jsonl(record()) + b'{"name": "\xff\xfe"}\n', "line 2, byte"),
    "lone surrogate in a test": (jsonl(record()).replace(b'"2\\n"]', b'"\\ud800"]', 1), "private_tests.input[0]"),
    "lone surrogate in the statement": (jsonl(record(description="x\udfff")), "description"),
    "time limit a string": (jsonl(record(time_limit="abc")), "time_limit"),
    "time limit a bool": (jsonl(record(time_limit=True)), "time_limit"),
    "time limit seconds a string": (jsonl(record(time_limit={"seconds": "abc"})), "time_limit"),
    "memory limit a string": (jsonl(record(memory_limit_bytes="abc")), "memory_limit_bytes"),
    "solutions a string": (jsonl(record(solutions="x")), "solutions"),
    "solution sources not strings": (jsonl(record(solutions={"language": [3], "solution": [7]})), "solutions"),
    "cf_index a number": (jsonl(record(cf_index=5)), "cf_index"),
    "nested 100,000 deep": (b"[" * 100_000 + b"]" * 100_000 + b"\n", "nested too deep"),
}


@pytest.fixture
def csim(tmp_path, monkeypatch):
    monkeypatch.setenv("CSIM_HOME", str(tmp_path / "home"))

    def run(*args):
        result = CliRunner().invoke(main, [str(a) for a in args])
        return result

    return run


def assert_one_line_error(result, path: Path, words: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and words in lines[0], lines


@pytest.mark.parametrize("case", PROBLEM_FILES)
@pytest.mark.parametrize("command", ["judge run", "contests validate", "solve"])
def test_a_bad_problem_file_is_one_line(csim, tmp_path, command, case):
    content, words = PROBLEM_FILES[case]
    bad = tmp_path / "problems.jsonl"
    bad.write_bytes(content)
    source = tmp_path / "echo.py"
    source.write_text("print(input())\n")
    args = {"judge run": ["judge", "run", source, "--problem", bad, "--sandbox", "none"],
            "contests validate": ["contests", "validate", bad, "--sandbox", "none"],
            "solve": ["solve", "--problem", bad, "--sandbox", "none"]}[command]
    assert_one_line_error(csim(*args, "--problem-name", "1_A. Echo"), bad, words)


SAMPLES_FILES = {
    "not UTF-8": (b'{"problem": "1A", "language": "python", "source": "print(1)\xff"}\n', "line 1, byte"),
    "lone surrogate in a source": (b'{"problem": "1A", "language": "python", "source": "\\udc80"}\n',
                                   "line 1: source"),
    "nested 100,000 deep": (b"\n" + b"{\"a\":" * 100_000 + b"1" + b"}" * 100_000 + b"\n", "line 2"),
}


@pytest.mark.parametrize("case", SAMPLES_FILES)
def test_a_bad_samples_file_is_one_line(csim, tmp_path, case):
    content, words = SAMPLES_FILES[case]
    problems = tmp_path / "problems.jsonl"
    problems.write_bytes(jsonl(record()))
    samples = tmp_path / "samples.jsonl"
    samples.write_bytes(content)
    result = csim("solve", "--problem", problems, "--problem-name", "1A", "--solver", f"samples:{samples}",
                  "--sandbox", "none")
    assert_one_line_error(result, samples, words)


@pytest.mark.parametrize("meta, field", [({"time_limit": "abc"}, "time_limit"), ({"time_limit": True}, "time_limit"),
                                         ({"memory_limit": "256m"}, "memory_limit"),
                                         ({"name": "\ud800"}, "name")])
def test_a_bad_native_problem_is_one_line(csim, tmp_path, meta, field):
    problem = native_problem(tmp_path, **meta)
    source = tmp_path / "echo.py"
    source.write_text("print(input())\n")
    result = csim("judge", "run", source, "--problem", problem, "--sandbox", "none")
    assert_one_line_error(result, problem / "problem.json", field)


def test_a_native_test_file_not_utf8_is_one_line(csim, tmp_path):
    problem = native_problem(tmp_path)
    (problem / "tests" / "001.in").write_bytes(b"1\n\xc3\x28\n")
    source = tmp_path / "echo.py"
    source.write_text("print(input())\n")
    result = csim("judge", "run", source, "--problem", problem, "--sandbox", "none")
    assert_one_line_error(result, problem / "tests" / "001.in", "line 2, byte 2")


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 64 KiB file system (tmpfs), to fill for real; needs root."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def test_disk_full_keeps_the_stored_contest_and_says_so(tmp_path, tiny_disk, monkeypatch):
    monkeypatch.setenv("CSIM_HOME", str(tiny_disk))
    sources = [DATA / "cfapi-9001-standings.json", DATA / "cfapi-9001-ratingChanges.json"]
    runner = CliRunner()
    assert runner.invoke(main, ["contests", "import", *map(str, sources)]).exit_code == 0
    stored = tiny_disk / "contests" / "9001"
    before = {p.relative_to(stored): p.read_bytes() for p in stored.rglob("*") if p.is_file()}
    with open(tiny_disk / "filler", "wb", buffering=0) as filler:  # fill the disk to the last byte
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError:
            pass
    result = runner.invoke(main, ["contests", "import", *map(str, sources)])
    assert_one_line_error(result, stored, "no space left on device")
    after = {p.relative_to(stored): p.read_bytes() for p in stored.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in (tiny_disk / "contests").iterdir()] == ["9001"]  # no half-built copy beside it
