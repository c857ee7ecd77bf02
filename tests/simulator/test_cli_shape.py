"""One word per thing across the command line: the store, the solver, counts and test numbers
(issue 12). Each case here was a silent surprise before: an empty store at a mistyped path, a
password printed, flags that --resume ignored, a usage line naming a command that is not there."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from simulator.cli import main as csim
from simulator.store import Store


def invoke(*args, home):
    result = CliRunner().invoke(csim, [str(a) for a in args], env={"CSIM_HOME": str(home)})
    return result.exit_code, result.stdout, result.stderr


def test_a_db_path_in_a_folder_that_does_not_exist_is_refused_not_created(tmp_path):
    db = tmp_path / "no-such-folder" / "csim.db"
    code, _, err = invoke("runs", "list", "--db", db, home=tmp_path)
    assert code == 2 and "no such folder for the database file" in err and str(db) in err
    assert not db.parent.exists()


def test_a_database_url_is_printed_with_its_password_masked(tmp_path):
    code, _, err = invoke("runs", "list", "--db", "postgresql+psycopg://postgres:hunter2@127.0.0.1:1/none",
                          home=tmp_path)
    assert code == 2 and "hunter2" not in err and "postgres:***@127.0.0.1:1" in err


def test_the_store_names_itself_without_its_password():
    from simulator.store.engine import masked_url

    assert masked_url("postgresql+psycopg://u:secret@h/db") == "postgresql+psycopg://u:***@h/db"
    assert masked_url("/tmp/x.db") == "/tmp/x.db"


@pytest.mark.parametrize("flags", [["--seed", "3"], ["--solver", "reference"], ["--samples", "5"],
                                   ["--sandbox", "none"], ["--label", "x"], ["--temperature", "0.5"]])
def test_resume_refuses_flags_that_would_change_the_run(tmp_path, flags):
    db = tmp_path / "csim.db"
    with Store(db):
        pass
    code, _, err = invoke("replay", "--resume", "1", *flags, "--db", db, home=tmp_path)
    assert code == 2 and "a resumed run keeps its own settings" in err and flags[0] in err, err


def test_resume_takes_where_and_how_fast_to_judge(tmp_path):
    db = tmp_path / "csim.db"
    with Store(db):
        pass
    code, _, err = invoke("replay", "--resume", "1", "--workers", "1", "--executor", "local", "--db", db, home=tmp_path)
    assert code == 2 and "no run 1 to resume" in err  # got past the flag check


def test_judge_help_shows_the_real_usage(tmp_path):
    code, out, _ = invoke("judge", "--help", home=tmp_path)
    assert code == 0 and "judge [run] SOURCE --problem PATH" in out and "judge doctor" in out  # CliRunner: "main"


@pytest.mark.parametrize("args, says", [
    (["demo", "--solver", "nonsense"], "unknown solver 'nonsense'"),
    (["replay", "--contest", "demo", "--samples", "s.jsonl"], "a samples file is given as --solver samples:FILE"),
    (["solver", "sample", "--problem", "p", "--run", "r", "--out", "o", "--samples", "0"],
     "--samples: 0 is out of range"),
])
def test_the_solver_and_the_sample_count_are_spelled_alike_everywhere(tmp_path, args, says):
    code, _, err = invoke(*args, "--db", tmp_path / "csim.db", home=tmp_path)
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1, err


def test_every_json_flag_says_what_it_prints():
    from click import Group

    def commands(group, path=()):
        for name in group.list_commands(None):
            command = group.get_command(None, name)
            if isinstance(command, Group):
                yield from commands(command, (*path, name))
            else:
                yield (*path, name), command

    missing = [" ".join(path) for path, command in commands(csim)
               for p in command.params if p.name == "as_json" and not p.help]
    assert not missing


def test_report_json_numbers_tests_from_one(tmp_path):
    code, out, err = invoke("replay", "--contest", "demo", "--max-submissions", "1", "--workers", "1", "--json",
                            "--db", tmp_path / "csim.db", home=tmp_path)
    assert code == 0, err
    code, out, err = invoke("report", "1", "--json", "--db", tmp_path / "csim.db", home=tmp_path)
    submissions = [s for subs in json.loads(out)["submissions"].values() for s in subs]
    tests = [t for s in submissions for t in s["tests"]]
    assert tests and all(t["number"] >= 1 for t in tests) and all("index" not in t for t in tests)
    assert all("failed_test" not in s and s["failed_test_number"] is None for s in submissions if s["verdict"] == "OK")
