"""The Codeforces rating update written plainly, one participant at a time, every seed summed
directly over all participants: O(n^2 log R). It is the yardstick for contests.rating (tests
compare the two; benchmarks/rating_speed.py times them side by side), not for everyday use."""

from __future__ import annotations

import bisect
import math

import numpy as np


def _seed(rating: float, others: np.ndarray) -> float:
    """1 + sum over OTHERS of P(other beats a player of RATING)."""
    return 1.0 + float(np.sum(1.0 / (1.0 + 10.0 ** ((rating - others) / 400.0))))


def rating_changes_plain(points, penalties, ratings) -> list[int]:
    points = [float(p) for p in points]
    penalties = [int(q) for q in penalties]
    ratings = np.asarray(ratings, dtype=float)
    n = len(ratings)
    # Worst place of each participant's tie: the number with a result at least as good.
    keys = [(p, -q) for p, q in zip(points, penalties)]
    ascending = sorted(keys)
    ranks = [n - bisect.bisect_left(ascending, key) for key in keys]
    deltas = []
    for i in range(n):
        others = np.delete(ratings, i)
        mid_rank = math.sqrt(ranks[i] * _seed(ratings[i], others))
        left, right = 1, 8000
        while right - left > 1:
            mid = (left + right) // 2
            if _seed(mid, others) < mid_rank:
                right = mid
            else:
                left = mid
        deltas.append(math.trunc((left - ratings[i]) / 2))
    inc = math.trunc(-sum(deltas) / n) - 1
    deltas = [d + inc for d in deltas]
    order = sorted(range(n), key=lambda i: (-ratings[i], ranks[i]))
    top = min(4 * round(math.sqrt(n)), n)
    inc = min(max(math.trunc(-sum(deltas[i] for i in order[:top]) / top), -10), 0)
    return [d + inc for d in deltas]
