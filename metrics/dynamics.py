"""Negative dynamics of the meeting metrics, with plain-language sentences (seed 004, SPEC §6).

seed 004: «недовольство клиента вызывает отрицательная динамика одного из показателей» — the
service manager must notice a metric turning bad before the client does, and know what to propose.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metrics import significance

FLAG_COLUMNS = [
    "rule", "metric_id", "key", "label_ru", "label_en", "unit", "better", "previous", "current",
    "change_pct", "change_pp", "volume", "test", "p_value", "severity", "theme",
    "sentence_ru", "sentence_en", "explanation_ru", "explanation_en", "action_ru", "action_en",
]

# SPEC §6 «Signal over noise»: a flag also needs a difference unlikely to be chance ...
ALPHA = 0.05  # one-sided p-value of the test suited to the metric (metrics.significance)
# ... and a minimum volume behind the value, in the current period and in the previous ones together
MIN_TICKETS = 5  # durations: tickets with that duration; counts: tickets counted; compliance: decided incidents
MIN_HOURS = 10.0  # hours and shares of hours: worklog hours behind the value

# how each metric is tested (metrics.significance): durations Mann–Whitney U, counts the exact
# Poisson rate test, hours the same rate test on whole hours, shares the two-proportion z test
TEST_KIND: dict[str, str] = {
    **dict.fromkeys(("incident_reaction", "enhancement_reaction", "incident_resolution",
                     "incident_resolution_by_line", "requirements_time", "spec_time", "implementation_time",
                     "deployment_time"), "mann_whitney"),
    **dict.fromkeys(("tickets_per_user", "tickets_per_staff"), "poisson_rate"),
    **dict.fromkeys(("hours", "development_hours", "support_hours"), "hours_rate"),
    "incident_sla_compliance": "two_proportion",
    **dict.fromkeys(("development_share", "high_priority_development_share"), "two_proportion_hours"),
}

# related metrics make one finding (theme); title ru/en per theme
THEMES: dict[str, str] = {
    **dict.fromkeys(("incident_reaction", "incident_resolution", "incident_resolution_by_line",
                     "incident_sla_compliance"), "incidents"),
    **dict.fromkeys(("enhancement_reaction", "requirements_time", "spec_time", "implementation_time",
                     "deployment_time"), "enhancements"),
    **dict.fromkeys(("tickets_per_user", "tickets_per_staff", "hours", "support_hours"), "workload"),
    **dict.fromkeys(("development_hours", "development_share", "high_priority_development_share"), "development"),
}
THEME_TITLES: dict[str, tuple[str, str]] = {
    "development_pressure": ("Разработка вытесняет поддержку", "Development crowds out support"),
    "incidents": ("Инциденты обрабатываются медленнее", "Incidents are handled more slowly"),
    "enhancements": ("Доработки идут медленнее", "Enhancements move more slowly"),
    "workload": ("Нагрузка выросла", "Workload grew"),
    "development": ("Часы смещаются к разработке", "Hours shift to development"),
}
# seed 004: when development crowds out support, the slower incidents are the same story
COMPOSITE_ABSORBS: tuple[str, ...] = ("development", "incidents")
SEVERITY_CAP = 3.0  # a relative worsening beyond +300 % ranks as +300 %
COMPOSITE_SEVERITY = SEVERITY_CAP + 1.0  # seed 004's pattern outranks any single metric
FINDING_COLUMNS = [
    "theme", "title_ru", "title_en", "impact", "n_flags", "metric_keys", "sentence_ru", "sentence_en",
    "details_ru", "details_en", "explanation_ru", "explanation_en", "action_ru", "action_en",
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


def change_text(previous: float, current: float, unit: str, lang: str = "ru") -> str:
    """The change as people say it: «+60 п.п.» for shares (percentage points), «+91 %» otherwise;
    "" when there is nothing to compare (a missing value, or a relative change from 0)."""
    if not (np.isfinite(previous) and np.isfinite(current)):
        return ""
    if unit == "%":
        change, suffix = current - previous, ("\u00a0п.п." if lang == "ru" else " pp")
    elif previous:
        change, suffix = 100.0 * (current - previous) / abs(previous), ("\u00a0%" if lang == "ru" else "%")
    else:
        return ""
    sign = "+" if change >= 0 else "−"
    return f"{sign}{format_number(abs(change), 0, lang)}{suffix}"


def describe_change(label_ru: str, label_en: str, unit: str, previous: float, current: float,
                    gender_ru: str = "n") -> tuple[str, str]:
    """Sentence pair, e.g. «Время решения инцидентов P1 выросло с 3,2 до 6,1 ч (+91 %)»;
    shares change in percentage points: «Доля … выросла с 20 до 80 % (+60 п.п.)»."""
    up = current >= previous
    decimals = DECIMALS.get(unit, 1)
    unit_ru, unit_en = UNIT_TEXT.get(unit, (unit, unit))
    verb_ru = {("n", True): "выросло", ("n", False): "снизилось",
               ("f", True): "выросла", ("f", False): "снизилась"}[(gender_ru, up)]
    prev_ru, cur_ru = format_number(previous, decimals, "ru"), format_number(current, decimals, "ru")
    prev_en, cur_en = format_number(previous, decimals, "en"), format_number(current, decimals, "en")
    gap = "" if unit == "%" else " "
    change_ru, change_en = change_text(previous, current, unit, "ru"), change_text(previous, current, unit, "en")
    ru = f"{label_ru} {verb_ru} с {prev_ru} до {cur_ru}\u00a0{unit_ru}" + (f" ({change_ru})" if change_ru else "")
    en = (f"{label_en} {'rose' if up else 'fell'} from {prev_en}{gap}{unit_en} "
          f"to {cur_en}{gap}{unit_en}") + (f" ({change_en})" if change_en else "")
    return ru, en


def _wide(metrics_long: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Values, volumes ``n`` and bases per (metric_id, key) × period, and the metrics' labels."""
    ident = ["metric_id", "key"]
    frame = metrics_long.assign(**{c: metrics_long.get(c, np.nan) for c in ("n", "base")})
    both = frame.pivot(index=ident, columns="period", values=["value", "n", "base"]).astype(float)
    wide = {column: both[column].sort_index(axis=1) for column in ("value", "n", "base")}
    meta_columns = [c for c in ("label_ru", "label_en", "unit", "better", "gender_ru") if c in metrics_long]
    meta = metrics_long.drop_duplicates(ident).set_index(ident)[meta_columns].reindex(wide["value"].index)
    if "gender_ru" not in meta:
        meta["gender_ru"] = "n"
    return wide["value"], wide["n"], wide["base"], meta


