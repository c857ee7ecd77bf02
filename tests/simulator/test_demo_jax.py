"""`csim demo` with the JAX solver, end to end: fine-tune the tiny model on the demo's problems,
sample -> filter -> cluster -> judge -> score -> place -> rate -> SQL, read back from the store;
a second demo (here into PostgreSQL) reuses the trained model."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from simulator.cli import main as csim
from simulator.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("csim-home")


def demo(home, *args: str):
    out = CliRunner().invoke(csim, ["demo", "--json", *args], env={"CSIM_HOME": str(home)})
    assert out.exit_code == 0, out.stderr + repr(out.exception)
    (report,) = json.loads(out.stdout)
    return report, out.stderr


def check_jax_run(store: Store, report: dict) -> None:
    run = store.run(report["run"]["id"])
    assert run.status == "done" and run.solver_version.name == "jax"
    assert run.solver_version.config["sampling"]["headers"] == "problem"
    assert run.solver_version.checkpoint_digest  # the weights identify the version
    problems = store.problem_results(run.id)
    assert [p.problem.index for p in problems] == list("ABCDE") and all(p.scored for p in problems)
    assert all(p.stats["drawn"] == 64 for p in problems)  # the demo's budget, sampled for real
    judged = {}
    for s in store.submissions(run.id):
        judged.setdefault(s.problem_id, []).append(s.verdict)
    for p in problems:  # judged in order until the first accepted one, never past it
        verdicts = [v for v in judged.get(p.problem_id, []) if v is not None]
        assert verdicts == judged[p.problem_id][:len(verdicts)]
        assert ("OK" in verdicts) == p.solved and verdicts.count("OK") <= 1
    solved = [p for p in problems if p.solved]
    assert len(solved) >= 4  # the model memorised the demo's programs
    (contest,) = store.contest_results(run.id)
    assert contest.solved == len(solved) and contest.made_up


def test_demo_trains_the_model_then_replays_with_it(home):
    report, err = demo(home)
    assert "memorises" in err and "MADE UP" in err and "Fine-tuning the `tiny` model" in err
    with Store(home / "csim.db") as store:
        check_jax_run(store, report)
    assert report["summary"]["made_up"] and any("MADE UP" in n for n in report["notes"])


@pytest.mark.postgres
def test_a_second_demo_reuses_the_model_and_writes_to_postgresql(home, pg_url):
    report, err = demo(home, "--db", pg_url)
    assert "Reusing the trained demo model" in err and "Fine-tuning" not in err
    with Store(pg_url) as store:
        check_jax_run(store, report)
