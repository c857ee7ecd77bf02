"""Solve-rate metrics: unbiased pass@k, AlphaCode's n@k by sub-sampling, bootstrap intervals."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy import stats


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from N samples of which C are correct: 1 - C(n-c, k) / C(n, k), computed
    as a running product so that large N does not overflow (Codex, Chen et al. 2021)."""
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n, got n={n}, k={k}")
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def _generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def n_at_k(n: int, k: int, total, pass_examples, pass_all, *, draws: int = 1000,
           rng: np.random.Generator | int | None = 0) -> np.ndarray:
    """AlphaCode's n@k estimate per problem (Li et al. 2022, Algorithm 1).

    For each problem, TOTAL samples were drawn, PASS_EXAMPLES of them pass the statement's
    examples and PASS_ALL (a subset of those) pass every test. Each of DRAWS rounds draws
    e' ~ Hypergeometric(pass_examples, total - pass_examples, k) of k samples passing the
    examples, submits n' = min(e', n) of them, draws s' ~ Hypergeometric(pass_all,
    pass_examples - pass_all, n') correct ones among those, and counts the problem solved if
    s' > 0. Returns the solved share per problem (average it for the n@k of a problem set).
    RNG (a Generator or a seed) fixes the draws."""
    total, e, s = (np.atleast_1d(np.asarray(x, dtype=np.int64)) for x in (total, pass_examples, pass_all))
    if not (total.shape == e.shape == s.shape):
        raise ValueError("total, pass_examples and pass_all must have the same length")
    if ((s < 0) | (s > e) | (e > total)).any():
        raise ValueError("need 0 <= pass_all <= pass_examples <= total for every problem")
    if n < 1 or k < 1 or (k > total).any():
        raise ValueError(f"need n >= 1 and 1 <= k <= total samples (k={k})")
    gen = _generator(rng)
    shape = (draws, len(total))
    e_drawn = gen.hypergeometric(np.broadcast_to(e, shape), np.broadcast_to(total - e, shape), k)
    submitted = np.minimum(e_drawn, n)
    # numpy needs ngood + nbad >= 1; a problem with no sample passing the examples is never solved.
    has_e = np.broadcast_to(e > 0, shape)
    s_drawn = np.zeros(shape, dtype=np.int64)
    s_drawn[has_e] = gen.hypergeometric(np.broadcast_to(s, shape)[has_e],
                                        np.broadcast_to(e - s, shape)[has_e], submitted[has_e])
    return (s_drawn > 0).mean(axis=0)


class Interval(NamedTuple):
    low: float
    high: float


def bootstrap_ci(values, statistic: Callable = np.mean, confidence: float = 0.95, n_boot: int = 9999,
                 seed: int | None = 0) -> Interval:
    """Bootstrap confidence interval of STATISTIC over VALUES (scipy.stats.bootstrap; SEED fixes it).

    BCa where it is defined; the percentile method where BCa degenerates (e.g. the median of 0/1
    outcomes, whose resamples barely vary). With fewer than two values, or all values equal, the
    interval is the statistic itself: resampling cannot show any spread there."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        raise ValueError("need at least one value")
    if values.size < 2 or np.all(values == values[0]):
        point = float(statistic(values))
        return Interval(point, point)
    for method in ("BCa", "percentile"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a degenerate BCa warns, then gives NaN: handled below
            result = stats.bootstrap((values,), statistic, confidence_level=confidence, n_resamples=n_boot,
                                     method=method, rng=np.random.default_rng(seed))
        low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
        if not (np.isnan(low) or np.isnan(high)):
            break
    return Interval(low, high)
