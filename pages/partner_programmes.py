"""«Мои программы»: the partner's own programme workflows (SPEC §12).

KKV renewal request (seed 001 §4.4: ≥ 14 days before expiry; reviewed within 7 working days of the
vendor's calendar) with the history of requests and level changes; exclusions from the 1cfresh TOP-10
with the vendor's reason (seed 002); churn reasons of the partner's own churned 1cfresh contracts
(seed 002: «по ушедшим абонентам вносить причины ухода … в личном кабинете»). The partner is always
the logged-in user's own: no partner id is ever taken from the browser.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate
from sqlalchemy import select

from auth import Scope, authorized, current_engine
from auth.audit import client_ip
from components.cache import invalidate_data_cache
from components.i18n import register_strings, t
from components.program_tables import program_table, register_columns, value_labels
from metrics.workflows import (
    CHURN_REASONS,
    MAX_COMMENT,
    WorkflowError,
    renewal_request_deadline,
)
from reports.export import day_text
from store import workflows
from store.models import Partner

ROLES = ("partner",)
dash.register_page(__name__, path="/my/programmes", name="partner-programmes", label_key="pp.nav", order=2,
                   roles=ROLES, title="Мои программы")

register_strings({
    "pp.nav": {"ru": "Мои программы", "en": "My programmes"},
    "pp.title": {"ru": "Мои программы", "en": "My programmes"},
    "pp.kkv": {"ru": "Компетенция ККВ", "en": "KKV competence"},
    "pp.kkv_state": {"ru": "Уровень: {level}, действует до {until}. Заявку на продление нужно подать не позднее {due}.",
                     "en": "Level: {level}, valid until {until}. The renewal request is due by {due}."},
    "pp.kkv_none": {"ru": "У вас нет уровня компетенции ККВ.", "en": "You hold no KKV level."},
    "pp.kkv_request": {"ru": "Подать заявку на продление", "en": "Request renewal"},
    "pp.kkv_requested": {"ru": "Заявка подана: решение не позднее {due}.", "en": "Request sent: decision by {due}."},
    "pp.kkv_requests": {"ru": "Мои заявки", "en": "My requests"},
    "pp.kkv_changes": {"ru": "Изменения уровня", "en": "Level changes"},
    "pp.top10": {"ru": "1cfresh: исключения из ТОП-10", "en": "1cfresh: TOP-10 exclusions"},
    "pp.top10_none": {"ru": "Фирма не исключала вас из ТОП-10.", "en": "The vendor has not excluded you from the TOP-10."},
    "pp.churn": {"ru": "1cfresh: причины ухода абонентов", "en": "1cfresh: why subscribers left"},
    "pp.churn_none": {"ru": "Ушедших абонентов нет.", "en": "No subscriber has left."},
    "pp.contract": {"ru": "Договор", "en": "Contract"},
    "pp.reason": {"ru": "Причина", "en": "Reason"},
    "pp.comment": {"ru": "Комментарий (обязателен для «другое»)", "en": "Comment (required for «other»)"},
    "pp.save": {"ru": "Сохранить причину", "en": "Save reason"},
    "pp.saved": {"ru": "Причина ухода по договору {contract} сохранена.", "en": "Churn reason of {contract} saved."},
    "pp.status.pending": {"ru": "на рассмотрении", "en": "pending"},
    "pp.status.approved": {"ru": "одобрена", "en": "approved"},
    "pp.status.rejected": {"ru": "отклонена", "en": "rejected"},
    "pp.cause.renewal_approved": {"ru": "продление одобрено", "en": "renewal approved"},
    "pp.cause.expired": {"ru": "срок истёк без продления", "en": "expired without renewal"},
    "pp.level.basic": {"ru": "базовый", "en": "basic"},
    "pp.level.extended": {"ru": "расширенный", "en": "extended"},
    "pp.level.none": {"ru": "нет", "en": "none"},
    "pp.err.kkv_no_level": {"ru": "У вас нет действующего уровня ККВ: продлевать нечего.",
                            "en": "You hold no KKV level: there is nothing to renew."},
    "pp.err.kkv_expired": {"ru": "Срок компетенции истёк {date}: продление уже невозможно, подайте заявку заново.",
                           "en": "The competence expired on {date}: apply again instead."},
    "pp.err.kkv_too_late": {"ru": "Заявку нужно было подать не позднее {date} (за {days} дней до окончания срока).",
                            "en": "The request was due by {date} ({days} days before expiry)."},
    "pp.err.kkv_pending": {"ru": "Ваша заявка уже на рассмотрении.", "en": "Your request is already being reviewed."},
    "pp.err.kkv_already_renewed": {"ru": "Этот срок уже продлён.", "en": "This term has already been renewed."},
    "pp.err.partner_unknown": {"ru": "Ваш партнёр не найден в данных.", "en": "Your partner is not in the data."},
    "pp.err.contract_unknown": {"ru": "Выберите договор из списка ваших ушедших абонентов.",
                                "en": "Choose a contract from your churned subscribers."},
    "pp.err.contract_active": {"ru": "Договор ещё действует: причину ухода указывают только для ушедших.",
                               "en": "The contract is still active."},
    "pp.err.reason_invalid": {"ru": "Выберите причину из списка.", "en": "Choose a reason from the list."},
    "pp.err.comment_required": {"ru": "Для причины «другое» напишите комментарий.", "en": "Explain «other» in the comment."},
    "pp.err.comment_too_long": {"ru": "Комментарий длиннее {n} символов.", "en": "The comment is longer than {n} characters."},
    "pp.err.comment_invalid": {"ru": "Комментарий не распознан.", "en": "The comment was not understood."},
    **{f"pp.churn.{r}": v for r, v in {
        "price": {"ru": "цена", "en": "price"}, "went_to_competitor": {"ru": "ушёл к конкуренту", "en": "went to a competitor"},
        "no_longer_needed": {"ru": "больше не нужно", "en": "no longer needed"},
        "functionality": {"ru": "не хватило функций", "en": "missing features"},
        "service_quality": {"ru": "качество обслуживания", "en": "service quality"},
        "business_closed": {"ru": "бизнес закрыт", "en": "business closed"}, "other": {"ru": "другое", "en": "other"},
    }.items()},
})
register_columns({
    "requested_at": ("Подана", "Requested"), "review_due": ("Решение не позднее", "Decision due"),
    "status": ("Статус", "Status"), "valid_until": ("Срок, который продлевается", "Term renewed"),
    "changed_at": ("Когда", "When"), "old_level": ("Был", "From"), "new_level": ("Стал", "To"),
    "new_valid_until": ("Действует до", "Valid until"), "cause": ("Причина", "Cause"),
    "contract_id": ("Договор", "Contract"), "client_id": ("Клиент", "Client"), "ended_at": ("Ушёл", "Ended"),
    "file_reason": ("Причина из выгрузки", "Reason in the file"), "reason": ("Причина", "Reason"),
    "comment": ("Комментарий", "Comment"), "quarter": ("Квартал", "Quarter"),
})


def _message(error: WorkflowError) -> str:
    key = f"pp.err.{error.code}"
    values = {k: (day_text(v.isoformat()) if hasattr(v, "isoformat") else v) for k, v in error.values.items()}
    return t(key, **values) if t(key) != key else t("pp.err.partner_unknown")


@authorized(ROLES)
def layout(scope: Scope, **_query: str) -> html.Div:
    """Three sections; the churn form lists only the partner's own churned contracts."""
    return html.Div([
        html.H2(t("pp.title")),
        html.Div(id="partner-programmes-message"),
        html.H4(t("pp.kkv")),
        dbc.Button(t("pp.kkv_request"), id="partner-programmes-request", color="primary", className="mb-2"),
        dcc.Loading(html.Div(id="partner-programmes-kkv")),
        html.H4(t("pp.top10"), className="mt-4"),
        html.Div(id="partner-programmes-top10"),
        html.H4(t("pp.churn"), className="mt-4"),
        dbc.Row([
            dbc.Col([dbc.Label(t("pp.contract"), className="small mb-1"),
                     dcc.Dropdown(id="partner-programmes-contract")], md=3),
            dbc.Col([dbc.Label(t("pp.reason"), className="small mb-1"),
                     dcc.Dropdown(id="partner-programmes-reason",
                                  options=[{"label": t(f"pp.churn.{r}"), "value": r} for r in CHURN_REASONS])], md=3),
            dbc.Col([dbc.Label(t("pp.comment"), className="small mb-1"),
                     dbc.Input(id="partner-programmes-comment", maxLength=MAX_COMMENT)], md=4),
            dbc.Col(dbc.Button(t("pp.save"), id="partner-programmes-save", color="primary", className="mt-4"), md=2),
        ], className="g-2 mb-2"),
        html.Div(id="partner-programmes-churn"),
    ], id="partner-programmes")


