"""Negative dynamics (SPEC §6) and seed 004's development-pressure example."""

import pandas as pd
import pytest

from metrics.dynamics import describe_change, format_number, negative_dynamics
from metrics.support import meeting_metrics

NBSP = "\u00a0"


def _long(values: list[float], metric_id: str = "incident_resolution", key: str = "p1.median",
          unit: str = "h", better: str = "lower", label_ru: str = "Время решения инцидентов P1",
          label_en: str = "Incident resolution time P1", gender_ru: str = "n") -> pd.DataFrame:
    """values[0] is the current period, values[1:] the previous ones."""
    return pd.DataFrame({
        "metric_id": metric_id, "key": key, "period": range(len(values)), "value": values,
        "unit": unit, "better": better, "label_ru": label_ru, "label_en": label_en, "gender_ru": gender_ru,
    })


def test_rise_beyond_twenty_percent_and_two_sigma_is_flagged_with_a_sentence():
    # previous 3.0, 3.4, 3.2: mean 3.2, sd 0.2; 6.1 is +91 % and 14.5 sd worse
    flags = negative_dynamics(_long([6.1, 3.0, 3.4, 3.2]))
    assert len(flags) == 1
    flag = flags.iloc[0]
    assert flag["sentence_ru"] == f"Время решения инцидентов P1 выросло с 3,2 до 6,1{NBSP}ч (+91{NBSP}%)"
    assert flag["sentence_en"] == "Incident resolution time P1 rose from 3.2 h to 6.1 h (+91%)"
    assert flag["change_pct"] == pytest.approx(90.625)
    assert flag["explanation_ru"] and flag["action_ru"] and flag["explanation_en"] and flag["action_en"]


def test_rise_beyond_twenty_percent_but_within_two_sigma_is_not_flagged():
    # previous 2, 6, 4: mean 4, sd 2; 6 is +50 % but only 1 sd worse
    assert negative_dynamics(_long([6.0, 2.0, 6.0, 4.0])).empty


def test_rise_beyond_two_sigma_but_within_twenty_percent_is_not_flagged():
    # previous 100, 100.1, 99.9: mean 100, sd 0.1; 110 is 100 sd worse but only +10 %
    assert negative_dynamics(_long([110.0, 100.0, 100.1, 99.9])).empty


def test_flat_history_flags_any_worsening_beyond_twenty_percent():
    assert len(negative_dynamics(_long([6.1, 5.0, 5.0, 5.0]))) == 1
    assert negative_dynamics(_long([5.0, 5.0, 5.0, 5.0])).empty


def test_rise_from_zero_is_flagged():
    flags = negative_dynamics(_long([0.2, 0.0, 0.0, 0.0], "tickets_per_user", "p1.ratio", "per_user",
                                    label_ru="Количество обращений на пользователя P1",
                                    label_en="Tickets per user P1"))
    assert flags.iloc[0]["sentence_ru"] == f"Количество обращений на пользователя P1 выросло с 0,00 до 0,20{NBSP}обр. на польз."


def test_drop_of_a_higher_is_better_metric_is_flagged_as_a_fall():
    flags = negative_dynamics(_long([70.0, 95.0, 96.0, 94.0], "incident_sla_compliance", "p1.compliance", "%",
                                    "higher", "Соблюдение SLA по инцидентам P1", "Incident SLA compliance P1"))
    assert flags.iloc[0]["sentence_ru"] == \
        f"Соблюдение SLA по инцидентам P1 снизилось с 95 до 70{NBSP}% (−26{NBSP}%)"
    assert flags.iloc[0]["sentence_en"] == "Incident SLA compliance P1 fell from 95% to 70% (−26%)"


def test_improvement_is_not_flagged():
    assert negative_dynamics(_long([1.0, 5.0, 5.2, 4.8])).empty
    assert negative_dynamics(_long([100.0, 80.0, 82.0, 78.0], unit="%", better="higher")).empty


