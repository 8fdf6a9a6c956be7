"""Enterprise implementations competence, KKV (seed 001): level validity, renewal requests, overdue
progress reports on enterprise projects, KKV points by source, the public extended list. Management, admin.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate
from sqlalchemy import select

from auth import Scope, authorized, current_engine, current_scope
from auth.audit import client_ip
from components.cache import invalidate_data_cache
from components.cards import empty_state, kpi_card
from components.charts import bar, figure, graph
from components.i18n import register_strings, t
from components.program_tables import program_table, register_columns, value_labels
from metrics.workflows import MAX_COMMENT, WorkflowError
from reports.programs import kkv_overview
from store import clock, workflows
from store.models import Partner
from store.program_queries import kkv_inputs

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
    "pk.requests": {"ru": "Заявки партнёров на продление", "en": "Partners' renewal requests"},
    "pk.no_requests": {"ru": "Заявок на рассмотрении нет.", "en": "No request is pending."},
    "pk.request": {"ru": "Заявка", "en": "Request"},
    "pk.comment": {"ru": "Комментарий (обязателен при отказе, виден партнёру)",
                   "en": "Comment (required to reject, shown to the partner)"},
    "pk.approve": {"ru": "Одобрить продление", "en": "Approve renewal"},
    "pk.reject": {"ru": "Отказать", "en": "Reject"},
    "pk.approved": {"ru": "Продление одобрено: уровень продлён на год.", "en": "Renewal approved: the level runs one more year."},
    "pk.rejected": {"ru": "В продлении отказано.", "en": "Renewal rejected."},
    "pk.review_late": {"ru": "срок рассмотрения прошёл", "en": "review overdue"},
    "pk.status.pending": {"ru": "на рассмотрении", "en": "pending"},
    "pk.status.approved": {"ru": "одобрена", "en": "approved"},
    "pk.status.rejected": {"ru": "отклонена", "en": "rejected"},
    "pk.err.renewal_unknown": {"ru": "Выберите заявку из списка.", "en": "Choose a request from the list."},
    "pk.err.stale": {"ru": "Эту заявку уже рассмотрели: список обновлён.", "en": "This request was already decided: the list was reloaded."},
    "pk.err.comment_required": {"ru": "При отказе напишите причину в комментарии.", "en": "Give the reason for a rejection."},
    "pk.err.comment_too_long": {"ru": "Комментарий длиннее {n} символов.", "en": "The comment is longer than {n} characters."},
    "pk.err.comment_invalid": {"ru": "Комментарий не распознан.", "en": "The comment was not understood."},
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
    "requested_at": ("Подана", "Requested"), "review_due": ("Решение не позднее", "Decision due"),
    "status": ("Статус", "Status"), "valid_until": ("Срок, который продлевается", "Term renewed"),
    "requested_by": ("Кто подал", "Requested by"), "reviewed_by": ("Кто решил", "Decided by"),
    "comment": ("Комментарий", "Comment"), "level": ("Уровень", "Level"),
})
REVIEWERS = ("admin",)


def _review_form() -> dbc.Card:
    """Admin only: approve or reject a pending request (seed 001 §4.9, §4.10)."""
    return dbc.Card(dbc.CardBody([
        dbc.Row([
            dbc.Col([dbc.Label(t("pk.request"), className="small mb-1"), dcc.Dropdown(id="pk-review-pick")], md=4),
            dbc.Col([dbc.Label(t("pk.comment"), className="small mb-1"),
                     dbc.Input(id="pk-review-comment", maxLength=MAX_COMMENT)], md=5),
            dbc.Col([dbc.Button(t("pk.approve"), id="pk-approve", color="success", className="mt-4 me-2"),
                     dbc.Button(t("pk.reject"), id="pk-reject", color="danger", outline=True, className="mt-4")], md=3),
        ], className="g-2"),
    ]), className="mb-2")


def layout(**_query: str) -> html.Div:
    """Header and the body filled by `show_kkv` (recomputed on every visit)."""
    review = [_review_form()] if current_scope().role in REVIEWERS else []
    return html.Div([html.H3(t("pk.title")), html.P(t("pk.intro"), className="text-muted"),
                     dcc.Location(id="pk-url", refresh=False),
                     html.H5(t("pk.requests")), html.Div(id="pk-review-message"), *review,
                     html.Div(id="pk-requests"),
                     dcc.Loading(html.Div(id="pk-body"))],
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


def _requests() -> pd.DataFrame:
    """Every renewal request with the partner's name, pending first, then by review due date."""
    with current_engine().connect() as conn:
        requests = workflows.kkv_renewals(conn)
        names = dict(conn.execute(select(Partner.partner_id, Partner.name)).all())
    return requests.assign(name=requests["partner_id"].map(names), pending=requests["status"] == "pending") \
        .sort_values(["pending", "review_due"], ascending=[False, True], kind="stable")


@callback(Output("pk-review-pick", "options"), Input("pk-url", "pathname"), Input("pk-review-message", "children"))
@authorized(roles=REVIEWERS)
def review_options(_path: object, _message: object) -> list[dict]:
    """The pending requests the admin may decide."""
    requests = _requests()
    return [{"label": f"{r.name or r.partner_id} · {t('pk.level.' + r.level)} · {r.requested_at:%d.%m.%Y}",
             "value": int(r.id)} for r in requests[requests["pending"]].itertuples()]


@callback(Output("pk-requests", "children"), Input("pk-url", "pathname"), Input("pk-review-message", "children"))
@authorized(roles=ROLES)
def show_requests(_path: object, _message: object) -> object:
    """Every renewal request, pending first; the review due date is in the vendor's working days."""
    requests = _requests()
    if requests.empty:
        return html.P(t("pk.no_requests"), className="text-muted", id="pk-no-requests")
    late = requests["pending"] & (requests["review_due"].dt.date < clock.today())
    shown = requests.assign(status=value_labels(requests["status"], "pk.status").where(
        ~late, value_labels(requests["status"], "pk.status") + " · " + t("pk.review_late")),
        level=value_labels(requests["level"], "pk.level"))
    return program_table("pk-requests-grid", shown, ["partner_id", "name", "level", "valid_until", "requested_at",
                                                       "requested_by", "review_due", "status", "reviewed_by",
                                                       "comment"])


@callback(Output("pk-review-message", "children"), Input("pk-approve", "n_clicks"), Input("pk-reject", "n_clicks"),
          State("pk-review-pick", "value"), State("pk-review-comment", "value"), prevent_initial_call=True)
@authorized(roles=REVIEWERS)
def review(_approve: object, _reject: object, renewal_id: object, comment: object, scope: Scope) -> object:
    """Approve (prolong one year) or reject (with a reason) a pending request; audited, one transaction."""
    action = dash.ctx.triggered_id
    if action not in ("pk-approve", "pk-reject"):
        raise PreventUpdate
    try:
        with current_engine().begin() as conn:
            workflows.review_kkv_renewal(conn, scope.login, renewal_id, action == "pk-approve", comment,
                                         ip=client_ip())
    except WorkflowError as error:
        key = f"pk.err.{error.code}"
        return dbc.Alert(t(key, **error.values) if t(key) != key else t("pk.err.renewal_unknown"), color="warning",
                         id="pk-review-refused")
    invalidate_data_cache()
    return dbc.Alert(t("pk.approved" if action == "pk-approve" else "pk.rejected"), color="success", id="pk-reviewed")


@callback(Output("pk-body", "children"), Input("pk-url", "pathname"), Input("pk-review-message", "children"))
@authorized(roles=ROLES)
def show_kkv(_path: object, _message: object) -> object:
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
