"""SamplesFileSolver and ReferenceSolver end to end through the real judge, on a real problem."""

from __future__ import annotations

import json

import numpy as np
import pytest

from contests.errors import DataError
from contests.model import Problem, Solution, TestCase
from solver.interface import Budget, Solver
from solver.model.data.mutants import mutate
from solver.solvers.reference import ReferenceSolver
from solver.solvers.samples_file import SamplesFileSolver, read_samples
from selection_helpers import GAME23_CPP, module_judge


@pytest.fixture(scope="module")
def judge():
    yield from module_judge()


@pytest.fixture(scope="module")
def game23(codecontests_dev) -> Problem:
    return next(p for p in codecontests_dev if p.id == "1141A")


@pytest.fixture(scope="module")
def samples_file(tmp_path_factory, game23):
    """The human solution, a C++ port, both again reformatted, mutants, a wrong answer, and
    records for another problem (ignored)."""
    human = game23.correct_solutions[0].source
    mutants = mutate(human, "python", np.random.default_rng(1), limit=8)
    records = [("python", human), ("cpp", GAME23_CPP), ("python", human.replace("\n", "\n\n"))]
    records += [("python", m) for m in mutants] + [("python", "print(-1)\n"), ("cpp", GAME23_CPP + "\n// same\n")]
    path = tmp_path_factory.mktemp("samples") / "samples.jsonl"
    with path.open("w") as f:
        f.write(json.dumps({"problem": "1000E", "language": "python", "source": "print(1)"}) + "\n")
        for n, (lang, src) in enumerate(records):
            f.write(json.dumps({"problem": "1141A", "index": n, "language": lang, "source": src, "logprob": -1.0}) + "\n")
        f.write("\n")
    return path, len(records)


def test_every_solver_is_a_solver(judge, samples_file):
    assert isinstance(SamplesFileSolver(samples_file[0], judge), Solver)
    assert isinstance(ReferenceSolver(), Solver)


@pytest.mark.slow
def test_samples_file_solver_end_to_end(judge, game23, samples_file):
    path, n_records = samples_file
    solver = SamplesFileSolver(path, judge)
    budget = Budget(samples=100, max_submissions=10, clustering_inputs=20)
    result = solver.solve(game23, budget, seed=5)
    s = result.stats
    assert s.drawn == n_records and s.distinct == n_records - 1  # the reformatted copy is a duplicate
    assert 3 <= s.passed_examples <= s.drawn and s.clusters >= 1 and s.passed_hidden is None
    subs = result.submissions
    assert 1 <= len(subs) <= 10 and [x.order for x in subs] == list(range(len(subs)))
    # The correct programs (Python and C++, and the C++ with a comment) behave alike: the largest
    # cluster, submitted first, accepted on the hidden tests.
    first = subs[0]
    assert first.cluster_size >= 3 and "the largest" in first.reason
    assert judge.judge(first.source, first.language, game23).accepted
    for sub in subs:  # every submission passes the examples and existed when it was ready
        assert judge.judge(sub.source, sub.language, game23, tests=game23.examples).accepted
        assert sub.ready_after > 0 and 1 <= sub.samples_drawn <= n_records
    again = solver.solve(game23, budget, seed=5)
    assert [(x.source, x.order, x.cluster_size, x.reason) for x in again.submissions] == \
        [(x.source, x.order, x.cluster_size, x.reason) for x in subs]
    assert solver.describe()["file_digest"].startswith(solver.version)


@pytest.mark.slow
def test_sample_metrics_count_every_drawn_sample_the_hidden_tests_accept(judge, game23, samples_file):
    """With judge_hidden, passed_hidden is the number of drawn samples (duplicates included) that
    the judge accepts on the hidden tests, as judging every record one by one finds."""
    path, _ = samples_file
    records = read_samples(path, game23)
    expected_hidden = sum(judge.judge(c.source, c.language, game23).accepted for c in records)
    expected_examples = sum(judge.judge(c.source, c.language, game23, tests=game23.examples).accepted for c in records)
    result = SamplesFileSolver(path, judge).solve(game23, Budget(samples=100, clustering_inputs=5, judge_hidden=True), seed=5)
    assert result.stats.passed_hidden == expected_hidden >= 3  # the human solution twice, and the C++ port
    assert result.stats.passed_examples == expected_examples >= expected_hidden


def test_samples_budget_reads_the_first_n(game23, samples_file):
    path, _ = samples_file
    got = read_samples(path, game23, limit=2)
    assert [c.language for c in got] == ["python", "cpp"] and [c.index for c in got] == [0, 1]


