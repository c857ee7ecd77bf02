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
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

import numpy as np
from scipy.optimize import brentq
from scipy.signal import fftconvolve

from contests.errors import DataError
from contests.model import Contest, StandingRow, as_utc
from contests.ranking import place, rank_table
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


def newcomer_rating(start_time: datetime, switch: datetime = NEWCOMER_RATING_SWITCH) -> int:
    """The rating Codeforces' formula gives a newcomer in a contest that started at START_TIME
    (naive times read as UTC). An unknown time has no answer: see contest_newcomer_rating."""
    if start_time is None:
        raise ValueError("no contest date: the newcomer rating (1500 before 2020-05-25, 1400 since) is unknown")
    return NEWCOMER_RATING_BEFORE_MAY_2020 if as_utc(start_time) < switch else NEWCOMER_RATING_SINCE_MAY_2020


def contest_newcomer_rating(contest: Contest, explicit: int | None = None) -> int:
    """The newcomer rating for CONTEST: EXPLICIT if given, else by its date; an undated contest
    without one is refused (guessing would move a 2020 round's rating change by tens of points)."""
    if explicit is not None:
        return int(explicit)
    if contest.start_time is None:
        raise DataError(contest.origin or contest.id, "start_time",
                        f"contest {contest.id} has no date, so its newcomer rating is unknown (1500 before "
                        "2020-05-25, 1400 since): pass --newcomer-rating 1500 or 1400, or import it with --date")
    return newcomer_rating(contest.start_time)


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
        # P(a beats b) for every integer b - a between two ratings in [lo, hi): a lookup is several
        # times faster than the power, and gives the same floats.
        self.span = self.hi - self.lo
        self.beats_table = win_probability(0, np.arange(-self.span, self.span + 1))

    def beats(self, a, b) -> np.ndarray:
        """P(a player rated A beats one rated B), for integer ratings in [lo, hi)."""
        return self.beats_table[np.asarray(b, dtype=np.int64) - a + self.span]

    def seed(self, rating, exclude, moved_from=None, moved_to=None) -> np.ndarray:
        """Expected rank of a player of RATING among all but one participant, of rating EXCLUDE.
        With MOVED_FROM/MOVED_TO: as if one other participant's rating were MOVED_TO instead of
        MOVED_FROM (the table holds the old one), without recomputing the table."""
        rating = np.asarray(rating, dtype=np.int64)
        seed = self.values[rating - self.lo] - self.beats(exclude, rating)
        if moved_from is not None:
            seed = seed - self.beats(moved_from, rating) + self.beats(moved_to, rating)
        return seed

    def rank_to_rating(self, rank: np.ndarray, exclude: np.ndarray, moved_from=None, moved_to=None) -> np.ndarray:
        """For each i, the largest R in [1, 8000) with seed(R, exclude_i) >= rank_i, found by
        Mirzayanov's binary search (left 1, right 8000), all participants at once (any shape)."""
        left = np.full(np.shape(rank), NEED_LO, dtype=np.int64)
        right = np.full(np.shape(rank), NEED_HI, dtype=np.int64)
        while True:
            active = right - left > 1
            if not active.any():
                return left
            mid = (left + right) // 2
            below = self.seed(mid, exclude, moved_from, moved_to) < rank
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


def _top_count(n: int) -> int:
    """How many participants, the highest rated, step 5 asks not to gain overall."""
    return min(4 * int(math.floor(math.sqrt(n) + 0.5)), n)


def _by_rating(worst_rank: np.ndarray, ratings: np.ndarray) -> np.ndarray:
    """Participants by old rating, highest first; ties in rating keep rank order (Codeforces sorts
    by rank, then stably by rating)."""
    return np.lexsort((worst_rank, -ratings))


def _update(worst_rank: np.ndarray, ratings: np.ndarray) -> _Update:
    n = len(ratings)
    table = SeedTable(ratings, min(NEED_LO, PERF_LO), NEED_HI)
    mid_rank = np.sqrt(worst_rank * table.seed(ratings, ratings))
    need = table.rank_to_rating(mid_rank, ratings)
    deltas = np.trunc((need - ratings) / 2).astype(np.int64)

    # Step 4: the sum of changes should be slightly negative.
    first = math.trunc(-int(deltas.sum()) / n) - 1
    deltas += first
    # Step 5: the top 4 sqrt(n) by old rating should not gain overall.
    top = _top_count(n)
    second = min(max(math.trunc(-int(deltas[_by_rating(worst_rank, ratings)[:top]].sum()) / top), -10), 0)
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


