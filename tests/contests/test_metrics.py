"""pass@k, n@k and bootstrap intervals against their closed forms."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest
from scipy.stats import hypergeom

from contests.metrics import bootstrap_ci, n_at_k, pass_at_k


@pytest.mark.parametrize("n, c, k", [(10, 3, 1), (10, 3, 5), (10, 0, 4), (10, 10, 10), (200, 13, 100), (50, 1, 50)])
def test_pass_at_k_is_the_unbiased_estimator(n, c, k):
    assert pass_at_k(n, c, k) == pytest.approx(1 - comb(n - c, k) / comb(n, k), abs=1e-12)


def test_pass_at_k_stays_finite_for_huge_n():
    value = pass_at_k(100_000, 37, 1000)  # C(100000, 1000) overflows a float; Python's ints do not
    assert value == pytest.approx(1 - comb(100_000 - 37, 1000) / comb(100_000, 1000), rel=1e-12)
    with pytest.raises(ValueError):
        pass_at_k(5, 6, 1)


def exact_n_at_k(n, k, total, e, s):
    """Closed form of Algorithm 1's expectation: sum over e' of P(e') * P(some correct among n')."""
    if e == 0:
        return 0.0
    prob = 0.0
    for e_drawn in range(0, min(e, k) + 1):
        submitted = min(e_drawn, n)
        p_none = comb(e - s, submitted) / comb(e, submitted)
        prob += hypergeom(total, e, k).pmf(e_drawn) * (1 - p_none)
    return prob


def test_n_at_k_matches_the_expectation_of_algorithm_1():
    problems = [(1000, 100, 5), (1000, 10, 0), (1000, 0, 0), (150, 50, 1), (400, 40, 40)]
    total, e, s = (np.array(x) for x in zip(*problems))
    got = n_at_k(10, 100, total, e, s, draws=40_000, rng=3)
    want = [exact_n_at_k(10, 100, *p) for p in problems]
    assert got == pytest.approx(want, abs=0.01)
    assert got[1] == 0 and got[2] == 0  # nothing correct: never solved


def test_n_at_k_is_fixed_by_the_seed():
    a = n_at_k(10, 50, [500, 500], [60, 5], [3, 1], draws=500, rng=11)
    b = n_at_k(10, 50, [500, 500], [60, 5], [3, 1], draws=500, rng=11)
    c = n_at_k(10, 50, [500, 500], [60, 5], [3, 1], draws=500, rng=12)
    assert a.tolist() == b.tolist() and a.tolist() != c.tolist()
    with pytest.raises(ValueError):
        n_at_k(10, 50, [500], [5], [6])  # more correct than passing the examples


def test_bootstrap_interval_brackets_the_mean_and_is_reproducible():
    values = np.random.default_rng(0).binomial(1, 0.3, 200).astype(float)
    low, high = bootstrap_ci(values, seed=5)
    assert low < values.mean() < high
    assert 0.15 < low and high < 0.45 and high - low < 0.2
    assert bootstrap_ci(values, seed=5) == (low, high)
    wider = bootstrap_ci(values, confidence=0.99, seed=5)
    assert wider.low < low and wider.high > high
    assert bootstrap_ci([0.4, 0.4, 0.4]) == pytest.approx((0.4, 0.4))
    assert bootstrap_ci(values, statistic=np.median, seed=5).low <= np.median(values)
