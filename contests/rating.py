"""Codeforces rating arithmetic, exact and vectorised; performance ratings; AlphaCode's estimate.

The update (Mirzayanov's open rating code, blog entry 20762 and its corrections, as carrot's
predict.js reproduces it; verified steps in ../shared/REFERENCES.md "Codeforces rating"):

1. rank by points desc, then penalty asc; tied participants all take the WORST place of the tie;
2. P(j beats a player of rating R) = 1 / (1 + 10^((R - r_j) / 400));
   seed_i(R) = 1 + sum over j != i of P(j beats R) (the participant excludes themselves);
3. m_i = sqrt(seed_i(r_i) * rank_i); need_i = the largest R in [1, 8000) with seed_i(R) >= m_i
   (Mirzayanov's binary search: left = 1, right = 8000); d_i = trunc((need_i - r_i) / 2);
4. add trunc(-sum d / n) - 1 to everyone;
5. over the top min(4 round(sqrt n), n) by old rating, add min(max(trunc(-sum d / count), -10), 0)
   to everyone.

All seeds come from one FFT convolution of the rating histogram with the win-probability kernel
(as carrot does), and all the binary searches run at once over numpy arrays.

Newcomers: Codeforces uses 1500 in the formula before the change announced in blog entry 77890
(May 2020) and 1400 since. The update never assumes one: callers pass new_participant_rating
(newcomer_rating(start_time) picks it by the contest's date).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
from scipy.optimize import brentq
from scipy.signal import fftconvolve

from contests.model import StandingRow
from contests.ranking import rank_table
from contests.scoring import check_rules

NEWCOMER_RATING_BEFORE_MAY_2020 = 1500
NEWCOMER_RATING_SINCE_MAY_2020 = 1400
# When the switch took effect is not pinned to the day: blog entry 77890 announced it in May 2020
# and carrot moved its default to 1400 on 2020-05-25 (its pull request 18). Rounds of May 2020
# should be given their newcomer rating explicitly.
NEWCOMER_RATING_SWITCH = datetime(2020, 5, 25, tzinfo=timezone.utc)

# Mirzayanov's search range for the rating that "needs" a rank: [1, 8000).
NEED_LO, NEED_HI = 1, 8000
# carrot's rating range, used for its performance search: [MIN_RATING_LIMIT, MAX_RATING_LIMIT).
PERF_LO, PERF_HI = -500, 6000


def newcomer_rating(start_time: datetime | None, switch: datetime = NEWCOMER_RATING_SWITCH) -> int:
    """The rating Codeforces' formula gives a newcomer in a contest that started at START_TIME
    (naive times read as UTC; an unknown time is taken as recent)."""
    if start_time is None:
        return NEWCOMER_RATING_SINCE_MAY_2020
    when = start_time if start_time.tzinfo else start_time.replace(tzinfo=timezone.utc)
    return NEWCOMER_RATING_BEFORE_MAY_2020 if when < switch else NEWCOMER_RATING_SINCE_MAY_2020


def win_probability(rating_a, rating_b):
    """P(a player of RATING_A beats one of RATING_B) under Codeforces' Elo model."""
    return 1.0 / (1.0 + np.power(10.0, (np.asarray(rating_b, dtype=float) - rating_a) / 400.0))


class SeedTable:
    """seed(R) = 1 + sum over all participants j of P(j beats R), for every integer R in [lo, hi).

    One FFT convolution of the histogram of ratings with the kernel P(rating v beats R) over
    R - v (scipy's fftconvolve; carrot hand-writes the same FFT)."""

    def __init__(self, ratings: np.ndarray, lo: int, hi: int):
        ratings = np.asarray(ratings, dtype=np.int64)
        self.lo = int(min(lo, ratings.min()))
        self.hi = int(max(hi, ratings.max() + 1))
        vmin, vmax = int(ratings.min()), int(ratings.max())
        counts = np.bincount(ratings - vmin, minlength=vmax - vmin + 1).astype(float)
        # kernel[k] = P(v beats R) at R - v = lo - vmax + k, for every R - v the table needs.
        offsets = np.arange(self.lo - vmax, self.hi - vmin, dtype=float)
        kernel = 1.0 / (1.0 + np.power(10.0, offsets / 400.0))
        # 'valid' mode: out[i] = sum_v counts[v] * P(v beats lo + i).
        self.values = 1.0 + fftconvolve(kernel, counts, mode="valid")

    def seed(self, rating, exclude) -> np.ndarray:
        """Expected rank of a player of RATING among all but one participant, of rating EXCLUDE."""
        rating = np.asarray(rating, dtype=np.int64)
        return self.values[rating - self.lo] - win_probability(exclude, rating)

    def rank_to_rating(self, rank: np.ndarray, exclude: np.ndarray) -> np.ndarray:
        """For each i, the largest R in [1, 8000) with seed(R, exclude_i) >= rank_i, found by
        Mirzayanov's binary search (left 1, right 8000), all participants at once."""
        left = np.full(len(rank), NEED_LO, dtype=np.int64)
        right = np.full(len(rank), NEED_HI, dtype=np.int64)
        while True:
            active = right - left > 1
            if not active.any():
                return left
            mid = (left + right) // 2
            below = self.seed(mid, exclude) < rank
            right = np.where(active & below, mid, right)
            left = np.where(active & ~below, mid, left)


