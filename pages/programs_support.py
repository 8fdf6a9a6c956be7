"""Dedicated support service, Partner Support Manager (seed 003): deposits, charged tickets, balance and
runway per partner, worked time per ticket, and the "60–70 % faster" claim measured on psm vs classic
tickets of the same type and priority. Management and admin (a partner sees its own deposit on "My quality").
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from auth import authorized, current_engine
from components.cache import scoped_memoize
from components.cards import empty_state, kpi_card
from components.charts import bar, figure, graph
from components.format import fmt_number
from components.i18n import current_language, register_strings, t
from components.program_tables import program_table, register_columns, value_labels
from metrics.deposit import CLAIMED_FASTER_PCT, PRICE_PER_TICKET, SpeedComparison
from reports.programs import support_overview_from_rollups
from store.program_queries import partner_names, support_rollup_inputs, support_tickets_exist
from store import clock

dash.register_page(__name__, path="/programs/support", name="programs-support", label_key="pu.title", order=43)
ROLES = ("management", "admin")
MAX_PRICE = 100_000
WORKED_ROWS = 1_000  # the newest psm tickets shown in the worked-time grid
BENCH_CALLBACK = {"output": "pu-body.children",
                  "inputs": [{"id": "pu-price", "property": "value", "value": PRICE_PER_TICKET}], "state": []}

register_strings({
    "pu.title": {"ru": "Выделенная поддержка", "en": "Dedicated support (PSM)"},
    "pu.intro": {
        "ru": "Предоплаченный депозит списывается по цене обращения при его решении. "
              "Проверяем заявление «время решения сокращается на 60–70 %»: медианы выделенной и классической линии "
              "внутри одного типа и приоритета.",
        "en": "The prepaid deposit is charged the ticket price when a ticket is resolved. We check the claim "
              "“resolution is 60–70 % faster”: psm vs classic medians within the same type and priority.",
    },
    "pu.price": {"ru": "Цена обращения, грн", "en": "Price per ticket, UAH"},
    "pu.faster": {"ru": "выделенная быстрее классической", "en": "psm faster than classic"},
    "pu.claim_holds": {"ru": "Заявление «на 60–70 % быстрее» подтверждается: {value}.",
                       "en": "The “60–70 % faster” claim holds: {value}."},
    "pu.claim_fails": {"ru": "Заявление «на 60–70 % быстрее» не подтверждается: {value}.",
                       "en": "The “60–70 % faster” claim does not hold: {value}."},
    "pu.claim_above": {"ru": " (быстрее заявленного диапазона)", "en": " (faster than the claimed range)"},
    "pu.claim_none": {"ru": "Нет пар «выделенная — классическая» одного типа и приоритета для сравнения.",
                      "en": "No psm/classic tickets of the same type and priority to compare."},
    "pu.strata": {"ru": "Сравнение по типу и приоритету", "en": "Comparison by type and priority"},
    "pu.accounts": {"ru": "Депозиты партнёров", "en": "Partner deposits"},
    "pu.worked": {"ru": "Рабочее время по обращениям выделенной поддержки", "en": "Worked time per psm ticket"},
    "pu.low": {"ru": "Депозит на ≤ 30 дней", "en": "Deposit for ≤ 30 days"},
    "pu.tickets": {"ru": "Обращений выделенной поддержки в сравнении", "en": "psm tickets compared"},
    "pu.classic_n": {"ru": "классическая линия: {n}", "en": "classic line: {n}"},
    "pu.psm": {"ru": "выделенная, медиана ч", "en": "psm, median h"},
    "pu.classic": {"ru": "классика, медиана ч", "en": "classic, median h"},
    "pu.hours": {"ru": "рабочих часов (медиана)", "en": "working hours (median)"},
    "pu.none": {"ru": "Нет обращений выделенной поддержки.", "en": "No dedicated-support tickets."},
})
register_columns({
    "currency": ("Валюта", "Currency"), "topped_up": ("Пополнено", "Topped up"),
    "last_topup_at": ("Последнее пополнение", "Last top-up"), "charged_tickets": ("Списано обращений", "Charged tickets"),
    "charged": ("Списано", "Charged"), "balance": ("Остаток", "Balance"),
    "avg_monthly_spend": ("Расход в месяц", "Monthly spend"), "runway_days": ("Хватит на, дней", "Runway, days"),
    "rework_tickets": ("Доработок (отдельно)", "Rework (billed apart)"), "ticket_id": ("Обращение", "Ticket"),
    "hours": ("Часов", "Hours"), "support_hours": ("Поддержка, ч", "Support, h"),
    "development_hours": ("Разработка, ч", "Development, h"), "staff": ("Сотрудников", "Staff"),
    "first_work_date": ("Начало работ", "Work from"), "last_work_date": ("Конец работ", "Work to"),
    "resolution_h": ("Решение, рабочих ч", "Resolution, working h"), "type": ("Тип", "Type"),
    "priority": ("Приоритет", "Priority"), "psm_n": ("выделенная, шт.", "psm, n"), "classic_n": ("классика, шт.", "classic, n"),
    "psm_median_h": ("выделенная, медиана ч", "psm, median h"), "classic_median_h": ("классика, медиана ч", "classic, median h"),
    "faster_pct": ("Быстрее, %", "Faster, %"), "compared": ("В сравнении", "Compared"),
})


def layout(**_query: str) -> html.Div:
    """Price input and the body."""
    return html.Div([
        html.H3(t("pu.title")), html.P(t("pu.intro"), className="text-muted"),
        dbc.Row(dbc.Col([dbc.Label(t("pu.price"), className="small mb-1"),
                         dbc.Input(id="pu-price", type="number", min=0, max=MAX_PRICE, step=1,
                                   value=PRICE_PER_TICKET, debounce=True)], md=2), className="g-2 mb-2"),
        dcc.Loading(html.Div(id="pu-body")),
    ], id="programs-support")


def claim_sentence(speed: SpeedComparison) -> str:
    """Plain-language verdict on seed 003's "60–70 % faster" claim."""
    if speed.strata_compared == 0:
        return t("pu.claim_none")
    value = f"{fmt_number(speed.faster_pct, 1)} %"
    if not speed.claim_holds:
        return t("pu.claim_fails", value=value)
    return t("pu.claim_holds", value=value) + ("" if speed.within_claimed_range else t("pu.claim_above"))


