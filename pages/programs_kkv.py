"""Enterprise implementations competence, KKV (seed 001): level validity, renewal requests, overdue
progress reports on enterprise projects, KKV points by source, the public extended list. Management, admin.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from auth import authorized, current_engine
from components.cards import empty_state, kpi_card
from components.charts import bar, figure, graph
from components.i18n import register_strings, t
from components.program_tables import program_table, register_columns, value_labels
from reports.programs import kkv_overview
from store.program_queries import kkv_inputs
from store import clock

dash.register_page(__name__, path="/programs/kkv", name="programs-kkv", label_key="pk.title", order=41)
ROLES = ("management", "admin")
SOURCES = ("sales", "projects", "marketing")

register_strings({
    "pk.title": {"ru": "Крупные корпоративные внедрения (ККВ)", "en": "Enterprise implementations (KKV)"},
    "pk.intro": {
        "ru": "Уровень действует 1 год; заявка на продление — не позднее чем за 14 дней до окончания; "
              "отчёт о ходе энтерпрайз-проекта — не реже раза в 2 месяца.",
        "en": "A level is valid for 1 year; the renewal request is due 14 days before expiry; "
              "enterprise project progress reports at least every 2 months.",
    },
    "pk.holders": {"ru": "Обладатели компетенции", "en": "Competence holders"},
    "pk.extended": {"ru": "Расширенный уровень", "en": "Extended level"},
    "pk.renewals": {"ru": "Заявки на продление", "en": "Renewal requests due"},
    "pk.overdue": {"ru": "Просроченные отчёты о проектах", "en": "Overdue progress reports"},
    "pk.points": {"ru": "ККВ-баллы по источникам", "en": "KKV points by source"},
    "pk.public": {"ru": "Публичный список (расширенный уровень, по баллам)",
                  "en": "Public list (extended level, by points)"},
    "pk.status": {"ru": "Срок действия уровней", "en": "Level validity"},
    "pk.source.sales": {"ru": "продажи", "en": "sales"},
    "pk.source.projects": {"ru": "проекты", "en": "projects"},
    "pk.source.marketing": {"ru": "маркетинг", "en": "marketing"},
    "pk.validity.valid": {"ru": "действует", "en": "valid"},
    "pk.validity.expiring": {"ru": "скоро истекает", "en": "expiring"},
    "pk.validity.expired": {"ru": "истекла", "en": "expired"},
    "pk.validity.unknown": {"ru": "без даты", "en": "no date"},
    "pk.level.basic": {"ru": "базовый", "en": "basic"},
    "pk.level.extended": {"ru": "расширенный", "en": "extended"},
    "pk.none": {"ru": "Ни у одного партнёра нет уровня ККВ.", "en": "No partner holds a KKV level."},
})
register_columns({
    "kkv_level": ("Уровень", "Level"), "kkv_valid_until": ("Действует до", "Valid until"),
    "renewal_request_due": ("Заявка не позднее", "Request due"), "days_left": ("Дней до окончания", "Days left"),
    "renewal_overdue": ("Заявка просрочена", "Request overdue"), "last_report_at": ("Последний отчёт", "Last report"),
    "last_event_at": ("Отсчёт от", "Counted from"), "next_report_due": ("Отчёт был нужен", "Report due"),
    "days_overdue": ("Дней просрочки", "Days overdue"), "overdue": ("Просрочен", "Overdue"),
    "sales": ("Продажи", "Sales"), "projects": ("Проекты", "Projects"), "marketing": ("Маркетинг", "Marketing"),
    "total": ("Всего", "Total"), "place": ("Место", "Place"), "kkv_points": ("ККВ-баллы", "KKV points"),
    "categories": ("Категории", "Categories"), "validity": ("Состояние", "Validity"),
})


def layout(**_query: str) -> html.Div:
    """Header and the body filled by `show_kkv` (recomputed on every visit)."""
    return html.Div([html.H3(t("pk.title")), html.P(t("pk.intro"), className="text-muted"),
                     dcc.Location(id="pk-url", refresh=False), dcc.Loading(html.Div(id="pk-body"))],
                    id="programs-kkv")


def _shown(rows: pd.DataFrame) -> pd.DataFrame:
    """Level and validity in the user's language (`status` is shown as `validity`)."""
    return rows.assign(validity=value_labels(rows["status"], "pk.validity"),
                       kkv_level=value_labels(rows["kkv_level"], "pk.level"))


def _points_chart(points: pd.DataFrame) -> dict:
    top = points.head(20).iloc[::-1]
    return figure([bar(y=top["name"], x=top[s], name=t(f"pk.source.{s}"), orientation="h") for s in SOURCES],
                  barmode="stack", title=t("pk.points"), height=max(300, 24 * len(top) + 120),
                  legend=dict(orientation="h"))


@callback(Output("pk-body", "children"), Input("pk-url", "pathname"))
@authorized(roles=ROLES)
def show_kkv(_path: object) -> object:
    """Validity, renewals, overdue reports, points and public list on today's date."""
    today = clock.now()
    with current_engine().connect() as conn:
        view = kkv_overview(kkv_inputs(conn), today)
    status = _shown(view["status"])
    renewals = _shown(view["renewals"])
    if status.empty:
        return empty_state(t("pk.none"))
    kpis = dbc.Row([
        dbc.Col(kpi_card(t("pk.holders"), len(status), id="pk-kpi-holders"), md=3),
        dbc.Col(kpi_card(t("pk.extended"), int((view["status"]["kkv_level"] == "extended").sum())), md=3),
        dbc.Col(kpi_card(t("pk.renewals"), len(renewals), id="pk-kpi-renewals"), md=3),
        dbc.Col(kpi_card(t("pk.overdue"), len(view["overdue"]), id="pk-kpi-overdue"), md=3),
    ], className="g-2 mb-3")
    status_columns = ["partner_id", "name", "kkv_level", "kkv_valid_until", "renewal_request_due", "days_left",
                      "validity", "renewal_overdue"]
    return html.Div([
        kpis,
        html.H5(t("pk.renewals")),
        program_table("pk-renewals", renewals, status_columns),
        html.H5(t("pk.overdue"), className="mt-3"),
        program_table("pk-overdue", view["overdue"], ["project_id", "partner_id", "name", "last_report_at",
                                                      "last_event_at", "next_report_due", "days_overdue"]),
        html.H5(t("pk.points"), className="mt-3"),
        graph("pk-points-chart", _points_chart(view["points"])),
        program_table("pk-points", view["points"], ["partner_id", "name", *SOURCES, "total"]),
        html.H5(t("pk.public"), className="mt-3"),
        program_table("pk-public", view["public"], ["place", "partner_id", "name", "city", "kkv_points", "categories"]),
        html.H5(t("pk.status"), className="mt-3"),
        program_table("pk-status", status, status_columns),
    ])
