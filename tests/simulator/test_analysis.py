"""The analyses on stored runs, against answers known in closed form: scaling curves from sample
counts whose correct shares are set by the test, the copying check on a corpus that holds a
submission verbatim, and the suffix-array search against a brute-force longest common substring.

Runs are real replays (real CodeContests problems, judged by the real judge) of a solver whose
reported sample counts are fixed per problem (tests/simulator/analysis_helpers.py)."""

from __future__ import annotations

import json
import random
from math import comb

import pytest
from click.testing import CliRunner

from simulator.analysis.copying import CorpusIndex, Program
from simulator.analysis.scaling import k_grid, scaling
from simulator.cli import main as csim
from simulator.replay import ReplaySettings
from simulator.store import Store
from solver.interface import SampleStats

from analysis_helpers import CountingSolver, replay_seeds
from sim_helpers import ScriptedSolver, make_contests, replay, small_problems

pytestmark = pytest.mark.slow

N = 50
# (drawn, passed examples, passed hidden) per problem, and the solve share each has at k.
COUNTS = [(N, 10, 10), (N, 50, 5), (N, 20, 0)]


def exact_pass(n: int, c: int, k: int) -> float:
    return 1.0 - comb(n - c, k) / comb(n, k)


def exact_ten(n: int, e: int, c: int, k: int) -> float:
    """10@k where every sample passing the examples is correct (e == c), or every sample passes the
    examples (e == n: 10 of the k drawn are submitted at random, i.e. 10 of all n), or none is right."""
    if c == 0:
        return 0.0
    if e == c:
        return exact_pass(n, c, k)
    assert e == n
    return exact_pass(n, c, min(k, 10))


@pytest.fixture(scope="module")
def stored(tmp_path_factory, codecontests_dev, judge):
    """A store with a group of 2 seeds over 1 contest of 3 problems with COUNTS, and a run without
    sample metrics."""
    root = tmp_path_factory.mktemp("analysis")
    contests = make_contests(small_problems(codecontests_dev, 3), per_contest=3)
    counts = {p.id: SampleStats(drawn=d, distinct=d, passed_examples=e, clusters=min(e, 5), passed_hidden=h)
              for p, (d, e, h) in zip(contests[0].problems, COUNTS)}
    db = f"sqlite:///{root / 'csim.db'}"
    with Store(db) as store:
        runs = replay_seeds(store, CountingSolver(counts=counts), contests, judge, [0, 1], root / "library")
        plain = replay(store, ScriptedSolver(), contests, judge, seed=5)
    return {"db": db, "runs": runs, "plain": plain, "contests": contests}


def test_scaling_curves_equal_the_closed_forms_of_known_sample_counts(stored):
    with Store(stored["db"]) as store:
        result = scaling(store, stored["runs"], draws=20000)
    assert result["ks"] == [1, 2, 5, 10, 20, 50]
    for point in result["overall"]:
        k = point["k"]
        assert point["problems"] == 3
        assert point["pass_at_k"]["mean"] == pytest.approx(sum(exact_pass(n, c, k) for n, _, c in COUNTS) / 3, abs=1e-9)
        # 10@k is Monte Carlo (AlphaCode's Algorithm 1): within a few standard errors of 20,000 draws.
        assert point["ten_at_k"]["mean"] == pytest.approx(sum(exact_ten(n, e, c, k) for n, e, c in COUNTS) / 3, abs=0.01)
        low, high = point["pass_at_k"]["ci95"]
        assert low <= point["pass_at_k"]["mean"] <= high
    # at k = 50 every sample is taken: a problem with any correct sample is solved by pass@k
    assert result["overall"][-1]["pass_at_k"]["mean"] == pytest.approx(2 / 3)
    assert list(result["contests"]) == [stored["contests"][0].id]


def test_k_grid_steps_evenly_on_a_log_axis_and_ends_at_the_samples_drawn():
    assert k_grid(1) == [1]
    assert k_grid(64) == [1, 2, 5, 10, 20, 50, 64]
    assert k_grid(1000) == [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]


def test_scaling_command_prints_json_and_refuses_a_run_without_sample_metrics(stored):
    runner = CliRunner()
    out = runner.invoke(csim, ["analyze", "scaling", str(stored["runs"][0]), "--all-seeds", "--db", stored["db"], "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["runs"] == stored["runs"]

    out = runner.invoke(csim, ["analyze", "scaling", str(stored["plain"]), "--db", stored["db"]])
    assert out.exit_code == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "--sample-metrics" in lines[0] and f"run {stored['plain']}" in lines[0]


def test_copying_gives_share_one_to_a_submission_the_corpus_holds_verbatim(stored, tmp_path):
    with Store(stored["db"]) as store:
        subs = store.submissions(stored["runs"][0])
    copied = subs[0].source
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps({"problem": "x", "language": "python", "source": s})
                                for s in ["print('unrelated')\n", copied, "for i in range(3): pass\n"]) + "\n")
    out = CliRunner().invoke(csim, ["analyze", "copying", str(stored["runs"][0]), "--corpus", str(corpus),
                                    "--db", stored["db"], "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.stdout)
    rows = {(r["problem"], r["order"]): r for r in result["submissions"]}
    first = rows[next(iter(rows))]
    assert first["share"] == 1.0 and first["common_bytes"] == first["length_bytes"] == len(copied.encode())
    assert first["matched"].endswith(":2")  # line 2 of the corpus
    others = [r for key, r in rows.items() if key != next(iter(rows)) and r["share"] == 1.0]
    assert not others  # the other submissions are not in the corpus
    # the baseline: the human solutions of the replayed problems, read back from the library
    assert result["summary"]["humans"]["share"]["n"] > 0
    assert result["corpus"]["programs"] == 3


def brute_lcs(a: bytes, b: bytes) -> int:
    best, prev = 0, [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def test_longest_common_substring_equals_brute_force_on_random_programs():
    rng = random.Random(7)
    for _ in range(30):
        corpus = ["".join(rng.choice("ab(){}; x=") for _ in range(rng.randint(0, 60))) for _ in range(rng.randint(1, 4))]
        query = "".join(rng.choice("ab(){}; x=") for _ in range(rng.randint(1, 40)))
        if not "".join(corpus):
            continue  # an empty corpus is refused (DataError), not searched
        index = CorpusIndex([Program(str(n), s) for n, s in enumerate(corpus)])
        expected = max(brute_lcs(query.encode(), s.encode()) for s in corpus)  # never across two programs
        assert index.longest_common(query).common_bytes == expected, (corpus, query)
