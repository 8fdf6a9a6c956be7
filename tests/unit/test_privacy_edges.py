"""Anonymized comparison edge cases a mutation run of metrics/privacy.py showed unchecked (issue 19, item 6).

The comparison from answer counts (the page's path, `survey_rollup`) on hand-counted cells, and the
branches the threshold and suppression tests above do not reach. Expected values are counted by hand
from the rows in each test.
"""
from __future__ import annotations

import pandas as pd
import pytest

from metrics.privacy import (
    cells_from_counts,
    comparison_group,
    comparison_groups_all,
    comparison_groups_metrics,
    comparison_groups_windows,
    parse_window,
    prepare_comparison,
    suppression_quarters,
    window_id,
)
from tests.unit.test_privacy import OMSK5, VIEWER, _answers, _counts_of, _even, _finding_one, _partners
from tests.unit.test_privacy_coalitions import QUARTER_DAY as COALITION_QUARTERS
from tests.unit.test_privacy_coalitions import _answers as coalition_answers
from tests.unit.test_privacy_coalitions import _partners as coalition_partners
from tests.unit.test_privacy_coalitions import coalition_leaks

COUNTS = pd.DataFrame(
    [
        # partner, quarter, question, scale, answer, answers
        ("A", "2024Q2", "q_recommend_partner", 10, 10, 3),  # promoters, satisfied
        ("A", "2024Q2", "q_recommend_partner", 10, 7, 2),  # passives
        ("A", "2024Q2", "q_recommend_partner", 10, 5, 4),  # detractors
        ("B", "2024Q2", "q_recommend_partner", 5, 4, 6),  # satisfied; promoters only under top2
        ("B", "2024Q2", "q_recommend_partner", 5, 2, 1),  # detractor under both schemes
        ("A", "2024Q1", "q_design", 5, 5, 9),
    ],
    columns=["partner_id", "quarter", "question", "scale", "answer", "answers"],
)
CELL_COLUMNS = ["partner_id", "quarter", "n", "total", "top", "promoters", "detractors"]


def test_cells_from_counts_weigh_each_answer_value_by_its_count():
    cells = cells_from_counts(COUNTS, "q_recommend_partner")
    assert cells.columns.tolist() == CELL_COLUMNS
    # A: 3·10 + 2·7 + 4·5 = 64 over 9 answers; B: 6·4 + 1·2 = 26 over 7
    assert cells.values.tolist() == [["A", "2024Q2", 9, 64.0, 3, 3, 4], ["B", "2024Q2", 7, 26.0, 6, 0, 1]]
    top2 = cells_from_counts(COUNTS, "q_recommend_partner", scheme="top2")
    assert top2[["promoters", "detractors"]].values.tolist() == [[3, 4], [6, 1]]
    assert cells_from_counts(COUNTS, "q_design").values.tolist() == [["A", "2024Q1", 9, 45.0, 9, 9, 0]]


def test_counts_and_answers_give_the_same_comparison_at_every_level():
    tomsk = [f"Томск-{i}" for i in range(4)]
    counts = (_even(OMSK5, "2024Q2", 6) | _even(tomsk, "2024Q2", 3) | _even(OMSK5[:2], "2024Q1", 4)
              | {(VIEWER, "2024Q2"): 5})
    partners = _partners({"Омск": 5, "Томск": 4})
    answers = _answers(counts)
    answers["q_design"] = [float(1 + i % 5) for i in range(len(answers))]
    shown = 0
    for metric in ("csat:q_design", "mean:q_design"):
        for window in ("2024Q2", "ttm:2024Q2"):
            from_answers = comparison_groups_all(partners, answers, metric, window)
            from_counts = comparison_groups_all(partners, None, metric, window,
                                                counts=_counts_of(answers, "q_design", "5"))
            pd.testing.assert_frame_equal(from_counts, from_answers)
            shown += int((~from_answers["withheld"]).sum())
    assert shown > 0  # 2024Q2 is shown (Siberia); the trailing year is withheld for thin 2024Q1


