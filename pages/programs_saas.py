"""1cfresh lead distribution (seed 002): quarterly TOP-10 by net new ITSaaS contracts with exclusions,
equal lead shares with admin weights (stored server-side, audited), lead handling and churn per partner,
and the published TOP-10 list. Management sees; only admin changes weights.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from auth import Scope, audit, authorized, current_engine, current_scope
from auth.audit import client_ip
from components.cache import invalidate_data_cache, scoped_memoize
from components.cards import empty_state, kpi_card
from components.format import fmt_quarter
from components.i18n import current_language, register_strings, t
from components.program_tables import program_table, register_columns, value_labels
from metrics.workflows import TOP10_EXCLUSION_REASONS, WorkflowError
from reports.programs import frozen_ranking, saas_overview
from store import clock, workflows
from store.program_queries import (
    lead_weights,
    partner_names,
    saas_quarter_inputs,
    saas_quarters,
    save_lead_weight,
)

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
    "ps.auto": {"ru": "авто", "en": "auto"},
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
    "ps.churn_total": {"ru": "Причины ухода: всего", "en": "Churn reasons: total"},
    "ps.decisions": {"ru": "Решения по кварталу", "en": "Decisions for the quarter"},
    "ps.exclusions": {"ru": "Исключения квартала", "en": "Exclusions of the quarter"},
    "ps.no_exclusions": {"ru": "В этом квартале никто не исключён.", "en": "Nobody is excluded this quarter."},
    "ps.partner": {"ru": "Партнёр", "en": "Partner"},
    "ps.exclude_reason": {"ru": "Причина исключения", "en": "Exclusion reason"},
    "ps.comment": {"ru": "Комментарий (виден партнёру)", "en": "Comment (shown to the partner)"},
    "ps.exclude": {"ru": "Исключить", "en": "Exclude"},
    "ps.include": {"ru": "Вернуть в список", "en": "Take back"},
    "ps.approve": {"ru": "Утвердить ТОП-10 и квоты", "en": "Fix the TOP-10 and quotas"},
    "ps.approved": {"ru": "ТОП-10 и квоты за {quarter} утверждены: {login}, {at} UTC. Список больше не меняется.",
                    "en": "The TOP-10 and quotas of {quarter} were fixed by {login} on {at} UTC. The list no longer changes."},
    "ps.live": {"ru": "ТОП-10 за {quarter} ещё не утверждён: список пересчитывается по данным.",
                "en": "The TOP-10 of {quarter} is not fixed yet: the list follows the data."},
    "ps.done.exclude": {"ru": "{partner} исключён из ТОП-10 за {quarter}.", "en": "{partner} excluded from the TOP-10 of {quarter}."},
    "ps.done.include": {"ru": "{partner} возвращён в расчёт ТОП-10 за {quarter}.",
                        "en": "{partner} is back in the TOP-10 of {quarter}."},
    "ps.done.approve": {"ru": "ТОП-10 за {quarter} утверждён.", "en": "The TOP-10 of {quarter} is fixed."},
    "ps.err.quarter_invalid": {"ru": "Выберите квартал из списка.", "en": "Choose a quarter from the list."},
    "ps.err.partner_unknown": {"ru": "Выберите партнёра из списка.", "en": "Choose a partner from the list."},
    "ps.err.reason_invalid": {"ru": "Выберите причину из списка (регламент 1С).", "en": "Choose a reason from the list."},
    "ps.err.comment_too_long": {"ru": "Комментарий длиннее {n} символов.", "en": "The comment is longer than {n} characters."},
    "ps.err.comment_invalid": {"ru": "Комментарий не распознан.", "en": "The comment was not understood."},
    "ps.err.exclusion_unknown": {"ru": "Этот партнёр в квартале не исключён.", "en": "This partner is not excluded in the quarter."},
    "ps.err.top10_empty": {"ru": "В квартале нет ни одного партнёра для ТОП-10: утверждать нечего.",
                           "en": "No partner qualifies for the TOP-10 of this quarter: nothing to fix."},
    "ps.err.top10_fixed": {"ru": "ТОП-10 за {quarter} уже утверждён ({login}, {at}): список и квоты не меняются.",
                           "en": "The TOP-10 of {quarter} was already fixed ({login}, {at}): it no longer changes."},
    "ps.reason.no_precontract_work": {"ru": "с клиентами не ведётся предконтрактная работа",
                                      "en": "no pre-contract work with clients"},
    "ps.reason.no_service_desk": {"ru": "нет поддержки пользователей в Сервис-деске",
                                  "en": "no user support in the Service desk"},
    "ps.reason.regular_complaints": {"ru": "регулярные жалобы клиентов", "en": "regular client complaints"},
    "ps.reason.regulation_breach": {"ru": "нарушение регламента работы 1С:ЦСК",
                                    "en": "breach of the network competence centre rules"},
    "ps.churn.price": {"ru": "цена", "en": "price"},
    "ps.churn.went_to_competitor": {"ru": "ушёл к конкуренту", "en": "went to a competitor"},
    "ps.churn.no_longer_needed": {"ru": "больше не нужно", "en": "no longer needed"},
    "ps.churn.functionality": {"ru": "не хватило функций", "en": "missing features"},
    "ps.churn.service_quality": {"ru": "качество обслуживания", "en": "service quality"},
    "ps.churn.business_closed": {"ru": "бизнес закрыт", "en": "business closed"},
    "ps.churn.other": {"ru": "другое", "en": "other"},
    "ps.churn.not given": {"ru": "не указана", "en": "not given"},
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
    "reason": ("Причина", "Reason"), "comment": ("Комментарий", "Comment"), "login": ("Кто", "By"),
    "quarter": ("Квартал", "Quarter"),
})
DECIDERS = ("management", "admin")
# the page's main callback as `cli.py bench` and the load test post it (quarter None = the one the page opens with)
BENCH_CALLBACK = {"output": "ps-body.children",
                  "inputs": [{"id": "ps-quarter", "property": "value", "value": None},
                             {"id": "ps-leads", "property": "value", "value": None},
                             {"id": "ps-save-message", "property": "children", "value": None},
                             {"id": "ps-decision-message", "property": "children", "value": None}],
                  "state": []}


def _decision_controls(partners: pd.DataFrame) -> dbc.Card:
    """Exclusion (partner, seed 002 reason, comment), take back, and fixing the quarter's TOP-10."""
    reasons = [{"label": t(f"ps.reason.{r}"), "value": r} for r in TOP10_EXCLUSION_REASONS]
    options = [{"label": f"{r.name} ({r.partner_id})", "value": r.partner_id}
               for r in partners.sort_values("name").itertuples()]
    return dbc.Card(dbc.CardBody([
        html.H5(t("ps.decisions")),
        dbc.Row([
            dbc.Col([dbc.Label(t("ps.partner"), className="small mb-1"),
                     dcc.Dropdown(id="ps-exclude-partner", options=options)], md=4),
            dbc.Col([dbc.Label(t("ps.exclude_reason"), className="small mb-1"),
                     dcc.Dropdown(id="ps-exclude-reason", options=reasons)], md=4),
            dbc.Col([dbc.Label(t("ps.comment"), className="small mb-1"),
                     dbc.Input(id="ps-exclude-comment", maxLength=2000)], md=4),
        ], className="g-2"),
        html.Div([
            dbc.Button(t("ps.exclude"), id="ps-exclude", color="warning", className="me-2"),
            dbc.Button(t("ps.include"), id="ps-include", color="secondary", outline=True, className="me-2"),
            dbc.Button(t("ps.approve"), id="ps-approve", color="primary"),
        ], className="mt-2"),
        html.Div(id="ps-decision-message", className="mt-2"),
    ]), className="mb-3")