@callback(Output("partner-programmes-kkv", "children"), Output("partner-programmes-top10", "children"),
          Output("partner-programmes-churn", "children"), Output("partner-programmes-contract", "options"),
          Output("partner-programmes-request", "disabled"), Input("partner-programmes-message", "children"))
@authorized(ROLES)
def show(_message: object, scope: Scope) -> tuple:
    """The partner's level, requests, exclusions and churned contracts (its own only)."""
    with current_engine().connect() as conn:
        partner = conn.execute(select(Partner.kkv_level, Partner.kkv_valid_until)
                               .where(Partner.partner_id == scope.partner_id)).first()
        renewals = workflows.kkv_renewals(conn, scope.partner_id)
        changes = workflows.kkv_level_changes(conn, scope.partner_id)
        exclusions = workflows.top10_exclusions(conn, partner_id=scope.partner_id)
        churned = workflows.churned_contracts(conn, scope.partner_id)
    level = (partner.kkv_level or "none").lower() if partner else "none"
    no_level = partner is None or level not in ("basic", "extended") or partner.kkv_valid_until is None
    if no_level:
        state = html.P(t("pp.kkv_none"), className="text-muted", id="partner-programmes-kkv-state")
    else:
        until = partner.kkv_valid_until
        state = html.P(t("pp.kkv_state", level=t(f"pp.level.{level}"), until=day_text(until.isoformat()),
                         due=day_text(renewal_request_deadline(until).isoformat())), id="partner-programmes-kkv-state")
    pending = bool(len(renewals)) and (renewals["status"] == "pending").any()
    kkv = [state]
    if len(renewals):
        kkv += [html.H6(t("pp.kkv_requests")), program_table("partner-programmes-renewals", renewals.assign(
            status=value_labels(renewals["status"], "pp.status")),
            ["requested_at", "valid_until", "review_due", "status", "comment"])]
    if len(changes):
        kkv += [html.H6(t("pp.kkv_changes")), program_table("partner-programmes-changes", changes.assign(
            old_level=value_labels(changes["old_level"], "pp.level"),
            new_level=value_labels(changes["new_level"], "pp.level"), cause=value_labels(changes["cause"], "pp.cause")),
            ["changed_at", "old_level", "new_level", "new_valid_until", "cause"])]
    top10 = program_table("partner-programmes-exclusions", exclusions.assign(
        reason=value_labels(exclusions["reason"], "ps.reason")), ["quarter", "reason", "comment"]) \
        if len(exclusions) else html.P(t("pp.top10_none"), className="text-muted")
    churn = program_table("partner-programmes-contracts", churned.assign(
        reason=value_labels(churned["reason"], "pp.churn")),
        ["contract_id", "client_id", "ended_at", "file_reason", "reason", "comment"]) \
        if len(churned) else html.P(t("pp.churn_none"), className="text-muted")
    options = [{"label": f"{r.contract_id} · {pd.Timestamp(r.ended_at):%d.%m.%Y}", "value": r.contract_id}
               for r in churned.itertuples()]
    return kkv, top10, churn, options, bool(no_level or pending)


