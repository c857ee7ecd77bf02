"""The CodeContests importer on the real records in ../shared/data."""

from __future__ import annotations

import json

import pytest

from contests.errors import DataError
from contests.importers.codecontests import iter_codecontests, split_statement
from contests.native import read_problem, write_problem
from contests.problems import load_problem


def test_reads_every_real_record(codecontests_dev):
    assert len(codecontests_dev) == 244
    assert sum(len(p.tests) for p in codecontests_dev) == 2439  # the README's count of hidden tests
    assert all(p.limits_defaulted for p in codecontests_dev)  # the records carry no limits
    assert all(p.solutions and p.solutions[0].language == "python" for p in codecontests_dev)


def test_examples_are_clean_and_among_the_hidden_tests(codecontests_dev):
    for p in codecontests_dev:
        assert p.examples, p.id
        hidden = {(t.input.strip(), t.output.strip()) for t in p.tests}
        for e in p.examples:
            assert "##" not in e.output, p.id
            assert (e.input.strip(), e.output.strip()) in hidden, p.id


def test_statement_loses_the_appended_markdown(codecontests_dev):
    p = next(p for p in codecontests_dev if p.id == "1041E")
    assert p.name == "Tree Reconstruction" and p.contest_id == "1041" and p.index == "E"
    assert "## Categories" not in p.statement and "uv run" not in p.statement
    assert p.statement.rstrip().endswith("<image>")
    statement, examples = split_statement("Say hi.\n\nInput\n\n1\n")
    assert statement == "Say hi.\n\nInput\n\n1\n" and examples == []


def test_native_round_trip(codecontests_dev, tmp_path):
    p = codecontests_dev[7]
    write_problem(tmp_path / "p", p)
    q = read_problem(tmp_path / "p")
    for attr in ("id", "name", "statement", "examples", "tests", "time_limit", "memory_limit", "tags"):
        assert getattr(q, attr) == getattr(p, attr), attr
    assert [(s.source, s.language, s.correct) for s in q.solutions] == \
           [(s.source, s.language, s.correct) for s in p.solutions]
    assert load_problem(tmp_path / "p").id == p.id


@pytest.mark.parametrize("line, field", [
    ("{not json", "line 1"),
    (json.dumps({"name": "1_A. X"}), "line 1: description"),
    (json.dumps({"name": "1_A. X", "description": "", "private_tests": {"input": ["1"], "output": []}}),
     "line 1: private_tests"),
])
def test_bad_records_name_file_and_field(tmp_path, line, field):
    f = tmp_path / "bad.jsonl"
    f.write_text(line + "\n")
    with pytest.raises(DataError) as e:
        list(iter_codecontests(f))
    assert str(e.value).startswith(f"{f}: {field}")
    assert "\n" not in str(e.value)
