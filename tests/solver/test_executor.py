"""The executor seam: the selection's judge work goes through Executor.map, the local executor
runs it on the judge's workers, and any other executor gives the same selection."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest

from judge.interface import Judge
from solver.interface import Budget
from solver.selection.executor import LocalExecutor
from solver.selection.filtering import Candidate
from solver.selection.pipeline import select
from selection_helpers import GAME23_CPP, module_judge


@pytest.fixture(scope="module")
def judge():
    yield from module_judge()


@dataclass
class Workers:
    workers: int


def test_local_executor_runs_as_many_calls_at_once_as_the_judge_has_workers():
    judge = Workers(3)
    together = threading.Barrier(3, timeout=10)  # broken unless 3 calls run at the same time

    def call(j, item):
        assert j is judge
        together.wait()
        return item * 10, threading.current_thread().name

    results = list(LocalExecutor(judge).map(call, range(6), "csim-test"))
    assert [r for r, _ in results] == [0, 10, 20, 30, 40, 50]  # in the items' order
    assert {name.rsplit("_", 1)[0] for _, name in results} == {"csim-test"}
    assert len({name for _, name in results}) == 3


class SerialExecutor:
    """Another executor: every call in turn on this thread, each recorded by what the work is."""

    def __init__(self, judge: Judge):
        self.judge, self.calls = judge, []

    def map(self, fn, items, name):
        for item in items:
            self.calls.append(name)
            yield fn(self.judge, item)


def test_the_real_judge_is_a_judge(judge):
    assert isinstance(judge, Judge)


def test_every_judge_call_of_the_selection_goes_through_the_executor(judge, codecontests_dev):
    problem = next(p for p in codecontests_dev if p.id == "1141A")
    human = problem.correct_solutions[0].source
    sources = [(human, "python"), (GAME23_CPP, "cpp"), ("print(-1)\n", "python"), (human + "\n\n", "python")]
    candidates = [Candidate(f"s{i}", src, lang, i) for i, (src, lang) in enumerate(sources)]
    budget = Budget(samples=10, clustering_inputs=5, judge_hidden=True)
    serial = SerialExecutor(judge)
    ours = select(judge, problem, candidates, budget, seed=3, executor=serial)
    default = select(judge, problem, candidates, budget, seed=3)
    # 3 distinct programs filtered, the 2 right ones run on generated inputs and on the hidden tests.
    assert serial.calls == ["csim-filter"] * 3 + ["csim-cluster"] * 2 + ["csim-hidden"] * 2
    assert ours.stats == default.stats and ours.stats.passed_hidden == 3
    assert [(s.source, s.cluster_size, s.reason) for s in ours.submissions] == \
        [(s.source, s.cluster_size, s.reason) for s in default.submissions]
