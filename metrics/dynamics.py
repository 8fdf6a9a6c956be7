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


IDENT = ["client_id", "metric_id", "key"]
_ONE = "client"  # the client key of a one-client call to the *_by_client functions


def _wide(metrics_long: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Values, volumes ``n`` and bases per (client_id, metric_id, key) × period, and the metrics' labels."""
    frame = metrics_long.assign(**{c: metrics_long.get(c, np.nan) for c in ("n", "base")})
    both = frame.pivot(index=IDENT, columns="period", values=["value", "n", "base"]).astype(float)
    wide = {column: both[column].sort_index(axis=1) for column in ("value", "n", "base")}
    meta_columns = [c for c in ("label_ru", "label_en", "unit", "better", "gender_ru") if c in metrics_long]
    meta = metrics_long.drop_duplicates(IDENT).set_index(IDENT)[meta_columns].reindex(wide["value"].index)
    if "gender_ru" not in meta:
        meta["gender_ru"] = "n"
    return wide["value"], wide["n"], wide["base"], meta


def _test_kinds(metric_id: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """The test of each metric key (:data:`TEST_KIND`; else by unit: hours Mann–Whitney, % two proportions, counts
    Poisson)."""
    by_unit = pd.Series(unit, dtype=object).map({"h": "mann_whitney", "%": "two_proportion"}).fillna("poisson_rate")
    return pd.Series(metric_id, dtype=object).map(TEST_KIND).fillna(by_unit).to_numpy(dtype=object)


def _evidence(wide: pd.DataFrame, n: pd.DataFrame, base: pd.DataFrame, meta: pd.DataFrame,
              samples: pd.DataFrame | None, rows: np.ndarray) -> pd.DataFrame:
    """(test, current volume, enough volume, one-sided p-value) of the metric keys at ``rows`` (SPEC §6).

    Volume and test per :data:`TEST_KIND`: durations need :data:`MIN_TICKETS` tickets now and before and are tested
    on the single ticket durations in ``samples`` (no samples → p = NaN, never flagged); counts need
    :data:`MIN_TICKETS` tickets now; hours :data:`MIN_HOURS` now; shares a base of :data:`MIN_TICKETS` decided
    incidents (or :data:`MIN_HOURS` hours) now and before. "Before" is the previous periods with a value. Each test
    kind is one pass over its keys (of every client); the exact Poisson test is summed per key.
    """
    index = wide.index[rows]
    periods = wide.columns.to_numpy()
    values, counts, bases = (frame.to_numpy(dtype=float)[rows] for frame in (wide, n, base))
    before = (periods > 0)[None, :] & ~np.isnan(values)
    now = (periods == 0).argmax() if (periods == 0).any() else None

    def current(array: np.ndarray) -> np.ndarray:
        return array[:, now] if now is not None else np.full(len(array), np.nan)

    def before_sum(array: np.ndarray) -> np.ndarray:
        return np.where(before, array, 0.0).sum(axis=1)

    kind = _test_kinds(index.get_level_values("metric_id").to_numpy(), meta["unit"].to_numpy()[rows])
    higher_is_worse = meta["better"].to_numpy()[rows] != "higher"
    volume, p = np.full(len(index), np.nan), np.full(len(index), np.nan)
    enough = np.zeros(len(index), dtype=bool)

    rate = np.isin(kind, ["poisson_rate", "hours_rate"])
    rate_counts = np.where((kind == "poisson_rate")[:, None], counts, values)
    volume[rate] = current(rate_counts)[rate]
    enough[rate] = ((volume[rate] >= np.where(kind[rate] == "poisson_rate", MIN_TICKETS, MIN_HOURS))
                    & higher_is_worse[rate])
    p[rate] = [significance.poisson_rate_worse_p(c, b, k) for c, b, k in  # exact tail sums: candidates only
               zip(volume[rate].tolist(), before_sum(rate_counts)[rate].tolist(), before.sum(axis=1)[rate].tolist())]

    share = np.isin(kind, ["two_proportion", "two_proportion_hours"])
    minimum = np.where(kind == "two_proportion_hours", MIN_HOURS, MIN_TICKETS)
    n1, n0 = current(bases), before_sum(bases)
    x1, x0 = current(values) / 100.0 * n1, before_sum(values / 100.0 * bases)
    volume[share] = n1[share]
    enough[share] = (n1 >= minimum)[share] & (n0 >= minimum)[share]
    p[share] = significance.two_proportion_worse_p_many(x1, n1, x0, n0, higher_is_worse)[share]

    durations = kind == "mann_whitney"
    if samples is None:
        volume[durations] = current(counts)[durations]
        enough[durations] = volume[durations] >= MIN_TICKETS
    elif durations.any():
        keys = pd.DataFrame(index[durations].tolist(), columns=IDENT).assign(row=np.flatnonzero(durations))
        mine = samples.merge(keys, on=IDENT)
        column, row = pd.Index(periods).get_indexer(mine["period"]), mine["row"].to_numpy()
        is_now = (mine["period"] == 0).to_numpy()
        earlier = (mine["period"] > 0).to_numpy() & (column >= 0) & before[row, np.maximum(column, 0)]
        mine = mine[is_now | earlier].assign(now=is_now[is_now | earlier])
        tickets_now = mine.groupby("row")["now"].sum()
        tickets_before = mine.groupby("row").size() - tickets_now
        tested = significance.mann_whitney_worse_p_by_group(
            mine["value"].to_numpy(), mine["row"].to_numpy(), mine["now"].to_numpy(), higher_is_worse[mine["row"]])
        at = np.flatnonzero(durations)
        volume[at] = tickets_now.reindex(at, fill_value=0).to_numpy(dtype=float)
        enough[at] = ((volume[at] >= MIN_TICKETS)
                      & (tickets_before.reindex(at, fill_value=0).to_numpy() >= MIN_TICKETS))
        p[at] = tested.reindex(at).to_numpy(dtype=float)
    return pd.DataFrame({"test": kind, "volume": volume, "enough": enough, "p_value": p}, index=index)


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
    unlikely to be chance, one-sided p < ``alpha`` (see :func:`_evidence`, :mod:`metrics.significance`).
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
    flags = negative_dynamics_by_client(metrics_long.assign(client_id=_ONE),
                                        None if samples is None else samples.assign(client_id=_ONE),
                                        min_relative, n_sigma, min_previous, min_share_rise_pp,
                                        min_high_priority_share, alpha)
    return flags.drop(columns="client_id")


def negative_dynamics_by_client(
    metrics_long: pd.DataFrame,
    samples: pd.DataFrame | None = None,
    min_relative: float = 0.2,
    n_sigma: float = 2.0,
    min_previous: int = 2,
    min_share_rise_pp: float = 20.0,
    min_high_priority_share: float = 50.0,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """:func:`negative_dynamics` of several clients at once: ``metrics_long`` and ``samples`` carry a ``client_id``
    (:func:`metrics.support.meeting_metrics_and_samples_by_client`). The rule, the volumes and the tests run as
    one pass over every client's keys; only the sentences are written per flag. Returns ``client_id`` +
    ``FLAG_COLUMNS`` by client, each client's flags in the order :func:`negative_dynamics` gives them."""
    wide, n, base, meta = _wide(metrics_long)
    current = wide[0] if 0 in wide.columns else pd.Series(np.nan, index=wide.index)
    previous = wide.drop(columns=0, errors="ignore")
    mean, std, count = previous.mean(axis=1), previous.std(axis=1, ddof=1), previous.count(axis=1)
    direction = np.where(meta["better"] == "higher", -1.0, 1.0)
    worse = (current - mean) * direction
    beyond_sigma = np.where(std > 0, worse > n_sigma * std, worse > 0)
    candidate = ((worse > min_relative * mean.abs()) & beyond_sigma & (count >= min_previous)
                 & current.notna()).to_numpy()

    # seed 004's pattern is judged on the development share of the clients whose share rose with priority 1–2 work
    share_now = _per_client(current, "development_share", "share")
    share_before = _per_client(mean, "development_share", "share")
    high_share = _per_client(current, "high_priority_development_share", "share").reindex(share_now.index)
    pressure = share_now.index[((share_now - share_before >= min_share_rise_pp)
                                & (high_share >= min_high_priority_share)).to_numpy()]
    share_rows = ((wide.index.get_level_values("metric_id") == "development_share")
                  & (wide.index.get_level_values("key") == "share")
                  & wide.index.get_level_values("client_id").isin(pressure))
    tests = _evidence(wide, n, base, meta, samples, candidate | share_rows)
    significant = tests["enough"] & (tests["p_value"] < alpha)
    flagged = candidate & significant.reindex(wide.index, fill_value=False).to_numpy()

    rows = [_composite(tests, current, mean, samples, pressure, min_relative, alpha).assign(order=0)]
    hits = meta[flagged].assign(previous=mean[flagged], current=current[flagged]).join(
        tests[["test", "volume", "p_value"]]).reset_index()
    if len(hits):
        sentences = [describe_change(r.label_ru, r.label_en, r.unit, r.previous, r.current, r.gender_ru)
                     for r in hits.itertuples()]  # one per flag: a handful per meeting
        texts = hits["metric_id"].map(EXPLANATIONS).apply(lambda t: t if isinstance(t, tuple) else _GENERIC)
        gap = (hits["current"] - hits["previous"]) * np.where(hits["better"] == "higher", -1.0, 1.0)
        rows.append(hits.assign(
            rule="negative_dynamics",
            change_pct=100.0 * (hits["current"] - hits["previous"]) / hits["previous"].abs().replace(0, np.nan),
            change_pp=(hits["current"] - hits["previous"]).where(hits["unit"] == "%"),
            severity=(gap / hits["previous"].abs().replace(0, np.nan)).fillna(SEVERITY_CAP).clip(upper=SEVERITY_CAP),
            theme=hits["metric_id"].map(THEMES).fillna("other"),
            sentence_ru=[s[0] for s in sentences], sentence_en=[s[1] for s in sentences],
            explanation_ru=[t[0] for t in texts], explanation_en=[t[1] for t in texts],
            action_ru=[t[2] for t in texts], action_en=[t[3] for t in texts], order=1,
        ))
    rows = [r for r in rows if len(r)]
    columns = ["client_id", *FLAG_COLUMNS]
    if not rows:
        return pd.DataFrame(columns=columns)
    # per client: composite flags first, then by decreasing severity (ties: volume, then the metric order)
    flags = pd.concat(rows, ignore_index=True).sort_values(
        ["client_id", "order", "severity", "volume"], ascending=[True, True, False, False], kind="stable")
    return flags.reindex(columns=columns).reset_index(drop=True)


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
    return findings_by_client(flags.assign(client_id=_ONE)).drop(columns="client_id")


def findings_by_client(flags: pd.DataFrame) -> pd.DataFrame:
    """:func:`findings` of the flags of several clients (``client_id`` + ``FLAG_COLUMNS``, as
    :func:`negative_dynamics_by_client` gives them), grouped by client and theme in one pass: ``client_id`` +
    ``FINDING_COLUMNS``, by client, each client's findings in the order :func:`findings` gives them."""
    if flags.empty:
        return pd.DataFrame(columns=["client_id", *FINDING_COLUMNS])
    composite = flags["rule"] == "development_pressure"
    theme = flags["theme"].fillna("other")
    pressed = composite.groupby(flags["client_id"]).transform("any")
    theme = theme.where(~(pressed & theme.isin(COMPOSITE_ABSORBS)), "development_pressure")
    ordered = flags.assign(theme=theme, composite=composite).sort_values(
        ["client_id", "composite", "severity", "volume"], ascending=[True, False, False, False], kind="stable")
    # the median and the p90 of the same tickets tell one story: the details keep the first told
    story = ordered["metric_id"] + "/" + ordered["key"].str.replace(r"(^|\.)(median|p90)$", "", regex=True)
    repeated = pd.concat([ordered["client_id"], story.rename("story")], axis=1).duplicated()
    ordered = ordered.assign(metric_key=ordered["metric_id"] + "/" + ordered["key"])
    groups = ordered.groupby(["client_id", "theme"], sort=False)
    head = groups.head(1).set_index(["client_id", "theme"])
    rest = ordered[(groups.cumcount() > 0) & ~repeated].groupby(["client_id", "theme"], sort=False)
    details = {lang: rest[f"sentence_{lang}"].agg(list).to_dict() for lang in ("ru", "en")}
    titles = head.index.get_level_values("theme").map(
        lambda name: THEME_TITLES.get(name, ("Другие показатели", "Other metrics")))
    found = pd.DataFrame({
        "title_ru": [t[0] for t in titles], "title_en": [t[1] for t in titles],
        "impact": groups["severity"].max().astype(float) + 0.25 * (groups.size() - 1),
        "n_flags": groups.size(), "metric_keys": groups["metric_key"].agg(list),
        "sentence_ru": head["sentence_ru"], "sentence_en": head["sentence_en"],
        "details_ru": [details["ru"].get(key, []) for key in head.index],  # a finding per theme: a handful
        "details_en": [details["en"].get(key, []) for key in head.index],
        "explanation_ru": head["explanation_ru"], "explanation_en": head["explanation_en"],
        "action_ru": head["action_ru"], "action_en": head["action_en"],
    }, index=head.index).reset_index()
    return (found.sort_values(["client_id", "impact"], ascending=[True, False], kind="stable")
            .reindex(columns=["client_id", *FINDING_COLUMNS]).reset_index(drop=True))


def _per_client(series: pd.Series, metric_id: str, key: str) -> pd.Series:
    """The values of one metric key, by client (clients without that key are absent)."""
    at = ((series.index.get_level_values("metric_id") == metric_id)
          & (series.index.get_level_values("key") == key))
    return pd.Series(series.to_numpy()[at], index=series.index.get_level_values("client_id")[at])


def _value(series: pd.Series, metric_id: str, key: str) -> float:
    return float(series.get((metric_id, key), np.nan))


def _composite(tests: pd.DataFrame, current: pd.Series, mean: pd.Series, samples: pd.DataFrame | None,
               pressure: pd.Index, min_relative: float, alpha: float) -> pd.DataFrame:
    """seed 004: development share up with high-priority development while lines 2–3 slow down, for the clients
    in ``pressure`` (share and priority-1–2 conditions already met); ``client_id`` + ``FLAG_COLUMNS``.

    The slowdown is tested on the incidents of lines 2 and 3 together (the seed names them
    together; one line alone rarely has :data:`MIN_TICKETS` incidents in two weeks): Mann–Whitney U
    of their resolution times now against before, one grouped test over the clients. The sentence names each line
    whose median rose by more than ``min_relative``.
    """
    empty = pd.DataFrame(columns=["client_id", *FLAG_COLUMNS])
    if samples is None or not len(pressure):
        return empty
    share_tests = tests.xs(("development_share", "share"), level=("metric_id", "key")).reindex(pressure)
    judged = share_tests[share_tests["enough"] & (share_tests["p_value"] < alpha)]
    lines = samples[(samples["metric_id"] == "incident_resolution_by_line")
                    & samples["key"].isin(["line2.median", "line3.median"])
                    & samples["client_id"].isin(judged.index)]
    now = lines["period"] == 0
    by_client = lines.groupby("client_id")["value"]
    tickets_now = now.groupby(lines["client_id"]).sum()
    tickets_before = by_client.size() - tickets_now
    median_now = lines[now].groupby("client_id")["value"].median().reindex(tickets_now.index)
    median_before = lines[lines["period"] > 0].groupby("client_id")["value"].median().reindex(tickets_now.index)
    p = significance.mann_whitney_worse_p_by_group(lines["value"].to_numpy(), lines["client_id"].to_numpy(),
                                                   now.to_numpy(), np.ones(len(lines), dtype=bool))
    slower = ((tickets_now >= MIN_TICKETS) & (tickets_before >= MIN_TICKETS)
              & (median_now > median_before * (1 + min_relative))
              & (p.reindex(tickets_now.index) < alpha))
    chosen = slower.index[slower.to_numpy()]
    if not len(chosen):
        return empty
    return pd.concat([_composite_flag(current.xs(c), mean.xs(c), judged.loc[c], min_relative).assign(client_id=c)
                      for c in chosen], ignore_index=True)  # the clients with seed 004's pattern: rare


def _composite_flag(current: pd.Series, mean: pd.Series, share_test: pd.Series, min_relative: float) -> pd.DataFrame:
    """The development-pressure flag of one client whose pattern was found (`_composite`)."""
    share_now, share_before = _value(current, "development_share", "share"), _value(mean, "development_share", "share")
    high_share = _value(current, "high_priority_development_share", "share")
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
        "change_pp": share_now - share_before, "volume": share_test["volume"], "test": "two_proportion_hours",
        "p_value": share_test["p_value"], "severity": COMPOSITE_SEVERITY, "theme": "development_pressure",
        "sentence_ru": f"{share_ru}, из них {high_ru}\u00a0% — задачи приоритета 1–2; {line_ru}",
        "sentence_en": f"{share_en}, {high_en}% of it priority 1–2; {line_en}",
        "explanation_ru": explanation_ru, "explanation_en": explanation_en,
        "action_ru": action_ru, "action_en": action_en,
    }])
