"""Negative dynamics (SPEC §6) and seed 004's development-pressure example."""

import pandas as pd
import pytest

from metrics.dynamics import MIN_TICKETS, change_text, describe_change, findings, format_number, negative_dynamics
from metrics.support import duration_samples, meeting_metrics

NBSP = "\u00a0"


def _long(values: list[float], metric_id: str = "incident_resolution", key: str = "p1.median",
          unit: str = "h", better: str = "lower", label_ru: str = "Время решения инцидентов P1",
          label_en: str = "Incident resolution time P1", gender_ru: str = "n", n: float = 8.0,
          base: float = float("nan")) -> pd.DataFrame:
    """values[0] is the current period, values[1:] the previous ones; n tickets behind each."""
    return pd.DataFrame({
        "metric_id": metric_id, "key": key, "period": range(len(values)), "value": values, "n": n,
        "base": base, "unit": unit, "better": better, "label_ru": label_ru, "label_en": label_en,
        "gender_ru": gender_ru,
    })


def _samples(per_period: list[list[float]], metric_id: str = "incident_resolution",
             key: str = "p1.median") -> pd.DataFrame:
    """Ticket durations per period (index = period) for the duration metric's test of chance."""
    return pd.DataFrame([{"metric_id": metric_id, "key": key, "period": p, "value": v}
                         for p, values in enumerate(per_period) for v in values])


def _flat(values: list[float], tickets: int = 8) -> pd.DataFrame:
    """Every ticket of a period took the period's value (so its median is that value)."""
    return _samples([[v] * tickets for v in values])


def test_rise_beyond_twenty_percent_and_two_sigma_is_flagged_with_a_sentence():
    # previous 3.0, 3.4, 3.2: mean 3.2, sd 0.2; 6.1 is +91 % and 14.5 sd worse
    values = [6.1, 3.0, 3.4, 3.2]
    flags = negative_dynamics(_long(values), _flat(values))
    assert len(flags) == 1
    flag = flags.iloc[0]
    assert flag["sentence_ru"] == f"Время решения инцидентов P1 выросло с 3,2 до 6,1{NBSP}ч (+91{NBSP}%)"
    assert flag["sentence_en"] == "Incident resolution time P1 rose from 3.2 h to 6.1 h (+91%)"
    assert flag["change_pct"] == pytest.approx(90.625)
    assert flag["test"] == "mann_whitney" and flag["p_value"] < 0.001 and flag["volume"] == 8
    assert flag["explanation_ru"] and flag["action_ru"] and flag["explanation_en"] and flag["action_en"]


def test_rise_beyond_twenty_percent_but_within_two_sigma_is_not_flagged():
    # previous 2, 6, 4: mean 4, sd 2; 6 is +50 % but only 1 sd worse
    values = [6.0, 2.0, 6.0, 4.0]
    assert negative_dynamics(_long(values), _flat(values)).empty


def test_rise_beyond_two_sigma_but_within_twenty_percent_is_not_flagged():
    # previous 100, 100.1, 99.9: mean 100, sd 0.1; 110 is 100 sd worse but only +10 %
    values = [110.0, 100.0, 100.1, 99.9]
    assert negative_dynamics(_long(values), _flat(values)).empty


def test_flat_history_flags_any_worsening_beyond_twenty_percent():
    assert len(negative_dynamics(_long([6.1, 5.0, 5.0, 5.0]), _flat([6.1, 5.0, 5.0, 5.0]))) == 1
    assert negative_dynamics(_long([5.0, 5.0, 5.0, 5.0]), _flat([5.0, 5.0, 5.0, 5.0])).empty


def test_duration_rise_on_too_few_tickets_is_not_flagged():
    # «0,1 → 0,5 ч (+400 %)» on two tickets: below MIN_TICKETS, whatever the numbers say
    values = [0.5, 0.1, 0.1, 0.1]
    assert MIN_TICKETS > 2
    assert negative_dynamics(_long(values, n=2), _flat(values, tickets=2)).empty
    assert len(negative_dynamics(_long(values, n=MIN_TICKETS), _flat(values, tickets=MIN_TICKETS))) == 1


def test_duration_rise_that_chance_explains_is_not_flagged():
    # the median rose 5.5 -> 7.5 h (+36 %, flat history), but the current tickets sit inside the
    # spread of the earlier ones: Mann–Whitney finds no shift
    before = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    now = [1, 2, 3, 7, 8, 9, 10, 11]
    long = _long([7.5, 5.5, 5.5, 5.5])
    assert negative_dynamics(long, _samples([now, before, before, before])).empty
    shifted = [11, 12, 12, 13, 14, 15, 16, 17]
    assert len(negative_dynamics(_long([13.5, 5.5, 5.5, 5.5]), _samples([shifted, before, before, before]))) == 1


