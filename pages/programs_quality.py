"""Quality Program administration (seed 000): monthly decisions with their numbers, history, near-threshold
partners, points ledger per partner. Management and admin; only admin runs the evaluation.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from auth import audit, authorized, current_engine, current_scope
from components import colours
from components.cache import invalidate_data_cache, scoped_memoize
from components.cards import empty_state, kpi_card
from components.charts import bar, figure, graph, scatter
from components.format import fmt_date
from components.i18n import current_language, register_strings, t
from components.program_tables import program_table, register_columns, value_labels
from metrics.programs import points_balance
from reports.programs import (
    competence_summary_from_counts,
    evaluate_month,
    month_start,
    quality_ledger,
    quality_overview,
)
from store.program_queries import (
    competence_months,
    competence_rows,
    competence_status_counts,
    partner_names,
    partner_quality_inputs,
)
from store import clock

dash.register_page(__name__, path="/programs/quality", name="programs-quality", label_key="pq.title", order=40)
ROLES = ("management", "admin")

register_strings({
    "pq.title": {"ru": "Программа качества", "en": "Quality Program"},
    "pq.intro": {
        "ru": "Компетенция присваивается 1-го числа: ключи, купленные от 14 до 2 месяцев назад и активированные; "
              "держится, если через монитор сдано не менее 50 % их проектов.",
        "en": "Decided on the 1st: activated keys bought 14 to 2 months earlier; held when at least 50 % "
              "of their projects were submitted through the monitor.",
    },
    "pq.month": {"ru": "Месяц решения", "en": "Decision month"},
    "pq.run": {"ru": "Провести оценку за текущий месяц", "en": "Run this month's evaluation"},
    "pq.ran": {"ru": "Оценка на {month} выполнена: компетенцию держат {held}, присвоено {assigned}, снято {revoked}.",
               "en": "Evaluation of {month} done: {held} hold the competence, {assigned} assigned, {revoked} revoked."},
    "pq.window": {"ru": "Окно ключей: {start} — {end} (не включая)", "en": "Key window: {start} to {end} (exclusive)"},
    "pq.held": {"ru": "Держат компетенцию", "en": "Holding the competence"},
    "pq.assigned": {"ru": "Присвоено", "en": "Assigned"},
    "pq.revoked": {"ru": "Снято", "en": "Revoked"},
    "pq.near": {"ru": "Рядом с порогом 50 %", "en": "Near the 50 % threshold"},
    "pq.decisions": {"ru": "Решения месяца", "en": "Decisions of the month"},
    "pq.changes": {"ru": "Присвоения и снятия за 12 месяцев", "en": "Assignments and revocations in 12 months"},
    "pq.chart": {"ru": "Компетенция по месяцам", "en": "Competence by month"},
    "pq.ledger": {"ru": "Баллы партнёра: начисления, сроки, переходы проектов",
                  "en": "Partner points: awards, expiry, transfers"},
    "pq.balance": {"ru": "Действующие баллы", "en": "Live points"},
    "pq.partner": {"ru": "Партнёр", "en": "Partner"},
    "pq.no_history": {"ru": "Оценок ещё не было: загрузите ключи и проекты или запустите оценку.",
                      "en": "No evaluation yet: load keys and projects or run the evaluation."},
    "pq.status.assigned": {"ru": "присвоена", "en": "assigned"},
    "pq.status.kept": {"ru": "сохранена", "en": "kept"},
    "pq.status.revoked": {"ru": "снята", "en": "revoked"},
    "pq.status.none": {"ru": "нет", "en": "none"},
    "pq.reason.first_submission": {"ru": "первая сдача", "en": "first submission"},
    "pq.reason.new_version": {"ru": "новая версия", "en": "new version"},
    "pq.reason.transfer": {"ru": "проект перешёл к партнёру", "en": "project transferred"},
    "pq.reason.expired": {"ru": "через год", "en": "after a year"},
    "pq.reason.superseded": {"ru": "заменены новой версией", "en": "superseded by a new version"},
})
register_columns({
    "partner_id": ("Код партнёра", "Partner id"), "keys": ("Ключей", "Keys"), "covered": ("Сдано", "Covered"),
    "share": ("Доля сданных, %", "Covered share, %"), "held": ("Держит", "Holds"), "status": ("Решение", "Decision"),
    "window_start": ("Окно с", "Window from"), "window_end": ("Окно до", "Window to"),
    "month": ("Месяц", "Month"), "margin": ("Запас ключей", "Key margin"),
    "project_id": ("Проект", "Project"), "version": ("Версия", "Version"), "earned_at": ("Начислено", "Earned"),
    "expires_at": ("Действуют до", "Valid until"), "points": ("Баллы", "Points"), "reason": ("Основание", "Reason"),
    "end_reason": ("Окончание", "Ends by"), "transferred_from": ("Перешёл от", "Transferred from"),
    "live": ("Действуют", "Live"), "days_to_expiry": ("Дней до сгорания", "Days to expiry"),
    "next_expires_at": ("Ближайшее сгорание", "Next expiry"),
})
DECISION_COLUMNS = ["partner_id", "name", "city", "keys", "covered", "share", "held", "status"]


def layout(**_query: str) -> html.Div:
    """Month picker (materialized months), admin's evaluation button, and the page body."""
    with current_engine().connect() as conn:
        months = competence_months(conn)
        partners = partner_names(conn).sort_values("name")
    options = [{"label": fmt_date(m), "value": m.isoformat()} for m in months]
    partner_options = [{"label": f"{r.name} ({r.partner_id})", "value": r.partner_id} for r in partners.itertuples()]
    is_admin = current_scope().role == "admin"
    controls = dbc.Row([
        dbc.Col([dbc.Label(t("pq.month"), className="small mb-1"),
                 dcc.Dropdown(id="pq-month", options=options, value=options[0]["value"] if options else None,
                              clearable=False)], md=3),
        dbc.Col(dbc.Button(t("pq.run"), id="pq-run", color="primary", className="mt-4") if is_admin else None, md=4),
    ], className="g-2 mb-2")
    return html.Div([
        html.H3(t("pq.title")), html.P(t("pq.intro"), className="text-muted"), controls,
        dcc.Loading(html.Div(id="pq-run-message")),
        dcc.Loading(html.Div(id="pq-body")),
        html.H4(t("pq.ledger"), className="mt-4"),
        dbc.Row(dbc.Col(dcc.Dropdown(id="pq-partner", options=partner_options,
                                     value=partner_options[0]["value"] if partner_options else None), md=5),
                className="mb-2"),
        dcc.Loading(html.Div(id="pq-ledger")),
    ], id="programs-quality")


