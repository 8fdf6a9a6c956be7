"""One-sided tests of chance for the meeting flags (SPEC §6 «Signal over noise»), numpy only.

Each function answers: if the current period came from the same process as the previous
periods, how likely is a value at least this much *worse*? A flag needs that probability
(the p-value) below ``metrics.dynamics.ALPHA``. The test fits the metric type:

* durations (medians, p90 of working hours): Mann–Whitney U of the current tickets against the
  previous periods' tickets pooled — rank based, so a few extreme tickets cannot carry it;
* counts (tickets per user, per staff member; hours as counts of whole hours): the exact
  conditional test of two Poisson rates — given N = c + P events over k + 1 equal periods,
  c ~ Binomial(N, 1 / (k + 1)) under equal rates;
* shares (SLA compliance, development share of hours): the pooled two-proportion z test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def _normal_sf(z: float) -> float:
    """P(Z ≥ z) of the standard normal distribution."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def mann_whitney_worse_p(current: np.ndarray, previous: np.ndarray, higher_is_worse: bool = True) -> float:
    """One-sided Mann–Whitney U p-value that ``current`` tends to be worse than ``previous``.

    U = R₁ − n₁(n₁ + 1)/2 with R₁ the rank sum (mid-ranks for ties) of the current values; the
    normal approximation with tie correction and continuity correction 0.5:
    z = (U − n₁n₀/2 − 0.5) / σ, σ² = n₁n₀/12 · ((N + 1) − Σ(t³ − t) / (N(N − 1))).
    ``higher_is_worse`` False tests for lower values (e.g. a falling compliance). NaN when a
    sample is empty or all values are equal.
    """
    current = np.asarray(current, dtype=float)
    previous = np.asarray(previous, dtype=float)
    n1, n0 = len(current), len(previous)
    if n1 == 0 or n0 == 0:
        return float("nan")
    sign = 1.0 if higher_is_worse else -1.0
    values = np.concatenate([current, previous]) * sign
    ranks = pd.Series(values).rank(method="average").to_numpy()
    u = ranks[:n1].sum() - n1 * (n1 + 1) / 2.0
    total = n1 + n0
    ties = np.unique(values, return_counts=True)[1].astype(float)
    variance = n1 * n0 / 12.0 * ((total + 1) - (ties ** 3 - ties).sum() / (total * (total - 1)))
    if variance <= 0:
        return float("nan")
    return _normal_sf((u - n1 * n0 / 2.0 - 0.5) / math.sqrt(variance))


def binomial_sf(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p), summed exactly in log space."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    i = np.arange(k, n + 1)
    log_terms = (math.lgamma(n + 1) - np.array([math.lgamma(j + 1) + math.lgamma(n - j + 1) for j in i])
                 + i * math.log(p) + (n - i) * math.log1p(-p))
    top = log_terms.max()
    return float(min(1.0, math.exp(top) * np.exp(log_terms - top).sum()))


def poisson_rate_worse_p(current: float, previous_total: float, n_previous: int) -> float:
    """Exact one-sided p-value that the current period's count rate exceeds the previous periods'.

    ``current`` events in one period against ``previous_total`` events over ``n_previous``
    periods of the same length and exposure; conditional on the total N, the current count is
    Binomial(N, 1 / (n_previous + 1)) when the rates are equal (Przyborowski–Wilenski).
    Counts are rounded to whole events. NaN without previous periods.
    """
    if n_previous < 1 or not (np.isfinite(current) and np.isfinite(previous_total)):
        return float("nan")
    c = round(current)
    total = c + round(previous_total)
    return binomial_sf(c, total, 1.0 / (n_previous + 1))


def two_proportion_worse_p(x1: float, n1: float, x0: float, n0: float, higher_is_worse: bool = True) -> float:
    """One-sided pooled two-proportion z test p-value that x1/n1 is worse than x0/n0.

    z = (p₁ − p₀) / √(p̂(1 − p̂)(1/n₁ + 1/n₀)), p̂ = (x₁ + x₀)/(n₁ + n₀). NaN when a base is 0 or
    the pooled share is 0 or 1 (no variation to test against).
    """
    if n1 <= 0 or n0 <= 0:
        return float("nan")
    pooled = (x1 + x0) / (n1 + n0)
    if pooled <= 0 or pooled >= 1:  # both shares 0 % or both 100 %: no difference
        return float("nan")
    z = (x1 / n1 - x0 / n0) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    return _normal_sf(z if higher_is_worse else -z)


def normal_sf(z: np.ndarray) -> np.ndarray:
    """:func:`_normal_sf` of every element (the same `math.erfc`, so the same p-values as one at a time)."""
    scaled = np.asarray(z, dtype=float) / math.sqrt(2.0)
    return 0.5 * np.array([math.erfc(v) for v in scaled.tolist()], dtype=float)


def mann_whitney_worse_p_by_group(values: np.ndarray, group: np.ndarray, current: np.ndarray,
                                  higher_is_worse: np.ndarray) -> pd.Series:
    """:func:`mann_whitney_worse_p` of many samples at once, one p-value per group (NaN where it is NaN).

    ``values`` are the single values, ``group`` says whose sample each belongs to, ``current`` whether it is of
    the current period (else of the previous ones) and ``higher_is_worse`` the direction of its group. Ranks,
    rank sums and tie counts are grouped passes; the arithmetic is the one-sample function's, term by term.
    """
    sign = np.where(np.asarray(higher_is_worse, dtype=bool), 1.0, -1.0)
    frame = pd.DataFrame({"group": group, "current": np.asarray(current, dtype=bool),
                          "value": np.asarray(values, dtype=float) * sign})
    by = frame.groupby("group", sort=False)
    size = by.size()
    n1 = by["current"].sum().astype(np.int64)
    n0 = size - n1
    ranks = by["value"].rank(method="average")
    u = (ranks[frame["current"]].groupby(frame.loc[frame["current"], "group"]).sum().reindex(size.index, fill_value=0.0)
         - n1 * (n1 + 1) / 2.0)
    ties = frame.groupby(["group", "value"], sort=False).size().astype(float)
    tie_sum = (ties ** 3 - ties).groupby(level="group", sort=False).sum().reindex(size.index)
    total = n1 + n0
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = n1 * n0 / 12.0 * ((total + 1) - tie_sum / (total * (total - 1)))
        z = (u - n1 * n0 / 2.0 - 0.5) / np.sqrt(variance.where(variance > 0))
    p = pd.Series(normal_sf(z.to_numpy()), index=size.index)
    return p.where((n1 > 0) & (n0 > 0) & (variance > 0))


def two_proportion_worse_p_many(x1: np.ndarray, n1: np.ndarray, x0: np.ndarray, n0: np.ndarray,
                                higher_is_worse: np.ndarray) -> np.ndarray:
    """:func:`two_proportion_worse_p` element by element, on arrays (NaN where it is NaN)."""
    x1, n1, x0, n0 = (np.asarray(a, dtype=float) for a in (x1, n1, x0, n0))
    with np.errstate(all="ignore"):
        pooled = (x1 + x0) / (n1 + n0)
        z = (x1 / n1 - x0 / n0) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    valid = ~(n1 <= 0) & ~(n0 <= 0) & ~(pooled <= 0) & ~(pooled >= 1)
    p = normal_sf(np.where(np.asarray(higher_is_worse, dtype=bool), z, -z))
    return np.where(valid, p, np.nan)
