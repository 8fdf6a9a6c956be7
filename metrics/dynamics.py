"""Negative dynamics of the meeting metrics, with plain-language sentences (seed 004, SPEC §6).

seed 004: «недовольство клиента вызывает отрицательная динамика одного из показателей» — the
service manager must notice a metric turning bad before the client does, and know what to propose.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FLAG_COLUMNS = [
    "rule", "metric_id", "key", "label_ru", "label_en", "unit", "better", "previous", "current",
    "change_pct", "sentence_ru", "sentence_en", "explanation_ru", "explanation_en", "action_ru", "action_en",
]

UNIT_TEXT: dict[str, tuple[str, str]] = {
    "h": ("ч", "h"),
    "%": ("%", "%"),
    "per_user": ("обр. на польз.", "per user"),
    "per_staff": ("обр. на сотр.", "per staff member"),
}
DECIMALS: dict[str, int] = {"h": 1, "%": 0, "per_user": 2, "per_staff": 2}

_TIME = ("Инциденты решаются дольше, чем в предыдущие периоды, и клиент заметит это первым.",
         "Incidents take longer to resolve than in previous periods; the client will notice first.",
         "Разобрать самые долгие инциденты периода, проверить загрузку линий и эскалации.",
         "Review the longest incidents of the period, check line workload and escalations.")
_DEVELOPMENT = ("Часы смещаются от поддержки к разработке.",
                "Hours are shifting from support to development.",
                "Обсудить с клиентом план доработок, чтобы качество поддержки не пострадало.",
                "Agree the development plan with the client so that support quality does not suffer.")

# explanation_ru, explanation_en, action_ru, action_en per metric
EXPLANATIONS: dict[str, tuple[str, str, str, str]] = {
    "incident_reaction": (
        "Инциденты дольше ждут принятия в работу: первая линия не успевает разбирать входящие.",
        "Incidents wait longer to be accepted: line 1 does not keep up with incoming tickets.",
        "Проверить загрузку и график дежурств первой линии, уведомления о новых инцидентах.",
        "Check line 1 workload and duty schedule, and new-incident notifications."),
    "enhancement_reaction": (
        "Запросы на доработку дольше ждут первого ответа.",
        "Enhancement requests wait longer for a first answer.",
        "Назначить ответственного за разбор запросов на доработку и согласовать срок реакции.",
        "Name an owner for enhancement requests and agree a reaction time."),
    "incident_resolution": _TIME,
    "incident_resolution_by_line": _TIME,
    "incident_sla_compliance": (
        "Больше инцидентов решено с нарушением SLA.",
        "More incidents were resolved in breach of the SLA.",
        "Разобрать каждое нарушение SLA и его причину: ожидание, эскалация, загрузка.",
        "Review every SLA breach and its cause: waiting, escalation, workload."),
    "requirements_time": (
        "Сбор функциональных требований затягивается.",
        "Collecting functional requirements takes longer.",
        "Согласовать с клиентом ответственного за требования и сроки ответов.",
        "Agree with the client who owns the requirements and how fast they answer."),
    "spec_time": (
        "ТЗ пишутся дольше.", "Specs take longer to write.",
        "Проверить загрузку аналитиков, использовать шаблон ТЗ.",
        "Check analyst workload, use a spec template."),
    "implementation_time": (
        "ТЗ выполняются дольше.", "Specs take longer to implement.",
        "Проверить загрузку разработчиков и оценки, разбить крупные задачи.",
        "Check developer workload and estimates, split large tasks."),
    "deployment_time": (
        "Готовые доработки дольше ждут выкладки на боевую базу.",
        "Finished work waits longer to reach production.",
        "Согласовать с клиентом регулярное окно выкладки.",
        "Agree a regular release window with the client."),
    "tickets_per_user": (
        "Пользователи обращаются чаще: возможны новые ошибки или пробелы в обучении.",
        "Users open more tickets: new defects or gaps in training are likely.",
        "Найти повторяющиеся темы обращений: устранить причину или обучить пользователей.",
        "Find recurring ticket topics: fix the cause or train the users."),
    "tickets_per_staff": (
        "Нагрузка на сотрудника линии выросла.", "Workload per staff member of the line grew.",
        "Перераспределить обращения между линиями или добавить ресурсы.",
        "Rebalance tickets between lines or add resources."),
    "hours": (
        "Затрачено больше часов, чем обычно.", "More hours were spent than usual.",
        "Проверить, на какие задачи ушли часы, и согласовать бюджет с клиентом.",
        "Check which tasks took the hours and agree the budget with the client."),
    "support_hours": (
        "Больше часов уходит на поддержку.", "More hours go to support.",
        "Найти причины роста обращений и трудоёмких инцидентов.",
        "Find why tickets and heavy incidents grow."),
    "development_hours": _DEVELOPMENT,
    "development_share": _DEVELOPMENT,
    "high_priority_development_share": _DEVELOPMENT,
}
_GENERIC = ("Показатель хуже, чем в предыдущие периоды.", "The metric is worse than in previous periods.",
            "Разобрать причины с командой до встречи.", "Review the causes with the team before the meeting.")

# seed 004: «привлечь дополнительные ресурсы, либо понизить приоритет некоторых задач»
DEVELOPMENT_PRESSURE = (
    "Высокоприоритетная разработка забирает время второй и третьей линий, поэтому инциденты "
    "решаются дольше, и клиент фиксирует падение качества сервиса.",
    "High-priority development takes the time of lines 2 and 3, so incidents take longer to "
    "resolve and the client sees service quality drop.",
    "Добавить ресурсы или понизить приоритет части задач на доработку.",
    "Add resources or lower the priority of some development tasks.",
)


def format_number(value: float, decimals: int, lang: str = "ru") -> str:
    """``1 234,5`` in Russian (no-break space, decimal comma), ``1,234.5`` in English."""
    text = f"{value:,.{decimals}f}"
    if lang == "ru":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def _change_text(change_pct: float, lang: str) -> str:
    if not np.isfinite(change_pct):
        return ""
    number = format_number(abs(change_pct), 0, lang)
    sign = "+" if change_pct >= 0 else "−"
    return f" ({sign}{number}\u00a0%)" if lang == "ru" else f" ({sign}{number}%)"


def describe_change(label_ru: str, label_en: str, unit: str, previous: float, current: float,
                    gender_ru: str = "n") -> tuple[str, str]:
    """Sentence pair, e.g. «Время решения инцидентов P1 выросло с 3,2 до 6,1 ч (+91 %)»."""
    up = current >= previous
    change = 100.0 * (current - previous) / abs(previous) if previous else float("nan")
    decimals = DECIMALS.get(unit, 1)
    unit_ru, unit_en = UNIT_TEXT.get(unit, (unit, unit))
    verb_ru = {("n", True): "выросло", ("n", False): "снизилось",
               ("f", True): "выросла", ("f", False): "снизилась"}[(gender_ru, up)]
    prev_ru, cur_ru = format_number(previous, decimals, "ru"), format_number(current, decimals, "ru")
    prev_en, cur_en = format_number(previous, decimals, "en"), format_number(current, decimals, "en")
    gap = "" if unit == "%" else " "
    ru = f"{label_ru} {verb_ru} с {prev_ru} до {cur_ru}\u00a0{unit_ru}{_change_text(change, 'ru')}"
    en = (f"{label_en} {'rose' if up else 'fell'} from {prev_en}{gap}{unit_en} "
          f"to {cur_en}{gap}{unit_en}{_change_text(change, 'en')}")
    return ru, en


def _wide(metrics_long: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    ident = ["metric_id", "key"]
    wide = metrics_long.pivot(index=ident, columns="period", values="value").sort_index(axis=1)
    meta_columns = [c for c in ("label_ru", "label_en", "unit", "better", "gender_ru") if c in metrics_long]
    meta = metrics_long.drop_duplicates(ident).set_index(ident)[meta_columns].reindex(wide.index)
    if "gender_ru" not in meta:
        meta["gender_ru"] = "n"
    return wide, meta


def negative_dynamics(
    metrics_long: pd.DataFrame,
    min_relative: float = 0.2,
    n_sigma: float = 2.0,
    min_previous: int = 2,
    min_share_rise_pp: float = 20.0,
    min_high_priority_share: float = 50.0,
) -> pd.DataFrame:
    """Flags of metrics that turned bad in the last period, plus seed 004's composite rule.

    Rule per (metric_id, key): let c be period 0 and m, s the mean and sample standard
    deviation (ddof = 1) of the previous periods' non-missing values, and w = (c − m) for
    ``better == "lower"`` or (m − c) for ``"higher"`` (how much worse). The metric is flagged when
    w > ``min_relative`` · |m| **and** w > ``n_sigma`` · s. When s = 0 (flat history) the
    second condition is "strictly worse" (w > 0). When m = 0 the first condition also reduces
    to w > 0 (any rise from zero is an infinite relative rise). Series with fewer than
    ``min_previous`` previous values, or no current value, are never flagged.

    Composite rule (seed 004): development share rose by ≥ ``min_share_rise_pp`` percentage
    points over the previous mean, ≥ ``min_high_priority_share`` % of the current development
    hours are priority 1–2, and the median incident resolution time of line 2 or 3 rose by more
    than ``min_relative`` → explanation and the action "add resources or lower the priority of
    some development tasks".

    Parameters
    ----------
    metrics_long
        Output of :func:`metrics.support.meeting_metrics` (``metric_id, key, period, value,
        unit, better, label_ru, label_en``; ``gender_ru`` optional).

    Returns
    -------
    DataFrame
        ``FLAG_COLUMNS``: composite flags first, then metric flags by decreasing |change|;
        ``previous`` is the mean of the previous periods, ``change_pct`` = 100 · (c − m) / |m|.
    """
    wide, meta = _wide(metrics_long)
    current = wide[0] if 0 in wide.columns else pd.Series(np.nan, index=wide.index)
    previous = wide.drop(columns=0, errors="ignore")
    mean, std, count = previous.mean(axis=1), previous.std(axis=1, ddof=1), previous.count(axis=1)
    direction = np.where(meta["better"] == "higher", -1.0, 1.0)
    worse = (current - mean) * direction
    beyond_sigma = np.where(std > 0, worse > n_sigma * std, worse > 0)
    flagged = (worse > min_relative * mean.abs()) & beyond_sigma & (count >= min_previous) & current.notna()

    rows = [_composite(wide, mean, current, min_relative, min_share_rise_pp, min_high_priority_share)]
    hits = meta[flagged.to_numpy()].assign(previous=mean[flagged], current=current[flagged]).reset_index()
    if len(hits):
        sentences = [describe_change(r.label_ru, r.label_en, r.unit, r.previous, r.current, r.gender_ru)
                     for r in hits.itertuples()]  # one per flag: a handful per meeting
        texts = hits["metric_id"].map(EXPLANATIONS).apply(lambda t: t if isinstance(t, tuple) else _GENERIC)
        hits = hits.assign(
            rule="negative_dynamics",
            change_pct=100.0 * (hits["current"] - hits["previous"]) / hits["previous"].abs().replace(0, np.nan),
            sentence_ru=[s[0] for s in sentences], sentence_en=[s[1] for s in sentences],
            explanation_ru=[t[0] for t in texts], explanation_en=[t[1] for t in texts],
            action_ru=[t[2] for t in texts], action_en=[t[3] for t in texts],
        )
        order = hits["change_pct"].abs().fillna(np.inf).sort_values(ascending=False, kind="stable").index
        rows.append(hits.loc[order])
    rows = [r for r in rows if len(r)]
    if not rows:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    return pd.concat(rows, ignore_index=True).reindex(columns=FLAG_COLUMNS)


def _value(series: pd.Series, metric_id: str, key: str) -> float:
    return float(series.get((metric_id, key), np.nan))


def _composite(wide: pd.DataFrame, mean: pd.Series, current: pd.Series, min_relative: float,
               min_share_rise_pp: float, min_high_priority_share: float) -> pd.DataFrame:
    """seed 004: development share up with high-priority development while lines 2–3 slow down."""
    share_now, share_before = _value(current, "development_share", "share"), _value(mean, "development_share", "share")
    high_share = _value(current, "high_priority_development_share", "share")
    slower_lines = []
    for line in (2, 3):
        key = f"line{line}.median"
        now, before = _value(current, "incident_resolution_by_line", key), _value(mean, "incident_resolution_by_line", key)
        if np.isfinite(now) and np.isfinite(before) and now > before * (1 + min_relative):
            slower_lines.append((line, before, now))
    if not (share_now - share_before >= min_share_rise_pp and high_share >= min_high_priority_share
            and slower_lines):
        return pd.DataFrame(columns=FLAG_COLUMNS)
    share_ru, share_en = describe_change("Доля часов разработки", "Development share of hours", "%",
                                         share_before, share_now, "f")
    high_ru, high_en = format_number(high_share, 0, "ru"), format_number(high_share, 0, "en")
    line_texts = [describe_change(f"время решения инцидентов линией {n}",
                                  f"line {n} incident resolution time", "h", before, now)
                  for n, before, now in slower_lines]
    line_ru = "; ".join(t[0] for t in line_texts)
    line_en = "; ".join(t[1] for t in line_texts)
    explanation_ru, explanation_en, action_ru, action_en = DEVELOPMENT_PRESSURE
    return pd.DataFrame([{
        "rule": "development_pressure", "metric_id": "development_share", "key": "share",
        "label_ru": "Разработка вытесняет поддержку", "label_en": "Development crowds out support",
        "unit": "%", "better": "lower", "previous": share_before, "current": share_now,
        "change_pct": 100.0 * (share_now - share_before) / share_before if share_before else np.nan,
        "sentence_ru": f"{share_ru}, из них {high_ru}\u00a0% — задачи приоритета 1–2; {line_ru}",
        "sentence_en": f"{share_en}, {high_en}% of it priority 1–2; {line_en}",
        "explanation_ru": explanation_ru, "explanation_en": explanation_en,
        "action_ru": action_ru, "action_en": action_en,
    }])