def _shown(rows: pd.DataFrame) -> pd.DataFrame:
    """Decision rows as displayed: share in %, status in the user's language."""
    return rows.assign(share=100 * rows["share"], status=value_labels(rows["status"], "pq.status"))


def _chart(summary: pd.DataFrame) -> dict:
    ordered = summary.sort_values("month")
    return figure([
        scatter(x=ordered["month"], y=ordered["held"], name=t("pq.held"), mode="lines+markers"),
        bar(x=ordered["month"], y=ordered["assigned"], name=t("pq.assigned"), marker_color=colours.STATUS["assigned"]),
        bar(x=ordered["month"], y=-ordered["revoked"], name=t("pq.revoked"), marker_color=colours.STATUS["revoked"]),
    ], title=t("pq.chart"), barmode="relative", height=320, legend=dict(orientation="h"))


# the page's main callback as `cli.py bench` and the load test post it (month None = the latest evaluated)
BENCH_CALLBACK = {"output": "pq-body.children",
                  "inputs": [{"id": "pq-month", "property": "value", "value": None},
                             {"id": "pq-run-message", "property": "children", "value": None}],
                  "state": []}


@callback(Output("pq-body", "children"), Input("pq-month", "value"), Input("pq-run-message", "children"))
@authorized(roles=ROLES)
def show_month(month: object, _ran: object) -> object:
    """Decisions, KPIs, history and near-threshold partners of the chosen month."""
    return month_body(month if isinstance(month, str) and month.strip() else None, current_language())


def warm_first_view(_scope: object) -> None:
    """The month the page opens with, the latest evaluated (`jobs.warm`)."""
    month_body(None, current_language())


