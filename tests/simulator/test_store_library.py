"""The contest library in the SQL store (simulator.store.library): a team on one PostgreSQL database
imports a contest once and replays it from any machine, with nothing of it on that machine."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from contests.demo import demo_contest
from contests.errors import DataError
from contests.native import write_contest
from simulator.cli import main as csim
from simulator.store import Store
from simulator.store.library import SqlContestLibrary


def team_contest():
    """The demo contest under an id of its own (`demo` and its id name the built-in copy)."""
    return replace(demo_contest(), id="team-1", name="Team round")


def test_a_contest_comes_back_from_the_store_as_from_a_directory_library(db_url, tmp_path):
    from contests.library import ContestLibrary

    directory = ContestLibrary(tmp_path / "contests")
    directory.add(team_contest())
    contest = directory.get("team-1")
    with Store(db_url) as store:
        library = SqlContestLibrary(store)
        assert library.ids() == []
        library.add(contest)
        library.add(contest)  # again: replaced whole, not doubled
        back = library.get("team-1")
        assert library.ids() == ["team-1"]
        (summary,) = library.list()
    assert back.origin.endswith("#contest=team-1") and "team-1" in back.problems[0].origin
    assert replace(back, origin="", problems=[replace(p, origin="") for p in back.problems]) == \
        replace(contest, origin="", problems=[replace(p, origin="") for p in contest.problems])
    assert (summary.id, summary.problems, summary.participants, summary.made_up) == ("team-1", 5, 300, True)


def test_a_contest_not_in_the_store_is_a_one_line_error_naming_the_database(db_url):
    with Store(db_url) as store:
        library = SqlContestLibrary(store)
        with pytest.raises(DataError, match="no such contest in the library of this database"):
            library.get("nowhere")
        library.add(team_contest())
        assert [s.id for s in library.after(datetime(2000, 1, 1, tzinfo=timezone.utc))] == \
            ([] if team_contest().start_time is None else ["team-1"])


def invoke(*args: str, home) -> tuple[int, str, str]:
    out = CliRunner().invoke(csim, list(args), env={"CSIM_HOME": str(home)})
    return out.exit_code, out.stdout, out.stderr


@pytest.mark.slow
@pytest.mark.postgres
def test_import_on_one_machine_replay_from_another_with_a_clean_home(pg_url, tmp_path):
    source = write_contest(tmp_path / "exported" / "team-1", team_contest())
    first, second = tmp_path / "alice", tmp_path / "bob"
    code, out, err = invoke("contests", "import", str(source), "--db", pg_url, "--json", home=first)
    assert code == 0, err
    assert not (first / "contests").exists()  # into the team's database, not alice's home
    code, out, err = invoke("contests", "list", "--db", pg_url, "--json", home=second)
    assert code == 0, err and [c["id"] for c in json.loads(out)] == ["team-1"]

    code, out, err = invoke("replay", "--contest", "team-1", "--solver", "reference", "--max-submissions", "1",
                            "--db", pg_url, "--json", home=second)
    assert code == 0, err
    (report,) = json.loads(out)
    assert report["run"]["status"] == "done"
    assert [p["index"] for p in report["problems"]] == ["A", "B", "C", "D", "E"]
    assert all(p["solved"] for p in report["problems"])  # the reference solutions, judged on the stored tests
    assert not (second / "contests").exists()
    with Store(pg_url) as store:
        assert store.run(report["run"]["id"]).settings["library"] == "store"
    # and --resume finds the contest in the store again
    code, out, err = invoke("replay", "--resume", str(report["run"]["id"]), "--db", pg_url, "--json", home=second)
    assert code == 0, err
