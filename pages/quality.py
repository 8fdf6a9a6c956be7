"""«Моё качество»: the partner's own survey results, anonymized comparison, Quality Program competence,
support tickets and deposit (SPEC §1 "Partner", seeds 000 and 003).

Role partner always sees its own partner (from the session, never from the browser); management and
admin pick a partner in a dropdown (SPEC §8). The page only draws `reports.partner.partner_report`.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html
from dash.exceptions import PreventUpdate

from auth import Scope, authorized, current_engine
from components import colours
from components.cache import scoped_memoize
from components.cards import empty_state, kpi_card
from components.charts import bar, figure, graph, scatter
from components.format import fmt_date, fmt_number, fmt_percent, fmt_quarter
from components.grid import data_grid
from components.program_tables import value_labels
from components.labels import code_label
from components.i18n import current_language, register_strings, t
from metrics.survey import QUESTIONS
from reports.partner import WINDOWS, UnknownPartner, partner_report
from store.partner_queries import partner_options

PAGE_ROLES = frozenset({"partner", "management", "admin"})
dash.register_page(__name__, path="/quality", name="quality", label_key="nav.quality", order=1,
                   roles=sorted(PAGE_ROLES))

ANSWER_COLORS = colours.SCORE
DATE_FORMATTER = {"function": "params.value ? d3.timeFormat('%d.%m.%Y')(d3.isoParse(params.value)) : '—'"}
NUMBER_FORMATTER = {"function": "params.value == null ? '—' : params.value.toLocaleString('ru-RU', "
                                "{maximumFractionDigits: 1})"}

register_strings({
    "quality.title": {"ru": "Моё качество", "en": "My quality"},
    "quality.partner": {"ru": "Партнёр", "en": "Partner"},
    "quality.window": {"ru": "Период", "en": "Period"},
    "quality.window.quarter": {"ru": "Квартал", "en": "Quarter"},
    "quality.window.ttm": {"ru": "12 месяцев", "en": "12 months"},
    "quality.window.note": {"ru": "Период: {quarters} (завершённые кварталы; текущий квартал — на графике динамики).",
                            "en": "Period: {quarters} (complete quarters; the running quarter is in the trend chart)."},
    "quality.csat": {"ru": "Удовлетворённость (CSAT)", "en": "Satisfaction (CSAT)"},
    "quality.csat.hint": {"ru": "доля оценок 4–5 по шести вопросам о проекте",
                          "en": "share of 4–5 answers to the six project questions"},
    "quality.nps_partner": {"ru": "Рекомендуют вас (NPS)", "en": "Recommend you (NPS)"},
    "quality.nps_platform": {"ru": "Рекомендуют платформу (NPS)", "en": "Recommend the platform (NPS)"},
    # answer counts arrive as bands («30–49», issue 18), so the word comes before them
    "quality.compare": {"ru": "{group}: {value} ({partners}, ответов: {answers})",
                        "en": "{group}: {value} ({partners}, answers: {answers})"},
    "quality.compare.title": {"ru": "Сравнение с другими партнёрами", "en": "Comparison with other partners"},
    "quality.compare.note": {"ru": "Средние по группе без вашей компании; показываются, только если не раскрывают "
                                   "данные отдельного партнёра.",
                             "en": "Group averages without your company; shown only where they cannot reveal "
                                   "another partner's data."},
    "quality.distribution": {"ru": "Распределение ответов", "en": "Answer distribution"},
    "quality.trend": {"ru": "Динамика по кварталам", "en": "Quarterly trend"},
    "quality.trend.too_few": {"ru": "светлые точки — меньше 5 ответов", "en": "light points — fewer than 5 answers"},
    "quality.answer": {"ru": "Оценка {a}", "en": "Score {a}"},
    "quality.score": {"ru": "Оценка", "en": "Score"},
    "quality.questions": {"ru": "Вопросы анкеты", "en": "Survey questions"},
    "quality.comments": {"ru": "Комментарии клиентов", "en": "Client comments"},
    "quality.projects": {"ru": "Проекты, сданные через Монитор качества", "en": "Projects submitted via the Quality Monitor"},
    "quality.competence": {"ru": "Компетенция «Программа качества»", "en": "“Quality Program” competence"},
    "quality.competence.held": {"ru": "Присвоена", "en": "Held"},
    "quality.competence.at_risk": {"ru": "Присвоена — под угрозой", "en": "Held — at risk"},
    "quality.competence.at_risk_margin": {"ru": "запас: {projects}", "en": "margin: {projects}"},
    "quality.competence.at_risk_note": {
        "ru": "Потеря ещё одного сданного проекта или доля ниже 55 % — и на следующей проверке компетенция "
              "может быть снята.",
        "en": "Losing one more submitted project or a share below 55 % may cost the competence at the next "
              "evaluation."},
    "quality.change": {"ru": "{change} к {period}", "en": "{change} vs {period}"},
    "quality.change.no_data": {"ru": "нет данных за {period}", "en": "no data for {period}"},
    "quality.change.pp": {"ru": "\u00a0п.п.", "en": "\u00a0pp"},
    "quality.compare.metric": {"ru": "Показатель", "en": "Metric"},
    "quality.compare.own": {"ru": "Вы", "en": "You"},
    "quality.compare.group": {"ru": "Группа", "en": "Group"},
    "quality.competence.not_held": {"ru": "Не присвоена", "en": "Not held"},
    "quality.competence.numbers": {
        "ru": "Активированных ключей, купленных {start} – {end}: {keys}; из них проекты сданы через Монитор: "
              "{covered} ({share}). Нужно не менее 50 %.",
        "en": "Activated keys bought {start} – {end}: {keys}; projects submitted via the Monitor: {covered} ({share}). "
              "At least 50 % is needed."},
    "quality.competence.margin_ok": {"ru": "Запас: можно потерять {n} сданных проектов.",
                                     "en": "Margin: {n} submitted projects could be lost."},
    "quality.competence.margin_need": {"ru": "Не хватает {n} сданных проектов.", "en": "{n} more submitted projects needed."},
    "quality.competence.next": {"ru": "Следующая проверка: {date}", "en": "Next evaluation: {date}"},
    "quality.competence.none": {"ru": "Нет активированных ключей в окне 14–2 месяца назад — загрузите файл "
                                      "license_keys.",
                                "en": "No activated keys bought 14 to 2 months ago — load the license_keys file."},
    "quality.points": {"ru": "Баллы за сданные проекты: {live}; ближайшее сгорание {date}; в ближайшие 90 дней "
                             "сгорит {soon}.",
                       "en": "Points for submitted projects: {live}; next expiry {date}; {soon} expire within 90 days."},
    "quality.status.assigned": {"ru": "присвоена", "en": "assigned"},
    "quality.status.kept": {"ru": "сохранена", "en": "kept"},
    "quality.status.revoked": {"ru": "снята", "en": "revoked"},
    "quality.status.none": {"ru": "нет", "en": "none"},
    "quality.tickets": {"ru": "Обращения в поддержку", "en": "Support tickets"},
    "quality.tickets.summary": {
        "ru": "Всего {total}, открыто {open}, просрочено {breached}; соблюдение SLA {compliance}; отработано {hours} ч.",
        "en": "Total {total}, open {open}, breached {breached}; SLA compliance {compliance}; worked {hours} h."},
    "quality.deposit": {"ru": "Депозит выделенной поддержки", "en": "Dedicated support deposit"},
    "quality.deposit.details": {
        "ru": "Пополнено {topped} {cur}; списано {charged} {cur} за {tickets} обращений; хватит примерно на {runway} дн.",
        "en": "Topped up {topped} {cur}; charged {charged} {cur} for {tickets} tickets; lasts about {runway} days."},
    "quality.empty.surveys": {"ru": "Оценок клиентов за этот период нет. Загрузите файлы projects и surveys.",
                              "en": "No client ratings in this period. Load the projects and surveys files."},
    "quality.empty.projects": {"ru": "Проектов нет. Загрузите файлы projects и monitor_tests.",
                               "en": "No projects. Load the projects and monitor_tests files."},
    "quality.empty.tickets": {"ru": "Обращений нет. Загрузите файл tickets.", "en": "No tickets. Load the tickets file."},
    "quality.empty.deposit": {"ru": "Платежей нет. Загрузите файл депозитов.", "en": "No payments. Load the deposits file."},
    "quality.no_partner": {"ru": "Выберите партнёра.", "en": "Choose a partner."},
    "quality.unknown_partner": {"ru": "Такого партнёра нет.", "en": "No such partner."},
    "quality.bad_window": {"ru": "Доступны только периоды «квартал» и «12 месяцев».",
                           "en": "Only the periods “quarter” and “12 months” are available."},
    "quality.no_partner_link": {"ru": "Ваш логин не привязан к партнёру — обратитесь к администратору.",
                                "en": "Your login is not linked to a partner — ask the administrator."},
    "quality.code.submitted": {"ru": "сдан", "en": "submitted"},
    "quality.code.failed_tests": {"ru": "есть непройденные тесты", "en": "failed tests"},
    "quality.code.manual_without_comment": {"ru": "ручной тест без комментария", "en": "manual test without comment"},
    "quality.code.no_tests": {"ru": "нет тестов", "en": "no tests"},
    "quality.code.unknown_result": {"ru": "неизвестный результат", "en": "unknown result"},
    "quality.code.open": {"ru": "открыто", "en": "open"},
    "quality.code.paused": {"ru": "пауза БП", "en": "waiting production"},
    "quality.code.resolved": {"ru": "решено", "en": "resolved"},
    "quality.code.closed": {"ru": "закрыто", "en": "closed"},
    "quality.code.met": {"ru": "в срок", "en": "met"},
    "quality.code.breached": {"ru": "просрочено", "en": "breached"},
    "quality.code.at_risk": {"ru": "под угрозой", "en": "at risk"},
    "col.project_id": {"ru": "Проект", "en": "Project"},
    "col.version": {"ru": "Версия", "en": "Version"},
    "col.submitted_at": {"ru": "Сдан", "en": "Submitted"},
    "col.category": {"ru": "Категория", "en": "Category"},
    "col.monitor": {"ru": "Монитор", "en": "Monitor"},
    "col.survey": {"ru": "Оценка клиента", "en": "Client rating"},
    "col.points": {"ru": "Баллы", "en": "Points"},
    "col.expires_at": {"ru": "Баллы до", "en": "Points until"},
    "col.ticket_id": {"ru": "Обращение", "en": "Ticket"},
    "col.client_name": {"ru": "Клиент", "en": "Client"},
    "col.created_at": {"ru": "Создано", "en": "Created"},
    "col.type": {"ru": "Тип", "en": "Type"},
    "col.priority": {"ru": "Приоритет", "en": "Priority"},
    "col.status": {"ru": "Статус", "en": "Status"},
    "col.deadline": {"ru": "Срок", "en": "Deadline"},
    "col.hours": {"ru": "Отработано, ч", "en": "Worked, h"},
    "col.sla_state": {"ru": "SLA", "en": "SLA"},
    "col.rule": {"ru": "Правило срока", "en": "Target rule"},
    "col.bp_hours": {"ru": "БП, ч", "en": "Waiting prod., h"},
    "col.month": {"ru": "Месяц", "en": "Month"},
    "col.keys": {"ru": "Ключей", "en": "Keys"},
    "col.covered": {"ru": "Сдано", "en": "Submitted"},
    "col.share": {"ru": "Доля", "en": "Share"},
    "col.decision": {"ru": "Решение", "en": "Decision"},
})


def resolve_partner(scope: Scope, requested: Any) -> str | None:
    """The partner whose page is drawn: a partner's own id always (the browser value is ignored);
    for management/admin the requested id when it is a plain string, else None."""
    if scope.role == "partner":
        return scope.partner_id
    if scope.sees_all and isinstance(requested, str) and 0 < len(requested) <= 64:
        return requested
    return None


@authorized(roles=PAGE_ROLES)
def layout(scope: Scope, partner: str | None = None, window: str | None = None, **_query: str) -> html.Div:
    """Header, partner picker (management/admin only), window switch and the report body.

    Deep link: ``/quality?partner=P0001&window=quarter`` (a partner's own page ignores ``partner``)."""
    picker_style = {"minWidth": "320px"}
    options: list[dict] = []
    value = None
    if scope.sees_all:
        with current_engine().connect() as conn:
            choices = partner_options(conn)
        options = [{"label": f"{c['name']} — {c['city']} ({c['partner_id']})", "value": c["partner_id"]}
                   for c in choices]
        ids = [c["partner_id"] for c in choices]
        value = partner if partner in ids else (ids[0] if ids else None)
    else:
        picker_style["display"] = "none"  # a partner never gets the list of other partners
    controls = dbc.Row([
        dbc.Col(html.Div([dbc.Label(t("quality.partner"), html_for="quality-partner"),
                          dcc.Dropdown(id="quality-partner", options=options, value=value, clearable=False)],
                         style=picker_style), width="auto"),
        dbc.Col([dbc.Label(t("quality.window")),
                 dbc.RadioItems(id="quality-window", value=window if window in WINDOWS else "ttm", inline=True,
                                options=[{"label": t(f"quality.window.{w}"), "value": w} for w in WINDOWS])],
                width="auto"),
    ], className="g-3 align-items-end mb-3")
    return html.Div([html.H3(t("quality.title"), id="quality-title"), controls,
                     dcc.Location(id="quality-url", refresh=False),
                     dcc.Loading(html.Div(id="quality-body"), type="circle")], id="quality", className="quality")


# the page's main callback as `cli.py bench` and the load test post it: the demo partner's own 12 months
BENCH_CALLBACK = {"output": "quality-body.children",
                  "inputs": [{"id": "quality-partner", "property": "value", "value": None},
                             {"id": "quality-window", "property": "value", "value": "ttm"}],
                  "state": [], "login": "partner"}


@callback(Output("quality-url", "search"), Input("quality-partner", "value"), Input("quality-window", "value"),
          prevent_initial_call=True)
@authorized(roles=PAGE_ROLES)
def remember_in_url(partner_value: Any, window: Any, scope: Scope) -> str:
    """The partner (management/admin) and window in the address, so a reload keeps them."""
    if not isinstance(window, str) or window not in WINDOWS:
        raise PreventUpdate
    partner_id = resolve_partner(scope, partner_value) if scope.sees_all else None
    return "?" + urlencode({**({"partner": partner_id} if partner_id else {}), "window": window})


@callback(Output("quality-body", "children"), Input("quality-partner", "value"), Input("quality-window", "value"))
@authorized(roles=PAGE_ROLES)
def render(partner_value: Any, window: Any, scope: Scope) -> Any:
    """Draw the report of the authorized partner for a fixed window; plain messages for bad input."""
    if not isinstance(window, str) or window not in WINDOWS:
        return dbc.Alert(t("quality.bad_window"), color="warning")
    partner_id = resolve_partner(scope, partner_value)
    if partner_id is None:
        key = "quality.no_partner_link" if scope.role == "partner" else "quality.no_partner"
        return dbc.Alert(t(key), color="info")
    try:
        return cached_view(partner_id, window, current_language())
    except UnknownPartner:
        return dbc.Alert(t("quality.unknown_partner"), color="warning")


def warm_first_view(scope: Scope) -> None:
    """The report the page opens with (`jobs.warm`): the partner's own, or the first partner of the picker, 12 months."""
    if scope.sees_all:
        with current_engine().connect() as conn:
            choices = partner_options(conn)
        partner_id = choices[0]["partner_id"] if choices else None
    else:
        partner_id = resolve_partner(scope, None)
    if partner_id is not None:
        try:
            cached_view(partner_id, "ttm", current_language())
        except UnknownPartner:
            pass


@scoped_memoize(timeout=300)
def cached_view(partner_id: str, window: str, lang: str) -> list:
    """The drawn `partner_report`, memoized per logged-in scope, partner, window, language and data
    version (SPEC §8: caches keyed by the user's scope)."""
    with current_engine().connect() as conn:
        report = partner_report(conn, partner_id, window=window, lang=lang)
    return report_view(report)


# ---------------------------------------------------------------- drawing
def report_view(report: dict) -> list:
    """Every section of the page from one `partner_report` dict."""
    quarters = report["window"]["quarters"]
    period = period_label(quarters)
    partner = report["partner"]
    return [
        html.P([html.Strong(partner["name"]), f" · {partner['city']}"], className="text-muted mb-1",
               id="quality-partner-name"),
        html.P(t("quality.window.note", quarters=period), className="small text-muted"),
        kpi_row(report),
        comparison_panel(report["comparison"]),
        survey_section(report),
        dbc.Row([dbc.Col(competence_panel(report), lg=7), dbc.Col(deposit_card(report["deposit"]), lg=5)],
                className="g-3 my-3"),
        html.H5(t("quality.projects"), className="mt-4"),
        projects_grid(report["projects"]),
        html.H5(t("quality.tickets"), className="mt-4"),
        tickets_grid(report),
    ]


def _comparison_for(report: dict, question: str) -> dict | None:
    return next((c for c in report["comparison"] if c["question"] == question and c["metric"].startswith("nps")), None)


def comparison_text(item: dict) -> str:
    """"Новосибирск: 23 (17 партнёров, 100+ ответов)", or the reason the comparison is withheld
    (answer counts come as bands, metrics.privacy.answer_band)."""
    if item["withheld"]:
        return item["reason"]
    return t("quality.compare", group=item["group"], value=fmt_number(item["value"], 0),
             partners=t("n.partners", n=item["n_partners"]), answers=item["n_answers"])


def comparison_badge(item: dict, common: str | None = None) -> html.Div:
    """The group value as a badge (with the skipped levels, if any, unless said once above the table as
    `common`), or the withheld reason greyed."""
    if item["withheld"]:
        return html.Div(comparison_text(item), className="small text-muted quality-compare-withheld")
    own_reason = item.get("reason") if item.get("reason") != common else None
    note = html.Div(own_reason, className="small text-muted") if own_reason else None
    return html.Div([dbc.Badge(comparison_text(item), color="info", className="quality-compare text-wrap"), note])


def period_label(quarters: list[str]) -> str:
    """«III кв. 2026», or «IV кв. 2024 – III кв. 2025» for a 12-month window."""
    return fmt_quarter(quarters[0]) if len(quarters) == 1 else f"{fmt_quarter(quarters[0])} – {fmt_quarter(quarters[-1])}"


def change_text(change: float | None, share: bool) -> str:
    """«+3 п.п.» for a share (CSAT), «+5» for NPS points, «−2 п.п.» for a loss, «±0» for no change."""
    sign = "±" if abs(change) < 0.5 else ("+" if change > 0 else "−")
    return sign + fmt_number(abs(change), 0) + (t("quality.change.pp") if share else "")


def change_line(item: dict, share: bool, previous: list[str], card: str) -> html.Div:
    """The change against the previous period, gains green and losses red; «нет данных» without answers then."""
    period = period_label(previous)
    if item.get("change") is None:
        return html.Div(t("quality.change.no_data", period=period), className="kpi-change small text-muted",
                        id=f"{card}-change")
    text = change_text(item["change"], share)
    colour = "text-muted" if text.startswith("±") else ("text-success" if item["change"] > 0 else "text-danger")
    return html.Div(t("quality.change", change=text, period=period), className=f"kpi-change small fw-bold {colour}",
                    id=f"{card}-change")


def kpi_row(report: dict) -> dbc.Row:
    kpi = report["kpi"]
    previous = report["window"]["previous_quarters"]
    cards = [
        kpi_card(t("quality.csat"), kpi["csat"]["csat"], unit="%", n=kpi["csat"]["n"], decimals=0,
                 hint=t("quality.csat.hint"), id="quality-kpi-csat",
                 extra=[change_line(kpi["csat"], True, previous, "quality-kpi-csat")]),
    ]
    for key, question in (("nps_partner", "q_recommend_partner"), ("nps_platform", "q_recommend_platform")):
        item = kpi[key]
        interval = (item["nps_low"], item["nps_high"]) if item["nps_low"] is not None else None
        compared = _comparison_for(report, question)
        card = f"quality-kpi-{key.replace('_', '-')}"
        cards.append(kpi_card(t(f"quality.{key}"), item["nps"], interval=interval, n=item["n"], decimals=0,
                              hint=comparison_text(compared) if compared else None, id=card,
                              extra=[change_line(item, False, previous, card)]))
    return dbc.Row([dbc.Col(card, md=4) for card in cards], className="g-3 mb-3", id="quality-kpis")


def comparison_panel(items: list[dict]) -> dbc.Card:
    """Per question: the partner's own value beside the group's value (or why the group is not shown).

    A reason every shown comparison shares (the same level skipped for the same cause) is said once above
    the table instead of under each row."""
    reasons = {item.get("reason") for item in items if not item["withheld"]}
    common = next(iter(reasons)) if len(reasons) == 1 and sum(not i["withheld"] for i in items) > 1 else None
    rows = []
    for item in items:
        question = QUESTIONS[item["question"]]
        label = question.short_ru if current_language() == "ru" else question.short_en
        nps = item["metric"].startswith("nps")
        own = item.get("own")
        own_text = "—" if own is None else (fmt_number(own, 0) if nps else fmt_percent(own, 0))
        rows.append(html.Tr([html.Td(f"{label}, {'NPS' if nps else 'CSAT'}"),
                             html.Td(html.Strong(own_text), className="text-end text-nowrap quality-compare-own"),
                             html.Td(comparison_badge(item, common))],
                            id={"type": "quality-compare-row", "index": item["metric"]}))
    head = html.Thead(html.Tr([html.Th(t("quality.compare.metric")), html.Th(t("quality.compare.own"),
                                                                              className="text-end"),
                               html.Th(t("quality.compare.group"))]))
    return dbc.Card(dbc.CardBody([
        html.H6(t("quality.compare.title")), html.P(t("quality.compare.note"), className="small text-muted"),
        html.P(common[:1].upper() + common[1:], className="small text-muted", id="quality-compare-common")
        if common else None,
        dbc.Table([head, html.Tbody(rows)], size="sm", borderless=True, className="mb-0"),
    ]), className="mb-3", id="quality-comparison")


def survey_section(report: dict) -> html.Div:
    answered = [q for q in report["questions"] if q.get("n")]
    if not answered:
        return html.Div(empty_state(t("quality.empty.surveys")), id="quality-surveys")
    return html.Div([
        dbc.Row([
            dbc.Col([html.H5(t("quality.distribution")), graph("quality-distribution", distribution_figure(answered),
                                                                   config={"displayModeBar": False})],
                    lg=6),
            dbc.Col([html.H5(t("quality.trend")), graph("quality-trend", trend_figure(report["kpi_trend"]),
                                                                   config={"displayModeBar": False}),
                     html.Div(t("quality.trend.too_few"), className="small text-muted")], lg=6),
        ], className="g-3"),
        comments_list(report["comments"]),
    ], id="quality-surveys")


def distribution_figure(questions: list[dict]) -> dict:
    """Stacked 100 % bars per question (5-point answers; 0–10 answers stay in the NPS figures)."""
    labels = [q["label"] for q in questions]
    traces = []
    for answer, color in ANSWER_COLORS.items():
        share = [next((d["pct"] for d in q["distribution"] if d["scale"] == 5 and d["answer"] == answer), 0.0)
                 for q in questions]
        traces.append(bar(y=labels, x=share, orientation="h", name=str(answer), marker_color=color,
                          hovertemplate="%{y}: %{x:.0f} %<extra>" + t("quality.answer", a=answer) + "</extra>"))
    return figure(traces, barmode="stack", height=60 + 32 * len(labels),
                  legend=dict(traceorder="normal", title=dict(text=t("quality.score"))),
                  xaxis=dict(range=[0, 100], ticksuffix=" %"), yaxis=dict(autorange="reversed"))


def trend_figure(rows: list[dict]) -> dict:
    """CSAT (%) and both NPS (points) by quarter; quarters with fewer than 5 answers drawn light."""
    frame = pd.DataFrame(rows)
    if frame.empty:
        return figure()
    traces = []
    for key, color in zip(("csat", "nps_partner", "nps_platform"), colours.SERIES):
        few = frame[f"{key}_n"] < 5
        traces.append(scatter(x=frame["quarter"].map(fmt_quarter), y=frame[key], name=t(f"quality.{key}"),
                              mode="lines+markers",
                              line=dict(color=color), customdata=frame[f"{key}_n"],
                              marker=dict(color=[(colours.MUTED if f else color) for f in few], size=8),
                              hovertemplate="%{x}: %{y:.0f} (n = %{customdata})<extra></extra>"))
    return figure(traces, height=380, legend=dict(orientation="h", yanchor="top", y=-0.3),
                  yaxis=dict(range=[-105, 105]), xaxis=dict(type="category"))


def comments_list(comments: list[dict]) -> html.Div | None:
    if not comments:
        return None
    items = [dbc.ListGroupItem([html.Small(f"{fmt_date(c['surveyed_at'])} · {c['project_id']} v{c['version']}",
                                           className="text-muted d-block"), c["comment"]]) for c in comments]
    return html.Div([html.H5(t("quality.comments"), className="mt-3"), dbc.ListGroup(items, flush=True)],
                    id="quality-comments")


def competence_panel(report: dict) -> dbc.Card:
    """Held or not, the numbers behind the decision, points and the next evaluation date (seed 000)."""
    comp, points = report["competence"], report["points"]
    body = [html.H5(t("quality.competence"))]
    held, at_risk = comp["held"], comp.get("at_risk", False)
    if at_risk:  # held today, but one lost project (or a share under 55 %) away from losing it
        margin = max(comp["margin"] or 0, 0)
        body.append(html.Div([
            # the theme's "dark" text is grey: the body colour keeps the amber badge readable (≈ 8:1)
            dbc.Badge(t("quality.competence.at_risk"), color="warning", className="me-2 fs-6",
                      style={"color": "#212529"}, id="quality-competence-status"),
            html.Span(t("quality.competence.at_risk_margin", projects=t("n.projects", n=margin)),
                      className="fw-bold text-warning-emphasis", id="quality-competence-margin"),
        ], className="mb-2"))
        body.append(html.P(t("quality.competence.at_risk_note"), className="small text-warning-emphasis"))
    else:
        body.append(dbc.Badge(t("quality.competence.held" if held else "quality.competence.not_held"),
                              color="success" if held else "secondary", className="mb-2",
                              id="quality-competence-status"))
    if comp["keys"]:
        share = fmt_percent(100 * comp["share"], 0) if comp["share"] is not None else "—"
        body.append(html.P(t("quality.competence.numbers", start=fmt_date(comp["window_start"]),
                             end=fmt_date(pd.Timestamp(comp["window_end"]) - pd.Timedelta(days=1)),
                             keys=comp["keys"], covered=comp["covered"], share=share)))
        margin = comp["margin"]
        if not at_risk:  # at risk, the margin is already in the warning above
            body.append(html.P(t("quality.competence.margin_ok", n=margin) if margin >= 0
                               else t("quality.competence.margin_need", n=-margin), className="small"))
    else:
        body.append(html.P(t("quality.competence.none"), className="text-muted"))
    body.append(html.P(t("quality.competence.next", date=fmt_date(comp["next_evaluation"])), className="fw-bold"))
    body.append(html.P(t("quality.points", live=fmt_number(points["live"]), date=fmt_date(points["next_expires_at"]),
                         soon=fmt_number(points["expiring_90d"])), className="small"))
    if comp["history"]:
        history = pd.DataFrame(comp["history"]).tail(12)
        history["decision"] = [t(f"quality.status.{s}") for s in history["status"]]
        history["share"] = 100 * history["share"]
        columns = [{"field": "month", "headerName": t("col.month"), "valueFormatter": DATE_FORMATTER},
                   {"field": "keys", "headerName": t("col.keys")}, {"field": "covered", "headerName": t("col.covered")},
                   {"field": "share", "headerName": t("col.share") + ", %", "valueFormatter": NUMBER_FORMATTER},
                   {"field": "decision", "headerName": t("col.decision")}]
        body.append(data_grid("quality-competence", history[["month", "keys", "covered", "share", "decision"]],
                              columns=columns, page_size=12, csv_filename="competence.csv"))
    return dbc.Card(dbc.CardBody(body), className="h-100", id="quality-competence")


def deposit_card(deposit: dict) -> dbc.Card:
    """Balance and runway of the prepaid dedicated support (seed 003)."""
    if not deposit["topped_up"] and not deposit["charged_tickets"]:
        body = [html.H5(t("quality.deposit")), empty_state(t("quality.empty.deposit"))]
    else:
        runway = fmt_number(deposit["runway_days"], 0) if deposit["runway_days"] is not None else "—"
        body = [html.H5(t("quality.deposit")),
                html.Div(f"{fmt_number(deposit['balance'], 0)} {code_label(deposit['currency'], 'cur')}", className="kpi-value",
                         id="quality-deposit-balance"),
                html.P(t("quality.deposit.details", topped=fmt_number(deposit["topped_up"], 0),
                         charged=fmt_number(deposit["charged"], 0), tickets=fmt_number(deposit["charged_tickets"]),
                         cur=code_label(deposit["currency"], "cur"), runway=runway), className="small text-muted")]
    return dbc.Card(dbc.CardBody(body), className="h-100 kpi-card", id="quality-deposit")


def _labels(codes: pd.Series) -> pd.Series:
    """Codes of the report (monitor verdict, ticket status, SLA state) in the user's language."""
    labels = {code: t(f"quality.code.{code}") for code in codes.dropna().unique() if isinstance(code, str)}
    return codes.map(labels).fillna("—")


def projects_grid(projects: list[dict]) -> html.Div:
    if not projects:
        return html.Div(empty_state(t("quality.empty.projects")), id="quality-projects")
    frame = pd.DataFrame(projects)
    frame["monitor"] = _labels(frame["reason"])
    frame["survey"] = frame["survey_mean"]
    columns = [
        {"field": "project_id", "headerName": t("col.project_id")},
        {"field": "version", "headerName": t("col.version"), "filter": "agNumberColumnFilter"},
        {"field": "submitted_at", "headerName": t("col.submitted_at"), "valueFormatter": DATE_FORMATTER},
        {"field": "category", "headerName": t("col.category")},
        {"field": "monitor", "headerName": t("col.monitor")},
        {"field": "survey", "headerName": t("col.survey"), "valueFormatter": NUMBER_FORMATTER,
         "filter": "agNumberColumnFilter"},
        {"field": "points", "headerName": t("col.points"), "filter": "agNumberColumnFilter"},
        {"field": "expires_at", "headerName": t("col.expires_at"), "valueFormatter": DATE_FORMATTER},
    ]
    keep = ["project_id", "version", "submitted_at", "category", "monitor", "survey", "points", "expires_at"]
    return html.Div(data_grid("quality-projects", frame[keep], columns=columns, csv_filename="projects.csv"),
                    id="quality-projects")


def tickets_grid(report: dict) -> html.Div:
    tickets = report["tickets"]
    if not tickets:
        return html.Div(empty_state(t("quality.empty.tickets")), id="quality-tickets")
    summary = report["tickets_summary"]
    text = t("quality.tickets.summary", total=fmt_number(summary["total"]), open=fmt_number(summary["open"]),
             breached=fmt_number(summary["breached"]), compliance=fmt_percent(summary["compliance"], 0),
             hours=fmt_number(summary["hours"]))
    columns = [
        {"field": "ticket_id", "headerName": t("col.ticket_id")},
        {"field": "client_name", "headerName": t("col.client_name")},
        {"field": "created_at", "headerName": t("col.created_at"), "valueFormatter": DATE_FORMATTER},
        {"field": "type", "headerName": t("col.type")},
        {"field": "priority", "headerName": t("col.priority"), "filter": "agNumberColumnFilter"},
        {"field": "status", "headerName": t("col.status")},
        {"field": "deadline", "headerName": t("col.deadline"), "valueFormatter": DATE_FORMATTER},
        {"field": "rule", "headerName": t("col.rule")},
        {"field": "hours", "headerName": t("col.hours"), "valueFormatter": NUMBER_FORMATTER,
         "filter": "agNumberColumnFilter"},
        {"field": "sla_state", "headerName": t("col.sla_state")},
        {"field": "bp_hours", "headerName": t("col.bp_hours"), "valueFormatter": NUMBER_FORMATTER,
         "filter": "agNumberColumnFilter"},
    ]
    frame = pd.DataFrame(tickets)[[c["field"] for c in columns]]
    frame["type"] = value_labels(frame["type"], "ticket.type")
    frame["status"] = _labels(frame["status"])
    frame["sla_state"] = _labels(frame["sla_state"])
    return html.Div([html.P(text, className="small"),
                     data_grid("quality-tickets", frame, columns=columns, csv_filename="tickets.csv")],
                    id="quality-tickets")
