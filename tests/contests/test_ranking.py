"""Ranking: ties share a place; percentile is the share strictly better."""

from __future__ import annotations

import json

import numpy as np
import pytest

from contests.model import StandingRow
from contests.ranking import place, rank_table

ROWS = [StandingRow("a", 3, 50), StandingRow("b", 2, 10), StandingRow("c", 2, 10), StandingRow("d", 2, 30),
        StandingRow("e", 1, 0)]


def test_rank_table_gives_best_and_worst_place_of_each_tie():
    best, worst = rank_table([3, 2, 2, 2, 1], [50, 10, 10, 30, 0])
    assert best.tolist() == [1, 2, 2, 4, 5]
    assert worst.tolist() == [1, 3, 3, 4, 5]
    # Points rounds ignore penalties: b, c and d tie.
    best, worst = rank_table([3, 2, 2, 2, 1], [50, 10, 10, 30, 0], rules="cf-points")
    assert best.tolist() == [1, 2, 2, 2, 5] and worst.tolist() == [1, 4, 4, 4, 5]


def test_rank_table_keeps_input_order_and_absorbs_float_noise():
    best, worst = rank_table([1.0, 860.0000000001, 859.9999999999, 2000.0], [0, 0, 0, 0])
    assert best.tolist() == [4, 2, 2, 1] and worst.tolist() == [4, 3, 3, 1]


def test_place_among_real_standings():
    p = place(2, 10, ROWS, "cf-icpc")
    assert (p.rank, p.worst_rank, p.participants) == (2, 4, 5)  # ties with b and c
    assert p.percentile == pytest.approx(20.0)  # only a did strictly better
    assert place(99, 0, ROWS, "cf-icpc").percentile == 0.0
    last = place(0, 0, ROWS, "icpc")
    assert (last.rank, last.worst_rank, last.percentile) == (6, 6, 100.0)
    # In a points round the penalty does not separate results.
    assert place(2, 999, ROWS, "cf-points").rank == 2


def test_place_agrees_with_the_real_edu_round(shared_data):
    rows = json.loads((shared_data / "standings" / "carrot-round-1342-edu-86-data.json").read_text())
    standings = [StandingRow(h, p, q, old_rating=r) for h, p, q, r, _ in rows]
    points = np.array([r.points for r in standings])
    penalties = np.array([r.penalty for r in standings])
    best, worst = rank_table(points, penalties, "cf-icpc")
    # A new result equal to an existing participant's lands in that participant's tie, one place wider.
    for i in (0, 1, 100, 5000, len(rows) - 1):
        p = place(points[i], penalties[i], standings, "cf-icpc")
        assert p.rank == best[i] and p.worst_rank == worst[i] + 1
        assert p.percentile == pytest.approx(100 * (best[i] - 1) / len(rows))


def test_place_needs_standings_and_known_rules():
    with pytest.raises(ValueError):
        place(1, 0, [], "cf-icpc")
    with pytest.raises(ValueError):
        place(1, 0, ROWS, "ioi")
