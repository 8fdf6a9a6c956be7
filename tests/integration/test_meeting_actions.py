"""Meeting actions on /meeting, called as a (hostile) browser would (SPEC §8, §12).

Data: `insert_meeting_data` — C1 «ООО Ромашка» served by the demo login `manager` with the seed-004
shift (flag development_share:share in the period ending 28.05.2024), C2 served by someone else.
"""
from __future__ import annotations

import base64
import datetime as dt
import io
import json

import openpyxl
import pytest
from sqlalchemy import insert, select

from store.models import AuditLog, MeetingAction, MeetingSnapshot
from tests.integration.stored_rows import count_rows
from tests.integration.callback_harness import (
    app_engine,
    assert_clean,
    logged_in_client,
    make_app,
)
from tests.integration.test_meeting_brief import insert_meeting_data

UPDATE = "/_dash-update-component"
PERIOD_END = "2024-05-28"
FINDING = "development_share:share"
WRITE = {"output": "..meeting-actions-message.children...meeting-actions-pick.value..",
         "outputs": [{"id": "meeting-actions-message", "property": "children"},
                     {"id": "meeting-actions-pick", "property": "value"}]}
DUE = (dt.date.today() + dt.timedelta(days=7)).isoformat()


@pytest.fixture()
def app(tmp_path):
    app = make_app(tmp_path)
    insert_meeting_data(app_engine(app), manager="manager")
    return app


def _text(response) -> str:
    data = response.get_json(silent=True)
    text = json.dumps(data, ensure_ascii=False) if data is not None else response.get_data(as_text=True)
    return text.replace("\xa0", " ").replace("\u202f", " ")  # Babel groups thousands with a no-break space


def _write(client, button="meeting-actions-save", client_id="C1", pick="new", version=None, **fields):
    values = {"finding": FINDING, "title": "Понизить приоритет части доработок", "owner": "Анна (менеджер)",
              "due": DUE, "status": "planned", "comment": "", **fields}
    states = [("meeting-client", "value", client_id), ("meeting-period-end", "date", PERIOD_END),
              ("meeting-actions-pick", "value", pick), ("meeting-actions-version", "data", version),
              ("meeting-actions-finding", "value", values["finding"]),
              ("meeting-actions-title", "value", values["title"]), ("meeting-actions-owner", "value", values["owner"]),
              ("meeting-actions-due", "date", values["due"]), ("meeting-actions-status", "value", values["status"]),
              ("meeting-actions-comment", "value", values["comment"])]
    body = {**WRITE, "changedPropIds": [f"{button}.n_clicks"],
            "inputs": [{"id": b, "property": "n_clicks", "value": 1 if b == button else None}
                       for b in ("meeting-actions-save", "meeting-actions-fix")],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in states]}
    return client.post(UPDATE, json=body)


def _actions(app) -> list[dict]:
    with app_engine(app).connect() as conn:
        return [dict(r) for r in conn.execute(select(MeetingAction.__table__)).mappings()]


def _count(app, model, **where) -> int:
    return count_rows(app_engine(app), model, **where)


def _other_clients_action(app) -> int:
    with app_engine(app).begin() as conn:
        return conn.execute(insert(MeetingAction).values(
            client_id="C2", finding="general", title="Чужое действие", owner="Пётр", due_date=dt.date(2026, 12, 1),
            status="planned", created_by="other", created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
            updated_by="other", updated_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), version=1)).inserted_primary_key[0]


def test_manager_adds_an_action_for_a_finding_and_it_is_audited(app):
    response = _write(logged_in_client(app, "manager"))
    assert response.status_code == 200 and "meeting-actions-done" in _text(response)
    [action] = _actions(app)
    assert (action["client_id"], action["finding"], action["created_by"]) == ("C1", FINDING, "manager")
    assert action["finding_label"] and action["status"] == "planned"
    assert _count(app, AuditLog, action="meeting_action_add", login="manager") == 1


def test_the_action_is_shown_and_offered_for_editing(app):
    manager = logged_in_client(app, "manager")
    _write(manager)
    body = {"output": "meeting-actions-body.children",
            "outputs": {"id": "meeting-actions-body", "property": "children"},
            "changedPropIds": ["meeting-client.value"],
            "inputs": [{"id": "meeting-client", "property": "value", "value": "C1"},
                       {"id": "meeting-actions-message", "property": "children", "value": None}]}
    text = _text(manager.post(UPDATE, json=body))
    assert "Понизить приоритет части доработок" in text and "meeting-actions-open" in text


@pytest.mark.parametrize(("fields", "message"), [
    ({"title": ""}, "Опишите действие"), ({"owner": None}, "Укажите ответственного"),
    ({"due": "2020-01-01"}, "уже прошёл"), ({"due": ["2026-12-01"]}, "Укажите срок"),
    ({"status": "закрыто"}, "Выберите статус"), ({"status": "dropped"}, "почему"),
    ({"finding": "sla:other"}, "Такой находки нет"), ({"title": {"x": 1}}, "не распознано"),
    ({"comment": "x" * 5000}, "длиннее 2 000"),
])
def test_invalid_input_gets_a_russian_message_and_nothing_is_written(app, fields, message):
    response = _write(logged_in_client(app, "manager"), **fields)
    assert_clean(response)
    assert message in _text(response)
    assert _actions(app) == [] and _count(app, AuditLog, action="meeting_action_add") == 0


def test_manager_cannot_write_for_a_client_not_theirs(app):
    response = _write(logged_in_client(app, "manager"), client_id="C2")
    assert "forbidden" in _text(response) and _actions(app) == []


