"""Several countries evaluated as one problem give each country's own evaluation (issue 14).

`store.comparison_rollup` refreshes every country a load touched in one pass of `metrics.privacy`: a group
never crosses a country (two countries' cities of the same name are two groups), and each country's
reference and suppression quarters end with its own latest quarter of the metric.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.privacy import LEVELS, comparison_groups_metrics
from tests.unit.test_privacy_coalitions import QUARTER_DAY, SIBERIA, _answers

METRICS = ["csat:q_design", "mean:q_design"]
WINDOWS = ["2024Q1", "2024Q2", "ttm:2024Q2"]


def _partners(rng: np.random.Generator, countries: tuple[str, ...]) -> pd.DataFrame:
    """The same cities and regions in every country (names shared across countries)."""
    rows = [{"partner_id": f"{country}-{city}-{i}", "city": city, "region": SIBERIA[city], "country": country}
            for country in countries for city in SIBERIA for i in range(int(rng.integers(0, 8)))]
    return pd.DataFrame(rows, columns=["partner_id", *LEVELS])


def _frozen(rng: np.random.Generator, partners: pd.DataFrame) -> dict:
    picked = partners[rng.random(len(partners)) < 0.2]
    levels = pd.Series(rng.choice(LEVELS, len(picked)), index=picked["partner_id"].to_numpy(), dtype=object)
    return {"csat:q_design": {"2024Q1": levels, "ttm:2024Q2": levels}}


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31 - 1), st.booleans())
def test_countries_stacked_in_one_problem_equal_each_country_alone(seed, kz_ends_earlier):
    rng = np.random.default_rng(seed)
    partners = _partners(rng, ("RU", "KZ"))
    counts = {(p, q): int(rng.integers(1, 16)) for p in partners["partner_id"] for q in QUARTER_DAY
              if rng.random() < 0.8 and not (kz_ends_earlier and p.startswith("KZ") and q == "2024Q2")}
    answers = _answers(counts, rng)
    frozen = _frozen(rng, partners)
    together = comparison_groups_metrics(partners, answers, METRICS, WINDOWS, frozen=frozen)
    for country, places in partners.groupby("country"):
        alone = comparison_groups_metrics(places, answers[answers["partner_id"].isin(places["partner_id"])],
                                          METRICS, WINDOWS, frozen=frozen)
        for metric in METRICS:
            for window in WINDOWS:
                pd.testing.assert_frame_equal(together[metric][window].loc[places["partner_id"]],
                                              alone[metric][window], obj=f"{country} {metric} {window}")


def test_a_city_named_alike_in_two_countries_is_two_groups():
    """Five Omsk partners in Russia and five in Kazakhstan: each sees only its own country's four others, and
    the order of the partners does not matter."""
    partners = pd.DataFrame([{"partner_id": f"{c}-{i}", "city": "Омск", "region": "Сибирь", "country": c}
                             for c in ("RU", "KZ") for i in range(6)])
    answers = _answers({(p, "2024Q2"): 10 for p in partners["partner_id"]})
    answers.loc[answers["partner_id"].str.startswith("KZ"), "q_design"] = 1.0
    together = comparison_groups_metrics(partners.sample(frac=1, random_state=3), answers, ["mean:q_design"],
                                         ["2024Q2"])["mean:q_design"]["2024Q2"]
    assert (together.loc[["RU-0", "KZ-0"], ["level", "n_partners", "value"]].to_numpy().tolist()
            == [["city", 5, 5.0], ["city", 5, 1.0]])
