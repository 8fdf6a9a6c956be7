"""«Встреча с клиентом»: the service manager's biweekly meeting brief (seed 004, SPEC §6).

Client (only the clients of the logged-in user's scope) and the last day of the period; then the
flags with explanation and proposed action, the KPI table with deltas and sparklines, the breached
and at-risk tickets, the hours split, and PDF/XLSX downloads. Every callback re-checks the client
against `current_scope()` (SPEC §8): the dropdown value is never trusted, exports are audited.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate
from plotly.io.json import to_json_plotly

from auth import Scope, audit, authorized, current_engine
from auth.audit import client_ip
from components.alerts import forbidden_alert
from components.cache import scoped_memoize
from components.cards import empty_state
from components.charts import bar, figure, graph
from components.format import fmt_datetime, fmt_number
from components.grid import data_grid
from components.i18n import current_language, register_strings, t
from components.meeting_actions import actions_panel, register_actions_callbacks
from reports.export import brief_pdf, brief_xlsx, unit_text
from reports.meeting import (
    UnknownClient,
    attention_ranking,
    default_period_end,
    meeting_brief,
    meeting_findings,
    meeting_findings_by_client,
    with_actions,
)
from store.queries import client_options, search_clients
from store.workflows import record_meeting_snapshot

ROLES = ("service_manager", "management", "admin")
# findings keyed by their live-state fingerprint stay valid until a state changes or data is loaded: a day at most
LIVE_STATES_TIMEOUT = 24 * 3600
dash.register_page(__name__, path="/meeting", name="meeting", label_key="nav.meeting", order=20,
                   roles=ROLES, title="Встреча с клиентом")

MAX_OPTIONS = 50  # management sees every client: the dropdown searches instead of listing 50 000
CLIENT_ID = re.compile(r"^[\w.\-]{1,64}$")
SPARK = "▁▂▃▄▅▆▇█"
FINDINGS_SHOWN = 5  # SPEC §6: the top findings as cards, the rest behind «ещё N»
CONTENT_TYPES = {"pdf": "application/pdf",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

register_strings({
    "meeting.title": {"ru": "Встреча с клиентом", "en": "Client meeting"},
    "meeting.intro": {"ru": "Что изменилось с прошлой встречи, какой показатель ухудшился, почему и что предложить.",
                      "en": "What changed since the last meeting, which metric turned bad, why, and what to propose."},
    "meeting.client": {"ru": "Клиент", "en": "Client"},
    "meeting.client_placeholder": {"ru": "Выберите клиента", "en": "Choose a client"},
    "meeting.period_end": {"ru": "Последний день периода", "en": "Last day of the period"},
    "meeting.choose": {"ru": "Выберите клиента, чтобы увидеть показатели встречи.",
                       "en": "Choose a client to see the meeting metrics."},
    "meeting.no_clients": {"ru": "За вами пока не закреплены клиенты (колонка service_manager файла clients).",
                           "en": "No clients are assigned to you yet (column service_manager of the clients file)."},
    "meeting.no_tickets": {"ru": "У клиента нет обращений и часов за эти периоды.",
                           "en": "The client has no tickets or hours in these periods."},
    "meeting.unknown_client": {"ru": "Такого клиента нет.", "en": "There is no such client."},
    "meeting.bad_date": {"ru": "Дата не распознана: выберите день в календаре.",
                         "en": "The date was not understood: pick a day in the calendar."},
    "meeting.period": {"ru": "Период {current}, сравнение с {previous}",
                       "en": "Period {current}, compared with {previous}"},
    "meeting.flags": {"ru": "Отрицательная динамика", "en": "Negative dynamics"},
    "meeting.no_flags": {"ru": "Отрицательной динамики нет: все показатели в пределах обычного.",
                         "en": "No negative dynamics: every metric is within its usual range."},
    "meeting.more": {"ru": "ещё {n}", "en": "{n} more"},
    "meeting.no_data": {"ru": "нет данных", "en": "no data"},
    "meeting.why": {"ru": "Почему", "en": "Why"},
    "meeting.action": {"ru": "Предлагаем", "en": "We propose"},
    "meeting.kpis": {"ru": "Показатели", "en": "Metrics"},
    "meeting.metric": {"ru": "Показатель", "en": "Metric"},
    "meeting.current": {"ru": "Сейчас", "en": "Current"},
    "meeting.unit": {"ru": "Ед.", "en": "Unit"},
    "meeting.previous": {"ru": "Ранее (среднее)", "en": "Before (mean)"},
    "meeting.delta": {"ru": "Δ", "en": "Δ"},
    "meeting.trend": {"ru": "Динамика", "en": "Trend"},
    "meeting.tickets": {"ru": "Обращения с нарушением SLA и под угрозой", "en": "Breached and at-risk tickets"},
    "meeting.no_attention": {"ru": "Нарушений SLA и обращений под угрозой нет.",
                             "en": "No breached or at-risk tickets."},
    "meeting.hours": {"ru": "Часы: разработка и поддержка", "en": "Hours: development and support"},
    "meeting.by_priority": {"ru": "Текущий период по приоритетам", "en": "Current period by priority"},
    "meeting.development": {"ru": "Разработка", "en": "Development"},
    "meeting.support": {"ru": "Поддержка", "en": "Support"},
    "meeting.priority": {"ru": "Приоритет {p}", "en": "Priority {p}"},
    "meeting.share": {"ru": "разработка {share}", "en": "development {share}"},
    "meeting.hours_axis": {"ru": "часы", "en": "hours"},
    "meeting.download_pdf": {"ru": "PDF", "en": "PDF"},
    "meeting.download_xlsx": {"ru": "XLSX", "en": "XLSX"},
    "col.ticket_id": {"ru": "Обращение", "en": "Ticket"},
    "col.kind": {"ru": "Вид", "en": "Kind"},
    "col.priority": {"ru": "Приоритет", "en": "Priority"},
    "col.line": {"ru": "Линия", "en": "Line"},
    "col.created_at": {"ru": "Создано", "en": "Created"},
    "col.deadline": {"ru": "Срок", "en": "Deadline"},
    "col.state": {"ru": "Состояние", "en": "State"},
    "col.rule": {"ru": "Правило срока", "en": "Target rule"},
    "col.worked_hours": {"ru": "Отработано, ч", "en": "Worked, h"},
    "state.breached": {"ru": "нарушен", "en": "breached"},
    "state.at_risk": {"ru": "под угрозой", "en": "at risk"},
    "kind.incident": {"ru": "инцидент", "en": "incident"},
    "kind.enhancement": {"ru": "доработка", "en": "enhancement"},
    "kind.consultation": {"ru": "консультация", "en": "consultation"},
})


# ---------------------------------------------------------------- scope checks

def _scoped_client(scope: Scope, client_id: object) -> str | None:
    """The client id when it is a well-formed id the user may see, else None (never trust the browser)."""
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        return None
    return client_id if scope.can_see_client(client_id) else None


def _period_end(value: object) -> dt.date | None:
    """The picker's ``YYYY-MM-DD`` (or ISO datetime) as a date; None when it is not a date."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _options(scope: Scope, search: str | None = None, keep: str | None = None) -> list[dict]:
    with current_engine().connect() as conn:
        ids = None if scope.client_ids is None else sorted(scope.client_ids)
        found = (client_options(conn, ids) if ids is not None and not search
                 else search_clients(conn, search, ids, MAX_OPTIONS))
        if keep and all(c["client_id"] != keep for c in found):
            found = client_options(conn, [keep]) + found
    return [{"label": f"{c['name']} ({c['client_id']})", "value": c["client_id"]} for c in found]


