"""Meeting actions on «Встреча с клиентом» (seed 004, SPEC §12): per finding an action with owner, due
date, status and comment; open actions, the last meeting's actions and the history of past meetings;
«Зафиксировать встречу» freezes what was flagged and agreed.

`actions_panel()` is the section's layout; `register_actions_callbacks(brief_for)` registers its
callbacks (called by pages/meeting.py at import, so every app gets its own). Every write checks the
client — and for an existing action the action's own client — against the logged-in user's scope,
never a browser-sent id; a form loaded before someone else's change is refused (stale form).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate
from sqlalchemy import Connection

from auth import Scope, authorized, current_engine
from auth.audit import client_ip
from components.alerts import forbidden_alert
from components.i18n import current_language, register_strings, t
from metrics.workflows import (
    ACTION_STATUSES,
    GENERAL_FINDING,
    MAX_COMMENT,
    MAX_OWNER,
    MAX_TITLE,
    WorkflowError,
    finding_key,
)
from reports.export import day_text
from store import clock, workflows

READ_ROLES = ("service_manager", "management", "admin")
WRITE_ROLES = ("service_manager", "admin")  # the manager who runs the meeting; admin may correct
CLIENT_ID = re.compile(r"^[\w.\-]{1,64}$")
NEW = "new"
DEFAULT_DUE_DAYS = 14  # seed 004: meetings every two weeks

register_strings({
    "ma.title": {"ru": "Действия по итогам встреч", "en": "Meeting actions"},
    "ma.open": {"ru": "Открытые действия", "en": "Open actions"},
    "ma.no_open": {"ru": "Открытых действий нет.", "en": "No open actions."},
    "ma.last": {"ru": "Согласовано на прошлой встрече ({day})", "en": "Agreed at the last meeting ({day})"},
    "ma.no_last": {"ru": "Прошлая встреча ещё не зафиксирована.", "en": "No earlier meeting has been recorded yet."},
    "ma.last_none": {"ru": "Согласовано на прошлой встрече", "en": "Agreed at the last meeting"},
    "ma.no_history": {"ru": "Встреч ещё не зафиксировано: нажмите «Зафиксировать встречу» или выгрузите бриф.",
                      "en": "No meeting recorded yet: press «Record the meeting» or export the brief."},
    "ma.history": {"ru": "История встреч", "en": "Meeting history"},
    "ma.history_item": {"ru": "{day}: сигналов {flags}, действий {actions} · {login}, {how}",
                        "en": "{day}: {flags} flags, {actions} actions · {login}, {how}"},
    "ma.how.fixed": {"ru": "зафиксирована", "en": "fixed"},
    "ma.how.pdf": {"ru": "выгружен PDF", "en": "PDF exported"},
    "ma.how.xlsx": {"ru": "выгружен XLSX", "en": "XLSX exported"},
    "ma.form": {"ru": "Действие", "en": "Action"},
    "ma.pick": {"ru": "Новое или существующее", "en": "New or existing"},
    "ma.new": {"ru": "Новое действие", "en": "New action"},
    "ma.finding": {"ru": "Находка", "en": "Finding"},
    "ma.general": {"ru": "Общее (без сигнала)", "en": "General (no flag)"},
    "ma.what": {"ru": "Что делаем", "en": "What we do"},
    "ma.owner": {"ru": "Ответственный", "en": "Owner"},
    "ma.due": {"ru": "Срок", "en": "Due"},
    "ma.status": {"ru": "Статус", "en": "Status"},
    "ma.comment": {"ru": "Комментарий", "en": "Comment"},
    "ma.save": {"ru": "Сохранить действие", "en": "Save action"},
    "ma.fix": {"ru": "Зафиксировать встречу", "en": "Record the meeting"},
    "ma.read_only": {"ru": "Действия ведёт сервис-менеджер клиента.", "en": "Actions are kept by the client's service manager."},
    "ma.saved": {"ru": "Действие сохранено.", "en": "Action saved."},
    "ma.fixed": {"ru": "Встреча зафиксирована: сигналов {flags}, действий {actions}.",
                 "en": "Meeting recorded: {flags} flags, {actions} actions."},
    "ma.status.planned": {"ru": "запланировано", "en": "planned"},
    "ma.status.in_progress": {"ru": "в работе", "en": "in progress"},
    "ma.status.done": {"ru": "выполнено", "en": "done"},
    "ma.status.dropped": {"ru": "отменено", "en": "dropped"},
    "ma.col.finding": {"ru": "Находка", "en": "Finding"},
    "ma.col.title": {"ru": "Действие", "en": "Action"},
    "ma.col.owner": {"ru": "Ответственный", "en": "Owner"},
    "ma.col.due": {"ru": "Срок", "en": "Due"},
    "ma.col.status": {"ru": "Статус", "en": "Status"},
    "ma.col.status_then": {"ru": "Тогда", "en": "Then"},
    "ma.col.status_now": {"ru": "Сейчас", "en": "Now"},
    "ma.col.comment": {"ru": "Комментарий", "en": "Comment"},
    "ma.overdue": {"ru": "просрочено", "en": "overdue"},
    # refusals (metrics.workflows.WorkflowError codes)
    "ma.err.title_required": {"ru": "Опишите действие.", "en": "Describe the action."},
    "ma.err.title_too_long": {"ru": "Описание действия длиннее {n} символов.", "en": "The action is longer than {n} characters."},
    "ma.err.title_invalid": {"ru": "Описание действия не распознано.", "en": "The action text was not understood."},
    "ma.err.owner_required": {"ru": "Укажите ответственного.", "en": "Name the owner."},
    "ma.err.owner_too_long": {"ru": "Ответственный длиннее {n} символов.", "en": "The owner is longer than {n} characters."},
    "ma.err.owner_invalid": {"ru": "Ответственный не распознан.", "en": "The owner was not understood."},
    "ma.err.due_required": {"ru": "Укажите срок.", "en": "Set the due date."},
    "ma.err.due_invalid": {"ru": "Срок не распознан: выберите день в календаре.", "en": "The due date was not understood: pick a day."},
    "ma.err.due_past": {"ru": "Срок нового действия уже прошёл: выберите сегодняшний или более поздний день.",
                        "en": "The due date of a new action has passed: pick today or later."},
    "ma.err.due_far": {"ru": "Срок дальше чем через {years} года.", "en": "The due date is more than {years} years ahead."},
    "ma.err.status_invalid": {"ru": "Выберите статус из списка.", "en": "Choose a status from the list."},
    "ma.err.comment_required": {"ru": "Для отменённого действия напишите в комментарии, почему.",
                                "en": "For a dropped action, say why in the comment."},
    "ma.err.comment_too_long": {"ru": "Комментарий длиннее {n} символов.", "en": "The comment is longer than {n} characters."},
    "ma.err.comment_invalid": {"ru": "Комментарий не распознан.", "en": "The comment was not understood."},
    "ma.err.finding_unknown": {"ru": "Такой находки нет в брифе этого периода: выберите из списка.",
                               "en": "This finding is not in the brief of this period: choose from the list."},
    "ma.err.action_unknown": {"ru": "Такого действия нет.", "en": "There is no such action."},
    "ma.err.client_unknown": {"ru": "Такого клиента нет.", "en": "There is no such client."},
    "ma.err.stale": {"ru": "Действие уже изменил кто-то другой: форма обновлена, проверьте и сохраните снова.",
                     "en": "Someone else changed this action: the form was reloaded, check it and save again."},
    "ma.err.client": {"ru": "Сначала выберите клиента.", "en": "Choose a client first."},
    "ma.err.no_brief": {"ru": "Бриф этого периода не построен: проверьте дату.", "en": "No brief for this period: check the date."},
})


def workflow_message(error: WorkflowError) -> str:
    """The user's sentence for a refused write."""
    key = f"ma.err.{error.code}"
    return t(key, **error.values) if t(key) != key else t("ma.err.action_unknown")


