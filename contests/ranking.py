"""Ranking: order participants by points (desc) then penalty (asc); ties share a place.

Two places matter for a tie: the best place (what Codeforces standings show: 1, 2, 2, 4) and the
worst place (1, 3, 3, 4), which is the one Codeforces' rating formula uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from contests.model import StandingRow
from contests.scoring import check_rules

# Points come out of the decay formula as floats; round before comparing so that float noise
# (859.9999999 vs 860) cannot split a tie.
POINT_DECIMALS = 6


@dataclass(frozen=True)
class Placement:
    rank: int  # best place of the tie, as standings show it
    worst_rank: int  # last place of the tie, as the rating formula uses it
    percentile: float  # share of participants who did strictly better, in percent (AlphaCode)
    participants: int  # real participants compared against (the new result not counted)


def _keys(points, penalties, rules: str | None) -> tuple[np.ndarray, np.ndarray]:
    points = np.round(np.asarray(points, dtype=float), POINT_DECIMALS)
    penalties = np.asarray(penalties, dtype=np.int64)
    if points.shape != penalties.shape or points.ndim != 1:
        raise ValueError("points and penalties must be 1-d arrays of the same length")
    if rules == "cf-points":  # points rounds rank on points alone
        penalties = np.zeros_like(penalties)
    return points, penalties


def rank_table(points, penalties, rules: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Best and worst place of every participant of a standings table (vectorised).

    Returns two int arrays in input order. With rules "cf-points" penalties are ignored."""
    if rules is not None:
        check_rules(rules)
    points, penalties = _keys(points, penalties, rules)
    n = len(points)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.lexsort((penalties, -points))
    p, q = points[order], penalties[order]
    new_group = np.empty(n, dtype=bool)
    new_group[0] = True
    new_group[1:] = (p[1:] != p[:-1]) | (q[1:] != q[:-1])
    group = np.cumsum(new_group) - 1
    starts = np.flatnonzero(new_group)
    ends = np.append(starts[1:], n)  # one past each group's last position
    best = np.empty(n, dtype=np.int64)
    worst = np.empty(n, dtype=np.int64)
    best[order] = starts[group] + 1
    worst[order] = ends[group]
    return best, worst


def standings_arrays(standings: Sequence[StandingRow]) -> tuple[np.ndarray, np.ndarray]:
    points = np.fromiter((r.points for r in standings), dtype=float, count=len(standings))
    penalties = np.fromiter((r.penalty for r in standings), dtype=np.int64, count=len(standings))
    return points, penalties


def place(points: float, penalty: int, standings: Sequence[StandingRow], rules: str) -> Placement:
    """Where a new result (POINTS, PENALTY) would stand among the real STANDINGS.

    Every row given is compared against (filter unrated rows out first if they should not be).
    percentile = 100 * (participants strictly better) / (participants), AlphaCode's definition."""
    check_rules(rules)
    if not standings:
        raise ValueError("no standings to place a result among")
    all_points, all_penalties = standings_arrays(standings)
    all_points, all_penalties = _keys(all_points, all_penalties, rules)
    (mine_points,), (mine_penalty,) = _keys([points], [penalty], rules)
    better = (all_points > mine_points) | ((all_points == mine_points) & (all_penalties < mine_penalty))
    tied = (all_points == mine_points) & (all_penalties == mine_penalty)
    n_better, n_tied = int(better.sum()), int(tied.sum())
    return Placement(rank=n_better + 1, worst_rank=n_better + n_tied + 1,
                     percentile=100.0 * n_better / len(standings), participants=len(standings))