@pytest.mark.parametrize("line, where", [
    ("{not json", "line 1"),
    ('{"problem": "1141A", "language": "python"}', "line 1: source"),
    ('{"problem": "1141A", "language": "pascal", "source": "x"}', "line 1: language"),
    ('[1, 2]', "line 1"),
])
def test_bad_samples_files_say_where(tmp_path, game23, line, where):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(DataError) as e:
        read_samples(path, game23)
    assert str(e.value).startswith(f"{path}: {where}:") and "\n" not in str(e.value)


def test_no_samples_for_the_problem_means_no_submissions(judge, game23, tmp_path):
    path = tmp_path / "other.jsonl"
    path.write_text(json.dumps({"problem": "999Z", "language": "python", "source": "print(1)"}) + "\n")
    result = SamplesFileSolver(path, judge).solve(game23, Budget(), seed=0)
    assert result.submissions == () and result.stats.drawn == 0 and any("no samples" in n for n in result.notes)


def test_reference_solver_submits_known_solutions_that_pass(judge, game23):
    result = ReferenceSolver(judge).solve(game23, Budget(), seed=0)
    [sub] = result.submissions
    assert judge.judge(sub.source, sub.language, game23).accepted
    assert result.stats.passed_examples == 1 and result.stats.passed_hidden is None
    judged = ReferenceSolver(judge).solve(game23, Budget(judge_hidden=True), seed=0)
    assert judged.stats.passed_hidden == 1


def test_reference_solver_order_and_example_check():
    sols = [Solution("print(2)", "python", name="a"), Solution("print(9)", "python", False, name="wrong"),
            Solution("print(1)", "python", name="b")]
    problem = Problem(id="p", name="p", examples=[TestCase("", "1\n")], solutions=sols)
    plain = ReferenceSolver().solve(problem, Budget(), seed=0)
    assert [s.source for s in plain.submissions] == ["print(2)", "print(1)"]  # correct ones, as listed

    from judge.runner import Judge, JudgeConfig

    with Judge(JudgeConfig(workers=1)) as judge:
        checked = ReferenceSolver(judge).solve(problem, Budget(), seed=0)
    assert [s.source for s in checked.submissions] == ["print(1)", "print(2)"]  # the one passing the examples first
    assert "fails the examples" in checked.submissions[1].reason
    assert ReferenceSolver().solve(Problem(id="q", name="q"), Budget(), 0).submissions == ()


class ScriptedBackend:
    """A model that answers chat prompts from a fixed list (sample i gets ANSWERS[i % len]): some
    with a fenced program, some with prose only."""

    kind, model, default_style = "openai", "scripted", "chat"
    ANSWERS = ["```python\nn, k = map(int, input().split())\nprint(n // k, n % k)\n```",
               "I cannot solve this.",
               "```python\nprint(0)\n```"]

    def describe(self) -> dict:
        return {"kind": self.kind, "model": self.model}

    def generate(self, prompt, params, seeds, on_done) -> None:
        from solver.backends.base import Generation

        for i in range(len(seeds)):
            on_done(i, Generation(self.ANSWERS[i % len(self.ANSWERS)], 5, 7, 0.0, "stop"))

    def close(self) -> None:
        pass


def test_sampling_solvers_report_every_drawn_samples_outcome_only_when_judging_hidden(judge):
    """Outcomes in draw order, one per drawn sample (an answer without code included, as a failed
    sample), with the verdicts and cluster the selection found; none without judge_hidden."""
    from contests.demo import demo_contest
    from solver.backends.draw import DrawSettings
    from solver.backends.solver import BackendSolver

    problem = demo_contest().problems[0]
    solver = BackendSolver(ScriptedBackend(), judge, DrawSettings(languages=("python",), style="chat"))
    result = solver.solve(problem, Budget(samples=7, clustering_inputs=5, judge_hidden=True), seed=1)
    assert [o.index for o in result.samples] == list(range(7)) and result.stats.unextracted == 2
    kinds = [i % 3 for i in range(7)]  # 0 correct, 1 no code, 2 wrong on the examples
    assert [o.passed_examples for o in result.samples] == [k == 0 for k in kinds]
    assert [o.passed_hidden for o in result.samples] == [True if k == 0 else None for k in kinds]
    assert [o.cluster for o in result.samples] == [0 if k == 0 else None for k in kinds]
    assert [o.duplicate_of for o in result.samples] == [None, None, None, 0, None, 2, 0]
    assert [o.submitted for o in result.samples] == [0, None, None, None, None, None, None]
    assert sum(bool(o.passed_hidden) for o in result.samples) == result.stats.passed_hidden == 3
    plain = solver.solve(problem, Budget(samples=7, clustering_inputs=5), seed=1)
    assert plain.samples == ()
