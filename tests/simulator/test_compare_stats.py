"""The paired tests behind `csim compare`, against their closed forms."""

from __future__ import annotations

import pytest

from simulator.compare import mcnemar_exact, wilcoxon_percentiles


def test_mcnemar_exact_is_the_binomial_tail_of_the_discordant_pairs():
    lost_all = mcnemar_exact(10, 0, 0.05)
    assert lost_all.p_value == pytest.approx(2 * 0.5**10)
    assert (lost_all.direction, lost_all.significant) == ("B worse", True)
    gained = mcnemar_exact(1, 9, 0.05)
    assert gained.p_value == pytest.approx(2 * 11 / 2**10)  # P(X <= 1) + P(X >= 9), X ~ Bin(10, 1/2)
    assert (gained.direction, gained.significant) == ("B better", True)
    balanced = mcnemar_exact(4, 4, 0.05)
    assert (balanced.p_value, balanced.significant) == (1.0, False)
    nothing = mcnemar_exact(0, 0, 0.05)
    assert (nothing.p_value, nothing.direction, nothing.significant) == (1.0, "same", False)


def test_mcnemar_needs_enough_pairs_to_call_anything():
    # 5 problems all lost is p = 1/16: not significant at 0.05, however bad it looks
    assert mcnemar_exact(5, 0, 0.05).significant is False


def test_wilcoxon_on_percentiles_sees_a_consistent_shift_and_ignores_no_change():
    a = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0]
    worse = [x + 5 + i for i, x in enumerate(a)]
    outcome = wilcoxon_percentiles(a, worse, 0.05)
    assert outcome.p_value == pytest.approx(2 / 2**8)  # exact: every difference positive, n = 8
    assert (outcome.direction, outcome.significant) == ("B worse", True)
    same = wilcoxon_percentiles(a, list(a), 0.05)
    assert (same.p_value, same.significant) == (1.0, False)
    mixed = wilcoxon_percentiles(a, [x + (3 if i % 2 else -3) for i, x in enumerate(a)], 0.05)
    assert mixed.significant is False
