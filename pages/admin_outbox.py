"""Admin «Исходящие письма» (SPEC §11): the outbox — in the demo, mail is shown here instead of being sent."""
from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from auth import Scope, authorized, current_engine
from components.grid_columns import grid_records, typed_grid
from components.i18n import register_strings, t
from store.outbox import message_body, outbox_frame

ADMIN = ("admin",)
LIMIT = 500

dash.register_page(__name__, path="/admin/outbox", name="admin-outbox", label_key="admin_outbox.nav", order=94)

register_strings({
    "admin_outbox.nav": {"ru": "Исходящие письма", "en": "Outbox"},
    "admin_outbox.title": {"ru": "Исходящие письма (последние {n})", "en": "Outbox (latest {n})"},
    "admin_outbox.demo": {"ru": "Демо-режим: письма не отправляются, а показываются здесь.",
                          "en": "Demo mode: e-mail is not sent but shown here."},
    "admin_outbox.no_smtp": {"ru": "SMTP_URL не задан: письма ждут в очереди.",
                             "en": "SMTP_URL is not set: e-mail waits in the queue."},
    "admin_outbox.pick": {"ru": "Письмо", "en": "Message"},
    "admin_outbox.attachment": {"ru": "Вложение: {name}", "en": "Attachment: {name}"},
    "admin_outbox.col.id": {"ru": "№", "en": "#"},
    "admin_outbox.col.recipient": {"ru": "Получатель", "en": "Recipient"},
    "admin_outbox.col.kind": {"ru": "Вид", "en": "Kind"},
    "admin_outbox.col.subject": {"ru": "Тема", "en": "Subject"},
    "admin_outbox.col.status": {"ru": "Статус", "en": "Status"},
    "admin_outbox.col.attempts": {"ru": "Попыток", "en": "Attempts"},
    "admin_outbox.col.created_at": {"ru": "Создано", "en": "Created"},
    "admin_outbox.col.sent_at": {"ru": "Отправлено", "en": "Sent"},
    "admin_outbox.col.last_error": {"ru": "Ошибка", "en": "Error"},
    "outbox.status.queued": {"ru": "в очереди", "en": "queued"},
    "outbox.status.sending": {"ru": "отправляется", "en": "sending"},
    "outbox.status.sent": {"ru": "отправлено", "en": "sent"},
    "outbox.status.failed": {"ru": "не доставлено", "en": "failed"},
})

SPEC = [("id", "number", "admin_outbox.col.id"), *[
    (name, kind, f"admin_outbox.col.{name}") for name, kind in (
        ("created_at", "datetime"), ("recipient", "text"), ("kind", "text"), ("subject", "text"), ("status", "text"),
        ("attempts", "number"), ("sent_at", "datetime"), ("last_error", "text"))]]


@authorized(roles=ADMIN)
def layout(scope: Scope, **_query: str) -> html.Div:
    from auth.context import current_config

    with current_engine().connect() as conn:
        frame = outbox_frame(conn, LIMIT)
    options = [{"label": f"#{i} · {r} · {s}", "value": int(i)}
               for i, r, s in zip(frame["id"], frame["recipient"], frame["subject"])]
    frame["kind"] = frame["kind"].map(lambda k: t(f"mail.kind.{k}"))
    frame["status"] = frame["status"].map(lambda s: t(f"outbox.status.{s}"))
    config = current_config()
    note = t("admin_outbox.demo") if config.demo and not config.smtp_url else \
        (t("admin_outbox.no_smtp") if not config.smtp_url else None)
    return html.Div([
        html.H3(t("admin_outbox.title", n=LIMIT)),
        dbc.Alert(note, color="info") if note else None,
        typed_grid("admin-outbox", SPEC, grid_records(frame)),
        dbc.Label(t("admin_outbox.pick"), className="mt-3"),
        dcc.Dropdown(id="admin-outbox-pick", options=options, value=options[0]["value"] if options else None),
        html.Div(id="admin-outbox-message", className="mt-2"),
    ], id="admin-outbox")


@dash.callback(Output("admin-outbox-message", "children"), Input("admin-outbox-pick", "value"))
@authorized(roles=ADMIN)
def show_message(message_id: Any) -> Any:
    """The chosen message's subject, body and link as the recipient reads them."""
    if not isinstance(message_id, int):
        return None
    with current_engine().connect() as conn:
        message = message_body(conn, message_id)
    if message is None:
        return None
    return dbc.Card(dbc.CardBody([
        html.H6(message["subject"]),
        html.Small(message["recipient"], className="text-muted d-block mb-2"),
        html.Pre(message["body"], style={"whiteSpace": "pre-wrap", "fontFamily": "inherit"}),
        html.A(message["link"], href=message["link"]) if message["link"] else None,
        html.Div(t("admin_outbox.attachment", name=message["attachment_name"]), className="mt-2")
        if message["attachment_name"] else None,
    ]))