def test_duration_without_ticket_samples_is_never_flagged():
    assert negative_dynamics(_long([6.1, 3.0, 3.4, 3.2])).empty


def _per_user(counts: list[int], users: int = 50) -> pd.DataFrame:
    return pd.concat([_long([c / users], "tickets_per_user", "ratio", "per_user", label_ru="Обращений на пользователя",
                            label_en="Tickets per user", n=c, base=users).assign(period=p)
                      for p, c in enumerate(counts)], ignore_index=True)


def test_ticket_count_rise_is_flagged_only_when_the_poisson_test_rejects_chance():
    # 5, 5, 5 tickets before; 10 now is +100 % on a flat history, but P(X ≥ 10 | N = 25, p = 1/4) ≈ 0.07
    assert negative_dynamics(_per_user([10, 5, 5, 5])).empty
    flags = negative_dynamics(_per_user([14, 5, 5, 5]))  # P(X ≥ 14 | N = 29, p = 1/4) ≈ 0.005
    assert list(flags["test"]) == ["poisson_rate"] and flags.iloc[0]["p_value"] < 0.01


def test_rise_from_zero_needs_the_minimum_volume():
    assert negative_dynamics(_per_user([2, 0, 0, 0])).empty  # «0,00 → 0,04» on two tickets
    flags = negative_dynamics(_per_user([10, 0, 0, 0]))
    assert flags.iloc[0]["sentence_ru"] == f"Обращений на пользователя выросло с 0,00 до 0,20{NBSP}обр. на польз."


def _compliance(shares: list[float], base: float) -> pd.DataFrame:
    return _long(shares, "incident_sla_compliance", "p1.compliance", "%", "higher",
                 "Соблюдение SLA по инцидентам P1", "Incident SLA compliance P1", n=base, base=base)


def test_drop_of_a_share_is_flagged_in_percentage_points():
    flags = negative_dynamics(_compliance([70.0, 95.0, 95.0, 95.0], base=20))
    assert flags.iloc[0]["test"] == "two_proportion"
    assert flags.iloc[0]["change_pp"] == pytest.approx(-25.0)
    assert flags.iloc[0]["sentence_ru"] == \
        f"Соблюдение SLA по инцидентам P1 снизилось с 95 до 70{NBSP}% (−25{NBSP}п.п.)"
    assert flags.iloc[0]["sentence_en"] == "Incident SLA compliance P1 fell from 95% to 70% (−25 pp)"


def test_drop_of_a_share_on_a_few_decided_incidents_is_not_flagged():
    assert negative_dynamics(_compliance([50.0, 100.0, 100.0, 100.0], base=2)).empty


def test_improvement_is_not_flagged():
    assert negative_dynamics(_long([1.0, 5.0, 5.2, 4.8]), _flat([1.0, 5.0, 5.2, 4.8])).empty
    assert negative_dynamics(_compliance([100.0, 80.0, 82.0, 78.0], base=50)).empty


def test_history_of_one_period_is_not_enough():
    assert negative_dynamics(_long([9.0, 3.0, float("nan"), float("nan")]), _flat([9.0, 3.0])).empty


def test_no_current_data_is_never_a_change():
    assert negative_dynamics(_compliance([float("nan"), 95.0, 95.0, 95.0], base=20)).empty


def test_share_change_reads_in_points_and_no_data_reads_nothing():
    assert change_text(20.0, 80.0, "%", "ru") == f"+60{NBSP}п.п."
    assert change_text(20.0, 80.0, "%", "en") == "+60 pp"
    assert change_text(3.2, 6.1, "h", "ru") == f"+91{NBSP}%"
    assert change_text(0.0, 5.0, "h", "ru") == ""  # no relative change from zero
    assert change_text(float("nan"), 5.0, "h", "ru") == ""


def test_feminine_label_agrees_with_the_verb():
    ru, _ = describe_change("Доля часов разработки", "Development share", "%", 20.0, 80.0, "f")
    assert ru == f"Доля часов разработки выросла с 20 до 80{NBSP}% (+60{NBSP}п.п.)"


def test_russian_numbers_use_space_groups_and_decimal_comma():
    assert format_number(1234.5, 1, "ru") == f"1{NBSP}234,5"
    assert format_number(1234.5, 1, "en") == "1,234.5"


# --- seed 004 example, end to end from tickets and worklog ---------------------------------

PERIOD_DAYS = {0: "2024-05-20", 1: "2024-05-06", 2: "2024-04-22", 3: "2024-04-08"}  # period_end 31.05.2024
STAFF = pd.DataFrame({"staff": ["ann", "bob", "cid"], "line": [1, 2, 3]})