def test_one_partners_comparison_reads_counts_and_the_nps_scheme():
    # 30 answers of the five others: ten 5s, ten 4s, ten 2s
    answers = _answers(_even(OMSK5, "2024Q2", 6)).assign(q_recommend_partner=[5.0] * 10 + [4.0] * 10 + [2.0] * 10)
    partners = _partners({"Омск": 5})
    counts = _counts_of(answers, "q_recommend_partner", "5")
    metric = "nps:q_recommend_partner"
    # top1: 10 promoters (5), 10 detractors (1–3) → 0; top2: 20 promoters (4–5), 10 detractors (1–2) → 33
    assert comparison_group(VIEWER, partners, answers, metric, "2024Q2")["value"] == 0.0
    assert comparison_group(VIEWER, partners, answers, metric, "2024Q2", scheme="top2")["value"] == 33.0
    from_counts = comparison_group(VIEWER, partners, None, metric, "2024Q2", scheme="top2", counts=counts)
    assert (from_counts["value"], from_counts["n_answers"], from_counts["level"]) == (33.0, 30, "city")


def test_a_page_window_other_than_quarter_or_ttm_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="^unknown window 'year': use one of quarter, ttm$"):
        window_id("year", pd.Timestamp("2026-11-30", tz="UTC"))


def test_a_partner_without_a_city_is_told_so_and_compared_with_its_region():
    partners = _partners({"Омск": 5})
    partners.loc[partners["partner_id"] == VIEWER, "city"] = None
    result = comparison_group(VIEWER, partners, _answers(_even(OMSK5, "2024Q2", 6)), "csat:q_design", "2024Q2")
    assert (result["level"], result["group_name"], result["n_partners"]) == ("region", "Сибирь", 5)
    assert result["reason_ru"] == "город не указан — показана группа «Сибирь»"
    assert result["reason_en"] == "city not set — showing Сибирь"


def test_countries_are_named_in_both_languages_and_an_unknown_code_by_itself():
    answers = _answers(_even(OMSK5, "2024Q2", 6))
    kazakh = _partners({"Омск": 5}).assign(region=None, country="KZ")
    kazakh.loc[kazakh["partner_id"] == "Омск-0", "city"] = "Тара"  # four others left in Omsk
    result = comparison_group(VIEWER, kazakh, answers, "csat:q_design", "2024Q2")
    assert (result["level"], result["group_name"], result["group_name_en"]) == ("country", "Казахстан", "Kazakhstan")
    assert result["reason_en"] == "fewer than 5 partners in Омск; region not set — showing Kazakhstan"
    unknown = _partners({"Омск": 5}).assign(city=None, region=None, country="XX")
    result = comparison_group(VIEWER, unknown, answers, "csat:q_design", "2024Q2")
    assert (result["group_name"], result["group_name_en"]) == ("XX", "XX")
    assert result["reason_ru"] == "город не указан; регион не указан — показана группа «XX»"


def test_values_exactly_half_way_round_away_from_zero():
    answers = _answers(_even(OMSK5, "2024Q2", 8))  # 40 answers
    answers["q_design"] = [5.0] * 25 + [1.0] * 15  # CSAT 62.5 % → 63
    answers["q_speed"] = [5.0] * 10 + [4.0] * 30  # mean 4.25 → 4.3
    answers["q_recommend_partner"] = [5.0] * 10 + [4.0] * 15 + [1.0] * 15  # NPS 100·(10 − 15)/40 = −12.5 → −13
    partners = _partners({"Омск": 5})
    shown = {metric: comparison_group(VIEWER, partners, answers, metric, "2024Q2")["value"]
             for metric in ("csat:q_design", "mean:q_speed", "nps:q_recommend_partner")}
    assert shown == {"csat:q_design": 63.0, "mean:q_speed": 4.3, "nps:q_recommend_partner": -13.0}


# --- windows and levels -----------------------------------------------------------------------------------


def test_a_trailing_year_is_withheld_when_one_quarter_fails_on_dominance_alone():
    # 2024Q1: five partners, 32 answers, but Omsk-0 gives 20 of them; the year as a whole would pass (26 of 62)
    counts = _even(OMSK5, "2024Q2", 6) | {("Омск-0", "2024Q1"): 20} | _even(OMSK5[1:], "2024Q1", 3)
    partners, answers = _partners({"Омск": 5}), _answers(counts)
    assert comparison_group(VIEWER, partners, answers, "csat:q_design", "2024Q2")["level"] == "city"
    result = comparison_group(VIEWER, partners, answers, "csat:q_design", "ttm:2024Q2")
    assert result == {"withheld": True,
                      "reason_ru": "один партнёр даёт больше половины ответов в группе «Омск» в 2024Q1 — сравнение "
                                   "не показано",
                      "reason_en": "one partner holds more than half of the answers in Омск in 2024Q1 — comparison "
                                   "not shown"}