@scoped_memoize()
def _brief(client_id: str, period_end: str) -> dict | None:
    """The brief (cached per user scope, client and day); None for an unknown client."""
    try:
        with current_engine().connect() as conn:
            return meeting_brief(conn, client_id, period_end)
    except UnknownClient:
        return None


@scoped_memoize()
def drawn_brief(client_id: str, period_end: str, lang: str) -> list | None:
    """The brief drawn (`brief_view`) as plain JSON data, cached per user scope, client, day and language;
    None for an unknown client.

    Drawing costs more than serving: the KPI table formats a few hundred numbers and the page holds
    hundreds of components, so a warm call re-drew it in 10–20 ms. The cache keeps what Dash sends (the
    components' JSON form), which a call only encodes again.
    """
    brief = _brief(client_id, period_end)
    if brief is None:
        return None
    return json.loads(to_json_plotly(brief_view(brief, lang)))


@scoped_memoize(timeout=LIVE_STATES_TIMEOUT, live=False)
def _findings(client_id: str, period_end: str, live_states: str) -> list[dict] | None:
    """The brief's findings alone (`reports.meeting.meeting_findings`); None for an unknown client. The attention
    ranking reads only these: no KPI table, tickets or hours for the clients it ranks.

    Findings read the clock only through the live SLA states of the client's tickets, so the entry is keyed by
    their fingerprint (`live_states`) instead of the minute: it is recomputed when a ticket's state changes or
    data is loaded, not by every visit in a new minute."""
    try:
        with current_engine().connect() as conn:
            return meeting_findings(conn, client_id, period_end)
    except UnknownClient:
        return None