def _test_kind(metric_id: str, unit: str) -> str:
    return TEST_KIND.get(metric_id) or {"h": "mann_whitney", "%": "two_proportion"}.get(unit, "poisson_rate")


def evidence(metric_id: str, key: str, unit: str, better: str, values: pd.Series, n: pd.Series,
             base: pd.Series, samples: pd.DataFrame | None) -> tuple[str, float, bool, float]:
    """(test, current volume, enough volume, one-sided p-value) of one metric key (SPEC §6).

    ``values``, ``n``, ``base`` are indexed by period (0 = current). Volume and test per
    :data:`TEST_KIND`: durations need :data:`MIN_TICKETS` tickets now and before and are tested
    on the single ticket durations in ``samples`` (no samples → p = NaN, never flagged);
    counts need :data:`MIN_TICKETS` tickets now; hours :data:`MIN_HOURS` now; shares a base of
    :data:`MIN_TICKETS` decided incidents (or :data:`MIN_HOURS` hours) now and before.
    """
    kind = _test_kind(metric_id, unit)
    before = values.index[(values.index > 0) & values.notna()]
    higher_is_worse = better != "higher"
    if kind == "mann_whitney":
        if samples is None:
            volume = float(n.get(0, np.nan))
            return kind, volume, volume >= MIN_TICKETS, float("nan")
        mine = samples[(samples["metric_id"] == metric_id) & (samples["key"] == key)]
        now, earlier = mine.loc[mine["period"] == 0, "value"], mine.loc[mine["period"].isin(before), "value"]
        enough = len(now) >= MIN_TICKETS and len(earlier) >= MIN_TICKETS
        return kind, float(len(now)), enough, significance.mann_whitney_worse_p(now, earlier, higher_is_worse)
    if kind in ("poisson_rate", "hours_rate"):
        counts = n if kind == "poisson_rate" else values
        now = float(counts.get(0, np.nan))
        enough = now >= (MIN_TICKETS if kind == "poisson_rate" else MIN_HOURS)
        p = significance.poisson_rate_worse_p(now, float(counts[before].sum()), len(before))
        return kind, now, bool(enough) and higher_is_worse, p
    minimum = MIN_HOURS if kind == "two_proportion_hours" else MIN_TICKETS
    n1, n0 = float(base.get(0, np.nan)), float(base[before].sum())
    x1, x0 = values.get(0, np.nan) / 100.0 * n1, float((values[before] / 100.0 * base[before]).sum())
    enough = n1 >= minimum and n0 >= minimum
    return kind, n1, bool(enough), significance.two_proportion_worse_p(x1, n1, x0, n0, higher_is_worse)