def test_quarters_without_answers_inside_a_trailing_year_do_not_withhold_it():
    counts = _even(OMSK5, "2024Q2", 6) | _even(OMSK5, "2023Q4", 6)  # nothing in 2023Q3 and 2024Q1
    result = comparison_group(VIEWER, _partners({"Омск": 5}), _answers(counts), "csat:q_design", "ttm:2024Q2")
    assert (result["withheld"], result["level"], result["n_answers"]) == (False, "city", 60)


def test_a_window_without_answers_is_withheld_and_says_so():
    answers, partners = _answers(_even(OMSK5, "2024Q2", 6)), _partners({"Омск": 5})
    quarter = comparison_group(VIEWER, partners, answers, "csat:q_design", "2023Q1")
    assert quarter["withheld"] and quarter["reason_en"] == "no answers in Омск in 2023Q1 — comparison not shown"
    year = comparison_group(VIEWER, partners, answers, "csat:q_design", "ttm:2023Q2")
    assert year["withheld"] and year["reason_ru"] == "нет ответов в группе «Омск» — сравнение не показано"


def test_a_partner_alone_in_its_city_is_told_there_are_too_few_partners():
    partners = _partners({"Тара": 0, "Омск": 5})  # the viewer lives in Tara, the five others in Omsk
    result = comparison_group(VIEWER, partners, _answers(_even(OMSK5, "2024Q2", 6)), "csat:q_design", "2024Q2")
    assert (result["level"], result["reason_en"]) == ("region", "fewer than 5 partners in Тара — showing Сибирь")

# --- secondary suppression: complements the coalition tests do not reach ----------------------------------


def _each_quarter(partners: pd.DataFrame, answers_of: dict[str, int]) -> pd.DataFrame:
    """Every partner answers `answers_of[<city>]` times in each quarter (cities missing: no answers)."""
    return coalition_answers({(pid, quarter): answers_of[pid.split("-")[0]] for pid in partners["partner_id"]
                              for quarter in COALITION_QUARTERS if pid.split("-")[0] in answers_of})


def test_a_complement_of_six_partners_with_too_few_answers_moves_the_city_up():
    # Omsk-0 (no answers) is shown Siberia; Siberia − Novosibirsk = six Tomsk partners with 6 · 4 = 24 < 30
    # answers a quarter, which Omsk-0 and a Novosibirsk partner would learn together
    partners = coalition_partners({"Новосибирск": 6, "Омск": 1, "Томск": 6})
    answers = _each_quarter(partners, {"Новосибирск": 10, "Томск": 4})
    shown = comparison_groups_all(partners, answers, "mean:q_design", "ttm:2024Q2")
    assert shown.loc["Омск-0", "level"] == "region"
    assert shown.loc["Новосибирск-0", "level"] == "region"
    assert shown.loc["Новосибирск-0", "reason_en"].startswith("Новосибирск not shown: subtracting it")
    assert coalition_leaks(partners, answers, "q_design", {"ttm:2024Q2": shown}) == []


def test_a_city_shown_beside_its_country_is_checked_too():
    # no one is shown Siberia, but Perm partners are shown Russia: Russia − Novosibirsk = the three Perm partners
    partners = coalition_partners({"Новосибирск": 6, "Пермь": 3})
    answers = _each_quarter(partners, {"Новосибирск": 10, "Пермь": 10})
    shown = comparison_groups_all(partners, answers, "mean:q_design", "ttm:2024Q2")
    assert set(shown["level"]) == {"country"}
    assert shown.loc["Новосибирск-0", "reason_en"] == (
        "Новосибирск not shown: subtracting it from a larger group would reveal other partners' data; "
        "Сибирь not shown: subtracting it from a larger group would reveal other partners' data — showing Russia")
    assert coalition_leaks(partners, answers, "q_design", {"ttm:2024Q2": shown}) == []


def test_a_frozen_city_stays_withheld_after_a_later_conflict_moves_others():
    # first Novosibirsk (frozen at the city) conflicts with Siberia and is withheld; then Siberia conflicts with
    # Russia (Russia − Siberia = three Perm partners) and its viewers move up, which must not free Novosibirsk
    partners = coalition_partners({"Новосибирск": 6, "Омск": 1, "Томск": 3, "Пермь": 3})
    answers = _each_quarter(partners, {"Новосибирск": 10, "Омск": 10, "Томск": 10, "Пермь": 10})
    frozen = pd.Series({f"Новосибирск-{i}": "city" for i in range(6)})
    shown = comparison_groups_all(partners, answers, "mean:q_design", "ttm:2024Q2", frozen=frozen)
    assert shown.loc[frozen.index, "withheld"].all()
    assert shown.loc[["Омск-0", "Томск-0", "Пермь-0"], "level"].tolist() == ["country"] * 3