def _cached_findings_of(live_states: dict[str, str]) -> dict[str, list[dict] | None]:
    """`_findings` of several clients (``{client_id: live_states}``): each client's cached entry when it has one, the
    missing ones computed together (`reports.meeting.meeting_findings_by_client`, one batch instead of one brief
    per client) and cached per client as `_findings` would."""
    with current_engine().connect() as conn:
        day = default_period_end(conn).isoformat()
        values = _findings.many([(client_id, day, states) for client_id, states in live_states.items()],
                                lambda missing: list(meeting_findings_by_client(
                                    conn, [client_id for client_id, _day, _states in missing], day).values()))
    return dict(zip(live_states, values))


@scoped_memoize()
def attention(scope_clients: tuple[str, ...]) -> list[dict]:
    """The user's clients ranked by need of attention (reports.meeting.attention_ranking), cached."""
    with current_engine().connect() as conn:
        return attention_ranking(conn, list(scope_clients), _cached_findings_of)


def warm_first_view(scope: Scope) -> None:
    """The ranking that picks the client the page opens with, and so every brief of the user's clients, and the
    drawn brief of that client (`jobs.warm`)."""
    if scope.client_ids is not None:
        client_id = most_attention_client(scope)
        if client_id is not None:
            with current_engine().connect() as conn:
                day = default_period_end(conn).isoformat()
            drawn_brief(client_id, day, current_language())


def most_attention_client(scope: Scope) -> str | None:
    """The client of the user's scope that needs attention most (None when it has none)."""
    ranking = attention(tuple(sorted(scope.client_ids or ())))
    return ranking[0]["client_id"] if ranking else None


# ---------------------------------------------------------------- drawing

def sparkline_text(values: list[float | None]) -> str:
    """Unicode block sparkline of the values (oldest first); a missing value is a thin space."""
    present = [v for v in values if v is not None]
    if not present:
        return ""
    low, high = min(present), max(present)
    span = high - low
    return "".join("\u2009" if v is None else SPARK[0 if span == 0 else round((v - low) / span * (len(SPARK) - 1))]
                   for v in values)


def _decimals(unit: str) -> int:
    return {"h": 1, "%": 0, "per_user": 2, "per_staff": 2}.get(unit, 1)


def _finding_card(finding: dict, lang: str, index: int) -> dbc.Card:
    """One finding: its theme, the headline change, the related changes, why, what we propose."""
    composite = finding["theme"] == "development_pressure"
    details = finding[f"details_{lang}"]
    body = [
        html.P(finding[f"sentence_{lang}"], className="meeting-finding-sentence fw-bold mb-1"),
        html.Ul([html.Li(d) for d in details], className="meeting-finding-details small mb-1") if details else None,
        html.P([html.Strong(t("meeting.why") + ": "), finding[f"explanation_{lang}"]],
               className="meeting-flag-explanation small mb-1"),
        html.P([html.Strong(t("meeting.action") + ": "), finding[f"action_{lang}"]],
               className="meeting-flag-action small mb-0"),
    ]
    header = dbc.CardHeader("⚠ " + finding[f"title_{lang}"],
                            className="fw-bold " + ("text-danger" if composite else "text-body"))
    return dbc.Card([header, dbc.CardBody([b for b in body if b is not None], className="py-2")],
                    color="danger" if composite else "warning", outline=True,
                    className=f"meeting-flag meeting-finding meeting-flag-{finding['theme']} mb-2",
                    id={"type": "meeting-flag", "index": index})


