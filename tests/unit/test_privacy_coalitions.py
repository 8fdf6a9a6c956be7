"""Anonymity against two partners pooling their pages (issue 18, finding 2): secondary suppression.

An Omsk partner is shown Siberia, a Novosibirsk partner Novosibirsk. Adding their own answers and
subtracting, the pair learns Siberia − Novosibirsk − Omsk = Tomsk, three partners that no page shows.
The checker below is independent of `metrics.privacy`: it takes the shown figures only, forms every
difference two viewers can compute, and applies the thresholds to the partners left in it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import metrics.privacy as privacy
from demo import generate
from metrics.privacy import (
    MAX_PARTNER_SHARE,
    MIN_ANSWERS,
    MIN_PARTNERS,
    comparison_groups_all,
    comparison_groups_windows,
    parse_window,
)
from metrics.survey import QUESTIONS, quarter_label

QUARTER_DAY = {"2023Q3": "2023-08-10", "2023Q4": "2023-11-10", "2024Q1": "2024-02-10", "2024Q2": "2024-05-10"}
SIBERIA = {"Новосибирск": "Сибирь", "Омск": "Сибирь", "Томск": "Сибирь", "Пермь": "Урал"}


def _partners(per_city: dict[str, int]) -> pd.DataFrame:
    rows = [{"partner_id": f"{city}-{i}", "city": city, "region": SIBERIA[city], "country": "RU"}
            for city, n in per_city.items() for i in range(n)]
    return pd.DataFrame(rows, columns=["partner_id", "city", "region", "country"])


def _answers(counts: dict[tuple[str, str], int], rng: np.random.Generator | None = None) -> pd.DataFrame:
    rows = [(p, QUARTER_DAY[q]) for (p, q), n in counts.items() for _ in range(n)]
    frame = pd.DataFrame(rows, columns=["partner_id", "surveyed_at"])
    frame["surveyed_at"] = pd.to_datetime(frame["surveyed_at"], utc=True)
    frame["q_design"] = 5.0 if rng is None else rng.integers(1, 6, len(frame)).astype(float)
    return frame


def coalition_leaks(partners: pd.DataFrame, answers: pd.DataFrame, question: str,
                    shown_by_window: dict[str, pd.DataFrame]) -> list[tuple]:
    """Every group two viewers can compute from a pair of shown figures that fails the thresholds.

    Viewer a is shown the group G1 without a, viewer b the group G2 without b, in the same window. Adding
    their own answers back they know both sums; when G2 is a strict part of G1 they learn
    (G1 − G2) − {a, b}. That group, if it holds any answer, must have ≥ 5 partners with answers, ≥ 30
    answers and no partner above half of them.
    """
    geo = partners.set_index("partner_id")
    answered = answers[answers[question].notna()]
    leaks = []
    for window, shown in shown_by_window.items():
        in_window = answered[quarter_label(answered["surveyed_at"]).isin(parse_window(window).quarters)]
        per_partner = in_window.groupby("partner_id").size()
        visible = shown[~shown["withheld"]]
        members = {viewer: frozenset(geo.index[geo[level] == geo.loc[viewer, level]])
                   for viewer, level in visible["level"].items()}
        for a, coarse in members.items():
            for b, fine in members.items():
                if not fine < coarse:
                    continue
                derived = per_partner.reindex(sorted((coarse - fine) - {a, b})).fillna(0)
                derived = derived[derived > 0]
                total = derived.sum()
                if len(derived) and not (len(derived) >= MIN_PARTNERS and total >= MIN_ANSWERS
                                         and derived.max() <= MAX_PARTNER_SHARE * total):
                    leaks.append((window, a, b, tuple(derived.index)))
    return leaks


def _evaluate(partners, answers, windows, metric="mean:q_design") -> dict[str, pd.DataFrame]:
    return comparison_groups_windows(partners, answers, metric, windows)


def _finding_two():
    """Novosibirsk: 6 partners, Omsk: 1, Tomsk: 3 — each partner 10 answers in every quarter."""
    partners = _partners({"Новосибирск": 6, "Омск": 1, "Томск": 3})
    counts = {(p, q): 10 for p in partners["partner_id"] for q in QUARTER_DAY}
    return partners, _answers(counts)


def _without_secondary_suppression(inputs, quarters, quarter_ok, ref_ok, chosen, has_level, fixed):
    n = len(chosen)
    return chosen, has_level, np.zeros(n, dtype=bool), np.zeros((n, len(privacy.LEVELS)), dtype=bool)


def test_two_viewers_would_recover_tomsk_without_secondary_suppression(monkeypatch):
    partners, answers = _finding_two()
    monkeypatch.setattr(privacy, "_secondary_suppression", _without_secondary_suppression)
    shown = _evaluate(partners, answers, ["2024Q2"])
    views = shown["2024Q2"]
    assert views.loc["Омск-0", "level"] == "region" and views.loc["Новосибирск-0", "level"] == "city"
    leaks = coalition_leaks(partners, answers, "q_design", shown)
    assert ("2024Q2", "Омск-0", "Новосибирск-0", ("Томск-0", "Томск-1", "Томск-2")) in leaks


def test_novosibirsk_moves_up_to_siberia_and_says_why():
    partners, answers = _finding_two()
    shown = _evaluate(partners, answers, ["2024Q2", "ttm:2024Q2"])
    assert coalition_leaks(partners, answers, "q_design", shown) == []
    view = shown["ttm:2024Q2"].loc["Новосибирск-0"]
    assert not view["withheld"] and view["level"] == "region" and view["group_name"] == "Сибирь"
    assert view["n_partners"] == 9 and view["n_answers"] == 360
    assert view["reason_ru"] == ("группа «Новосибирск» не показана: вычтя её из более крупной группы, можно было "
                                 "бы узнать данные других партнёров — показана группа «Сибирь»")
    assert "subtracting it from a larger group" in view["reason_en"]


def test_a_complement_that_passes_after_removing_any_one_partner_keeps_the_city():
    # Omsk 1 + Tomsk 6: Siberia − Novosibirsk − the Omsk viewer still leaves six Tomsk partners
    partners = _partners({"Новосибирск": 6, "Омск": 1, "Томск": 6})
    answers = _answers({(p, q): 10 for p in partners["partner_id"] for q in QUARTER_DAY})
    shown = _evaluate(partners, answers, ["ttm:2024Q2"])["ttm:2024Q2"]
    assert shown.loc["Новосибирск-0", "level"] == "city" and shown.loc["Омск-0", "level"] == "region"
    assert shown.loc["Новосибирск-0", "reason_ru"] is None


def test_a_complement_of_five_fails_when_a_viewer_of_the_region_is_inside_it():
    # Tomsk 5 (each sees Siberia: Tomsk alone has only 4 others): Siberia − Novosibirsk − one Tomsk viewer = 4
    partners = _partners({"Новосибирск": 6, "Томск": 5})
    answers = _answers({(p, q): 10 for p in partners["partner_id"] for q in QUARTER_DAY})
    shown = _evaluate(partners, answers, ["ttm:2024Q2"])["ttm:2024Q2"]
    assert shown.loc["Томск-0", "level"] == "region"
    assert shown.loc["Новосибирск-0", "level"] == "region"


def test_a_frozen_city_in_conflict_is_withheld_not_moved():
    partners, answers = _finding_two()
    frozen = pd.Series({f"Новосибирск-{i}": "city" for i in range(6)})
    shown = comparison_groups_all(partners, answers, "mean:q_design", "ttm:2024Q2", frozen=frozen)
    view = shown.loc["Новосибирск-0"]
    assert view["withheld"] and view["level"] is None
    assert view["reason_ru"].endswith("— сравнение не показано") and "«Новосибирск» не показана" in view["reason_ru"]
    assert coalition_leaks(partners, answers, "q_design", {"ttm:2024Q2": shown}) == []


def test_one_viewer_still_gets_the_answer_the_whole_country_gets():
    partners, answers = _finding_two()
    everyone = comparison_groups_all(partners, answers, "mean:q_design", "ttm:2024Q2")
    one = comparison_groups_all(partners, answers, "mean:q_design", "ttm:2024Q2", viewers=["Новосибирск-2"])
    pd.testing.assert_frame_equal(one, everyone.loc[["Новосибирск-2"]])


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**31 - 1))
@example(seed=58314)  # a viewer of the country with no answers that quarter learnt Perm − itself = one partner
def test_no_two_viewers_recover_a_group_below_the_thresholds_on_random_data(seed):
    rng = np.random.default_rng(seed)
    partners = _partners({city: int(rng.integers(0, 9)) for city in SIBERIA})
    counts = {(p, q): int(rng.integers(1, 16)) for p in partners["partner_id"] for q in QUARTER_DAY
              if rng.random() < 0.8}
    answers = _answers(counts, rng)
    windows = [*QUARTER_DAY, "ttm:2024Q2"]
    assert coalition_leaks(partners, answers, "q_design", _evaluate(partners, answers, windows)) == []


@pytest.fixture(scope="module")
def demo_answers() -> tuple[pd.DataFrame, pd.DataFrame]:
    frames = generate("small", seed=42)
    partners = frames["partners"][["partner_id", "city", "region", "country"]]
    answers = frames["surveys"].merge(frames["projects"][["project_id", "version", "partner_id"]],
                                      on=["project_id", "version"])
    return partners, answers.assign(**{q: answers[q].astype(float) for q in QUESTIONS})


@pytest.mark.parametrize("question", ["q_recommend_partner", "q_design", "q_speed"])
def test_no_two_viewers_recover_a_group_below_the_thresholds_on_the_demo(demo_answers, question):
    partners, answers = demo_answers
    metric = f"nps:{question}" if question.startswith("q_recommend") else f"csat:{question}"
    latest = quarter_label(answers["surveyed_at"]).max()
    quarters = [str(pd.Period(latest, "Q") - k) for k in range(1, 5)]
    windows = [*quarters, f"ttm:{quarters[0]}"]
    figures = 0
    for country, places in partners.groupby("country"):
        of_country = answers[answers["partner_id"].isin(places["partner_id"])]
        shown = comparison_groups_windows(places, of_country, metric, windows)
        assert coalition_leaks(places, of_country, question, shown) == [], country
        figures += sum(int((~frame["withheld"]).sum()) for frame in shown.values())
    assert figures > 0
