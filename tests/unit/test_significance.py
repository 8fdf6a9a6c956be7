"""Tests of chance behind the meeting flags (metrics.significance)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.significance import (binomial_sf, mann_whitney_worse_p, poisson_rate_worse_p,
                                  two_proportion_worse_p)


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