def _flag_cards(brief: dict, lang: str) -> list:
    """The findings by impact: the first FINDINGS_SHOWN as cards, the rest behind «ещё N»."""
    found = brief.get("findings") or []
    if not found:
        return [dbc.Alert(t("meeting.no_flags"), color="success", id="meeting-no-flags")]
    cards = [_finding_card(f, lang, i) for i, f in enumerate(found)]
    shown, hidden = cards[:FINDINGS_SHOWN], cards[FINDINGS_SHOWN:]
    if hidden:
        shown.append(html.Details([html.Summary(t("meeting.more", n=len(hidden)), id="meeting-findings-more"),
                                   *hidden], className="meeting-findings-hidden"))
    return shown


def _kpi_table(brief: dict, lang: str) -> dbc.Table:
    head = html.Thead(html.Tr([html.Th(t(k)) for k in
                               ("meeting.metric", "meeting.unit", "meeting.current", "meeting.previous",
                                "meeting.delta", "meeting.trend")]))
    rows = []
    for row in brief["kpis"]:
        unit, decimals = row["unit"], _decimals(row["unit"])
        colour = {"worse": "text-danger", "better": "text-success"}.get(row["status"], "text-muted")
        # «нет данных» is never a change (SPEC §6); shares change in percentage points
        delta = t("meeting.no_data") if row["status"] == "no_data" else (row.get(f"change_{lang}") or "—")
        rows.append(html.Tr([
            html.Td(("⚠ " if row["flagged"] else "") + (row[f"label_{lang}"] or row["metric_id"])),
            html.Td(unit_text(unit, lang), className="text-muted small text-nowrap"),
            html.Td("—" if row["status"] == "no_data" else fmt_number(row["current"], decimals),
                    className="text-end text-nowrap"),
            html.Td(fmt_number(row["previous_mean"], decimals), className="text-end text-nowrap"),
            html.Td(delta, className=f"text-end text-nowrap {colour}"),
            html.Td(sparkline_text(row["trend"]), className=f"meeting-spark {colour}",
                    title=" → ".join(fmt_number(v, decimals) for v in row["trend"])),
        ], className="fw-bold meeting-kpi-flagged" if row["flagged"] else None,
            style={"backgroundColor": "#fdecea"} if row["flagged"] else None))
    return dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, responsive=True, id="meeting-kpi-table",
                     className="meeting-kpis")


def _hours_figures(brief: dict, lang: str) -> tuple[dict, dict]:
    periods = brief["hours"]["by_period"]
    labels = [p["label"] for p in periods]
    dev_name, support_name = t("meeting.development"), t("meeting.support")
    shares = [dict(x=p["label"], y=p["total"], yshift=12, showarrow=False,
                   text=t("meeting.share", share=fmt_number(p["development_share"], 0) + " %"))
              for p in periods if p["development_share"] is not None]
    by_period = figure([
        bar(name=dev_name, x=labels, y=[p["development"] for p in periods], marker_color="#e67e22"),
        bar(name=support_name, x=labels, y=[p["support"] for p in periods], marker_color="#2e86c1"),
    ], barmode="stack", title=t("meeting.hours"), yaxis=dict(title=t("meeting.hours_axis")),
        legend=dict(orientation="h", y=-0.15), annotations=shares)
    prio = brief["hours"]["by_priority"]
    names = [t("meeting.priority", p=r["priority"]) for r in prio]
    by_priority = figure([
        bar(name=dev_name, y=names, x=[r["development"] for r in prio], orientation="h", marker_color="#e67e22"),
        bar(name=support_name, y=names, x=[r["support"] for r in prio], orientation="h", marker_color="#2e86c1"),
    ], barmode="stack", title=t("meeting.by_priority"), xaxis=dict(title=t("meeting.hours_axis")),
        yaxis=dict(autorange="reversed"), legend=dict(orientation="h", y=-0.2))
    return by_period, by_priority


