"""One past client meeting (seed 004, SPEC §12): what was flagged and what was agreed, as frozen when
the brief was exported or the meeting recorded. The snapshot's client is checked against the
logged-in user's scope; the id in the URL is never trusted on its own.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from auth import Scope, authorized, current_engine
from components.alerts import forbidden_alert
from components.i18n import current_language, register_strings, t
from components.meeting_actions import READ_ROLES, actions_table
from reports.export import day_text
from store.queries import client_record
from store.workflows import meeting_snapshot

dash.register_page(__name__, path="/meeting/history", name="meeting-history", title="История встречи",
                   roles=READ_ROLES)
MAX_ID_DIGITS = 9

register_strings({
    "mh.title": {"ru": "Встреча с клиентом {name}: {day}", "en": "Meeting with {name}: {day}"},
    "mh.meta": {"ru": "Зафиксировал(а) {login} {at} UTC ({how})", "en": "Recorded by {login} {at} UTC ({how})"},
    "mh.flags": {"ru": "Что было отмечено", "en": "What was flagged"},
    "mh.no_flags": {"ru": "Отрицательной динамики не было.", "en": "There was no negative dynamics."},
    "mh.agreed": {"ru": "Что было согласовано", "en": "What was agreed"},
    "mh.back": {"ru": "← К встрече с клиентом", "en": "← Back to the client meeting"},
    "mh.unknown": {"ru": "Такой записи о встрече нет.", "en": "There is no such meeting record."},
})


def _snapshot_id(value: object) -> int | None:
    if not isinstance(value, str) or not value.isdigit() or len(value) > MAX_ID_DIGITS:
        return None
    return int(value)


@authorized(READ_ROLES)
def layout(scope: Scope, snapshot: str | None = None, **_query: str) -> html.Div:
    """The frozen flags and actions of one meeting of a client in the user's scope."""
    snapshot_id = _snapshot_id(snapshot)
    with current_engine().connect() as conn:
        record = meeting_snapshot(conn, snapshot_id) if snapshot_id is not None else None
        if record is None:
            return html.Div(dbc.Alert(t("mh.unknown"), color="warning"), id="meeting-history")
        if not scope.can_see_client(record["client_id"]):
            return html.Div(forbidden_alert(), id="meeting-history")
        client = client_record(conn, record["client_id"]) or {"name": record["client_id"]}
    lang = current_language()
    flags = record["flags"]
    flag_items = [dbc.ListGroupItem([html.Strong(f.get(f"label_{lang}") or f.get("label_ru") or f["finding"]),
                                     html.Div(f.get(f"sentence_{lang}") or f.get("sentence_ru") or ""),
                                     html.Div(f.get(f"action_{lang}") or "", className="small text-muted")])
                  for f in flags]
    at = pd.Timestamp(record["created_at"])
    return html.Div([
        dcc.Link(t("mh.back"), href=f"/meeting?client={record['client_id']}", className="small"),
        html.H2(t("mh.title", name=client.get("name") or record["client_id"], day=day_text(str(record["period_end"])))),
        html.P(t("mh.meta", login=record["login"], at=f"{at:%d.%m.%Y %H:%M}", how=t(f"ma.how.{record['trigger']}")),
               className="text-muted"),
        html.H4(t("mh.flags")),
        dbc.ListGroup(flag_items, id="meeting-history-flags") if flag_items
        else html.P(t("mh.no_flags"), className="text-muted"),
        html.H4(t("mh.agreed"), className="mt-4"),
        html.Div(actions_table(record["actions"], "meeting-history-table") if record["actions"]
                 else html.P(t("ma.no_open"), className="text-muted"), id="meeting-history-actions"),
    ], id="meeting-history")