def effective_ratings(old_ratings, new_participant_rating: int | None = None) -> np.ndarray:
    """Ratings as the formula uses them: None (a newcomer) becomes NEW_PARTICIPANT_RATING."""
    values = list(old_ratings)
    if any(r is None for r in values):
        if new_participant_rating is None:
            raise ValueError("some participants have no rating (newcomers): pass new_participant_rating "
                             f"({NEWCOMER_RATING_BEFORE_MAY_2020} before May 2020, {NEWCOMER_RATING_SINCE_MAY_2020} since)")
        values = [new_participant_rating if r is None else r for r in values]
    ratings = np.asarray(values, dtype=np.int64)
    if ratings.ndim != 1 or len(ratings) == 0:
        raise ValueError("need a non-empty list of ratings")
    return ratings


@dataclass(frozen=True)
class _Update:
    deltas: np.ndarray  # final changes, input order
    adjustment: int  # the two corrections together (steps 4 and 5)
    table: SeedTable
    worst_rank: np.ndarray
    ratings: np.ndarray


def _update(worst_rank: np.ndarray, ratings: np.ndarray) -> _Update:
    n = len(ratings)
    table = SeedTable(ratings, min(NEED_LO, PERF_LO), NEED_HI)
    mid_rank = np.sqrt(worst_rank * table.seed(ratings, ratings))
    need = table.rank_to_rating(mid_rank, ratings)
    deltas = np.trunc((need - ratings) / 2).astype(np.int64)

    # Step 4: the sum of changes should be slightly negative.
    first = math.trunc(-int(deltas.sum()) / n) - 1
    deltas += first
    # Step 5: the top 4 sqrt(n) by old rating should not gain overall. Ties in rating keep rank
    # order (Codeforces sorts by rank, then stably by rating).
    by_rating = np.lexsort((worst_rank, -ratings))
    top = min(4 * int(math.floor(math.sqrt(n) + 0.5)), n)
    second = min(max(math.trunc(-int(deltas[by_rating[:top]].sum()) / top), -10), 0)
    deltas += second
    return _Update(deltas, first + second, table, worst_rank, ratings)


def rating_changes(points, penalties, old_ratings, new_participant_rating: int | None = None,
                   rules: str | None = None) -> np.ndarray:
    """Every participant's official rating change (int array, input order).

    OLD_RATINGS may hold None for newcomers, who then take NEW_PARTICIPANT_RATING. With rules
    "cf-points" penalties are ignored in the ranking."""
    ratings = effective_ratings(old_ratings, new_participant_rating)
    _, worst = rank_table(points, penalties, rules)
    if len(worst) != len(ratings):
        raise ValueError("points, penalties and ratings must have the same length")
    return _update(worst, ratings).deltas


def worst_ranks_from_shown(ranks) -> np.ndarray:
    """Standings show a tie at its best place (1, 2, 2, 4); the formula wants its worst (1, 3, 3, 4)."""
    ranks = np.asarray(ranks, dtype=np.int64)
    values, counts = np.unique(ranks, return_counts=True)
    return ranks + counts[np.searchsorted(values, ranks)] - 1


def rating_changes_by_rank(ranks, old_ratings, new_participant_rating: int | None = None) -> np.ndarray:
    """Rating changes from shown places alone (ties share the best place, as the API gives them)."""
    ratings = effective_ratings(old_ratings, new_participant_rating)
    return _update(worst_ranks_from_shown(ranks), ratings).deltas