def scoped_client(scope: Scope, client_id: object) -> str | None:
    """The client id when well-formed and in the user's scope, else None (never trust the browser)."""
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        return None
    return client_id if scope.can_see_client(client_id) else None


def _status(value: str | None) -> str:
    return t(f"ma.status.{value}") if value in ACTION_STATUSES else (value or "—")


def finding_options(brief: dict | None, lang: str) -> list[dict]:
    """The brief's findings as dropdown options, «general» first."""
    flags = (brief or {}).get("flags") or []
    return [{"label": t("ma.general"), "value": GENERAL_FINDING}] + [
        {"label": f.get(f"label_{lang}") or f.get("label_ru") or finding_key(f), "value": finding_key(f)}
        for f in flags]


def findings_of(brief: dict | None) -> dict[str, str]:
    """finding key → its Russian wording (stored with the action)."""
    return {finding_key(f): f.get("label_ru") or finding_key(f) for f in (brief or {}).get("flags") or []}


def actions_table(actions: list[dict], table_id: str, then_and_now: bool = False) -> dbc.Table:
    """Finding, action, owner, due date (overdue marked), status (then and now for a past meeting), comment."""
    today = clock.today().isoformat()
    status_cols = ["ma.col.status_then", "ma.col.status_now"] if then_and_now else ["ma.col.status"]
    head = html.Thead(html.Tr([html.Th(t(k)) for k in ("ma.col.finding", "ma.col.title", "ma.col.owner",
                                                          "ma.col.due", *status_cols, "ma.col.comment")]))
    rows = []
    for a in actions:
        late = a["status"] in ("planned", "in_progress") and a["due_date"] < today and not then_and_now
        states = [_status(a["status"])] + ([_status(a.get("status_now"))] if then_and_now else [])
        rows.append(html.Tr([
            html.Td(a.get("finding_label") or t("ma.general"), className="small"),
            html.Td(a["title"]), html.Td(a["owner"]),
            html.Td([day_text(a["due_date"])] + ([html.Span(" · " + t("ma.overdue"), className="text-danger")]
                                                  if late else []), className="text-nowrap"),
            *[html.Td(s, className="text-nowrap") for s in states],
            html.Td(a.get("comment") or "", className="small text-muted"),
        ], id={"type": f"{table_id}-row", "index": a["id"]}))
    return dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, responsive=True, id=table_id,
                     className="meeting-actions-table")