def _default_quarter(quarters: list[str] | None = None) -> str | None:
    """The last complete quarter with contracts (seed 002: the list follows a finished calendar quarter)."""
    if quarters is None:
        with current_engine().connect() as conn:
            quarters = saas_quarters(conn)
    current = str(clock.now().tz_localize(None).to_period("Q"))
    return next((q for q in quarters if q < current), quarters[0] if quarters else None)


def layout(**_query: str) -> html.Div:
    """Quarter picker, lead count, admin weight editor and the page body."""
    with current_engine().connect() as conn:
        quarters = saas_quarters(conn)
        partners = partner_names(conn)
    centres = partners[partners["network_competence_center"].fillna(False).astype(bool)].sort_values("name")
    default = _default_quarter(quarters)
    controls = [
        dbc.Col([dbc.Label(t("ps.quarter"), className="small mb-1"),
                 dcc.Dropdown(id="ps-quarter", options=[{"label": fmt_quarter(q), "value": q} for q in quarters],
                              value=default, clearable=False)], md=2),
        dbc.Col([dbc.Label(t("ps.leads"), className="small mb-1"),
                 dbc.Input(id="ps-leads", type="number", min=0, step=1, placeholder=t("ps.auto"))], md=2),
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
        _decision_controls(partners) if current_scope().role in DECIDERS else html.Div(id="ps-decision-message"),
        dcc.Loading(html.Div(id="ps-body")),
    ], id="programs-saas")


