"""Tests of chance behind the meeting flags (metrics.significance)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.significance import (binomial_sf, mann_whitney_worse_p, mann_whitney_worse_p_by_group,
                                  poisson_rate_worse_p, two_proportion_worse_p, two_proportion_worse_p_many)


@given(st.integers(0, 60), st.integers(0, 60), st.floats(0.05, 0.95))
def test_binomial_tail_equals_the_plain_sum(k, n, p):
    expected = sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k, n + 1)) if k > 0 else 1.0
    assert binomial_sf(k, n, p) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_poisson_rate_test_is_the_conditional_binomial():
    # 10 now, 15 over three earlier periods: P(X ≥ 10), X ~ Bin(25, 1/4)
    expected = sum(math.comb(25, i) * 0.25 ** i * 0.75 ** (25 - i) for i in range(10, 26))
    assert poisson_rate_worse_p(10, 15, 3) == pytest.approx(expected)
    assert poisson_rate_worse_p(5, 15, 3) > 0.5  # exactly the usual rate: nothing to see


def test_mann_whitney_by_hand():
    # current 4, 5, 6 against 1, 2, 3: U = 9, mean 4.5, σ² = 9/12 · 7 = 5.25, z = (9 − 4.5 − 0.5)/√5.25
    z = 4.0 / math.sqrt(5.25)
    assert mann_whitney_worse_p(np.array([4, 5, 6]), np.array([1, 2, 3])) == pytest.approx(
        0.5 * math.erfc(z / math.sqrt(2)))
    assert mann_whitney_worse_p(np.array([1, 2, 3]), np.array([4, 5, 6])) > 0.9
    assert mann_whitney_worse_p(np.array([1, 2, 3]), np.array([4, 5, 6]), higher_is_worse=False) < 0.05


def test_mann_whitney_of_identical_values_has_no_answer():
    assert math.isnan(mann_whitney_worse_p(np.array([2.0, 2.0]), np.array([2.0, 2.0, 2.0])))


def test_two_proportion_z_by_hand():
    # 14/20 now vs 57/60 before, lower is worse: pooled 71/80
    pooled = 71 / 80
    z = (14 / 20 - 57 / 60) / math.sqrt(pooled * (1 - pooled) * (1 / 20 + 1 / 60))
    assert two_proportion_worse_p(14, 20, 57, 60, higher_is_worse=False) == pytest.approx(
        0.5 * math.erfc(-z / math.sqrt(2)))
    assert math.isnan(two_proportion_worse_p(0, 0, 5, 10))


# ------------------------------------------------------------------ edges a mutation run showed unchecked (issue 19)
def test_mann_whitney_tie_correction_by_hand():
    # current 3, 3, 4 against 1, 2, 2, 3: mid-ranks 1 | 2.5 2.5 | 5 5 5 | 7 → R₁ = 5 + 5 + 7 = 17, U = 17 − 6 = 11;
    # ties of sizes 1, 2, 3, 1: Σ(t³ − t) = 6 + 24 = 30; σ² = 12/12 · (8 − 30/42); z = (11 − 6 − 0.5)/σ
    z = 4.5 / math.sqrt(8 - 30 / 42)
    assert mann_whitney_worse_p(np.array([3, 3, 4]), np.array([1, 2, 2, 3])) == pytest.approx(
        0.5 * math.erfc(z / math.sqrt(2)), rel=1e-12)


def test_mann_whitney_of_single_values_and_of_an_empty_sample():
    # 5 against 3: U = 1, mean ½, σ² = 1/12 · 3 = ¼, z = (1 − ½ − ½)/½ = 0 → p = ½
    assert mann_whitney_worse_p(np.array([5.0]), np.array([3.0])) == 0.5
    assert mann_whitney_worse_p(np.array([5.0]), np.array([3.0, 4.0])) < 0.5
    assert math.isnan(mann_whitney_worse_p(np.array([]), np.array([1.0, 2.0])))
    assert math.isnan(mann_whitney_worse_p(np.array([1.0, 2.0]), np.array([])))


def test_binomial_tail_from_zero_is_exactly_one_and_never_above_one():
    assert binomial_sf(0, 7, 0.3) == 1.0
    assert binomial_sf(-2, 7, 0.3) == 1.0
    assert binomial_sf(1, 60, 0.95) == 1.0  # the log-space sum alone comes out at 1 + 3e-14
    assert binomial_sf(8, 7, 0.3) == 0.0


def test_poisson_rate_against_one_previous_period_and_without_any():
    # 6 now, 2 in the one period before: X ~ Bin(8, ½), P(X ≥ 6) = (28 + 8 + 1)/256
    assert poisson_rate_worse_p(6, 2, 1) == pytest.approx(37 / 256)
    assert poisson_rate_worse_p(5.6, 2.4, 1) == pytest.approx(37 / 256)  # counts rounded to whole events
    assert math.isnan(poisson_rate_worse_p(6, 2, 0))
    assert math.isnan(poisson_rate_worse_p(float("nan"), 2, 1))
    assert math.isnan(poisson_rate_worse_p(6, float("inf"), 1))


def test_two_proportion_default_direction_and_small_bases():
    # 6/10 now vs 2/10, higher is worse by default: pooled 0.4, z = 0.4 / √(0.4 · 0.6 · 0.2)
    z = 0.4 / math.sqrt(0.4 * 0.6 * 0.2)
    assert two_proportion_worse_p(6, 10, 2, 10) == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)))
    # bases of one: 1/1 vs 2/4, pooled 3/5, z = 0.5 / √(0.24 · 1.25)
    z = 0.5 / math.sqrt(0.24 * 1.25)
    assert two_proportion_worse_p(1, 1, 2, 4) == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)))
    assert two_proportion_worse_p(2, 4, 1, 1) == pytest.approx(0.5 * math.erfc(-z / math.sqrt(2)))
    assert math.isnan(two_proportion_worse_p(1, 10, 0, 0))
    assert math.isnan(two_proportion_worse_p(0, 10, 0, 10))  # pooled 0 %
    assert math.isnan(two_proportion_worse_p(10, 10, 5, 5))  # pooled 100 %


# hours on a coarse grid, so that ties (and all-equal samples) are common
_SAMPLE = st.lists(st.integers(0, 6).map(lambda v: v / 2), max_size=12)


@given(st.lists(st.tuples(_SAMPLE, _SAMPLE, st.booleans()), min_size=1, max_size=5))
def test_mann_whitney_by_group_is_the_one_sample_test_of_each_group(groups):
    """The grouped test (the manager's home tests every client's keys at once) gives each group exactly the p-value
    of the one-sample function, NaN where it has no answer."""
    values, group, current, worse = [], [], [], []
    for g, (now, before, higher_is_worse) in enumerate(groups):
        for sample, is_now in ((now, True), (before, False)):
            values += sample
            group += [g] * len(sample)
            current += [is_now] * len(sample)
            worse += [higher_is_worse] * len(sample)
    p = mann_whitney_worse_p_by_group(np.array(values, dtype=float), np.array(group), np.array(current, dtype=bool),
                                      np.array(worse, dtype=bool))
    for g, (now, before, higher_is_worse) in enumerate(groups):
        expected = mann_whitney_worse_p(np.array(now), np.array(before), higher_is_worse)
        got = p.get(g, float("nan"))
        assert (math.isnan(got) and math.isnan(expected)) or got == expected


@given(st.lists(st.tuples(st.floats(0, 50), st.floats(0, 50), st.floats(0, 50), st.floats(0, 50), st.booleans()),
                min_size=1, max_size=8))
def test_two_proportion_many_is_the_one_pair_test_of_each_pair(pairs):
    x1, n1, x0, n0, worse = (np.array(column) for column in zip(*pairs))
    got = two_proportion_worse_p_many(np.minimum(x1, n1), n1, np.minimum(x0, n0), n0, worse)
    for i, (a, b, c, d, w) in enumerate(pairs):
        expected = two_proportion_worse_p(min(a, b), b, min(c, d), d, w)
        assert (math.isnan(got[i]) and math.isnan(expected)) or got[i] == expected