def negative_dynamics(
    metrics_long: pd.DataFrame,
    samples: pd.DataFrame | None = None,
    min_relative: float = 0.2,
    n_sigma: float = 2.0,
    min_previous: int = 2,
    min_share_rise_pp: float = 20.0,
    min_high_priority_share: float = 50.0,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Flags of metrics that turned bad in the last period, plus seed 004's composite rule.

    Rule per (metric_id, key): let c be period 0 and m, s the mean and sample standard
    deviation (ddof = 1) of the previous periods' non-missing values, and w = (c − m) for
    ``better == "lower"`` or (m − c) for ``"higher"`` (how much worse). The metric is flagged when
    w > ``min_relative`` · |m| **and** w > ``n_sigma`` · s (SPEC §6; when s = 0, flat history,
    the second condition is w > 0; when m = 0 the first is w > 0) **and** the volume behind it
    reaches the minimum of its type **and** the test suited to its type finds the worsening
    unlikely to be chance, one-sided p < ``alpha`` (see :func:`evidence`, :mod:`metrics.significance`).
    Series with fewer than ``min_previous`` previous values, or no current value («нет данных»),
    are never flagged.

    Composite rule (seed 004): development share rose by ≥ ``min_share_rise_pp`` percentage
    points over the previous mean (with enough hours and p < ``alpha``), ≥ ``min_high_priority_share`` %
    of the current development hours are priority 1–2, and the median incident resolution time of
    line 2 or 3 rose by more than ``min_relative`` (with enough tickets and p < ``alpha``) → the
    explanation and the action "add resources or lower the priority of some development tasks".

    Parameters
    ----------
    metrics_long
        Output of :func:`metrics.support.meeting_metrics` (``metric_id, key, period, value, n,
        base, unit, better, label_ru, label_en``; ``gender_ru`` optional).
    samples
        Output of :func:`metrics.support.duration_samples`: the ticket durations the duration
        metrics are tested on. Without it no duration metric is flagged.

    Returns
    -------
    DataFrame
        ``FLAG_COLUMNS``: composite flags first, then metric flags by decreasing severity;
        ``previous`` is the mean of the previous periods, ``change_pct`` = 100 · (c − m) / |m|,
        ``change_pp`` = c − m for shares, ``severity`` = min(w / |m|, ``SEVERITY_CAP``)
        (``SEVERITY_CAP`` when m = 0), ``theme`` groups related metrics (:data:`THEMES`).
    """
    wide, n, base, meta = _wide(metrics_long)
    current = wide[0] if 0 in wide.columns else pd.Series(np.nan, index=wide.index)
    previous = wide.drop(columns=0, errors="ignore")
    mean, std, count = previous.mean(axis=1), previous.std(axis=1, ddof=1), previous.count(axis=1)
    direction = np.where(meta["better"] == "higher", -1.0, 1.0)
    worse = (current - mean) * direction
    beyond_sigma = np.where(std > 0, worse > n_sigma * std, worse > 0)
    candidate = (worse > min_relative * mean.abs()) & beyond_sigma & (count >= min_previous) & current.notna()

    row_of = {key: i for i, key in enumerate(wide.index)}  # rows by position: a MultiIndex .loc per test cost more

    def judged(key: tuple[str, str]) -> tuple[str, float, bool, float]:
        i = row_of[key]
        return evidence(key[0], key[1], meta["unit"].iat[i], meta["better"].iat[i], wide.iloc[i], n.iloc[i],
                        base.iloc[i], samples)

    tests = pd.DataFrame([judged(k) for k in candidate.index[candidate.to_numpy()]],
                         columns=["test", "volume", "enough", "p_value"],
                         index=candidate.index[candidate.to_numpy()])
    significant = tests["enough"] & (tests["p_value"] < alpha)
    flagged = candidate & significant.reindex(candidate.index, fill_value=False)

    rows = [_composite(wide, mean, current, judged, samples, min_relative, min_share_rise_pp,
                       min_high_priority_share, alpha)]
    hits = meta[flagged.to_numpy()].assign(previous=mean[flagged], current=current[flagged]).join(
        tests[["test", "volume", "p_value"]]).reset_index()
    if len(hits):
        sentences = [describe_change(r.label_ru, r.label_en, r.unit, r.previous, r.current, r.gender_ru)
                     for r in hits.itertuples()]  # one per flag: a handful per meeting
        texts = hits["metric_id"].map(EXPLANATIONS).apply(lambda t: t if isinstance(t, tuple) else _GENERIC)
        gap = (hits["current"] - hits["previous"]) * np.where(hits["better"] == "higher", -1.0, 1.0)
        hits = hits.assign(
            rule="negative_dynamics",
            change_pct=100.0 * (hits["current"] - hits["previous"]) / hits["previous"].abs().replace(0, np.nan),
            change_pp=(hits["current"] - hits["previous"]).where(hits["unit"] == "%"),
            severity=(gap / hits["previous"].abs().replace(0, np.nan)).fillna(SEVERITY_CAP).clip(upper=SEVERITY_CAP),
            theme=hits["metric_id"].map(THEMES).fillna("other"),
            sentence_ru=[s[0] for s in sentences], sentence_en=[s[1] for s in sentences],
            explanation_ru=[t[0] for t in texts], explanation_en=[t[1] for t in texts],
            action_ru=[t[2] for t in texts], action_en=[t[3] for t in texts],
        )
        rows.append(hits.sort_values(["severity", "volume"], ascending=False, kind="stable"))
    rows = [r for r in rows if len(r)]
    if not rows:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    return pd.concat(rows, ignore_index=True).reindex(columns=FLAG_COLUMNS)


def findings(flags: pd.DataFrame) -> pd.DataFrame:
    """Related flags merged into one finding per theme, ranked by impact (SPEC §6).

    Each finding leads with its composite flag, else its most severe flag; the other flags of
    the theme become its details. When seed 004's composite rule fired, the development and
    incident themes are one finding («Разработка вытесняет поддержку»). Impact = the largest
    severity in the theme + 0.25 per further flag (a broad worsening outranks a single one); the
    median and p90 of the same tickets count as flags but are told once.

    Returns
    -------
    DataFrame
        ``FINDING_COLUMNS``, by decreasing impact; ``metric_keys`` lists ``metric_id/key``.
    """
    if flags.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    composite = flags["rule"] == "development_pressure"
    theme = flags["theme"].fillna("other")
    if composite.any():
        theme = theme.where(~theme.isin(COMPOSITE_ABSORBS), "development_pressure")
    ordered = flags.assign(theme=theme, composite=composite).sort_values(
        ["composite", "severity", "volume"], ascending=False, kind="stable")
    # the median and the p90 of the same tickets tell one story: the details keep the first told
    story = ordered["metric_id"] + "/" + ordered["key"].str.replace(r"(^|\.)(median|p90)$", "", regex=True)
    repeated = story.duplicated()
    rows = []
    for name, group in ordered.groupby("theme", sort=False):  # at most one group per theme
        head, rest = group.iloc[0], group.iloc[1:][~repeated.loc[group.index[1:]]]
        title_ru, title_en = THEME_TITLES.get(name, ("Другие показатели", "Other metrics"))
        rows.append({
            "theme": name, "title_ru": title_ru, "title_en": title_en,
            "impact": float(group["severity"].max()) + 0.25 * (len(group) - 1), "n_flags": len(group),
            "metric_keys": (group["metric_id"] + "/" + group["key"]).tolist(),
            "sentence_ru": head["sentence_ru"], "sentence_en": head["sentence_en"],
            "details_ru": rest["sentence_ru"].tolist(), "details_en": rest["sentence_en"].tolist(),
            "explanation_ru": head["explanation_ru"], "explanation_en": head["explanation_en"],
            "action_ru": head["action_ru"], "action_en": head["action_en"],
        })
    return (pd.DataFrame(rows, columns=FINDING_COLUMNS).sort_values("impact", ascending=False, kind="stable")
            .reset_index(drop=True))


def _value(series: pd.Series, metric_id: str, key: str) -> float:
    return float(series.get((metric_id, key), np.nan))


def _composite(wide: pd.DataFrame, mean: pd.Series, current: pd.Series, judged, samples: pd.DataFrame | None,
               min_relative: float, min_share_rise_pp: float, min_high_priority_share: float,
               alpha: float) -> pd.DataFrame:
    """seed 004: development share up with high-priority development while lines 2–3 slow down.

    The slowdown is tested on the incidents of lines 2 and 3 together (the seed names them
    together; one line alone rarely has :data:`MIN_TICKETS` incidents in two weeks): Mann–Whitney U
    of their resolution times now against before. The sentence names each line whose median
    rose by more than ``min_relative``.
    """
    share_now, share_before = _value(current, "development_share", "share"), _value(mean, "development_share", "share")
    high_share = _value(current, "high_priority_development_share", "share")
    if not (share_now - share_before >= min_share_rise_pp and high_share >= min_high_priority_share):
        return pd.DataFrame(columns=FLAG_COLUMNS)
    _test, _volume, enough, p = judged(("development_share", "share"))
    if not (enough and p < alpha) or samples is None:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    lines = samples[(samples["metric_id"] == "incident_resolution_by_line")
                    & samples["key"].isin(["line2.median", "line3.median"])]
    now, before = lines.loc[lines["period"] == 0, "value"], lines.loc[lines["period"] > 0, "value"]
    if (len(now) < MIN_TICKETS or len(before) < MIN_TICKETS or not now.median() > before.median() * (1 + min_relative)
            or not significance.mann_whitney_worse_p(now, before) < alpha):
        return pd.DataFrame(columns=FLAG_COLUMNS)
    slower_lines = []
    for line in (2, 3):
        key = f"line{line}.median"
        line_now, line_before = (_value(current, "incident_resolution_by_line", key),
                                 _value(mean, "incident_resolution_by_line", key))
        if np.isfinite(line_now) and np.isfinite(line_before) and line_now > line_before * (1 + min_relative):
            slower_lines.append((line, line_before, line_now))
    share_ru, share_en = describe_change("Доля часов разработки", "Development share of hours", "%",
                                         share_before, share_now, "f")
    high_ru, high_en = format_number(high_share, 0, "ru"), format_number(high_share, 0, "en")
    line_texts = [describe_change(f"время решения инцидентов линией {n}",
                                  f"line {n} incident resolution time", "h", before, now)
                  for n, before, now in slower_lines]
    line_ru = "; ".join(t[0] for t in line_texts)
    line_en = "; ".join(t[1] for t in line_texts)
    explanation_ru, explanation_en, action_ru, action_en = DEVELOPMENT_PRESSURE
    title_ru, title_en = THEME_TITLES["development_pressure"]
    return pd.DataFrame([{
        "rule": "development_pressure", "metric_id": "development_share", "key": "share",
        "label_ru": title_ru, "label_en": title_en,
        "unit": "%", "better": "lower", "previous": share_before, "current": share_now,
        "change_pct": 100.0 * (share_now - share_before) / share_before if share_before else np.nan,
        "change_pp": share_now - share_before, "volume": _volume, "test": "two_proportion_hours", "p_value": p,
        "severity": COMPOSITE_SEVERITY, "theme": "development_pressure",
        "sentence_ru": f"{share_ru}, из них {high_ru}\u00a0% — задачи приоритета 1–2; {line_ru}",
        "sentence_en": f"{share_en}, {high_en}% of it priority 1–2; {line_en}",
        "explanation_ru": explanation_ru, "explanation_en": explanation_en,
        "action_ru": action_ru, "action_en": action_en,
    }])