def _tickets(brief: dict) -> html.Div:
    if not brief["tickets"]:
        return html.Div(t("meeting.no_attention"), className="text-muted", id="meeting-no-attention")
    frame = pd.DataFrame(brief["tickets"])
    zone = ZoneInfo(brief.get("timezone") or "UTC")  # the client's calendar zone, as in the PDF
    frame = pd.DataFrame({
        "ticket_id": frame["ticket_id"],
        "kind": frame["kind"].map(lambda k: t(f"kind.{k}") if k else "—"),
        "priority": frame["priority"], "line": frame["line"],
        "created_at": frame["created_at"].map(lambda v: fmt_datetime(v, zone)),
        "deadline": frame["deadline"].map(lambda v: fmt_datetime(v, zone)),
        "rule": frame["rule"].fillna("—"),
        "state": frame["state"].map(lambda s: t(f"state.{s}")),
        "worked_hours": frame["worked_hours"],
    })
    return data_grid("meeting-tickets", frame, page_size=10, csv_filename=f"{brief['client']['client_id']}-sla.csv")


def brief_view(brief: dict, lang: str) -> list:
    """The brief drawn: period line, flag cards, KPI table, hours charts, tickets grid."""
    if brief["ticket_count"] == 0 and not any(p["total"] for p in brief["hours"]["by_period"]):
        return [empty_state(t("meeting.no_tickets"))]
    previous = ", ".join(p["label"] for p in brief["periods"][:-1])
    by_period, by_priority = _hours_figures(brief, lang)
    return [
        html.P(t("meeting.period", current=brief["period"]["label"], previous=previous),
               className="text-muted", id="meeting-period"),
        html.H4(t("meeting.flags")), html.Div(_flag_cards(brief, lang), id="meeting-flags"),
        html.H4(t("meeting.kpis"), className="mt-4"), _kpi_table(brief, lang),
        dbc.Row([dbc.Col(graph("meeting-hours-chart", by_period), lg=7),
                 dbc.Col(graph("meeting-priority-chart", by_priority), lg=5)], className="mt-4"),
        html.H4(t("meeting.tickets"), className="mt-4"), html.Div(_tickets(brief), id="meeting-tickets"),
    ]


# ---------------------------------------------------------------- layout and callbacks

@authorized(ROLES)
def layout(scope: Scope, client: str | None = None, end: str | None = None, **_query: str) -> html.Div:
    """Client dropdown (scope only), period end picker, download buttons and the brief area.

    Deep link: ``/meeting?client=C00001&end=2026-11-15`` opens that client and period for anyone
    whose scope includes the client (the query is re-checked like any browser input)."""
    selected = _scoped_client(scope, client)
    options = _options(scope, keep=selected)
    if selected is None and scope.client_ids is not None and options:
        selected = most_attention_client(scope) or options[0]["value"]  # SPEC §6: not an empty form
    header = [html.H2(t("meeting.title")), html.P(t("meeting.intro"), className="text-muted")]
    if scope.client_ids is not None and not options:
        return html.Div(header + [html.Div(empty_state(t("meeting.no_clients")), id="meeting-content")],
                        id="meeting")
    with current_engine().connect() as conn:
        default_end = _period_end(end) or default_period_end(conn)
    controls = dbc.Row([
        dbc.Col([dbc.Label(t("meeting.client"), html_for="meeting-client"),
                 dcc.Dropdown(id="meeting-client", options=options, value=selected,
                              placeholder=t("meeting.client_placeholder"), clearable=False)], md=6),
        dbc.Col([dbc.Label(t("meeting.period_end"), html_for="meeting-period-end"),
                 html.Div(dcc.DatePickerSingle(id="meeting-period-end", date=default_end.isoformat(),
                                               display_format="DD.MM.YYYY", first_day_of_week=1))], md=3),
        dbc.Col(dbc.ButtonGroup([
            dbc.Button(t("meeting.download_pdf"), id="meeting-pdf", color="primary", outline=True),
            dbc.Button(t("meeting.download_xlsx"), id="meeting-xlsx", color="primary", outline=True),
        ]), md=3, className="d-flex align-items-end justify-content-md-end mt-2 mt-md-0"),
    ], className="mb-3 g-2")
    return html.Div(header + [
        controls, dcc.Download(id="meeting-download"), dcc.Location(id="meeting-url", refresh=False),
        dcc.Loading(html.Div(id="meeting-content"), type="default"),
        actions_panel(scope),
    ], id="meeting")