def section_view(section: dict) -> list:
    """Open actions, the last meeting's actions (status then and now) and links to past meetings."""
    last = section["last_meeting"]
    history = [html.Li(dcc.Link(t("ma.history_item", day=day_text(h["period_end"]), flags=h["flag_count"],
                                  actions=h["action_count"], login=h["login"], how=t(f"ma.how.{h['trigger']}")),
                                href=f"/meeting/history?snapshot={h['id']}"), className="small")
               for h in section["history"]]
    return [
        html.H5(t("ma.open")),
        actions_table(section["open"], "meeting-actions-open") if section["open"]
        else html.P(t("ma.no_open"), className="text-muted", id="meeting-actions-no-open"),
        html.H5(t("ma.last", day=day_text(last["period_end"])) if last else t("ma.last_none"), className="mt-3"),
        actions_table(last["actions"], "meeting-actions-last", then_and_now=True) if last and last["actions"]
        else html.P(t("ma.no_last") if last is None else t("ma.no_open"), className="text-muted",
                    id="meeting-actions-no-last"),
        html.H5(t("ma.history"), className="mt-3"),
        html.Ul(history, id="meeting-actions-history") if history
        else html.P(t("ma.no_history"), className="text-muted"),
    ]


def _field(label: str, component, md: int) -> dbc.Col:
    return dbc.Col([dbc.Label(label, className="small mb-1"), component], md=md)


