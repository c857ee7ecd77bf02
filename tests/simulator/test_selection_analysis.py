"""`csim analyze selection` on a run whose samples' correctness and clusters are known: a samples
file of programs for the demo's problem A, some correct, some passing the examples but wrong
(two behaviours), some failing the examples, each with a log-probability and a value score; replayed
with --sample-metrics by the samples solver and the real judge. The random strategies are checked
against their closed forms, the ranked ones against the picks the file's scores dictate, clustering
against what the solver really submitted."""

from __future__ import annotations

import json
from math import comb

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.stats import hypergeom

from contests.demo import demo_contest
from contests.metrics import pass_at_k
from simulator.analysis.selection import NO_VALUE, _distinct_passing, _top, clustering_picks, load_outcomes, selection
from simulator.cli import main as csim
from simulator.replay import ReplaySettings
from simulator.store import Store
from solver.solvers.samples_file import SamplesFileSolver

from sim_helpers import ScriptedSolver, replay

pytestmark = pytest.mark.slow

READ = "n, k = map(int, input().split())\n"
# (kind, source, logprob, value): kinds "correct", "hardcoded" and "parity" pass the examples
# (10 3 -> 3 1, 12 4 -> 3 0); only "correct" passes the hidden tests; "wrong" fails the examples.
SAMPLES = (
    [("correct", READ + f"print(n // k, n % k)  # c{i}\n", -30.0 - i, 0.9) for i in range(3)]
    + [("correct", READ + "print(*divmod(n, k))\n", -31.0, 0.8)] * 3  # one program drawn three times
    + [("hardcoded", READ + f"print(n // k, n % k if n in (10, 12) else 0)  # h{i}\n", -1.0 - i / 10, 0.2)
       for i in range(12)]
    + [("parity", READ + f"print(n // k, n % k % 2)  # p{i}\n", -10.0 - i, 0.1) for i in range(3)]
    + [("wrong", READ + f"print(n // k, k % n)  # w{i}\n", -0.5, 0.95) for i in range(16)]
)
N = len(SAMPLES)  # 37 drawn
CORRECT = sum(kind == "correct" for kind, *_ in SAMPLES)  # 6 drawn, 4 distinct
PASSING = sum(kind != "wrong" for kind, *_ in SAMPLES)  # 21


@pytest.fixture(scope="module")
def stored(tmp_path_factory, judge):
    root = tmp_path_factory.mktemp("selection")
    samples = root / "samples.jsonl"
    samples.write_text("".join(json.dumps({"problem": "demo-A", "language": "python", "source": src, "logprob": lp,
                                           "tokens": 10, "value": v}) + "\n" for _, src, lp, v in SAMPLES))
    db = f"sqlite:///{root / 'csim.db'}"
    contest = demo_contest()
    with Store(db) as store:
        run = replay(store, SamplesFileSolver(samples, judge), [contest], judge,
                     settings=ReplaySettings(sample_metrics=True))
        plain = replay(store, ScriptedSolver(), [contest], judge, seed=3)
    return {"db": db, "run": run, "plain": plain}


def test_every_drawn_sample_is_stored_with_its_known_verdicts_and_cluster(stored):
    with Store(stored["db"]) as store:
        (outcomes,) = [o for o in store.sample_outcomes(stored["run"]).values()]
    assert [o.index for o in outcomes] == list(range(N))
    for o, (kind, _, logprob, value) in zip(outcomes, SAMPLES):
        assert o.passed_examples == (kind != "wrong"), (o.index, kind)
        assert o.passed_hidden == ({"correct": True, "wrong": None}.get(kind, False)), (o.index, kind)
        assert (o.logprob, o.tokens, o.value, o.language) == (logprob, 10, value, "python")
    assert [o.duplicate_of for o in outcomes[3:6]] == [None, 3, 3]
    clusters = {kind: {o.cluster for o, (k, *_) in zip(outcomes, SAMPLES) if k == kind} for kind, *_ in SAMPLES}
    # one cluster per behaviour, ranked by distinct programs: 12 hard-coded, 4 correct, 3 parity
    assert clusters == {"hardcoded": {0}, "correct": {1}, "parity": {2}, "wrong": {None}}
    submitted = sorted((o for o in outcomes if o.submitted is not None), key=lambda o: o.submitted)
    # round 1: each cluster's first member; then wrap-round over the clusters' next members
    assert [o.index for o in submitted] == [6, 0, 18, 7, 1, 19, 8, 2, 20, 9]