def test_a_city_in_conflict_without_a_level_to_move_to_is_withheld():
    # Omsk-0 (100 answers a quarter) is shown Siberia; for a Novosibirsk partner Siberia and Russia fail on
    # dominance (Omsk-0 holds 100 of 160), so Novosibirsk cannot move up: shown, it would give Omsk-0 and a
    # Novosibirsk partner Siberia − Novosibirsk − Omsk-0 = Tomsk-0 alone
    partners = coalition_partners({"Новосибирск": 6, "Омск": 1, "Томск": 1})
    answers = _each_quarter(partners, {"Новосибирск": 10, "Омск": 100, "Томск": 10})
    shown = comparison_groups_all(partners, answers, "mean:q_design", "ttm:2024Q2")
    assert shown.loc["Омск-0", "level"] == "region"
    novosibirsk = shown.loc["Новосибирск-0"]
    assert novosibirsk["withheld"] and novosibirsk["reason_en"].startswith("Новосибирск not shown: subtracting it")
    assert coalition_leaks(partners, answers, "q_design", {"ttm:2024Q2": shown}) == []


def test_windows_frozen_alike_are_decided_once_and_withheld_rows_carry_no_figures():
    partners = coalition_partners({"Новосибирск": 6, "Омск": 1, "Томск": 3})
    answers = _each_quarter(partners, {"Новосибирск": 10, "Омск": 10, "Томск": 10})
    frozen = pd.Series({f"Новосибирск-{i}": "city" for i in range(6)})
    windows = ["2024Q2", "ttm:2024Q2"]
    together = comparison_groups_windows(partners, answers, "mean:q_design", windows,
                                         frozen={window: frozen for window in windows})
    for window in windows:
        alone = comparison_groups_all(partners, answers, "mean:q_design", window, frozen=frozen)
        pd.testing.assert_frame_equal(together[window], alone)
        withheld = alone[alone["withheld"]]
        assert list(withheld.index) == list(frozen.index)
        assert alone["value"].dtype == "float64" and withheld["value"].isna().all()
        assert (withheld[["n_partners", "n_answers"]] == 0).all(axis=None)
        assert (alone[["n_partners", "n_answers"]].dtypes == "int64").all()


def test_a_level_frozen_for_the_second_of_several_metrics_stays_with_that_metric():
    # finding 1 of issue 18: the viewer was shown Siberia for 2023Q4; after 2024Q2 Omsk passes on its own
    partners, before, after = _finding_one()
    after["q_speed"] = after["q_design"]
    first = comparison_groups_all(partners, before, "csat:q_design", "2023Q4", viewers=[VIEWER])
    frozen = {"csat:q_design": {"2023Q4": first["level"].dropna()}}
    together = comparison_groups_metrics(partners, after, ["mean:q_speed", "csat:q_design"], ["2023Q4"],
                                         viewers=[VIEWER], frozen=frozen)
    assert together["csat:q_design"]["2023Q4"].loc[VIEWER, "level"] == "region"  # frozen
    assert together["mean:q_speed"]["2023Q4"].loc[VIEWER, "level"] == "city"  # never shown before: free
    assert together["csat:q_design"]["2023Q4"].index.name == "partner_id"


@pytest.mark.parametrize(
    "answers_of, why",
    [
        # Siberia − Novosibirsk: 10 + 10 + 4 · 3 = 32 answers; without one 10 only 22 < 30 are left
        ({"Новосибирск-": 10, "Омск-0": 10, "Томск-0": 10, "Томск-": 3}, "too few answers after one partner"),
        # 21 + 20 + 4 · 5 = 61; without Tomsk-0 (20) Omsk-0 holds 21 of 41 > half; Novosibirsk's four largest
        # partners (30 each) are bigger than both, so the two largest of the complement must be looked up per city
        ({"Новосибирск-": 30, "Омск-0": 21, "Томск-0": 20, "Томск-": 5}, "dominance after one partner"),
    ],
)
def test_a_complement_is_checked_again_without_the_viewer_inside_it(answers_of, why):
    # every Tomsk partner and Omsk-0 is shown Siberia and lies in Siberia − Novosibirsk with answers of its own
    partners = coalition_partners({"Новосибирск": 6, "Омск": 1, "Томск": 5})
    per_partner = {pid: answers_of.get(pid, answers_of.get(pid.split("-")[0] + "-")) for pid in partners["partner_id"]}
    answers = coalition_answers({(pid, quarter): n for pid, n in per_partner.items() for quarter in COALITION_QUARTERS})
    shown = comparison_groups_all(partners, answers, "mean:q_design", "ttm:2024Q2")
    assert shown.loc["Томск-1", "level"] == "region"
    assert shown.loc["Новосибирск-0", "level"] == "region", why
    assert coalition_leaks(partners, answers, "q_design", {"ttm:2024Q2": shown}) == []