def test_history_of_one_period_is_not_enough():
    assert negative_dynamics(_long([9.0, 3.0, float("nan"), float("nan")])).empty


def test_feminine_label_agrees_with_the_verb():
    ru, _ = describe_change("Доля часов разработки", "Development share", "%", 20.0, 80.0, "f")
    assert ru == f"Доля часов разработки выросла с 20 до 80{NBSP}% (+300{NBSP}%)"


def test_russian_numbers_use_space_groups_and_decimal_comma():
    assert format_number(1234.5, 1, "ru") == f"1{NBSP}234,5"
    assert format_number(1234.5, 1, "en") == "1,234.5"


# --- seed 004 example, end to end from tickets and worklog ---------------------------------

PERIOD_DAYS = {0: "2024-05-20", 1: "2024-05-06", 2: "2024-04-22", 3: "2024-04-08"}  # period_end 31.05.2024
STAFF = pd.DataFrame({"staff": ["ann", "bob", "cid"], "line": [1, 2, 3]})


def _meeting(development_priority_now: int) -> pd.DataFrame:
    """Per period: one line-2 incident (4 h before, 10 h now) and one development task.

    Hours: before 2 h development (P3) + 8 h support = 20 % development;
    now 8 h development (priority given) + 2 h support = 80 %.
    """
    tickets, worklog = [], []
    for period, day in PERIOD_DAYS.items():
        now = period == 0
        incident, task = 2 * period, 2 * period + 1
        tickets += [
            {"ticket_id": incident, "created_at": f"{day} 09:00", "kind": "incident", "priority": 2, "line": 2,
             "resolution_working_s": (10 if now else 4) * 3600.0, "sla_state": "met"},
            {"ticket_id": task, "created_at": f"{day} 09:00", "kind": "enhancement",
             "priority": development_priority_now if now else 3, "line": 3, "sla_state": "open"},
        ]
        worklog += [(incident, "bob", 2.0 if now else 8.0, day, "support"),
                    (task, "cid", 8.0 if now else 2.0, day, "development")]
    t = pd.DataFrame(tickets).assign(client_id="c1", acceptance_working_s=1800.0, requirements_working_s=float("nan"),
                                     spec_working_s=float("nan"), implementation_working_s=float("nan"),
                                     deployment_working_s=float("nan"))
    t["created_at"] = pd.to_datetime(t["created_at"], utc=True)
    w = pd.DataFrame(worklog, columns=["ticket_id", "staff", "hours", "work_date", "work_type"])
    return meeting_metrics(t, w, STAFF, users=50, period_end="2024-05-31")


def test_seed_example_development_share_with_high_priority_slows_lines_two_and_three():
    flags = negative_dynamics(_meeting(development_priority_now=1))
    composite = flags[flags["rule"] == "development_pressure"]
    assert len(composite) == 1
    flag = composite.iloc[0]
    assert (flag["previous"], flag["current"]) == (20.0, 80.0)
    assert flag["sentence_ru"].startswith(f"Доля часов разработки выросла с 20 до 80{NBSP}%")
    assert f"из них 100{NBSP}% — задачи приоритета 1–2" in flag["sentence_ru"]
    assert f"время решения инцидентов линией 2 выросло с 4,0 до 10,0{NBSP}ч" in flag["sentence_ru"]
    assert flag["action_ru"] == "Добавить ресурсы или понизить приоритет части задач на доработку."
    assert flag["action_en"] == "Add resources or lower the priority of some development tasks."
    assert "второй и третьей линий" in flag["explanation_ru"]
    assert flags.iloc[0]["rule"] == "development_pressure"  # listed first
    assert "incident_resolution_by_line" in set(flags["metric_id"])


def test_seed_rule_needs_high_priority_development():
    flags = negative_dynamics(_meeting(development_priority_now=3))
    assert "development_pressure" not in set(flags["rule"])
    assert "development_share" in set(flags["metric_id"])  # the share rise alone is still flagged