def carrot_performance(points, penalties, old_ratings, new_participant_rating: int | None = None,
                       rules: str | None = None) -> np.ndarray:
    """carrot's "performance" of every participant: the smallest rating in [-500, 6000) at which
    their change would be <= 0, holding everyone else's seeds and the correction fixed (carrot's
    fast method; its tests allow it to exceed the exact value by 0..4). The unique winner
    (worst place 1) gets +inf, as in carrot: rank 1 always gains."""
    ratings = effective_ratings(old_ratings, new_participant_rating)
    _, worst = rank_table(points, penalties, rules)
    update = _update(worst, ratings)
    table = update.table

    def delta_at(assumed: np.ndarray) -> np.ndarray:
        mid_rank = np.sqrt(worst * table.seed(assumed, ratings))
        need = table.rank_to_rating(mid_rank, ratings)
        return np.trunc((need - assumed) / 2).astype(np.int64) + update.adjustment

    # carrot's binarySearch: the first value in [lo, hi) where the predicate holds, else hi.
    lo = np.full(len(ratings), PERF_LO, dtype=np.int64)
    hi = np.full(len(ratings), PERF_HI, dtype=np.int64)
    while (active := lo < hi).any():
        mid = (lo + hi) // 2
        ok = delta_at(mid) <= 0
        hi = np.where(active & ok, mid, hi)
        lo = np.where(active & ~ok, mid + 1, lo)
    perf = lo.astype(float)
    perf[worst == 1] = math.inf
    return perf


def performance(rank: float, ratings) -> float:
    """CodeElo's per-contest rating: the R whose expected rank among RATINGS equals RANK,
    1 + sum_i 1 / (1 + 10^((R - r_i) / 400)) = rank (no geometric mean, no halving).

    Solved in [-500, 6000] (carrot's range); a rank better (worse) than any rating there can
    expect returns the upper (lower) bound."""
    ratings = np.asarray(list(ratings), dtype=float)
    if len(ratings) == 0:
        raise ValueError("need the ratings of the other participants")

    def excess(r: float) -> float:
        return 1.0 + float(win_probability(ratings, r).sum()) - rank

    if excess(PERF_HI) >= 0:
        return float(PERF_HI)
    if excess(PERF_LO) <= 0:
        return float(PERF_LO)
    return float(brentq(excess, PERF_LO, PERF_HI, xtol=1e-6))


def _rated_rows(standings: Sequence[StandingRow]) -> list[StandingRow]:
    rows = [r for r in standings if r.rated]
    if not rows:
        raise ValueError("the standings have no rated participants")
    return rows


def rating_change_for(points: float, penalty: int, rating: int, standings: Sequence[StandingRow],
                      rules: str, new_participant_rating: int | None = None) -> int:
    """The change a participant of RATING with this result would get, inserted into the real
    (rated) STANDINGS. Rows without an old rating take NEW_PARTICIPANT_RATING."""
    check_rules(rules)
    rows = _rated_rows(standings)
    all_points = [r.points for r in rows] + [points]
    all_penalties = [r.penalty for r in rows] + [penalty]
    old = [r.old_rating for r in rows] + [rating]
    return int(rating_changes(all_points, all_penalties, old, new_participant_rating, rules)[-1])


@dataclass(frozen=True)
class ContestResult:
    """One contest of a sequence: a result and the real standings it is rated among."""

    points: float
    penalty: int
    standings: Sequence[StandingRow]
    rules: str
    new_participant_rating: int | None = None  # for standings rows without an old rating


def sequential_rating(contests_in_date_order: Sequence[ContestResult], start_rating: int) -> list[int]:
    """AlphaCode's estimate: the rating of a participant who starts at START_RATING and takes part
    in each contest in turn, rated among that contest's real participants. One rating per contest
    (after it). AlphaCode averaged this over 3 runs; do so by calling it per run."""
    rating = int(start_rating)
    history = []
    for c in contests_in_date_order:
        rating += rating_change_for(c.points, c.penalty, rating, c.standings, c.rules, c.new_participant_rating)
        history.append(rating)
    return history


def rating_percentile(rating: float, ratings) -> float:
    """Share of RATINGS strictly above RATING, in percent ("top X%"; lower is better, like the
    placement percentile)."""
    ratings = np.asarray(list(ratings), dtype=float)
    if len(ratings) == 0:
        raise ValueError("need ratings to compare against")
    return 100.0 * float((ratings > rating).sum()) / len(ratings)