def _quarter_view(conn, quarter: str, n_leads: int | None) -> tuple[dict, dict | None, pd.DataFrame]:
    """The page's tables with the quarter's stored decisions: exclusions, partners' churn reasons, approval."""
    exclusions = workflows.top10_exclusions(conn, quarter)
    reasons = workflows.partner_churn_reasons(conn)
    approval = workflows.top10_approval(conn, quarter)
    view = saas_overview(saas_quarter_inputs(conn, quarter), quarter, lead_weights(conn), n_leads,
                         exclusions=dict(zip(exclusions["partner_id"], exclusions["reason"])),
                         partner_reasons=reasons, approval=approval)
    return view, approval, exclusions


def _approval_note(quarter: str, approval: dict | None) -> dbc.Alert:
    if approval is None:
        return dbc.Alert(t("ps.live", quarter=quarter), color="light", id="ps-approval")
    at = pd.Timestamp(approval["approved_at"])
    return dbc.Alert(t("ps.approved", quarter=quarter, login=approval["login"], at=f"{at:%d.%m.%Y %H:%M}"),
                     color="info", id="ps-approval")


@callback(Output("ps-body", "children"), Input("ps-quarter", "value"), Input("ps-leads", "value"),
          Input("ps-save-message", "children"), Input("ps-decision-message", "children"))
@authorized(roles=ROLES)
def show_quarter(quarter: object, n_leads: object, _saved: object, _decided: object) -> object:
    """TOP-10, published list, lead distribution with stored weights, lead handling and churn of `quarter`."""
    leads = int(n_leads) if isinstance(n_leads, (int, float)) and 0 <= n_leads <= MAX_LEADS else None
    return quarter_body(quarter if isinstance(quarter, str) else None, leads, current_language())


def warm_first_view(_scope: object) -> None:
    """The quarter the page opens with (`jobs.warm`)."""
    quarter_body(_default_quarter(), None, current_language())


