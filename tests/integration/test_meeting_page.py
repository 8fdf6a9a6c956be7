"""The /meeting page's callbacks, called directly as a hostile browser could (SPEC §8).

Data: `insert_meeting_data` — C1 «ООО Ромашка» served by the demo login `manager`, C2 «ООО Василёк»
served by someone else.
"""
from __future__ import annotations

import base64
import io
import json

import openpyxl
import pytest
from sqlalchemy import select

from store.models import AuditLog
from tests.integration.callback_harness import app_engine, assert_clean, logged_in_client, make_app
from tests.integration.test_meeting_brief import insert_meeting_data

UPDATE = "/_dash-update-component"
CONTENT = {"output": "meeting-content.children", "outputs": {"id": "meeting-content", "property": "children"}}
DOWNLOAD = {"output": "meeting-download.data", "outputs": {"id": "meeting-download", "property": "data"}}
OPTIONS = {"output": "meeting-client.options", "outputs": {"id": "meeting-client", "property": "options"}}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("meeting_page"))
    insert_meeting_data(app_engine(app), manager="manager")
    return app


@pytest.fixture(scope="module")
def manager(app):
    return logged_in_client(app, "manager")


def _text(response) -> str:
    """The answer with Cyrillic readable (Dash escapes non-ASCII in its JSON)."""
    data = response.get_json(silent=True)
    return json.dumps(data, ensure_ascii=False) if data is not None else _text(response)


def _show(client, client_id, period_end="2024-05-28"):
    body = {**CONTENT, "changedPropIds": ["meeting-client.value"],
            "inputs": [{"id": "meeting-client", "property": "value", "value": client_id},
                       {"id": "meeting-period-end", "property": "date", "value": period_end}]}
    return client.post(UPDATE, json=body)


def _download(client, button, client_id, period_end="2024-05-28"):
    body = {**DOWNLOAD, "changedPropIds": [f"{button}.n_clicks"],
            "inputs": [{"id": "meeting-pdf", "property": "n_clicks", "value": 1 if button == "meeting-pdf" else None},
                       {"id": "meeting-xlsx", "property": "n_clicks", "value": 1 if button == "meeting-xlsx" else None}],
            "state": [{"id": "meeting-client", "property": "value", "value": client_id},
                      {"id": "meeting-period-end", "property": "date", "value": period_end}]}
    return client.post(UPDATE, json=body)


def test_manager_sees_the_flag_of_their_client(manager):
    response = _show(manager, "C1")
    text = _text(response)
    assert response.status_code == 200
    assert "Разработка вытесняет поддержку" in text
    assert "понизить приоритет" in text


def test_manager_gets_nothing_of_a_client_not_theirs(manager):
    response = _show(manager, "C2")
    text = _text(response)
    assert response.status_code == 200 and "forbidden" in text
    assert "Василёк" not in text and "X1" not in text


@pytest.mark.parametrize("value", [5, ["C1"], {"client_id": "C1"}, "x" * 5000, "'; DROP TABLE tickets; --"])
def test_crafted_client_values_are_refused_plainly(manager, value):
    response = _show(manager, value)
    assert_clean(response)
    assert "forbidden" in _text(response) and "meeting-period" not in _text(response)


def test_no_client_chosen_asks_to_choose(manager):
    assert "meeting-choose" in _text(_show(manager, None))


def test_crafted_dates_answer_plainly(manager):
    for value in (None, 7, "31.02.2024", "2024-02-31", "x" * 500):
        assert_clean(_show(manager, "C1", value))


def test_download_of_a_client_not_theirs_gives_nothing(manager):
    response = _download(manager, "meeting-pdf", "C2")
    assert response.status_code == 204


def test_options_search_lists_only_the_managers_clients(manager):
    body = {**OPTIONS, "changedPropIds": ["meeting-client.search_value"],
            "inputs": [{"id": "meeting-client", "property": "search_value", "value": "ООО"}],
            "state": [{"id": "meeting-client", "property": "value", "value": "C2"}]}
    response = manager.post(UPDATE, json=body)
    text = _text(response)
    assert "C1" in text and "C2" not in text and "Василёк" not in text


def test_xlsx_download_is_audited(app, manager):
    response = _download(manager, "meeting-xlsx", "C1")
    assert response.status_code == 200
    data = response.get_json()["response"]["meeting-download"]["data"]
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(data["content"])))
    assert book.sheetnames == ["KPI", "Flags", "Actions", "Tickets", "Hours"]
    with app_engine(app).connect() as conn:
        details = conn.scalars(select(AuditLog.detail).where(AuditLog.login == "manager",
                                                             AuditLog.action == "export")).all()
    assert "meeting xlsx client=C1 period_end=2024-05-28" in details


def test_management_may_open_any_client(app):
    text = _text(_show(logged_in_client(app, "management"), "C2"))
    assert "meeting-period" in text and "forbidden" not in text


def test_partner_role_is_refused(app):
    partner = logged_in_client(app, "partner")
    assert "forbidden" in _text(_show(partner, "C1"))