INCIDENTS_PER_PERIOD = 6  # line-2 incidents per period: above the minimum volume of a slowdown


def _meeting(development_priority_now: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per period: six line-2 incidents (4 h before, 10 h now) and one development task.

    Hours: before 2 h development (P3) + 8 h support = 20 % development;
    now 8 h development (priority given) + 2 h support = 80 %.
    Returns the metrics and the ticket durations behind them.
    """
    tickets, worklog = [], []
    for period, day in PERIOD_DAYS.items():
        now = period == 0
        incidents = [f"i{period}.{k}" for k in range(INCIDENTS_PER_PERIOD)]
        task = f"d{period}"
        tickets += [{"ticket_id": incident, "created_at": f"{day} 09:00", "kind": "incident", "priority": 2,
                     "line": 2, "resolution_working_s": (10 if now else 4) * 3600.0, "sla_state": "met"}
                    for incident in incidents]
        tickets.append({"ticket_id": task, "created_at": f"{day} 09:00", "kind": "enhancement",
                        "priority": development_priority_now if now else 3, "line": 3, "sla_state": "open"})
        worklog += [(incidents[0], "bob", 2.0 if now else 8.0, day, "support"),
                    (task, "cid", 8.0 if now else 2.0, day, "development")]
    t = pd.DataFrame(tickets).assign(client_id="c1", acceptance_working_s=1800.0, requirements_working_s=float("nan"),
                                     spec_working_s=float("nan"), implementation_working_s=float("nan"),
                                     deployment_working_s=float("nan"))
    t["created_at"] = pd.to_datetime(t["created_at"], utc=True)
    w = pd.DataFrame(worklog, columns=["ticket_id", "staff", "hours", "work_date", "work_type"])
    return (meeting_metrics(t, w, STAFF, users=50, period_end="2024-05-31"),
            duration_samples(t, period_end="2024-05-31"))


def test_seed_example_development_share_with_high_priority_slows_lines_two_and_three():
    flags = negative_dynamics(*_meeting(development_priority_now=1))
    composite = flags[flags["rule"] == "development_pressure"]
    assert len(composite) == 1
    flag = composite.iloc[0]
    assert (flag["previous"], flag["current"]) == (20.0, 80.0)
    assert flag["sentence_ru"].startswith(f"Доля часов разработки выросла с 20 до 80{NBSP}% (+60{NBSP}п.п.)")
    assert f"из них 100{NBSP}% — задачи приоритета 1–2" in flag["sentence_ru"]
    assert f"время решения инцидентов линией 2 выросло с 4,0 до 10,0{NBSP}ч" in flag["sentence_ru"]
    assert flag["action_ru"] == "Добавить ресурсы или понизить приоритет части задач на доработку."
    assert flag["action_en"] == "Add resources or lower the priority of some development tasks."
    assert "второй и третьей линий" in flag["explanation_ru"]
    assert flags.iloc[0]["rule"] == "development_pressure"  # listed first
    assert "incident_resolution_by_line" in set(flags["metric_id"])


def test_seed_rule_needs_high_priority_development():
    flags = negative_dynamics(*_meeting(development_priority_now=3))
    assert "development_pressure" not in set(flags["rule"])
    assert "development_share" in set(flags["metric_id"])  # the share rise alone is still flagged


def test_seed_rule_needs_enough_incidents_to_call_the_slowdown_real():
    long, samples = _meeting(development_priority_now=1)
    few = samples[~samples["value"].index.isin(samples.index[samples["period"] == 0][MIN_TICKETS - 1:])]
    assert "development_pressure" not in set(negative_dynamics(long, few)["rule"])


def test_seed_example_is_one_finding_that_absorbs_the_related_flags():
    flags = negative_dynamics(*_meeting(development_priority_now=1))
    found = findings(flags)
    assert found.iloc[0]["theme"] == "development_pressure"
    assert found.iloc[0]["title_ru"] == "Разработка вытесняет поддержку"
    assert not set(found["theme"]) & {"development", "incidents"}
    merged = flags["theme"].isin(["development_pressure", "development", "incidents"]).sum()
    assert found.iloc[0]["n_flags"] == merged > 3  # ten cards before, one finding now
    assert found["impact"].is_monotonic_decreasing


def test_without_the_seed_pattern_themes_stay_apart_and_median_with_p90_is_told_once():
    flags = negative_dynamics(*_meeting(development_priority_now=3))
    found = findings(flags).set_index("theme")
    assert {"development", "incidents"} <= set(found.index)
    incidents = found.loc["incidents"]
    told = [incidents["sentence_ru"], *incidents["details_ru"]]
    assert sum("линия 2" in s for s in told) == 1 < incidents["n_flags"]  # median and p90: one line
