"""«Тренды»: management's view of satisfaction, NPS and SLA compliance over time (SPEC §1, §4, §5, §7).

Dimension picker (total, country, region, city, category, industry, partner), quarter or month, filters
by country, region and dates (management sees identified data, SPEC §8); top movers between two
quarters with a minimum-answers rule; Quality Program competence assigned / revoked per month
(seed 000); a click on any point shows the surveys, tickets or partners behind it in a grid with CSV.
Every callback authorizes from the logged-in user (`authorized(ROLES)`) and re-validates every
browser value; results are cached per user scope (`scoped_memoize`).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, ctx, dcc, html

from auth import authorized, current_engine
from components import colours
from components.cache import scoped_memoize
from components.cards import empty_state
from components.charts import bar, chronological, figure, graph, scatter, spread_labels
from components.format import fmt_month, fmt_number, fmt_quarter
from components.grid import data_grid
from components.i18n import STRINGS, current_language, register_strings, t
from components.program_tables import register_columns
from metrics.survey import MIN_ANSWERS
from reports.trends import (
    DRILL_LIMIT,
    MOVER_METRICS,
    OTHERS,
    TREND_METRICS,
    competence_rows,
    competence_trend,
    default_mover_quarter,
    drill_rows,
    mover_rows,
    top_movers,
    trends_main,
)
from store.trend_queries import DIMENSIONS, GRAINS, TICKET_DIMENSIONS, filter_options

ROLES = ("management", "admin")
dash.register_page(__name__, path="/trends", name="trends", label_key="nav.trends", order=30, roles=ROLES,
                   title="Тренды")

GRAPH = "trends-graph"
MIN_ANSWER_CHOICES = (MIN_ANSWERS, 10, 20, 30)
MOVERS_SHOWN = 10  # per direction in the chart; the grid lists every qualifying partner
LABEL_CHARS = 28
TREND_HEIGHT = 340  # px of each trend chart
LABEL_GAP = 0.06  # minimum distance of two end labels, as a share of the y axis
COLOURS = colours.SERIES
OTHERS_COLOUR = colours.MUTED
QUARTER = re.compile(r"^\d{4}Q[1-4]$")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
NAMED_TICKS = 8  # a period axis names at most this many periods, else the years
MAX_PICKED = 50

BENCH_CALLBACK = {
    "output": "trends-charts.children",
    "inputs": [
        {"id": "trends-dimension", "property": "value", "value": "region"},
        {"id": "trends-grain", "property": "value", "value": "quarter"},
        {"id": "trends-country", "property": "value", "value": ["RU"]},
        {"id": "trends-region", "property": "value", "value": []},
        {"id": "trends-dates", "property": "start_date", "value": None},
        {"id": "trends-dates", "property": "end_date", "value": None},
    ],
    "state": [],
}

register_strings({
    "trends.title": {"ru": "Тренды качества", "en": "Quality trends"},
    "trends.intro": {
        "ru": "Удовлетворённость, NPS и соблюдение SLA во времени по странам, регионам, городам, категориям, "
              "отраслям и партнёрам. Нажмите на точку графика, чтобы увидеть анкеты или обращения за ней.",
        "en": "Satisfaction, NPS and SLA compliance over time by country, region, city, category, industry and "
              "partner. Click a point to see the surveys or tickets behind it.",
    },
    "trends.dimension": {"ru": "Разрез", "en": "Dimension"},
    "trends.grain": {"ru": "Период", "en": "Period"},
    "trends.country": {"ru": "Страна", "en": "Country"},
    "trends.region": {"ru": "Регион", "en": "Region"},
    "trends.dates": {"ru": "Даты", "en": "Dates"},
    "trends.all_places": {"ru": "все", "en": "all"},
    "dim.total": {"ru": "Всего", "en": "Total"},
    "dim.country": {"ru": "Страна", "en": "Country"},
    "dim.region": {"ru": "Регион", "en": "Region"},
    "dim.city": {"ru": "Город", "en": "City"},
    "dim.category": {"ru": "Категория проекта", "en": "Project category"},
    "dim.industry": {"ru": "Отрасль", "en": "Industry"},
    "dim.partner": {"ru": "Партнёр", "en": "Partner"},
    "grain.quarter": {"ru": "квартал", "en": "quarter"},
    "grain.month": {"ru": "месяц", "en": "month"},
    "trends.metric.csat": {"ru": "Удовлетворённость (CSAT), %", "en": "Satisfaction (CSAT), %"},
    "trends.metric.nps_partner": {"ru": "NPS: рекомендация партнёра", "en": "NPS: recommend the partner"},
    "trends.metric.nps_platform": {"ru": "NPS: рекомендация платформы", "en": "NPS: recommend the platform"},
    "trends.metric.sla": {"ru": "Соблюдение SLA, %", "en": "SLA compliance, %"},
    "trends.hint.csat": {"ru": "Доля ответов 4–5 по вопросам о проекте и платформе",
                         "en": "Share of 4–5 answers to the project and platform questions"},
    "trends.hint.nps": {"ru": "Промоутеры − критики, пункты; 95 % интервал во всплывающей подсказке",
                        "en": "Promoters − detractors, points; 95 % interval in the tooltip"},
    "trends.hint.sla": {"ru": "Выполнено в срок / (в срок + нарушено), по дате создания обращения",
                        "en": "Met / (met + breached), by the ticket's creation date"},
    "trends.others": {"ru": "Прочие", "en": "Others"},
    "trends.takeaway.value": {"ru": "{period}: {value}", "en": "{period}: {value}"},
    "trends.takeaway.change": {"ru": "{period}: {value}, {change} к {previous}",
                               "en": "{period}: {value}, {change} vs {previous}"},
    "trends.takeaway.spread": {"ru": "{period}: выше всех — {best} ({high}), ниже всех — {worst} ({low})",
                               "en": "{period}: highest {best} ({high}), lowest {worst} ({low})"},
    "trends.none": {"ru": "не указано", "en": "not set"},
    "trends.n": {"ru": "ответов", "en": "answers"},
    "trends.tickets_n": {"ru": "обращений", "en": "tickets"},
    "trends.too_few": {"ru": "мало ответов", "en": "too few answers"},
    "trends.no_points": {"ru": "Нет данных за выбранный период и фильтры.",
                         "en": "No data for the chosen period and filters."},
    "trends.sla_no_dimension": {
        "ru": "Обращения не связаны с проектами: SLA нельзя разбить по категории или отрасли.",
        "en": "Tickets are not linked to projects: SLA cannot be split by category or industry.",
    },
    "trends.no_data": {"ru": "Анкет и обращений пока нет.", "en": "There are no surveys or tickets yet."},
    "trends.bad_input": {"ru": "Значение фильтра не распознано: выберите его из списка.",
                         "en": "A filter value was not understood: pick it from the list."},
    "trends.movers": {"ru": "Кто изменился сильнее всех", "en": "Top movers"},
    "trends.mover_metric": {"ru": "Показатель", "en": "Metric"},
    "trends.mover_quarter": {"ru": "Квартал", "en": "Quarter"},
    "trends.min_answers": {"ru": "Минимум ответов в каждом квартале", "en": "Minimum answers in each quarter"},
    "trends.movers_compare": {
        "ru": "{quarter} против {previous}; учтены партнёры, у которых не меньше {n} ответов в обоих кварталах.",
        "en": "{quarter} vs {previous}; partners with at least {n} answers in both quarters.",
    },
    "trends.no_movers": {
        "ru": "Ни у одного партнёра нет {n} и более ответов в обоих кварталах {previous} и {quarter}.",
        "en": "No partner has {n} or more answers in both {previous} and {quarter}.",
    },
    "trends.movers_up": {"ru": "Рост", "en": "Up"},
    "trends.movers_down": {"ru": "Снижение", "en": "Down"},
    "trends.delta": {"ru": "Изменение", "en": "Change"},
    "trends.competence": {"ru": "Компетенция «Программа качества»: присвоено и снято по месяцам",
                          "en": "Quality Program competence: assigned and revoked by month"},
    "trends.assigned": {"ru": "Присвоено", "en": "Assigned"},
    "trends.revoked": {"ru": "Снято", "en": "Revoked"},
    "trends.held": {"ru": "Держат компетенцию", "en": "Holding"},
    "trends.partners": {"ru": "партнёров", "en": "partners"},
    "trends.no_competence": {"ru": "Решений по компетенции за эти месяцы нет.",
                             "en": "No competence decisions in these months."},
    "trends.drill": {"ru": "Данные за точкой", "en": "Rows behind the point"},
    "trends.drill_hint": {"ru": "Нажмите на точку или столбик любого графика — здесь появятся строки за ним.",
                          "en": "Click a point or bar of any chart to see the rows behind it here."},
    "trends.drill_title": {"ru": "{chart} · {point}: {shown} из {total}",
                           "en": "{chart} · {point}: {shown} of {total}"},
    "trends.drill_empty": {"ru": "За этой точкой строк нет.", "en": "No rows behind this point."},
})
if "cat.other" not in STRINGS:
    register_strings({"cat.other": {"ru": "прочее", "en": "other"}})
register_columns({
    "survey_id": ("Анкета", "Survey"), "surveyed_at": ("Дата анкеты", "Surveyed"),
    "partner_name": ("Партнёр", "Partner"), "region": ("Регион", "Region"), "country": ("Страна", "Country"),
    "category": ("Категория", "Category"), "industry": ("Отрасль", "Industry"),
    "client_name": ("Клиент", "Client"), "service": ("Сервис", "Service"), "type": ("Тип", "Type"),
    "resolved_at": ("Решено", "Resolved"), "sla_state": ("SLA", "SLA"), "comment": ("Комментарий", "Comment"),
    "recommend_scale": ("Шкала рекомендаций", "Recommend scale"),
    "value_previous": ("Было", "Before"), "n_previous": ("Ответов было", "Answers before"),
    "value": ("Стало", "Now"), "n": ("Ответов", "Answers"), "delta": ("Изменение", "Change"),
    **{q: (f"Ответ: {q[2:]}", f"Answer: {q[2:]}") for q in (
        "q_business_goals", "q_design", "q_dev_quality", "q_managers", "q_budget", "q_speed",
        "q_recommend_partner", "q_platform_usability", "q_platform_features", "q_recommend_platform")},
})


# ---------------------------------------------------------------- browser values, re-validated

def _choice(value: object, allowed: tuple, default: Any) -> Any:
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) and value in allowed else default


def _picked(value: object, known: list[str]) -> tuple[str, ...] | None:
    """Picked names that exist (sorted), () for none; None when the value is not a list of known names."""
    if value is None or value == "":
        return ()
    if not isinstance(value, list) or len(value) > MAX_PICKED or not all(isinstance(v, str) for v in value):
        return None
    if not set(value) <= set(known):
        return None
    return tuple(sorted(set(value)))


def _day(value: object) -> dt.date | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


@scoped_memoize()
def _options() -> dict[str, list[str]]:
    with current_engine().connect() as conn:
        return filter_options(conn)


def _filters(countries: object, regions: object) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    options = _options()
    picked = (_picked(countries, options["countries"]), _picked(regions, options["regions"]))
    return None if None in picked else picked


# ---------------------------------------------------------------- cached computations (per user scope)

@scoped_memoize()
def _trend_view(language: str, dimension: str, grain: str, countries: tuple, regions: tuple,
                start: dt.date | None, end: dt.date | None) -> list:
    """The drawn charts, cached whole: building plotly figures costs more than the grouped queries."""
    with current_engine().connect() as conn:
        tables = trends_main(conn, dimension, grain, countries, regions, start, end)
    return trend_cards(tables, dimension)


@scoped_memoize()
def _movers(metric: str, quarter: str | None, min_answers: int, countries: tuple, regions: tuple):
    with current_engine().connect() as conn:
        return top_movers(conn, metric, quarter, min_answers, countries, regions)


def warm_first_view(_scope: object) -> None:
    """The charts, movers and competence changes the page opens with: default filters, no place picked (`jobs.warm`)."""
    _trend_view(current_language(), "region", "quarter", (), (), None, None)  # the defaults of `_url_state`
    quarter = default_mover_quarter(_options()["quarters"])
    if quarter is not None:
        _movers("csat", quarter, MIN_ANSWERS, (), ())  # the mover controls' defaults (`layout`)
    _competence((), (), None, None)


@scoped_memoize()
def _competence(countries: tuple, regions: tuple, start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
    with current_engine().connect() as conn:
        return competence_trend(conn, countries, regions, start, end)


# ---------------------------------------------------------------- drawing

def group_label(group: str, label: str, dimension: str) -> str:
    """The series name shown to the user: translated totals, categories, "others" and blanks."""
    if group == OTHERS:
        return t("trends.others")
    if dimension == "total":
        return t("dim.total")
    if group == "":
        return t("trends.none")
    if dimension == "category" and f"cat.{group}" in STRINGS:
        return t(f"cat.{group}")
    return label


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "…"


def period_text(period: object) -> str:
    """A period as the reader says it: «III кв. 2026», «май 2026» («Q3 2026», «May 2026»); the axis keeps the
    codes (``2026Q3``, ``2026-05``) as its values, which a click on a point sends back."""
    label = str(period)
    return fmt_month(label) if MONTH.match(label) else fmt_quarter(label)


def trend_figure(table: pd.DataFrame, metric: str, dimension: str) -> dict:
    """Lines per group with the name written at each line's last point (no legend hunt);
    points with fewer than 5 answers are hollow and say so in the tooltip."""
    traces = []
    n_word = t("trends.tickets_n" if metric == "sla" else "trends.n")
    unit = "" if metric.startswith("nps") else " %"
    ends = []
    periods = chronological(table["period"])  # quarters as time: 2023Q1 before 2026Q4
    rank = {p: i for i, p in enumerate(periods)}
    series = {g: i for i, g in enumerate(pd.unique(table["group"]))}  # the report's series order, others last
    table = (table.assign(_series=table["group"].map(series), _when=table["period"].astype(str).map(rank))
             .sort_values(["_series", "_when"], kind="stable"))
    for i, (group, rows) in enumerate(table.groupby("group", sort=False)):
        name = group_label(group, rows["label"].iloc[0], dimension)
        colour = OTHERS_COLOUR if group == OTHERS else COLOURS[i % len(COLOURS)]
        values = rows["value"].round(1)
        interval = [
            "" if pd.isna(lo) else f"<br>95 %: {fmt_number(lo, 0)} … {fmt_number(hi, 0)}"
            for lo, hi in zip(rows["low"], rows["high"])
        ]
        too_few = rows["too_few"].to_numpy()
        hover = [f"<b>{name}</b><br>{period_text(p)}: {fmt_number(v, 1)}{unit}<br>{n_word}: {fmt_number(n)}{iv}"
                 + (f"<br><i>{t('trends.too_few')}</i>" if few else "")
                 for p, v, n, iv, few in zip(rows["period"], values, rows["n"], interval, too_few)]
        traces.append(scatter(
            x=rows["period"], y=values, mode="lines+markers", name=name,
            line=dict(color=colour, width=3 if dimension == "total" else 2),
            marker=dict(size=8, color=colour, symbol=["circle-open" if few else "circle" for few in too_few]),
            customdata=[[group]] * len(rows), hovertext=hover, hoverinfo="text",
        ))
        ends.append((rows["period"].iloc[-1], float(values.iloc[-1]), name, colour))
    ends = [e for e in ends if pd.notna(e[1])]
    low = -100 if metric.startswith("nps") else 0
    # end labels never collide: moved apart by LABEL_GAP of the axis, each keeps its line's colour
    heights = spread_labels([y for _x, y, _n, _c in ends], LABEL_GAP * (105 - low))
    labels = [dict(x=x, y=y, yref="y", text=_short(name), showarrow=False, xanchor="left", xshift=8,
                   font=dict(color=colour, size=12)) for (x, _y, name, colour), y in zip(ends, heights)]
    yaxis = dict(range=[-100, 105], zeroline=True) if metric.startswith("nps") else dict(range=[0, 105], ticksuffix=" %")
    # the one-line takeaway is the card's text above the chart (it wraps on a phone; a plot title ran under
    # the mode bar and was cut at 390 px)
    return figure(traces, showlegend=False, margin=dict(l=40, r=190, t=16, b=40), height=TREND_HEIGHT,
                  xaxis=dict(type="category", categoryorder="array", categoryarray=periods, **_period_ticks(periods)),
                  yaxis=yaxis, hovermode="closest", annotations=labels)


def _period_ticks(periods: list[str]) -> dict:
    """Tick labels of a period axis: each period in words while a few (≤ `NAMED_TICKS`), else each year at its
    first period (14 quarters named in full overlapped on a phone); the tooltips name every point."""
    if len(periods) <= NAMED_TICKS:
        return {"tickvals": periods, "ticktext": [period_text(p) for p in periods]}
    firsts = [p for i, p in enumerate(periods) if i == 0 or p[:4] != periods[i - 1][:4]]
    return {"tickvals": firsts, "ticktext": [p[:4] for p in firsts], "tickangle": 0}


def takeaway(table: pd.DataFrame, metric: str, dimension: str) -> str:
    """The chart's one-line answer: the programme's latest value and its change, or which group is
    highest and lowest in the latest period."""
    points = "" if metric.startswith("nps") else (" п.п." if current_language() == "ru" else " pp")
    unit = "" if metric.startswith("nps") else " %"
    valued = table[table["value"].notna() & table["group"].ne(OTHERS)].reset_index(drop=True)
    if valued.empty:
        return ""
    periods = chronological(valued["period"])
    last = valued[valued["period"].astype(str) == periods[-1]]
    if dimension == "total" or len(last) == 1:
        value = float(last["value"].iloc[0])
        before = valued[(valued["period"].astype(str) == periods[-2]) & (valued["group"] == last["group"].iloc[0])] \
            if len(periods) > 1 else valued.iloc[0:0]
        if before.empty:
            return t("trends.takeaway.value", period=period_text(periods[-1]), value=fmt_number(value) + unit)
        change = value - float(before["value"].iloc[0])
        return t("trends.takeaway.change", period=period_text(periods[-1]), value=fmt_number(value) + unit,
                 change=("+" if change >= 0 else "−") + fmt_number(abs(change)) + points,
                 previous=period_text(periods[-2]))
    best, worst = last.loc[last["value"].idxmax()], last.loc[last["value"].idxmin()]
    return t("trends.takeaway.spread", period=period_text(periods[-1]),
             best=_short(group_label(best["group"], best["label"], dimension)), high=fmt_number(best["value"]) + unit,
             worst=_short(group_label(worst["group"], worst["label"], dimension)),
             low=fmt_number(worst["value"]) + unit)


def _chart_card(metric: str, body: Any) -> dbc.Card:
    hint = {"csat": "trends.hint.csat", "sla": "trends.hint.sla"}.get(metric, "trends.hint.nps")
    return dbc.Card([
        dbc.CardHeader([html.Span(t(f"trends.metric.{metric}"), className="fw-bold"),
                        html.Span(" · " + t(hint), className="text-muted small")]),
        dbc.CardBody(body, className="p-1"),
    ], className="mb-3 h-100", id=f"trends-card-{metric}")


def trend_cards(tables: dict[str, pd.DataFrame], dimension: str) -> list:
    """The four metric charts as a 2 × 2 grid, each with its own empty state."""
    if all(table.empty for table in tables.values()):
        return [empty_state(t("trends.no_data"))]
    cards = []
    for metric in TREND_METRICS:
        table = tables[metric]
        if metric == "sla" and dimension not in TICKET_DIMENSIONS:
            body: Any = html.P(t("trends.sla_no_dimension"), className="text-muted p-3", id="trends-sla-none")
        elif table.empty:
            body = html.P(t("trends.no_points"), className="text-muted p-3")
        else:
            body = [html.P(takeaway(table, metric, dimension), className="trends-takeaway small fw-semibold mb-0 px-2 pt-1",
                           id={"type": "trends-takeaway", "chart": metric}),
                    graph({"type": GRAPH, "chart": metric}, trend_figure(table, metric, dimension))]
        cards.append(dbc.Col(_chart_card(metric, body), lg=6, className="mb-3"))
    return [dbc.Row(cards)]


def movers_figure(table: pd.DataFrame, metric: str) -> dict:
    """Horizontal bars of the largest gains and losses, value and n written on each bar."""
    shown = pd.concat([table.head(MOVERS_SHOWN), table[table["delta"] < 0].tail(MOVERS_SHOWN)])
    shown = shown[~shown.index.duplicated()].sort_values("delta")
    unit = "" if metric.startswith("nps") else " п.п." if current_language() == "ru" else " pp"
    names = [_short(f"{n} ({c})") for n, c in zip(shown["name"].fillna(shown["partner_id"]), shown["city"].fillna("—"))]
    text = [f"{'+' if d > 0 else ''}{fmt_number(d, 1)}{unit}  ({fmt_number(a, 0)} → {fmt_number(b, 0)}; "
            f"n {p} → {n})"
            for d, a, b, p, n in zip(shown["delta"], shown["value_previous"], shown["value"],
                                     shown["n_previous"], shown["n"])]
    return figure([bar(
        x=shown["delta"], y=names, orientation="h", text=text, textposition="auto",
        marker_color=[colours.GAIN if d >= 0 else colours.LOSS for d in shown["delta"]],
        customdata=[[p] for p in shown["partner_id"]], hoverinfo="text", hovertext=text,
    )], showlegend=False, height=max(240, 28 * len(shown) + 60),
        margin=dict(l=10, r=20, t=10, b=30), yaxis=dict(automargin=True))


def competence_figure(table: pd.DataFrame) -> dict:
    """Assigned (up) and revoked (down) bars per month with their counts, holders as a line."""
    table = table.sort_values("month", kind="stable")  # a time axis is always chronological
    months = table["month"].dt.strftime("%Y-%m-%d")
    return figure([
        bar(x=months, y=table["assigned"], name=t("trends.assigned"), marker_color=colours.STATUS["assigned"],
            text=table["assigned"].where(table["assigned"] > 0), textposition="outside",
            customdata=[["assigned"]] * len(table)),
        bar(x=months, y=-table["revoked"], name=t("trends.revoked"), marker_color=colours.STATUS["revoked"],
            text=table["revoked"].where(table["revoked"] > 0), textposition="outside",
            customdata=[["revoked"]] * len(table), hovertemplate="%{x}: %{text}<extra></extra>"),
        scatter(x=months, y=table["held"], name=t("trends.held"), mode="lines", yaxis="y2",
                line=dict(color="#1f77b4", dash="dot")),
    ], barmode="relative", height=320, margin=dict(l=40, r=50, t=10, b=40),
        legend=dict(orientation="h", y=1.08, x=0), xaxis=dict(tickformat="%m.%Y"),
        yaxis=dict(title=t("trends.partners")),
        yaxis2=dict(overlaying="y", side="right", showgrid=False, rangemode="tozero"))


def _display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Timestamps as Moscow "DD.MM.YYYY HH:MM" and dates as "DD.MM.YYYY" for the grid (vectorized)."""
    shown = frame.copy()
    for column in shown.columns:
        values = shown[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            shown[column] = values.dt.tz_convert("Europe/Moscow").dt.strftime("%d.%m.%Y %H:%M")
        elif pd.api.types.is_datetime64_any_dtype(values):
            shown[column] = values.dt.strftime("%d.%m.%Y")
    return shown.astype(object).where(shown.notna(), None)


# ---------------------------------------------------------------- layout

def _dropdown(id_: str, options: list, value: Any, **kwargs: Any) -> dcc.Dropdown:
    return dcc.Dropdown(id=id_, options=options, value=value, **kwargs)


@authorized(ROLES)
def _url_state(options: dict[str, list[str]], dimension: object, grain: object, country: object, region: object,
               start: object, end: object) -> dict[str, Any]:
    """Filter values from a deep link, each validated like a browser input (unknown → default)."""
    def names(value: object, known: list[str]) -> list[str]:
        picked = _picked(value.split(",") if isinstance(value, str) and value else None, known)
        return list(picked or ())
    first, last = _day(start), _day(end)
    return {"dimension": _choice(dimension, DIMENSIONS, "region"), "grain": _choice(grain, GRAINS, "quarter"),
            "country": names(country, options["countries"]), "region": names(region, options["regions"]),
            "start": first.isoformat() if first else None, "end": last.isoformat() if last else None}


def layout(dimension: str | None = None, grain: str | None = None, country: str | None = None,
           region: str | None = None, start: str | None = None, end: str | None = None, **_query: str) -> html.Div:
    """Filters, the four trend charts, top movers, competence changes and the drill-down area.

    Deep link: ``/trends?dimension=city&grain=month&country=RU,KZ&region=…&start=2024-01-01&end=…``
    restores the filters (each value validated; the page's roles still decide who may open it)."""
    options = _options()
    state = _url_state(options, dimension, grain, country, region, start, end)
    quarters = options["quarters"]
    controls = dbc.Row([
        dbc.Col([dbc.Label(t("trends.dimension"), html_for="trends-dimension", className="small mb-1"),
                 _dropdown("trends-dimension", [{"label": t(f"dim.{d}"), "value": d} for d in DIMENSIONS],
                           state["dimension"], clearable=False)], md=2),
        dbc.Col([dbc.Label(t("trends.grain"), className="small mb-1"),
                 dbc.RadioItems(id="trends-grain", options=[{"label": t(f"grain.{g}"), "value": g} for g in GRAINS],
                                value=state["grain"], inline=True)], md=2),
        dbc.Col([dbc.Label(t("trends.country"), html_for="trends-country", className="small mb-1"),
                 _dropdown("trends-country", options["countries"], state["country"], multi=True,
                           placeholder=t("trends.all_places"))], md=2),
        dbc.Col([dbc.Label(t("trends.region"), html_for="trends-region", className="small mb-1"),
                 _dropdown("trends-region", options["regions"], state["region"], multi=True,
                           placeholder=t("trends.all_places"))], md=3),
        dbc.Col([dbc.Label(t("trends.dates"), className="small mb-1"),
                 html.Div(dcc.DatePickerRange(id="trends-dates", display_format="DD.MM.YYYY", first_day_of_week=1,
                                              start_date=state["start"], end_date=state["end"],
                                              clearable=True, start_date_placeholder_text="с",
                                              end_date_placeholder_text="по"))], md=3),
    ], className="mb-3 g-2 align-items-end")
    mover_controls = dbc.Row([
        dbc.Col([dbc.Label(t("trends.mover_metric"), className="small mb-1"),
                 _dropdown("trends-mover-metric", [{"label": t(f"trends.metric.{m}"), "value": m}
                                                   for m in MOVER_METRICS], "csat", clearable=False)], md=4),
        dbc.Col([dbc.Label(t("trends.mover_quarter"), className="small mb-1"),
                 _dropdown("trends-mover-quarter", [{"label": fmt_quarter(q), "value": q} for q in reversed(quarters[1:])],
                           default_mover_quarter(quarters),
                           clearable=False)], md=2),
        dbc.Col([dbc.Label(t("trends.min_answers"), className="small mb-1"),
                 _dropdown("trends-min-answers", list(MIN_ANSWER_CHOICES), MIN_ANSWERS, clearable=False)], md=3),
    ], className="mb-2 g-2")
    return html.Div([
        html.H2(t("trends.title")), html.P(t("trends.intro"), className="text-muted"),
        controls, dcc.Location(id="trends-url", refresh=False),
        dcc.Loading(html.Div(id="trends-charts"), type="default"),
        html.H4(t("trends.movers"), className="mt-2"), mover_controls,
        dcc.Loading(html.Div(id="trends-movers"), type="default"),
        html.H4(t("trends.competence"), className="mt-4"),
        dcc.Loading(html.Div(id="trends-competence"), type="default"),
        html.H4(t("trends.drill"), className="mt-4"),
        dcc.Loading(html.Div(html.P(t("trends.drill_hint"), className="text-muted"), id="trends-drill"),
                    type="default"),
    ], id="trends")


# ---------------------------------------------------------------- callbacks

def _bad_input() -> dbc.Alert:
    return dbc.Alert(t("trends.bad_input"), color="warning", className="trends-bad-input")


@dash.callback(Output("trends-url", "search"),
               Input("trends-dimension", "value"), Input("trends-grain", "value"),
               Input("trends-country", "value"), Input("trends-region", "value"),
               Input("trends-dates", "start_date"), Input("trends-dates", "end_date"), prevent_initial_call=True)
@authorized(ROLES)
def remember_in_url(dimension: object, grain: object, countries: object, regions: object, start: object,
                    end: object) -> str:
    """The filters in the address, so a reload or a shared link shows the same charts."""
    state = _url_state(_options(), dimension, grain, ",".join(countries) if isinstance(countries, list) else None,
                       ",".join(regions) if isinstance(regions, list) else None, start, end)
    query = {"dimension": state["dimension"], "grain": state["grain"],
             **{k: ",".join(state[k]) for k in ("country", "region") if state[k]},
             **{k: state[k] for k in ("start", "end") if state[k]}}
    return "?" + urlencode(query)


@dash.callback(Output("trends-charts", "children"),
               Input("trends-dimension", "value"), Input("trends-grain", "value"),
               Input("trends-country", "value"), Input("trends-region", "value"),
               Input("trends-dates", "start_date"), Input("trends-dates", "end_date"))
@authorized(ROLES)
def show_trends(dimension: object, grain: object, countries: object, regions: object,
                start: object, end: object) -> list | dbc.Alert:
    """CSAT, NPS (partner, platform) and SLA compliance by the chosen dimension and period."""
    dimension, grain = _choice(dimension, DIMENSIONS, None), _choice(grain, GRAINS, None)
    places = _filters(countries, regions)
    if dimension is None or grain is None or places is None:
        return _bad_input()
    return _trend_view(current_language(), dimension, grain, *places, _day(start), _day(end))


@dash.callback(Output("trends-movers", "children"),
               Input("trends-mover-metric", "value"), Input("trends-mover-quarter", "value"),
               Input("trends-min-answers", "value"), Input("trends-country", "value"),
               Input("trends-region", "value"))
@authorized(ROLES)
def show_movers(metric: object, quarter: object, min_answers: object, countries: object,
                regions: object) -> list | dbc.Alert:
    """Partners whose metric rose or fell most from the previous quarter (n ≥ minimum in both)."""
    metric = _choice(metric, MOVER_METRICS, None)
    quarter = _choice(quarter, tuple(_options()["quarters"]), None)
    min_answers = _choice(min_answers, MIN_ANSWER_CHOICES, None)
    places = _filters(countries, regions)
    if metric is None or min_answers is None or places is None:
        return _bad_input()
    if quarter is None:
        return [empty_state(t("trends.no_data"))]
    movers = _movers(metric, quarter, min_answers, *places)
    if movers.table.empty:
        return [html.P(t("trends.no_movers", n=min_answers, previous=fmt_quarter(movers.previous),
                         quarter=fmt_quarter(movers.quarter)),
                       className="text-muted", id="trends-no-movers")]
    grid = movers.table.assign(value_previous=movers.table["value_previous"].round(1),
                               value=movers.table["value"].round(1), delta=movers.table["delta"].round(1))
    return [
        html.P(t("trends.movers_compare", quarter=fmt_quarter(movers.quarter), previous=fmt_quarter(movers.previous),
                 n=min_answers),
               className="text-muted small"),
        graph({"type": GRAPH, "chart": "movers"}, movers_figure(movers.table, metric)),
        data_grid("trends-movers", grid, page_size=10, csv_filename=f"movers-{metric}-{movers.quarter}.csv"),
    ]


@dash.callback(Output("trends-competence", "children"),
               Input("trends-country", "value"), Input("trends-region", "value"),
               Input("trends-dates", "start_date"), Input("trends-dates", "end_date"))
@authorized(ROLES)
def show_competence(countries: object, regions: object, start: object, end: object) -> Any:
    """Quality Program competence assigned and revoked per 1st of a month (seed 000)."""
    places = _filters(countries, regions)
    if places is None:
        return _bad_input()
    table = _competence(*places, _day(start), _day(end))
    if table.empty:
        return html.P(t("trends.no_competence"), className="text-muted")
    return graph({"type": GRAPH, "chart": "competence"}, competence_figure(table))


def _clicked(click: object) -> tuple[str, str] | None:
    """(x, first customdata) of a plotly clickData, or None when it is not one."""
    if not isinstance(click, dict) or not isinstance(click.get("points"), list) or not click["points"]:
        return None
    point = click["points"][0]
    if not isinstance(point, dict):
        return None
    x, custom = point.get("x", point.get("y")), point.get("customdata")
    if isinstance(custom, list) and custom:
        custom = custom[0]
    if not isinstance(custom, str) or not isinstance(x, str) or len(custom) > 300 or len(x) > 40:
        return None
    return x, custom


def _drill_view(chart_title: str, point: str, frame: pd.DataFrame, total: int, name: str) -> list:
    if frame.empty:
        return [html.P(t("trends.drill_empty"), className="text-muted", id="trends-drill-empty")]
    title = t("trends.drill_title", chart=chart_title, point=point, shown=fmt_number(len(frame)),
              total=fmt_number(total))
    return [html.P(title, className="fw-bold", id="trends-drill-title"),
            data_grid("trends-drill", _display_frame(frame), page_size=15, csv_filename=f"{name}.csv")]


@dash.callback(Output("trends-drill", "children"),
               Input({"type": GRAPH, "chart": ALL}, "clickData"),
               State("trends-dimension", "value"), State("trends-grain", "value"),
               State("trends-country", "value"), State("trends-region", "value"),
               State("trends-mover-metric", "value"), State("trends-mover-quarter", "value"),
               prevent_initial_call=True)
@authorized(ROLES)
def drill_down(_clicks: object, dimension: object, grain: object, countries: object, regions: object,
               mover_metric: object, mover_quarter: object) -> Any:
    """The surveys, tickets or partners behind the clicked point, with CSV export."""
    chart = ctx.triggered_id.get("chart") if isinstance(ctx.triggered_id, dict) else None
    click = ctx.triggered[0].get("value") if ctx.triggered else None
    point = _clicked(click)
    if chart is None or point is None:
        return html.P(t("trends.drill_hint"), className="text-muted")
    places = _filters(countries, regions)
    if places is None:
        return _bad_input()
    x, custom = point
    with current_engine().connect() as conn:
        if chart in TREND_METRICS:
            dimension, grain = _choice(dimension, DIMENSIONS, None), _choice(grain, GRAINS, None)
            if dimension is None or grain is None or not (QUARTER if grain == "quarter" else MONTH).match(x):
                return _bad_input()
            frame, total = drill_rows(conn, chart, x, custom, dimension, grain, *places, limit=DRILL_LIMIT)
            label = t("trends.others") if custom == OTHERS else (custom or t(f"dim.{dimension}"))
            return _drill_view(t(f"trends.metric.{chart}"), f"{x} · {label}", frame, total, f"{chart}-{x}")
        if chart == "movers":
            metric = _choice(mover_metric, MOVER_METRICS, None)
            quarter = _choice(mover_quarter, tuple(_options()["quarters"]), None)
            if metric is None or quarter is None:
                return _bad_input()
            frame = mover_rows(conn, metric, custom, quarter)
            return _drill_view(t(f"trends.metric.{metric}"), custom, frame, len(frame), f"mover-{custom}-{quarter}")
        if chart == "competence":
            month = _day(x)
            if month is None or custom not in ("assigned", "revoked"):
                return _bad_input()
            frame = competence_rows(conn, month, custom, *places)
            return _drill_view(t(f"trends.{custom}"), month.strftime("%d.%m.%Y"), frame, len(frame),
                               f"competence-{custom}-{month.isoformat()}")
    return _bad_input()
