"""Admin «Задания» and «Исходящие письма», and the user's own «Уведомления» page, over HTTP as the browser calls them."""
from __future__ import annotations

import json
import time

import dash
import pytest
from sqlalchemy import select

from store.models import JobRun, NotificationOptOut, User
from tests.integration.admin_app import admin_app, call, logged_in, text_of

RUN_ID = {"job": "kkv_daily", "type": "admin-jobs-run"}


@pytest.fixture()
def app(engine):
    return admin_app(engine)


def _run_button(client, app, job: str = "kkv_daily") -> tuple[int, dict | None]:
    button = {"job": job, "type": "admin-jobs-run"}
    body = {
        "output": "admin-jobs-message.children",
        "outputs": {"id": "admin-jobs-message", "property": "children"},
        "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
        "state": [],
        "changedPropIds": [f"{dash._utils.stringify_id(button)}.n_clicks"],
    }
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    payload = response.get_json(silent=True)
    return response.status_code, (payload or {}).get("response") if isinstance(payload, dict) else None


def _runs(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(JobRun.job, JobRun.outcome)).all()]


def test_admin_runs_a_job_now_in_the_background_and_the_table_shows_its_outcome(app, engine, monkeypatch):
    monkeypatch.setenv("QUALITY_NOW", "2026-11-30T12:00:00+03:00")
    client = logged_in(app, "root")
    status, response = _run_button(client, app)
    assert status == 200 and "запущено" in text_of(response)
    deadline = time.monotonic() + 60
    while _runs(engine) != [("kkv_daily", "ok")] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _runs(engine) == [("kkv_daily", "ok")]
    _status, table = call(client, app, [("admin-jobs-body", "children")], [("admin-jobs-refresh", "n_intervals", 1)])
    text = text_of(table)
    assert "успешно" in text and "30.11.2026 12:00" in text  # the run at QUALITY_NOW, shown in Moscow time


def test_a_partner_cannot_run_a_job_and_an_unknown_job_is_ignored(app, engine):
    _status, response = _run_button(logged_in(app, "alpha"), app)
    assert _runs(engine) == []
    assert "kkv_daily" not in text_of(response)
    _run_button(logged_in(app, "root"), app, job="drop_tables")
    assert _runs(engine) == []


def test_jobs_and_outbox_pages_are_for_admins_only(app):
    admin, partner = logged_in(app, "root"), logged_in(app, "alpha")
    for path in ("/admin/jobs", "/admin/outbox"):
        assert admin.get(path).status_code == 200
    _status, response = call(partner, app, [("_pages_content", "children")],
                            [("_pages_location", "pathname", "/admin/jobs"), ("_pages_location", "search", "")])
    assert "Запустить сейчас" not in text_of(response)


SAVE = [("notifications-message", "children")]


def _save(client, app, email, lang, kinds_on):
    return call(client, app, SAVE, [("notifications-save", "n_clicks", 1)], [
        ("notifications-email", "value", email), ("notifications-lang", "value", lang),
        ("notifications-kinds", "value", kinds_on)])


def test_a_user_switches_kinds_off_on_own_settings_only(app, engine):
    status, response = _save(logged_in(app, "alpha"), app, "alpha@partner.example", "en",
                             ["tickets", "deposit", "points", "job_failed"])  # competence, kkv off; admin kind ignored
    assert status == 200 and "сохранены" in text_of(response)
    with engine.connect() as conn:
        alpha = conn.execute(select(User.id, User.email, User.lang).where(User.login == "alpha")).one()
        off = conn.execute(select(NotificationOptOut.user_id, NotificationOptOut.kind)
                           .order_by(NotificationOptOut.kind)).all()
    assert (alpha.email, alpha.lang) == ("alpha@partner.example", "en")
    assert [tuple(r) for r in off] == [(alpha.id, "competence"), (alpha.id, "kkv")]


def test_a_malformed_address_is_refused_with_a_message(app, engine):
    _status, response = _save(logged_in(app, "alpha"), app, "not an address", "ru", [])
    assert "не похож на адрес" in text_of(response)
    with engine.connect() as conn:
        assert conn.scalar(select(User.email).where(User.login == "alpha")) is None