@callback(Output("partner-programmes-message", "children"), Input("partner-programmes-request", "n_clicks"),
          Input("partner-programmes-save", "n_clicks"), State("partner-programmes-contract", "value"),
          State("partner-programmes-reason", "value"), State("partner-programmes-comment", "value"),
          prevent_initial_call=True)
@authorized(ROLES)
def write(_request: object, _save: object, contract_id: object, reason: object, comment: object,
          scope: Scope) -> object:
    """A renewal request or a churn reason, for the logged-in partner only; audited, one transaction."""
    action = dash.ctx.triggered_id
    if action not in ("partner-programmes-request", "partner-programmes-save") or scope.partner_id is None:
        raise PreventUpdate
    try:
        with current_engine().begin() as conn:
            if action == "partner-programmes-request":
                renewal_id = workflows.request_kkv_renewal(conn, scope.login, scope.partner_id, ip=client_ip())
                due = workflows.kkv_renewals(conn, scope.partner_id).set_index("id").loc[renewal_id, "review_due"]
                message = t("pp.kkv_requested", due=day_text(pd.Timestamp(due).date().isoformat()))
            else:
                workflows.set_churn_reason(conn, scope.login, scope.partner_id, contract_id, reason, comment,
                                           ip=client_ip())
                message = t("pp.saved", contract=contract_id)
    except WorkflowError as error:
        return dbc.Alert(_message(error), color="warning", id="partner-programmes-refused")
    invalidate_data_cache()
    return dbc.Alert(message, color="success", id="partner-programmes-done")