# the page's main callback, as `cli.py bench` and the load test post it (demo client C00001 of login manager)
BENCH_CALLBACK = {
    "output": "meeting-content.children",
    "inputs": [{"id": "meeting-client", "property": "value", "value": "C00001"},
               {"id": "meeting-period-end", "property": "date", "value": "2026-11-15"}],
    "state": [],
    "login": "manager",
}


@dash.callback(Output("meeting-client", "options"), Input("meeting-client", "search_value"),
               State("meeting-client", "value"), prevent_initial_call=True)
@authorized(ROLES)
def search_client_options(search: object, value: object, scope: Scope) -> list[dict]:
    """Dropdown options matching the typed text, only within the user's scope."""
    if search is not None and not isinstance(search, str):
        raise PreventUpdate
    return _options(scope, (search or "")[:100] or None, _scoped_client(scope, value))


@dash.callback(Output("meeting-url", "search"), Input("meeting-client", "value"),
               Input("meeting-period-end", "date"), prevent_initial_call=True)
@authorized(ROLES)
def remember_in_url(client_id: object, period_end: object, scope: Scope) -> str:
    """The chosen client and period in the address (a link to share or reload), scope-checked."""
    allowed, day = _scoped_client(scope, client_id), _period_end(period_end)
    if allowed is None:
        raise PreventUpdate
    return "?" + urlencode({"client": allowed, **({"end": day.isoformat()} if day else {})})


@dash.callback(Output("meeting-content", "children"), Input("meeting-client", "value"),
               Input("meeting-period-end", "date"))
@authorized(ROLES)
def show_brief(client_id: object, period_end: object, scope: Scope) -> list | html.Div:
    """The brief of the chosen client, if the logged-in user may see it."""
    if client_id is None:
        return html.Div(t("meeting.choose"), className="text-muted", id="meeting-choose")
    allowed = _scoped_client(scope, client_id)
    if allowed is None:
        return forbidden_alert()
    day = _period_end(period_end)
    if day is None:
        return dbc.Alert(t("meeting.bad_date"), color="warning")
    drawn = drawn_brief(allowed, day.isoformat(), current_language())
    if drawn is None:
        return dbc.Alert(t("meeting.unknown_client"), color="warning")
    return drawn


@dash.callback(Output("meeting-download", "data"), Input("meeting-pdf", "n_clicks"),
               Input("meeting-xlsx", "n_clicks"), State("meeting-client", "value"),
               State("meeting-period-end", "date"), prevent_initial_call=True)
@authorized(ROLES)
def download_brief(_pdf: object, _xlsx: object, client_id: object, period_end: object, scope: Scope) -> dict:
    """The brief as PDF or XLSX for a client in the user's scope; every export is audited."""
    fmt = {"meeting-pdf": "pdf", "meeting-xlsx": "xlsx"}.get(dash.ctx.triggered_id)
    allowed = _scoped_client(scope, client_id)
    day = _period_end(period_end)
    if fmt is None or allowed is None or day is None:
        raise PreventUpdate
    brief = _brief(allowed, day.isoformat())
    if brief is None:
        raise PreventUpdate
    lang = current_language()
    engine = current_engine()
    with engine.connect() as conn:
        brief = with_actions(conn, brief)  # open actions and the last meeting's, as of now
    payload = brief_pdf(brief, lang) if fmt == "pdf" else brief_xlsx(brief, lang)
    with engine.begin() as conn:  # the exported brief becomes this meeting's record (history per client)
        record_meeting_snapshot(conn, scope.login, allowed, day, fmt, brief["flags"], ip=client_ip())
    audit("export", f"meeting {fmt} client={allowed} period_end={brief['period']['last_day']}")
    name = f"meeting-{allowed}-{brief['period']['last_day']}.{fmt}"
    return dcc.send_bytes(payload, name, type=CONTENT_TYPES[fmt])


register_actions_callbacks(_brief, _period_end)
