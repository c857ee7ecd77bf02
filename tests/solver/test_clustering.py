"""Behaviour clustering and AlphaCode's 10-pick order: on output tables, and on hand-made programs
run through the real judge."""

from __future__ import annotations

import pytest

from contests.model import Checker
from solver.selection.clustering import FAILED, cluster_programs, normalise_output, pick_submissions
from selection_helpers import module_judge


def table(spec: dict[str, str]) -> dict[str, list[str | None]]:
    """Program -> outputs on three inputs, from a behaviour letter: same letter, same outputs."""
    return {p: [f"{b}{i}" if b != "!" else None for i in range(3)] for p, b in spec.items()}


def test_clusters_by_identical_outputs_largest_first():
    clusters = cluster_programs(table({"p1": "a", "p2": "b", "p3": "a", "p4": "c", "p5": "b", "p6": "a"}))
    assert [c.members for c in clusters] == [("p1", "p3", "p6"), ("p2", "p5"), ("p4",)]
    assert [c.rank for c in clusters] == [0, 1, 2]


def test_ties_go_to_the_cluster_holding_the_most_preferred_program():
    outputs = table({"p1": "a", "p2": "b", "p3": "a", "p4": "b"})
    assert [c.members[0] for c in cluster_programs(outputs)] == ["p1", "p2"]
    # A preference order (e.g. by draw time) decides both the order of members and the tie.
    clusters = cluster_programs(outputs, order=["p4", "p3", "p2", "p1"])
    assert [c.members for c in clusters] == [("p4", "p2"), ("p3", "p1")]


def test_ten_picks_one_per_cluster_when_there_are_enough():
    spec = {f"p{i:02d}": chr(ord("a") + i % 12) for i in range(30)}  # 12 behaviours, sizes 3 and 2
    picks = pick_submissions(cluster_programs(table(spec)), 10)
    assert len(picks) == 10
    assert [p.cluster for p in picks] == list(range(10)) and all(p.round == 0 for p in picks)
    assert [p.cluster_size for p in picks] == [3] * 6 + [2] * 4
    assert [p.program for p in picks] == [f"p{i:02d}" for i in range(10)]


def test_wrap_round_to_each_clusters_next_member():
    outputs = table({"p1": "a", "p2": "a", "p3": "a", "p4": "a", "p5": "b", "p6": "b", "p7": "c"})
    picks = pick_submissions(cluster_programs(outputs), 10)
    assert [p.program for p in picks] == ["p1", "p5", "p7", "p2", "p6", "p3", "p4"]  # all 7 programs, no more
    assert [p.round for p in picks] == [0, 0, 0, 1, 1, 2, 3]
    assert picks[3].reason == "cluster 1 of 3 (4 programs), the largest; wrap-round 1: its member 2 of 4"
    assert picks[2].reason == "cluster 3 of 3 (1 program)"
    assert [p.order for p in picks] == list(range(7))
    assert [p.program for p in pick_submissions(cluster_programs(outputs), 4)] == ["p1", "p5", "p7", "p2"]


def test_crashing_alike_is_one_behaviour():
    outputs = {"ok": ["1", "2"], "crash1": [None, None], "crash2": [None, None], "half": ["1", None]}
    clusters = cluster_programs(outputs)
    assert clusters[0].members == ("crash1", "crash2") and len(clusters) == 3
    assert normalise_output(None) == FAILED


def test_outputs_compare_as_the_checker_compares_them():
    assert normalise_output("1  2\n3\n\n") == normalise_output("1 2 3")
    assert normalise_output("YES") != normalise_output("yes")
    assert normalise_output("YES", Checker(case_sensitive=False)) == normalise_output("yes", Checker(case_sensitive=False))
    floats = Checker(kind="float", rel_eps=1e-6)
    assert normalise_output("0.3333333333", floats) == normalise_output("0.33333333", floats)
    assert normalise_output("0.3333", floats) != normalise_output("0.3334", floats)
    lines = Checker(kind="lines")
    assert normalise_output("a b\n", lines) != normalise_output("a\nb\n", lines)


def test_no_programs_no_picks():
    assert cluster_programs({}) == [] and pick_submissions([], 10) == []


@pytest.fixture(scope="module")
def judge():
    yield from module_judge()


def test_hand_made_programs_cluster_by_what_they_compute(judge):
    programs = {
        "sum": "a, b = map(int, input().split())\nprint(a + b)\n",
        "sum_again": "print(sum(map(int, input().split())))\n",
        "sum_cpp": "#include <cstdio>\nint main(){long long a,b;scanf(\"%lld %lld\",&a,&b);printf(\"%lld\\n\",a+b);}\n",
        "diff": "a, b = map(int, input().split())\nprint(a - b)\n",
        "max_plus_min": "a, b = map(int, input().split())\nprint(max(a, b) + min(a, b))\n",
        "crash_on_zero": "a, b = map(int, input().split())\nprint(a // b * b + a % b + b)\n",  # a+b, but b=0 crashes
        "abs_diff": "a, b = map(int, input().split())\nprint(abs(a - b))\n",
    }
    inputs = ["1 2\n", "5 3\n", "7 0\n", "-4 9\n"]
    outputs = {}
    for name, source in programs.items():
        runs = judge.execute(source, "cpp" if name.endswith("cpp") else "python", inputs, time_limit=2,
                             memory_limit=256 << 20)
        outputs[name] = [r.stdout if r.verdict.value == "OK" else None for r in runs]
    clusters = cluster_programs(outputs, order=list(programs))
    assert [c.members for c in clusters] == [("sum", "sum_again", "sum_cpp", "max_plus_min"), ("diff",),
                                            ("crash_on_zero",), ("abs_diff",)]
    picks = pick_submissions(clusters, 10)
    assert [p.program for p in picks] == ["sum", "diff", "crash_on_zero", "abs_diff", "sum_again", "sum_cpp",
                                          "max_plus_min"]