def _speed_chart(strata: pd.DataFrame) -> dict:
    shown = strata[strata["compared"]]
    labels = value_labels(shown["type"], "ticket.type").astype(str) + " · P" + shown["priority"].astype("Int64").astype(str)
    return figure([bar(x=labels, y=shown["psm_median_h"], name=t("pu.psm")),
                   bar(x=labels, y=shown["classic_median_h"], name=t("pu.classic"))],
                  title=t("pu.strata"), barmode="group", height=340, legend=dict(orientation="h"),
                  yaxis=dict(title=t("pu.hours")))


def support_view(price: float) -> tuple[dict[str, pd.DataFrame], SpeedComparison] | None:
    """Deposits, worked time and the speed comparison at `price` (the drawn page is cached: `support_body`)."""
    today = clock.now().normalize()
    with current_engine().connect() as conn:
        if not support_tickets_exist(conn):
            return None
        # SPEC §9: ticket rollups refreshed at ingest, never a scan of tickets or worklog per call
        inputs = support_rollup_inputs(conn, today, worked_rows=WORKED_ROWS)
        names = partner_names(conn).set_index("partner_id")["name"]
    return support_overview_from_rollups(inputs, names, today, price)


@callback(Output("pu-body", "children"), Input("pu-price", "value"))
@authorized(roles=ROLES)
def show_support(price: object) -> object:
    """Deposits at `price` per ticket, worked time per ticket, the measured speed-up."""
    valid = isinstance(price, (int, float)) and not isinstance(price, bool) and 0 <= price <= MAX_PRICE
    return support_body(float(price) if valid else float(PRICE_PER_TICKET), current_language())


def warm_first_view(_scope: object) -> None:
    """The page at the default ticket price (`jobs.warm`)."""
    support_body(float(PRICE_PER_TICKET), current_language())


@scoped_memoize()
def support_body(price: float, lang: str) -> object:
    """The drawn page at `price`, cached per scope, price, language and data version."""
    view = support_view(price)
    if view is None:
        return empty_state(t("pu.none"))
    tables, speed = view
    accounts = tables["accounts"]
    worked = tables["worked"].sort_values("last_work_date", ascending=False).head(WORKED_ROWS)
    low, high = CLAIMED_FASTER_PCT
    kpis = dbc.Row([
        dbc.Col(kpi_card(t("pu.faster"), speed.faster_pct, unit="%", decimals=1, id="pu-kpi-faster",
                         hint=f"{low:.0f}–{high:.0f} %"), md=3),
        dbc.Col(kpi_card(t("pu.tickets"), speed.psm_tickets,
                         hint=t("pu.classic_n", n=fmt_number(speed.classic_tickets))), md=3),
        dbc.Col(kpi_card(t("pu.low"), int((accounts["runway_days"] <= 30).sum())), md=3),
    ], className="g-2 mb-2")
    color = "success" if speed.claim_holds else "warning"
    return html.Div([
        kpis,
        dbc.Alert(claim_sentence(speed), color=color, id="pu-claim"),
        graph("pu-speed-chart", _speed_chart(speed.strata)),
        program_table("pu-strata", speed.strata.assign(type=value_labels(speed.strata["type"], "ticket.type")), ["type", "priority", "psm_n", "classic_n", "psm_median_h",
                                                  "classic_median_h", "faster_pct", "compared"]),
        html.H5(t("pu.accounts"), className="mt-3"),
        program_table("pu-accounts", accounts, ["partner_id", "name", "currency", "topped_up", "last_topup_at",
                                                "charged_tickets", "charged", "balance", "avg_monthly_spend",
                                                "runway_days", "rework_tickets"]),
        html.H5(t("pu.worked"), className="mt-3"),
        program_table("pu-worked", worked.assign(type=value_labels(worked["type"], "ticket.type")), ["ticket_id", "partner_id", "name", "type", "priority", "hours",
                                            "support_hours", "development_hours", "staff", "first_work_date",
                                            "last_work_date", "resolution_h"]),
    ])