def test_strategies_match_their_closed_forms_and_known_picks(stored):
    with Store(stored["db"]) as store:
        result = selection(store, [stored["run"]], draws=4000)
        (problem,), why, _ = load_outcomes(store, [stored["run"]])
    assert result["ks"] == [1, 2, 5, 10, 20, N]
    assert why == {"logprob": None, "value": None}
    curves = result["curves"]
    assert set(curves) == {"random", "examples_random", "logprob", "value", "clustering", "oracle"}
    for j, k in enumerate(result["ks"]):
        point = {s: curves[s][j]["mean"] for s in curves}
        assert all(curves[s][j]["k"] == k and curves[s][j]["problems"] == 1 for s in curves)
        # random 10 of k drawn = 10 of all N at random: hypergeometric
        m = min(k, 10)
        assert point["random"] == pytest.approx(1 - comb(N - CORRECT, m) / comb(N, m), abs=0.025)
        # random 10 of the k's samples passing the examples: e' ~ Hypergeometric, then 10 of those
        exact = sum(hypergeom(N, PASSING, k).pmf(e) * (1 - comb(PASSING - CORRECT, min(e, 10)) / comb(PASSING, min(e, 10)))
                    for e in range(0, min(k, PASSING) + 1))
        assert point["examples_random"] == pytest.approx(exact, abs=0.025)
        assert point["oracle"] == pytest.approx(pass_at_k(N, CORRECT, k), abs=0.025)
        assert point["oracle"] >= max(point[s] for s in curves)  # per sub-sample, so exactly on the means
    at_all = {s: curves[s][-1]["mean"] for s in curves}
    # all samples: the 12 hard-coded programs outrank the correct ones by log-probability, the
    # correct ones have the highest value score among those passing, clustering reaches the correct cluster
    assert (at_all["logprob"], at_all["value"], at_all["clustering"], at_all["oracle"]) == (0.0, 1.0, 1.0, 1.0)
    everything = np.arange(N)
    distinct = _distinct_passing(problem, everything)
    assert list(distinct) == [0, 1, 2, 3, *range(6, 21)]  # copies 4 and 5 of sample 3 left out
    assert sorted(_top(problem.logprob, distinct, 10)) == list(range(6, 16))  # the ten of highest logprob
    assert clustering_picks(problem, distinct, 10) == list(problem.submitted)  # what the solver did
    top = {(d["a"], d["b"]): d for d in result["differences"] if d["k"] == N}
    assert top["clustering", "logprob"]["mean"] == 1.0 and top["clustering", "logprob"]["ci95"] == [1.0, 1.0]
    assert top["oracle", "clustering"]["mean"] == 0.0
    assert all(d["mean"] >= 0 for d in result["differences"] if d["a"] == "oracle")


def test_the_same_seed_gives_the_same_figures(stored):
    with Store(stored["db"]) as store:
        first, again = (selection(store, [stored["run"]], draws=50) for _ in range(2))
    assert first == again


def test_cli_prints_the_strategies_and_json_and_refuses_runs_without_outcomes(stored):
    out = CliRunner().invoke(csim, ["analyze", "selection", str(stored["run"]), "--db", stored["db"], "--json",
                                    "--draws", "100"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert result["curves"]["clustering"][-1]["mean"] == 1.0
    out = CliRunner().invoke(csim, ["analyze", "selection", str(stored["run"]), "--db", stored["db"], "--draws", "100"])
    assert out.exit_code == 0, out.output
    assert "clustering: clustering (AlphaCode)" in out.output and "oracle" in out.output
    out = CliRunner().invoke(csim, ["analyze", "selection", str(stored["plain"]), "--db", stored["db"]])
    assert out.exit_code == 2
    assert "--sample-metrics" in out.output and len(out.output.strip().splitlines()) == 1


def test_value_strategy_is_not_available_without_scores(tmp_path, judge):
    """A samples file without value scores (as csim's JAX sampler writes): the value strategy is
    said to be not available, never computed from nothing."""
    samples = tmp_path / "samples.jsonl"
    samples.write_text("".join(json.dumps({"problem": "demo-A", "language": "python", "source": src,
                                           "logprob": lp}) + "\n" for _, src, lp, _ in SAMPLES[:8]))
    with Store(f"sqlite:///{tmp_path / 'csim.db'}") as store:
        run = replay(store, SamplesFileSolver(samples, judge), [demo_contest()], judge,
                     settings=ReplaySettings(sample_metrics=True))
        result = selection(store, [run], draws=20)
    by_name = {s["name"]: s for s in result["strategies"]}
    assert not by_name["value"]["available"] and by_name["value"]["why"] == NO_VALUE
    assert "value" not in result["curves"] and by_name["logprob"]["available"]
    assert any("summed log-probability" in n for n in result["notes"])