def actions_panel(scope: Scope) -> html.Div:
    """The section's skeleton: the lists (filled per client) and, for the roles that write, the form."""
    statuses = [{"label": t(f"ma.status.{s}"), "value": s} for s in ACTION_STATUSES]
    if scope.role not in WRITE_ROLES:
        form = html.P(t("ma.read_only"), className="text-muted small")
    else:
        form = dbc.Card(dbc.CardBody([
            html.H5(t("ma.form")),
            dbc.Row([
                _field(t("ma.pick"), dcc.Dropdown(id="meeting-actions-pick", value=NEW, clearable=False,
                                                  options=[{"label": t("ma.new"), "value": NEW}]), 4),
                _field(t("ma.finding"), dcc.Dropdown(id="meeting-actions-finding", value=GENERAL_FINDING,
                                                     clearable=False), 8),
                _field(t("ma.what"), dbc.Input(id="meeting-actions-title", maxLength=MAX_TITLE), 6),
                _field(t("ma.owner"), dbc.Input(id="meeting-actions-owner", maxLength=MAX_OWNER), 3),
                _field(t("ma.due"), html.Div(dcc.DatePickerSingle(id="meeting-actions-due",
                                                                  display_format="DD.MM.YYYY",
                                                                  first_day_of_week=1)), 3),
                _field(t("ma.status"), dcc.Dropdown(id="meeting-actions-status", options=statuses,
                                                    value="planned", clearable=False), 3),
                _field(t("ma.comment"), dbc.Textarea(id="meeting-actions-comment", maxLength=MAX_COMMENT, rows=1), 9),
            ], className="g-2"),
            html.Div([
                dbc.Button(t("ma.save"), id="meeting-actions-save", color="primary", className="me-2"),
                dbc.Button(t("ma.fix"), id="meeting-actions-fix", color="secondary", outline=True),
            ], className="mt-2"),
            dcc.Store(id="meeting-actions-version"),
        ]), className="mb-3")
    return html.Div([
        html.H4(t("ma.title"), className="mt-4"),
        html.Div(id="meeting-actions-message"),
        form,
        dcc.Loading(html.Div(id="meeting-actions-body")),
    ], id="meeting-actions")


def _pick_options(section: dict) -> list[dict]:
    return [{"label": t("ma.new"), "value": NEW}] + [
        {"label": f"{a['title'][:60]} · {day_text(a['due_date'])} · {_status(a['status'])}", "value": a["id"]}
        for a in section["all"]]


def _fresh(conn: Connection, client_id: str) -> dict:
    return workflows.meeting_actions_section(conn, client_id)