def test_a_level_kept_frozen_above_a_passing_city_says_why():
    partners, before, after = _finding_one()
    first = comparison_groups_all(partners, before, "csat:q_design", "2023Q4", viewers=[VIEWER])
    again = comparison_groups_all(partners, after, "csat:q_design", "2023Q4", viewers=[VIEWER],
                                  frozen=first["level"].dropna())
    assert again.loc[VIEWER, "reason_ru"] == ("группа «Омск» не показана: уровень сравнения за этот период "
                                              "закреплён при первом показе — показана группа «Сибирь»")
    assert again.loc[VIEWER, "reason_en"] == ("Омск not shown: this window keeps the level it was first shown at"
                                              " — showing Сибирь")


def test_a_partner_with_a_single_answer_counts_in_the_complement_and_keeps_the_city_shown():
    """A partner with one answer in a quarter is a partner with answers for secondary suppression.

    Omsk and Tomsk partners (two others in their city) are shown Siberia, Novosibirsk partners their city.
    Siberia − Novosibirsk = Omsk-0..2 and Tomsk-1..2 (10 answers a quarter each) and Tomsk-0 with a single
    answer: six partners with answers, 51 answers a quarter. Whichever of them pools with a Novosibirsk
    partner, five partners are left: 41 answers, largest 10 ≤ 20.5 (without a 10) or 50 answers, largest
    10 (without Tomsk-0). So Novosibirsk stays shown. Not counting Tomsk-0's one answer would see five
    partners, four after one of them, and move Novosibirsk up to Siberia for nothing.
    """
    partners = coalition_partners({"Новосибирск": 6, "Омск": 3, "Томск": 3})
    per_partner = {pid: 1 if pid == "Томск-0" else 10 for pid in partners["partner_id"]}
    answers = coalition_answers({(pid, quarter): n for pid, n in per_partner.items() for quarter in COALITION_QUARTERS})
    shown = comparison_groups_all(partners, answers, "mean:q_design", "ttm:2024Q2")
    novosibirsk = shown.loc["Новосибирск-0"]
    # five other Novosibirsk partners, 10 answers in each of the four quarters, every answer a 5
    assert (novosibirsk["level"], novosibirsk["n_partners"], novosibirsk["n_answers"]) == ("city", 5, 200)
    assert novosibirsk["value"] == 5.0 and novosibirsk["reason_en"] is None
    assert shown.loc[["Омск-0", "Томск-0", "Томск-1"], "level"].tolist() == ["region"] * 3
    assert coalition_leaks(partners, answers, "q_design", {"ttm:2024Q2": shown}) == []


def test_a_complement_of_exactly_thirty_answers_is_enough_for_a_viewer_who_learns_all_of_it():
    """Secondary suppression takes ≥ 30 answers as enough, as the primary check does: exactly 30 passes.

    Omsk-0 (no answers, no other Omsk partner) is shown Siberia, the six Novosibirsk partners (10 answers a
    quarter) their city, the six Tomsk partners (5 answers a quarter) their city: over the reference year
    each sees five others with 100 answers, though each quarter alone (25) is too thin to show. Omsk-0 and a
    Novosibirsk partner together learn all of Siberia − Novosibirsk = the six Tomsk partners: 6 · 5 = 30
    answers a quarter, the largest 5 ≤ 15. That passes, so Novosibirsk keeps its city.
    """
    partners = coalition_partners({"Новосибирск": 6, "Омск": 1, "Томск": 6})
    answers = _each_quarter(partners, {"Новосибирск": 10, "Томск": 5})
    shown = comparison_groups_all(partners, answers, "mean:q_design", "ttm:2024Q2")
    novosibirsk = shown.loc["Новосибирск-0"]
    assert (novosibirsk["level"], novosibirsk["n_partners"], novosibirsk["n_answers"]) == ("city", 5, 200)
    assert novosibirsk["reason_en"] is None
    # Omsk-0: Siberia without itself, 6 · 10 + 6 · 5 = 90 answers a quarter, 360 in the year
    omsk = shown.loc["Омск-0"]
    assert (omsk["level"], omsk["n_partners"], omsk["n_answers"]) == ("region", 12, 360)
    # Tomsk stays at its city (the reference year passes) and is withheld for its thin quarters
    assert shown.loc["Томск-0", "withheld"]
    assert shown.loc["Томск-0", "reason_en"] == "fewer than 30 answers in Томск in 2023Q3 — comparison not shown"
    assert coalition_leaks(partners, answers, "q_design", {"ttm:2024Q2": shown}) == []