def _first_true(predicate, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """carrot's binarySearch, element-wise: the first value in [lo, hi) where PREDICATE(values)
    holds (it must stay true above that), else hi."""
    lo, hi = lo.copy(), hi.copy()
    while (active := lo < hi).any():
        mid = (lo + hi) // 2
        ok = predicate(mid)
        hi = np.where(active & ok, mid, hi)
        lo = np.where(active & ~ok, mid + 1, lo)
    return lo


def _trunc(values) -> np.ndarray:
    return np.trunc(values).astype(np.int64)


def _boundary_distance(value: np.ndarray, step: int, multiples: tuple[int, int]) -> np.ndarray:
    """How far VALUE is from the nearest k * STEP, k in MULTIPLES (inclusive), where trunc(value /
    step) changes."""
    k = np.clip(np.round(value / step), *multiples)
    near = np.abs(value - k * step)
    return np.where(value / step < multiples[0], np.abs(value - multiples[0] * step),
                    np.where(value / step > multiples[1], np.abs(value - multiples[1] * step), near))


# How far the other participants' summed deltas move when one participant's rating moves, as a
# multiple of the expected wins against that participant that move with it (measured on the carrot
# rounds: at most 6.5 times, and never more than 222 in all, a tenth of n being 742 or more there).
SHIFT_FACTOR, SHIFT_SLACK = 10.0, 10.0
# Up to this many (participant asked, participant re-rated) pairs, every performance is recomputed
# exactly, whatever the margins: one result placed in a contest of up to 4 million rows, or
# everyone in a contest of up to 2,048.
EXACT_WORK = 1 << 22


class _PerformanceSearch:
    """Codeforces' performance: for participant i, the smallest R in [-500, 6000) at which i's
    change would be <= 0 if i's old rating were R and the contest were rated again (carrot's
    definition; its `perfs` test files hold these values).

    Re-rating everyone for every R and every participant is O(n^2) per contest. So the search runs
    in two passes. First, for everyone at once, i's own delta is exact at R and so is i's share of
    both corrections (steps 4 and 5, with i in or out of the top group at R), while the other
    participants' deltas are held at their values with i at the real rating. The others' deltas do
    move with R (their seeds include i), by at most a few hundred summed over everyone on the
    carrot rounds; that changes a correction only where its sum lies near a truncation boundary.
    So, second, wherever a correction is nearer one than shift_bound, the search for that
    participant is redone with every delta that enters that correction recomputed for i at R
    (exactly: no held value left)."""

    def __init__(self, worst: np.ndarray, ratings: np.ndarray):
        self.worst, self.ratings, self.n = worst, ratings, len(ratings)
        self.update = _update(worst, ratings)
        self.table = self.update.table
        self.base = self.update.deltas - self.update.adjustment  # step 3: before the corrections
        self.total = int(self.base.sum())
        self.top = _top_count(self.n)
        self.order = _by_rating(worst, ratings)
        self.position = np.empty(self.n, dtype=np.int64)
        self.position[self.order] = np.arange(self.n)
        self.prefix = np.concatenate([[0], np.cumsum(self.base[self.order])])
        # One sortable key for the step-5 order: rating desc, then worst place, then input order.
        self.key = -ratings.astype(np.int64) * 10**12 + worst.astype(np.int64) * 10**6 + np.arange(self.n)
        self.sorted_key = self.key[self.order]
        # The top group's ratings, to tell how much moving one participant shifts their seeds.
        self.top_table = SeedTable(ratings[self.order[: self.top + 1]], self.table.lo, self.table.hi)

    def own(self, idx: np.ndarray, assumed: np.ndarray) -> np.ndarray:
        """Step-3 delta of each participant IDX with old rating ASSUMED (the others as they are)."""
        r = self.ratings[idx]
        need = self.table.rank_to_rating(np.sqrt(self.worst[idx] * self.table.seed(assumed, r)), r)
        return _trunc((need - assumed) / 2)

    def others(self, idx: np.ndarray, assumed: np.ndarray, others: np.ndarray) -> np.ndarray:
        """Step-3 deltas of OTHERS ([F, m] indices) when participant idx[f] has rating assumed[f]."""
        r, frm, to = self.ratings[others], self.ratings[idx][:, None], assumed[:, None]
        seed = self.table.seed(r, r, frm, to)
        need = self.table.rank_to_rating(np.sqrt(self.worst[others] * seed), r, frm, to)
        return _trunc((need - r) / 2)

    def in_top(self, idx: np.ndarray, assumed: np.ndarray) -> np.ndarray:
        key = -assumed.astype(np.int64) * 10**12 + self.worst[idx].astype(np.int64) * 10**6 + idx
        before = np.searchsorted(self.sorted_key, key) - (self.key[idx] < key)  # others ahead of i at R
        return before < self.top

    def delta(self, idx: np.ndarray, assumed: np.ndarray, recompute: str = "") -> tuple[np.ndarray, ...]:
        """Final delta of each participant IDX at old rating ASSUMED, and the distances of the two
        corrections' sums from a truncation boundary. RECOMPUTE: "" (others held), "top" (the
        top group's deltas recomputed), "all" (every delta recomputed)."""
        own = self.own(idx, assumed)
        intop = self.in_top(idx, assumed)
        k = np.where(intop, self.top - 1, self.top)  # others in the top group
        if recompute == "all":
            everyone = np.broadcast_to(np.arange(self.n), (len(idx), self.n))
            d = self.others(idx, assumed, everyone)
            d[np.arange(len(idx)), idx] = 0
            step3_sum = own + d.sum(axis=1)
        else:
            step3_sum = self.total - self.base[idx] + own
        first = _trunc(-step3_sum / self.n) - 1
        if recompute:
            candidates = np.broadcast_to(self.order[: self.top + 1], (len(idx), min(self.top + 1, self.n)))
            d_top = (d[:, self.order[: self.top + 1]] if recompute == "all" else self.others(idx, assumed, candidates))
            valid = candidates != idx[:, None]
            keep = valid & (np.cumsum(valid, axis=1) <= k[:, None])
            others_top = (d_top * keep).sum(axis=1)
        else:
            p = self.position[idx]
            others_top = np.where(p >= k, self.prefix[k], self.prefix[np.minimum(k + 1, self.n)] - self.base[idx])
        top_sum = others_top + np.where(intop, own, 0) + self.top * first
        second = np.clip(_trunc(-top_sum / self.top), -10, 0)
        margin_first = _boundary_distance(-step3_sum.astype(float), self.n, (-10**9, 10**9))
        margin_second = _boundary_distance(-top_sum.astype(float), self.top, (-10, -1))
        return own + first + second, margin_first, margin_second

    def shift_bound(self, table: SeedTable, idx: np.ndarray, assumed: np.ndarray) -> np.ndarray:
        """How far the summed deltas of the participants in TABLE can move when participant IDX's
        rating moves to ASSUMED: SHIFT_FACTOR times the expected wins against the participant that
        move with it, plus SHIFT_SLACK, and never more than a tenth of n (in contests large enough
        to need this bound, the largest shift measured was under a third of that)."""
        moved = np.abs(table.values[assumed - table.lo] - table.values[self.ratings[idx] - table.lo])
        return np.minimum(SHIFT_FACTOR * moved + SHIFT_SLACK, self.n / 10)

    def search(self, idx: np.ndarray) -> np.ndarray:
        idx = np.asarray(idx, dtype=np.int64)
        lo = np.full(len(idx), PERF_LO, dtype=np.int64)
        hi = np.full(len(idx), PERF_HI, dtype=np.int64)
        perf = _first_true(lambda r: self.delta(idx, r)[0] <= 0, lo, hi)
        _, margin_first, margin_second = self.delta(idx, perf)
        winner = self.worst[idx] == 1
        if len(idx) * self.n <= EXACT_WORK:  # cheap enough to recompute every delta for everyone asked
            near_first = np.ones(len(idx), dtype=bool)
            near_second = near_first
        else:
            near_first = margin_first < self.shift_bound(self.table, idx, perf)
            near_second = margin_second < self.shift_bound(self.top_table, idx, perf)
        self.recomputed = {}
        for recompute, redo in (("all", near_first), ("top", near_second & ~near_first)):
            redo &= ~winner
            self.recomputed[recompute] = int(redo.sum())  # how many searches were redone, and how
            width = self.n if recompute == "all" else self.top + 1
            chunk = max(1, (1 << 20) // width)
            for start in range(0, int(redo.sum()), chunk):
                where = np.flatnonzero(redo)[start:start + chunk]
                perf[where] = self._refine(idx[where], perf[where], recompute)
        out = perf.astype(float)
        out[winner] = math.inf
        return out

    def _refine(self, idx: np.ndarray, guess: np.ndarray, recompute: str) -> np.ndarray:
        """The search again with the deltas RECOMPUTE names, starting by checking GUESS."""
        def ok(i, r):
            return self.delta(i, r, recompute)[0] <= 0

        right = ok(idx, guess) & ((guess == PERF_LO) | ~ok(idx, np.maximum(guess - 1, PERF_LO)))
        result = guess.copy()
        wrong = ~right
        if wrong.any():
            i = idx[wrong]
            result[wrong] = _first_true(lambda r: ok(i, r), np.full(len(i), PERF_LO, dtype=np.int64),
                                        np.full(len(i), PERF_HI, dtype=np.int64))
        return result


def codeforces_performance(points, penalties, old_ratings, new_participant_rating: int | None = None,
                           rules: str | None = None, only=None) -> np.ndarray:
    """Codeforces' performance of every participant (or of those at indices ONLY), as carrot
    defines it: the smallest rating in [-500, 6000) at which the participant's change would be
    <= 0, with the contest rated again and both corrections applied, at the worst place of their
    tie (the place the rating update uses). A unique winner (worst place 1) gets +inf: rank 1
    always gains, so no rating is high enough. 6000 means "at least 6000"."""
    ratings = effective_ratings(old_ratings, new_participant_rating)
    _, worst = rank_table(points, penalties, rules)
    search = _PerformanceSearch(worst, ratings)
    return search.search(np.arange(len(ratings)) if only is None else np.asarray(only))


def carrot_performance(points, penalties, old_ratings, new_participant_rating: int | None = None,
                       rules: str | None = None) -> np.ndarray:
    """carrot's fast approximation of the performance: as codeforces_performance, but holding
    everyone else's seeds and the corrections fixed at their values for the real rating (its
    tests allow it to exceed the exact value by 0..4). The unique winner gets +inf."""
    ratings = effective_ratings(old_ratings, new_participant_rating)
    _, worst = rank_table(points, penalties, rules)
    search = _PerformanceSearch(worst, ratings)
    everyone = np.arange(len(ratings))
    lo = np.full(len(ratings), PERF_LO, dtype=np.int64)
    hi = np.full(len(ratings), PERF_HI, dtype=np.int64)
    perf = _first_true(lambda r: search.own(everyone, r) + search.update.adjustment <= 0, lo, hi).astype(float)
    perf[worst == 1] = math.inf
    return perf


def codeelo_performance(rank: float, ratings) -> float:
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


# ---------------------------------------------------------------- a result placed in a real contest

@dataclass(frozen=True)
class ContestPlacement:
    """A result (points, penalty) placed among a contest's rated rows, with every figure csim
    reports on it; the conventions are in docs/methodology.md."""

    rank: int  # best place of the tie (as standings show it)
    worst_rank: int  # worst place of the tie (as the rating update uses it)
    participants: int  # rated rows compared against
    unrated: int  # standings rows left out of rank, percentile, performance and rating
    percentile: float  # share of participants strictly better, percent (AlphaCode)
    worst_percentile: float  # share better or tied, percent: the percentile at the worst place
    performance: float | None  # Codeforces' (carrot's) definition; None: see performance_note
    performance_note: str | None  # why there is no performance, or where it is only a bound
    codeelo_performance: float | None  # CodeElo's definition, at the worst place
    rating: int | None  # the rating the result was rated with
    rating_change: int | None
    newcomer_rating: int | None  # the rating rows without one (and a newcomer) were given

    def to_dict(self) -> dict:
        return asdict(self)


def performance_note(performance: float | None, worst_rank: int, solved: int | None = None,
                     rated: bool = True) -> str | None:
    """Why a result has no performance, or where the value shown is only a bound."""
    if not rated:
        return "no ratings in the standings"
    if solved == 0:
        return "nothing solved"
    if worst_rank == 1:
        return "unbounded: first place gains rating at any rating"
    if performance is not None and performance >= PERF_HI:
        return f"at least {PERF_HI} (the top of the search range)"
    if performance is not None and performance <= PERF_LO:
        return f"at most {PERF_LO} (the bottom of the search range)"
    return None


def placement_rows(contest: Contest) -> tuple[list[StandingRow], int]:
    """The rows a result is placed among (the rated ones, as the rating update sees them) and how
    many rows are left out. Refuses standings whose points are unknown."""
    where = contest.origin or contest.id
    if not contest.standings:
        raise DataError(where, "standings", f"contest {contest.id} has no standings to place a result among")
    if not contest.points_known:
        raise DataError(where, "points", f"the standings of contest {contest.id} carry no points (imported from "
                        "rating changes alone): a result cannot be placed by points; `csim rating predict` "
                        "rates its participants by place")
    rows = [r for r in contest.standings if r.rated]
    if not rows:
        raise DataError(where, "standings", f"contest {contest.id} has no rated participants to place a result among")
    return rows, len(contest.standings) - len(rows)


def needs_newcomer_rating(contest: Contest, rating: int | None = None) -> bool:
    """Whether rating a result in CONTEST needs the newcomer rating: the standings carry ratings,
    and the result (RATING None: a newcomer) or some rated row has none."""
    rows = [r for r in contest.standings if r.rated]
    has_ratings = any(r.old_rating is not None for r in rows)
    return has_ratings and (rating is None or any(r.old_rating is None for r in rows))


def place_in_contest(contest: Contest, points: float, penalty: int, rating: int | None = None,
                     newcomer: int | None = None, solved: int | None = None) -> ContestPlacement:
    """Place a result (POINTS, PENALTY) in CONTEST's real standings, as a participant of RATING
    (None: a newcomer) inserted among its rated rows: rank, percentiles, both performances and the
    rating change. NEWCOMER overrides the newcomer rating by date; SOLVED = 0 says "nothing
    solved" instead of a performance."""
    rows, unrated = placement_rows(contest)
    spot = place(points, penalty, rows, contest.rules)
    common = dict(rank=spot.rank, worst_rank=spot.worst_rank, participants=spot.participants, unrated=unrated,
                  percentile=spot.percentile, worst_percentile=100.0 * (spot.worst_rank - 1) / spot.participants)
    if not any(r.old_rating is not None for r in rows):
        return ContestPlacement(**common, performance=None, performance_note=performance_note(None, 0, rated=False),
                                codeelo_performance=None, rating=rating, rating_change=None, newcomer_rating=None)
    newcomer = contest_newcomer_rating(contest, newcomer) if needs_newcomer_rating(contest, rating) else newcomer
    rating_used = newcomer if rating is None else int(rating)
    ratings = effective_ratings([r.old_rating for r in rows] + [rating_used], newcomer)
    _, worst = rank_table([r.points for r in rows] + [points], [r.penalty for r in rows] + [penalty], contest.rules)
    search = _PerformanceSearch(worst, ratings)
    change = int(search.update.deltas[-1])
    perf: float | None = float(search.search(np.array([len(rows)]))[0])
    note = performance_note(perf, spot.worst_rank, solved)
    codeelo = codeelo_performance(spot.worst_rank, ratings[:-1])
    if note is not None and not note.startswith(("at least", "at most")):
        perf = codeelo = None  # nothing solved, or first place: CodeElo's equation has no finite root there either
    return ContestPlacement(**common, performance=perf, performance_note=note, codeelo_performance=codeelo,
                            rating=rating_used, rating_change=change, newcomer_rating=newcomer)