def register_actions_callbacks(brief_for: Callable[[str, str], dict | None],
                               period_end_of: Callable[[object], dt.date | None]) -> None:
    """Register the section's callbacks; `brief_for(client_id, day_iso)` is the page's (cached) brief."""

    @dash.callback(Output("meeting-actions-body", "children"), Input("meeting-client", "value"),
                   Input("meeting-actions-message", "children"))
    @authorized(READ_ROLES)
    def show_actions(client_id: object, _message: object, scope: Scope) -> list | html.Div:
        """The lists of the chosen client (re-read after every write)."""
        allowed = scoped_client(scope, client_id)
        if allowed is None:
            return forbidden_alert() if client_id is not None else []
        with current_engine().connect() as conn:
            return section_view(_fresh(conn, allowed))

    @dash.callback(Output("meeting-actions-pick", "options"), Output("meeting-actions-finding", "options"),
                   Input("meeting-client", "value"), Input("meeting-period-end", "date"),
                   Input("meeting-actions-message", "children"))
    @authorized(WRITE_ROLES)
    def form_options(client_id: object, period_end: object, _message: object, scope: Scope) -> tuple:
        """Existing actions to edit and the findings of this period's brief."""
        allowed = scoped_client(scope, client_id)
        day = period_end_of(period_end)
        if allowed is None or day is None:
            raise PreventUpdate
        with current_engine().connect() as conn:
            section = _fresh(conn, allowed)
        return _pick_options(section), finding_options(brief_for(allowed, day.isoformat()), current_language())

    @dash.callback(Output("meeting-actions-finding", "value"), Output("meeting-actions-title", "value"),
                   Output("meeting-actions-owner", "value"), Output("meeting-actions-due", "date"),
                   Output("meeting-actions-status", "value"), Output("meeting-actions-comment", "value"),
                   Output("meeting-actions-version", "data"),
                   Input("meeting-actions-pick", "value"), Input("meeting-client", "value"),
                   Input("meeting-actions-message", "children"))
    @authorized(WRITE_ROLES)
    def fill_form(pick: object, client_id: object, _message: object, scope: Scope) -> tuple:
        """An existing action's values (with its version), or an empty form for a new one."""
        allowed = scoped_client(scope, client_id)
        if allowed is None:
            raise PreventUpdate
        with current_engine().connect() as conn:
            action = workflows.meeting_action(conn, pick) if pick != NEW else None
        if action is None or action["client_id"] != allowed:
            due = (clock.today() + dt.timedelta(days=DEFAULT_DUE_DAYS)).isoformat()
            return GENERAL_FINDING, "", scope.name, due, "planned", "", None
        return (action["finding"], action["title"], action["owner"], action["due_date"].isoformat(),
                action["status"], action["comment"] or "", action["version"])

    @dash.callback(Output("meeting-actions-message", "children"),
                   Output("meeting-actions-pick", "value"),
                   Input("meeting-actions-save", "n_clicks"), Input("meeting-actions-fix", "n_clicks"),
                   State("meeting-client", "value"), State("meeting-period-end", "date"),
                   State("meeting-actions-pick", "value"), State("meeting-actions-version", "data"),
                   State("meeting-actions-finding", "value"), State("meeting-actions-title", "value"),
                   State("meeting-actions-owner", "value"), State("meeting-actions-due", "date"),
                   State("meeting-actions-status", "value"), State("meeting-actions-comment", "value"),
                   prevent_initial_call=True)
    @authorized(WRITE_ROLES)
    def write(_save: object, _fix: object, client_id: object, period_end: object, pick: object, version: object,
              finding: object, title: object, owner: object, due: object, status: object, comment: object,
              scope: Scope) -> tuple:
        """Save the action (new or changed) or record the meeting; audited, one transaction."""
        trigger = dash.ctx.triggered_id
        if trigger not in ("meeting-actions-save", "meeting-actions-fix"):
            raise PreventUpdate
        if client_id is None:
            return dbc.Alert(t("ma.err.client"), color="warning"), dash.no_update
        allowed = scoped_client(scope, client_id)
        if allowed is None:
            return forbidden_alert(), dash.no_update
        day = period_end_of(period_end)
        brief = brief_for(allowed, day.isoformat()) if day is not None else None
        if brief is None:
            return dbc.Alert(t("ma.err.no_brief"), color="warning"), dash.no_update
        engine = current_engine()
        try:
            with engine.begin() as conn:
                if trigger == "meeting-actions-fix":
                    workflows.record_meeting_snapshot(conn, scope.login, allowed, day, "fixed", brief["flags"],
                                                      ip=client_ip())
                    count = len(workflows.meeting_actions(conn, allowed))
                    message = t("ma.fixed", flags=len(brief["flags"]), actions=count)
                    pick_after = dash.no_update
                elif pick == NEW:
                    fields = {"finding": finding, "title": title, "owner": owner, "due_date": due,
                              "status": status, "comment": comment}
                    pick_after = workflows.add_meeting_action(conn, scope.login, allowed, fields, findings_of(brief),
                                                              ip=client_ip())
                    message = t("ma.saved")
                else:
                    action = workflows.meeting_action(conn, pick)
                    if action is None:
                        raise WorkflowError("action_unknown")
                    if action["client_id"] != allowed:  # another client's action: not this user's to touch
                        return forbidden_alert(), dash.no_update
                    fields = {"title": title, "owner": owner, "due_date": due, "status": status,
                              "comment": comment}
                    workflows.update_meeting_action(conn, scope.login, action["id"], version, fields, ip=client_ip())
                    pick_after, message = action["id"], t("ma.saved")
        except WorkflowError as error:
            return dbc.Alert(workflow_message(error), color="warning", id="meeting-actions-refused"), dash.no_update
        return dbc.Alert(message, color="success", id="meeting-actions-done", duration=6000), pick_after