def test_a_partner_without_a_city_is_weighed_in_the_complements_dominance():
    """The largest partner of a complement is found even when it has no city (suppression reads it as a city
    group of its own).

    Omsk-0 (10 answers a quarter, no other Omsk partner) and X-0 (70 answers a quarter, region Siberia, no
    city) are shown Siberia; the six Novosibirsk and the six Tomsk partners (10 answers each) their cities.
    Omsk-0 and a Novosibirsk partner together would learn Siberia − Novosibirsk − Omsk-0 = X-0 and Tomsk:
    130 answers a quarter of which X-0 holds 70 > 65. So Novosibirsk moves up to Siberia, and Tomsk alike
    (Siberia − Tomsk − Omsk-0 = X-0 and Novosibirsk, the same numbers).
    """
    partners = coalition_partners({"Новосибирск": 6, "Омск": 1, "Томск": 6})
    partners.loc[len(partners)] = ["X-0", None, "Сибирь", "RU"]
    per_partner = {pid: 70 if pid == "X-0" else 10 for pid in partners["partner_id"]}
    answers = coalition_answers({(pid, quarter): n for pid, n in per_partner.items() for quarter in COALITION_QUARTERS})
    shown = comparison_groups_all(partners, answers, "mean:q_design", "ttm:2024Q2")
    assert set(shown["level"]) == {"region"}
    novosibirsk = shown.loc["Новосибирск-0"]
    # Siberia without Novosibirsk-0: 5 · 10 + 10 + 6 · 10 + 70 = 190 answers a quarter from 13 partners
    assert (novosibirsk["n_partners"], novosibirsk["n_answers"]) == (13, 760)
    assert novosibirsk["reason_en"] == ("Новосибирск not shown: subtracting it from a larger group would reveal "
                                        "other partners' data — showing Сибирь")
    assert coalition_leaks(partners, answers, "q_design", {"ttm:2024Q2": shown}) == []


def test_a_prepared_comparison_evaluates_every_prepared_window_or_only_those_asked():
    """`PreparedComparison.evaluate`: without windows every prepared window, with a list only those."""
    answers, partners = _answers(_even(OMSK5, "2024Q2", 6)), _partners({"Омск": 5})
    prepared = prepare_comparison(partners, answers, ["csat:q_design"], ["2024Q2", "ttm:2024Q2"])
    assert list(prepared.evaluate()["csat:q_design"]) == ["2024Q2", "ttm:2024Q2"]
    only = prepared.evaluate(["ttm:2024Q2"])["csat:q_design"]
    assert list(only) == ["ttm:2024Q2"]
    # the five Omsk partners' 30 answers, all 5s
    viewer = only["ttm:2024Q2"].loc[VIEWER]
    assert (viewer["level"], viewer["n_partners"], viewer["n_answers"], viewer["value"]) == ("city", 5, 30, 100.0)


def test_an_unsupported_window_is_refused_with_the_two_accepted_forms():
    with pytest.raises(ValueError) as refused:
        parse_window("2024-04-01..2024-04-30")
    assert str(refused.value) == ("unsupported comparison window '2024-04-01..2024-04-30': use a quarter like "
                                  "'2024Q2' or trailing 12 months like 'ttm:2024Q2'")


def test_suppression_looks_at_the_two_years_ending_with_the_latest_quarter():
    assert suppression_quarters("2024Q2") == ("2022Q3", "2022Q4", "2023Q1", "2023Q2",
                                              "2023Q3", "2023Q4", "2024Q1", "2024Q2")
    assert suppression_quarters(None) == ()
