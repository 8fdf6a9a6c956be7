"""1cfresh lead distribution (seed 002): quarterly TOP-10 by net new ITSaaS contracts with exclusions,
equal lead shares with admin weights (stored server-side, audited), lead handling and churn per partner,
and the published TOP-10 list. Management sees; only admin changes weights.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from auth import audit, authorized, current_engine, current_scope
from components.cache import invalidate_data_cache
from components.cards import empty_state, kpi_card
from components.i18n import register_strings, t
from components.program_tables import program_table, register_columns, value_labels
from reports.programs import saas_overview
from store.program_queries import lead_weights, partner_names, saas_inputs, saas_quarters, save_lead_weight
from store import clock

dash.register_page(__name__, path="/programs/saas", name="programs-saas", label_key="ps.title", order=42)
ROLES = ("management", "admin")
MAX_WEIGHT = 10.0
MAX_LEADS = 1_000_000

register_strings({
    "ps.title": {"ru": "1cfresh: распределение лидов", "en": "1cfresh lead distribution"},
    "ps.intro": {
        "ru": "ТОП-10 центров сетевой компетенции по приросту договоров ИТСааС за квартал (новые − ушедшие, "
              "без договоров ИТС ПРОФ по акции и лидов других акций). Лиды делятся поровну; вес меняет администратор.",
        "en": "TOP-10 network competence centres by net new ITSaaS contracts in the quarter (new − churned, "
              "without PROF promo contracts and leads of other promotions). Leads are shared equally; admins set weights.",
    },
    "ps.quarter": {"ru": "Квартал", "en": "Quarter"},
    "ps.leads": {"ru": "Лидов к распределению", "en": "Leads to distribute"},
    "ps.published": {"ru": "Опубликованный список ТОП-10", "en": "Published TOP-10 list"},
    "ps.ranking": {"ru": "Рейтинг и исключения", "en": "Ranking and exclusions"},
    "ps.distribution": {"ru": "Распределение лидов", "en": "Lead distribution"},
    "ps.funnel": {"ru": "Работа с лидами", "en": "Lead handling"},
    "ps.churn": {"ru": "Причины ухода", "en": "Churn reasons"},
    "ps.weight": {"ru": "Вес партнёра", "en": "Partner weight"},
    "ps.save": {"ru": "Сохранить вес", "en": "Save weight"},
    "ps.saved": {"ru": "Вес {partner} = {weight} сохранён.", "en": "Weight of {partner} = {weight} saved."},
    "ps.bad_weight": {"ru": "Вес — число от 0 до {max}.", "en": "The weight is a number from 0 to {max}."},
    "ps.bad_partner": {"ru": "Выберите партнёра из списка.", "en": "Choose a partner from the list."},
    "ps.in_top": {"ru": "В ТОП-10", "en": "In TOP-10"},
    "ps.excluded": {"ru": "Исключено", "en": "Excluded"},
    "ps.reason.not a network competence centre": {"ru": "не «Центр сетевой компетенции»",
                                                  "en": "not a network competence centre"},
    "ps.reason.complaints": {"ru": "жалобы клиентов", "en": "complaints"},
    "ps.reason.no service desk replies": {"ru": "нет ответов в Сервис-деске", "en": "no service desk replies"},
    "ps.reason.no net new contracts": {"ru": "нет прироста договоров", "en": "no net new contracts"},
    "ps.reason.excluded by admin": {"ru": "исключён фирмой", "en": "excluded by admin"},
    "ps.none": {"ru": "Нет договоров ИТСааС.", "en": "No ITSaaS contracts."},
})
register_columns({
    "new": ("Новые", "New"), "churned": ("Ушедшие", "Churned"), "net_new": ("Прирост", "Net new"),
    "leads": ("Лиды", "Leads"), "conversion_pct": ("Конверсия, %", "Conversion, %"),
    "complaints": ("Жалобы", "Complaints"), "in_top": ("В ТОП-10", "In TOP-10"),
    "excluded_reason": ("Причина исключения", "Exclusion reason"), "weight": ("Вес", "Weight"),
    "lead_share": ("Доля лидов, %", "Lead share, %"), "quota": ("Квота", "Quota"), "welcome_calls": ("Звонков", "Welcome calls"),
    "welcome_call_delay_h": ("Приветственный звонок, ч (медиана)", "Welcome call, h (median)"),
    "first_reply_h": ("Первый ответ, ч (медиана)", "First reply, h (median)"),
    "converted": ("В платники", "Converted"), "churn_reason_missing": ("Без причины ухода", "No churn reason"),
    "churn_reason": ("Причина ухода", "Churn reason"), "contracts": ("Договоров", "Contracts"),
})


def layout(**_query: str) -> html.Div:
    """Quarter picker, lead count, admin weight editor and the page body."""
    with current_engine().connect() as conn:
        quarters = saas_quarters(conn)
        partners = partner_names(conn)
    centres = partners[partners["network_competence_center"].fillna(False).astype(bool)].sort_values("name")
    # default: the last complete quarter (seed 002: the list follows a finished calendar quarter)
    current = str(clock.now().tz_localize(None).to_period("Q"))
    default = next((q for q in quarters if q < current), quarters[0] if quarters else None)
    controls = [
        dbc.Col([dbc.Label(t("ps.quarter"), className="small mb-1"),
                 dcc.Dropdown(id="ps-quarter", options=quarters, value=default, clearable=False)], md=2),
        dbc.Col([dbc.Label(t("ps.leads"), className="small mb-1"),
                 dbc.Input(id="ps-leads", type="number", min=0, step=1, placeholder="auto")], md=2),
    ]
    if current_scope().role == "admin":
        controls += [
            dbc.Col([dbc.Label(t("ps.weight"), className="small mb-1"),
                     dcc.Dropdown(id="ps-weight-partner", options=[
                         {"label": f"{r.name} ({r.partner_id})", "value": r.partner_id} for r in centres.itertuples()])],
                    md=3),
            dbc.Col(dbc.Input(id="ps-weight", type="number", min=0, max=MAX_WEIGHT, step=0.1, value=1,
                              className="mt-4"), md=1),
            dbc.Col(dbc.Button(t("ps.save"), id="ps-save", color="primary", className="mt-4"), md=2),
        ]
    return html.Div([
        html.H3(t("ps.title")), html.P(t("ps.intro"), className="text-muted"),
        dbc.Row(controls, className="g-2 mb-2"),
        html.Div(id="ps-save-message"),
        dcc.Loading(html.Div(id="ps-body")),
    ], id="programs-saas")


@callback(Output("ps-body", "children"), Input("ps-quarter", "value"), Input("ps-leads", "value"),
          Input("ps-save-message", "children"))
@authorized(roles=ROLES)
def show_quarter(quarter: object, n_leads: object, _saved: object) -> object:
    """TOP-10, published list, lead distribution with stored weights, lead handling and churn of `quarter`."""
    with current_engine().connect() as conn:
        quarters = saas_quarters(conn)
        if not quarters:
            return empty_state(t("ps.none"))
        chosen = quarter if isinstance(quarter, str) and quarter in quarters else quarters[0]
        leads = int(n_leads) if isinstance(n_leads, (int, float)) and 0 <= n_leads <= MAX_LEADS else None
        view = saas_overview(saas_inputs(conn), chosen, lead_weights(conn), leads)
    top = view["top"]
    kpis = dbc.Row([
        dbc.Col(kpi_card(t("ps.in_top"), int(top["in_top"].sum())), md=3),
        dbc.Col(kpi_card(t("ps.excluded"), int((top["excluded_reason"] != "").sum())), md=3),
        dbc.Col(kpi_card(t("ps.leads"), int(view["distribution"]["leads"].sum()), id="ps-kpi-leads"), md=3),
    ], className="g-2 mb-3")
    ranked = top.assign(excluded_reason=value_labels(top["excluded_reason"], "ps.reason"))
    return html.Div([
        kpis,
        html.H5(t("ps.published")),
        program_table("ps-published", view["published"], ["place", "partner_id", "name", "net_new"]),
        html.H5(t("ps.distribution"), className="mt-3"),
        program_table("ps-distribution", view["distribution"].assign(lead_share=lambda f: 100 * f["share"]),
                      ["partner_id", "name", "weight", "lead_share", "quota", "leads"]),
        html.H5(t("ps.ranking"), className="mt-3"),
        program_table("ps-ranking", ranked, ["place", "partner_id", "name", "new", "churned", "net_new", "leads",
                                             "conversion_pct", "complaints", "in_top", "excluded_reason"]),
        html.H5(t("ps.funnel"), className="mt-3"),
        program_table("ps-funnel", view["funnel"], ["partner_id", "name", "leads", "welcome_calls",
                                                    "welcome_call_delay_h", "first_reply_h", "converted",
                                                    "conversion_pct", "churned", "churn_reason_missing"]),
        html.H5(t("ps.churn"), className="mt-3"),
        program_table("ps-churn", view["churn"], ["partner_id", "name", "churn_reason", "contracts"]),
    ])


@callback(Output("ps-save-message", "children"), Input("ps-save", "n_clicks"),
          State("ps-weight-partner", "value"), State("ps-weight", "value"), prevent_initial_call=True)
@authorized(roles=("admin",))
def save_weight(n_clicks: object, partner_id: object, weight: object) -> object:
    """Admin only: store a partner's lead weight (seed 002: 1C may raise or lower the share), audited."""
    if not isinstance(n_clicks, int) or n_clicks < 1:
        raise PreventUpdate
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= MAX_WEIGHT:
        return dbc.Alert(t("ps.bad_weight", max=MAX_WEIGHT), color="warning", id="ps-save-error")
    with current_engine().begin() as conn:
        known = set(partner_names(conn)["partner_id"])
        if not isinstance(partner_id, str) or partner_id not in known:
            return dbc.Alert(t("ps.bad_partner"), color="warning", id="ps-save-error")
        save_lead_weight(conn, partner_id, float(weight), current_scope().login)
    audit("lead_weight", f"{partner_id}={float(weight)}")
    invalidate_data_cache()
    return dbc.Alert(t("ps.saved", partner=partner_id, weight=weight), color="success", id="ps-saved")