@scoped_memoize()
def quarter_body(quarter: str | None, leads: int | None, lang: str) -> object:
    """The drawn quarter, cached per scope, quarter, lead count, language and data version: a decision, a weight
    (`invalidate_data_cache` in `decide` and `save_weight`) or a load makes it stale."""
    with current_engine().connect() as conn:
        quarters = saas_quarters(conn)
        if not quarters:
            return empty_state(t("ps.none"))
        chosen = quarter if quarter in quarters else _default_quarter(quarters)
        view, approval, exclusions = _quarter_view(conn, chosen, leads)
    top = view["top"]
    kpis = dbc.Row([
        dbc.Col(kpi_card(t("ps.in_top"), int(top["in_top"].sum())), md=3),
        dbc.Col(kpi_card(t("ps.excluded"), int((top["excluded_reason"] != "").sum())), md=3),
        dbc.Col(kpi_card(t("ps.leads"), int(view["distribution"]["leads"].sum()), id="ps-kpi-leads"), md=3),
    ], className="g-2 mb-3")
    ranked = top.assign(excluded_reason=value_labels(top["excluded_reason"], "ps.reason"))
    excluded = exclusions.assign(reason=value_labels(exclusions["reason"], "ps.reason"),
                                 name=exclusions["partner_id"].map(top.set_index("partner_id")["name"]))
    return html.Div([
        _approval_note(chosen, approval),
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
        html.H5(t("ps.exclusions"), className="mt-3"),
        program_table("ps-exclusions", excluded, ["partner_id", "name", "reason", "comment", "login", "created_at"])
        if len(excluded) else html.P(t("ps.no_exclusions"), className="text-muted", id="ps-no-exclusions"),
        html.H5(t("ps.churn"), className="mt-3"),
        program_table("ps-churn", view["churn"].assign(churn_reason=value_labels(view["churn"]["churn_reason"],
                                                                                 "ps.churn")),
                      ["partner_id", "name", "churn_reason", "contracts"]),
        html.H5(t("ps.churn_total"), className="mt-3"),
        program_table("ps-churn-total", view["churn_total"].assign(
            churn_reason=value_labels(view["churn_total"]["churn_reason"], "ps.churn")), ["churn_reason", "contracts"]),
    ])


def _decision_message(error: WorkflowError) -> str:
    key = f"ps.err.{error.code}"
    values = {k: (f"{v:%d.%m.%Y %H:%M}" if isinstance(v, pd.Timestamp) else v) for k, v in error.values.items()}
    return t(key, **values) if t(key) != key else t("ps.err.partner_unknown")


@callback(Output("ps-decision-message", "children"), Input("ps-exclude", "n_clicks"),
          Input("ps-include", "n_clicks"), Input("ps-approve", "n_clicks"), State("ps-quarter", "value"),
          State("ps-exclude-partner", "value"), State("ps-exclude-reason", "value"),
          State("ps-exclude-comment", "value"), State("ps-leads", "value"), prevent_initial_call=True)
@authorized(roles=DECIDERS)
def decide(_exclude: object, _include: object, _approve: object, quarter: object, partner_id: object,
           reason: object, comment: object, n_leads: object, scope: Scope) -> object:
    """Exclude / take back a partner, or fix the quarter's TOP-10 and quotas (seed 002); audited, one transaction."""
    action = dash.ctx.triggered_id
    if action not in ("ps-exclude", "ps-include", "ps-approve"):
        raise PreventUpdate
    try:
        with current_engine().begin() as conn:
            if not isinstance(quarter, str) or quarter not in saas_quarters(conn):
                raise WorkflowError("quarter_invalid")
            if action == "ps-exclude":
                workflows.exclude_from_top10(conn, scope.login, quarter, partner_id, reason, comment, ip=client_ip())
            elif action == "ps-include":
                workflows.lift_top10_exclusion(conn, scope.login, quarter, partner_id, ip=client_ip())
            else:
                leads = int(n_leads) if isinstance(n_leads, (int, float)) and 0 <= n_leads <= MAX_LEADS else None
                view, _, _ = _quarter_view(conn, quarter, leads)
                workflows.approve_top10(conn, scope.login, quarter, frozen_ranking(view), ip=client_ip())
    except WorkflowError as error:
        return dbc.Alert(_decision_message(error), color="warning", id="ps-decision-refused")
    invalidate_data_cache()
    done = {"ps-exclude": "exclude", "ps-include": "include", "ps-approve": "approve"}[action]
    return dbc.Alert(t(f"ps.done.{done}", partner=partner_id, quarter=quarter), color="success", id="ps-decided")


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