@scoped_memoize()
def month_body(month: str | None, lang: str) -> object:
    """The drawn month view, cached per scope, month, language and data version (an evaluation bumps it)."""
    with current_engine().connect() as conn:
        months = {pd.Timestamp(m, tz="UTC") for m in competence_months(conn)}
        if not months:
            return empty_state(t("pq.no_history"))
        try:
            chosen = month_start(month) if isinstance(month, str) else max(months)
        except (ValueError, AttributeError):  # not a date, or one pandas reads as NaT ("nat")
            chosen = max(months)
        if chosen not in months:
            chosen = max(months)
        # the month's rows and the year of changes before it, not every partner's row of every month
        history = competence_rows(conn, chosen, changes_since=chosen - pd.DateOffset(years=1) + pd.Timedelta(days=1))
        summary = competence_summary_from_counts(competence_status_counts(conn))
    view = quality_overview(history, chosen, summary=summary)
    decisions = _shown(view["decisions"])
    row = view["summary"].set_index("month").loc[chosen]
    first = decisions.iloc[0]
    kpis = dbc.Row([
        dbc.Col(kpi_card(t("pq.held"), int(row["held"]), id="pq-kpi-held"), md=3),
        dbc.Col(kpi_card(t("pq.assigned"), int(row["assigned"])), md=3),
        dbc.Col(kpi_card(t("pq.revoked"), int(row["revoked"])), md=3),
        dbc.Col(kpi_card(t("pq.near"), len(view["near"])), md=3),
    ], className="g-2 mb-2")
    near = _shown(view["near"])
    # the year of changes up to the chosen month
    changes = view["changes"]
    changes = _shown(changes[(changes["month"] <= chosen) & (changes["month"] > chosen - pd.DateOffset(years=1))])
    return html.Div([
        kpis,
        html.P(t("pq.window", start=fmt_date(first["window_start"]), end=fmt_date(first["window_end"])),
               className="small text-muted", id="pq-window"),
        graph("pq-chart", _chart(view["summary"])),
        html.H5(t("pq.decisions")),
        program_table("pq-decisions", decisions, DECISION_COLUMNS),
        html.H5(t("pq.near"), className="mt-3"),
        program_table("pq-near", near, [*DECISION_COLUMNS, "margin"]) if len(near) else
        html.P("—", className="text-muted"),
        html.H5(t("pq.changes"), className="mt-3"),
        program_table("pq-changes", changes, ["month", *DECISION_COLUMNS, "window_start", "window_end"]),
    ])


@callback(Output("pq-ledger", "children"), Input("pq-partner", "value"))
@authorized(roles=ROLES)
def show_ledger(partner_id: object) -> object:
    """Points ledger of one partner: awards, expiry, superseded versions and transferred projects."""
    if not isinstance(partner_id, str):
        raise PreventUpdate
    with current_engine().connect() as conn:
        # the partner's own projects and those it took over or handed over (seed 000: transfers)
        inputs = partner_quality_inputs(conn, partner_id)
    now = clock.now()
    ledger = quality_ledger(inputs["projects"], inputs["monitor_tests"], now)
    ledger = ledger[ledger["partner_id"] == partner_id]
    if ledger.empty:
        return empty_state(t("empty.title"))
    balance = points_balance(ledger, now).iloc[0]
    return html.Div([
        dbc.Row([dbc.Col(kpi_card(t("pq.balance"), balance["points"], id="pq-points"), md=3),
                 dbc.Col(kpi_card(t("col.next_expires_at"), None, hint=fmt_date(balance["next_expires_at"])), md=3)],
                className="g-2 mb-2"),
        program_table("pq-ledger-grid", ledger.assign(reason=value_labels(ledger["reason"], "pq.reason"),
                                                      end_reason=value_labels(ledger["end_reason"], "pq.reason")), ["project_id", "version", "earned_at", "expires_at", "points",
                                                 "reason", "end_reason", "transferred_from", "live", "days_to_expiry"]),
    ])


@callback(Output("pq-run-message", "children"), Input("pq-run", "n_clicks"), State("pq-month", "value"),
          prevent_initial_call=True)
@authorized(roles=("admin",))
def run_evaluation(n_clicks: object, _month: object) -> object:
    """Admin only: evaluate the current month (seed 000: on the 1st), audit it, refresh the page."""
    if not isinstance(n_clicks, int) or n_clicks < 1:
        raise PreventUpdate
    now = clock.now()
    with current_engine().begin() as conn:
        result = evaluate_month(conn, now, now=now)
    audit("evaluate", f"quality program {result['month']}: held {result['held']}, assigned {result['assigned']}, "
                      f"revoked {result['revoked']}")
    invalidate_data_cache()
    return dbc.Alert(t("pq.ran", month=fmt_date(result["month"]), held=result["held"],
                       assigned=result["assigned"], revoked=result["revoked"]), color="success", id="pq-ran")