@pytest.mark.parametrize("login", ["partner", "management"])
def test_other_roles_cannot_write(app, login):
    response = _write(logged_in_client(app, login))
    assert response.status_code == 204 or "forbidden" in _text(response)
    assert _actions(app) == [] and _count(app, MeetingSnapshot) == 0


def test_another_clients_action_cannot_be_changed_through_my_client(app):
    foreign = _other_clients_action(app)
    response = _write(logged_in_client(app, "manager"), pick=foreign, version=1, title="Перехвачено")
    assert "forbidden" in _text(response)
    assert [a["title"] for a in _actions(app)] == ["Чужое действие"]


@pytest.mark.parametrize("pick", [10**12, "1; DELETE FROM meeting_actions", [1], True, -5])
def test_crafted_action_ids_are_refused_plainly(app, pick):
    response = _write(logged_in_client(app, "manager"), pick=pick, version=1)
    assert_clean(response)
    assert "Такого действия нет" in _text(response) and _actions(app) == []


def test_stale_form_is_refused_and_the_newer_change_survives(app):
    manager = logged_in_client(app, "manager")
    _write(manager)
    [action] = _actions(app)
    _write(logged_in_client(app, "admin"), pick=action["id"], version=1, status="in_progress")
    response = _write(manager, pick=action["id"], version=1, status="done")
    assert "изменил кто-то другой" in _text(response)
    [after] = _actions(app)
    assert (after["status"], after["version"], after["updated_by"]) == ("in_progress", 2, "admin")


def test_recording_the_meeting_freezes_flags_and_actions_and_links_the_history(app):
    from reports.meeting import meeting_brief

    with app_engine(app).connect() as conn:
        flags = len(meeting_brief(conn, "C1", PERIOD_END)["flags"])  # after the tests of chance (SPEC §6)
    manager = logged_in_client(app, "manager")
    _write(manager)
    response = _write(manager, button="meeting-actions-fix")
    assert f"Встреча зафиксирована: сигналов {flags}, действий 1." in _text(response)
    with app_engine(app).connect() as conn:
        snapshot = conn.execute(select(MeetingSnapshot.__table__)).mappings().one()
    assert FINDING in [f["finding"] for f in snapshot["flags"]] and len(snapshot["flags"]) == flags >= 2
    assert snapshot["actions"][0]["title"].startswith("Понизить")
    assert manager.get(f"/meeting/history?snapshot={snapshot['id']}").status_code == 200


def test_history_page_shows_only_clients_in_scope(app):
    from pages.meeting_history import layout

    with app_engine(app).begin() as conn:
        own, foreign = (conn.execute(insert(MeetingSnapshot).values(
            client_id=c, period_end=dt.date(2024, 5, 28), trigger="fixed", login="x",
            created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), flags=[], actions=[
                {"id": 1, "finding": "general", "finding_label": None, "title": f"Действие {c}", "owner": "Анна",
                 "due_date": "2026-12-01", "status": "done", "comment": None}])).inserted_primary_key[0]
            for c in ("C1", "C2"))
    with app.server.test_request_context():
        from flask_login import login_user

        from auth.scope import LoginUser
        from auth.users import get_user

        login_user(LoginUser(get_user(app_engine(app), "manager")))
        shown = str(layout(snapshot=str(own)))
        hidden = str(layout(snapshot=str(foreign)))
        unknown = str(layout(snapshot="99999"))
        crafted = str(layout(snapshot="1 OR 1=1"))
    assert "Действие C1" in shown and "Действие C2" not in hidden and "forbidden" in hidden
    assert "Такой записи о встрече нет" in unknown and "Такой записи о встрече нет" in crafted


def test_exported_brief_carries_the_actions_and_becomes_a_history_entry(app):
    manager = logged_in_client(app, "manager")
    _write(manager)
    body = {"output": "meeting-download.data", "outputs": {"id": "meeting-download", "property": "data"},
            "changedPropIds": ["meeting-xlsx.n_clicks"],
            "inputs": [{"id": "meeting-pdf", "property": "n_clicks", "value": None},
                       {"id": "meeting-xlsx", "property": "n_clicks", "value": 1}],
            "state": [{"id": "meeting-client", "property": "value", "value": "C1"},
                      {"id": "meeting-period-end", "property": "date", "value": PERIOD_END}]}
    response = manager.post(UPDATE, json=body)
    data = response.get_json()["response"]["meeting-download"]["data"]
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(data["content"])))
    cells = [c for row in book["Actions"].iter_rows(values_only=True) for c in row if c]
    assert "Понизить приоритет части доработок" in cells and "запланировано" in cells
    assert _count(app, MeetingSnapshot, trigger="xlsx", login="manager", client_id="C1") == 1


def test_cross_site_forms_cannot_write(app):
    """CSRF (SPEC §12): the session cookie is SameSite=Lax (not sent on a cross-site POST) and Dash takes only
    JSON bodies, which a cross-site form or a no-cors request cannot send; either way nothing is written."""
    manager = logged_in_client(app, "manager")
    cookie = manager.get_cookie("session")
    assert cookie is not None and cookie.same_site == "Lax"
    body = json.dumps({**WRITE, "changedPropIds": ["meeting-actions-save.n_clicks"], "inputs": [], "state": []})
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        response = manager.post(UPDATE, data=body, content_type=content_type)
        assert response.status_code >= 400
    assert _actions(app) == []
