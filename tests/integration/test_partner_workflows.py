"""The partner's workflows (/my/programmes) and the admin's KKV review (/programs/kkv), called as a browser
would (SPEC §8, §12). QUALITY_NOW = 30.11.2026 12:00 MSK.

Data: P0001 (the demo `partner`, KZ, KKV extended valid to 31.01.2027) with churned contract K1 and active
K2; P0002 (KZ, extended valid to 01.12.2026 — too late to renew) with churned K3.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import insert, select

from metrics.kkv import kkv_public_list
from store import workflows
from store.models import AuditLog, ChurnReason, KkvRenewal, Partner, SaasContract
from tests.integration.stored_rows import count_rows
from tests.integration.callback_harness import app_engine, logged_in_client, make_app

UPDATE = "/_dash-update-component"
NOW = "2026-11-30T12:00:00+03:00"


@pytest.fixture()
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALITY_NOW", NOW)
    app = make_app(tmp_path)
    with app_engine(app).begin() as conn:
        conn.execute(insert(Partner), [
            {"partner_id": "P0001", "name": "Альфа", "city": "Алматы", "country": "KZ", "kkv_level": "extended",
             "kkv_valid_until": dt.date(2027, 1, 31)},
            {"partner_id": "P0002", "name": "Бета", "city": "Астана", "country": "KZ", "kkv_level": "extended",
             "kkv_valid_until": dt.date(2026, 12, 1)},
        ])
        ended = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        started = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
        conn.execute(insert(SaasContract), [
            {"contract_id": "K1", "partner_id": "P0001", "started_at": started, "ended_at": ended, "promo": "none"},
            {"contract_id": "K2", "partner_id": "P0001", "started_at": started, "ended_at": None, "promo": "none"},
            {"contract_id": "K3", "partner_id": "P0002", "started_at": started, "ended_at": ended, "promo": "none"},
        ])
    return app


def _text(response) -> str:
    data = response.get_json(silent=True)
    return json.dumps(data, ensure_ascii=False) if data is not None else ""


def _partner_write(client, button: str, contract=None, reason=None, comment=None):
    body = {"output": "partner-programmes-message.children",
            "outputs": {"id": "partner-programmes-message", "property": "children"},
            "inputs": [{"id": b, "property": "n_clicks", "value": 1 if b == button else None}
                       for b in ("partner-programmes-request", "partner-programmes-save")],
            "state": [{"id": "partner-programmes-contract", "property": "value", "value": contract},
                      {"id": "partner-programmes-reason", "property": "value", "value": reason},
                      {"id": "partner-programmes-comment", "property": "value", "value": comment}],
            "changedPropIds": [f"{button}.n_clicks"]}
    return client.post(UPDATE, json=body)


def _review(client, button: str, renewal_id, comment=None):
    body = {"output": "pk-review-message.children", "outputs": {"id": "pk-review-message", "property": "children"},
            "inputs": [{"id": b, "property": "n_clicks", "value": 1 if b == button else None}
                       for b in ("pk-approve", "pk-reject")],
            "state": [{"id": "pk-review-pick", "property": "value", "value": renewal_id},
                      {"id": "pk-review-comment", "property": "value", "value": comment}],
            "changedPropIds": [f"{button}.n_clicks"]}
    return client.post(UPDATE, json=body)


def _count(app, model, **where) -> int:
    return count_rows(app_engine(app), model, **where)


def test_partner_requests_renewal_due_in_seven_kazakh_working_days(app):
    response = _partner_write(logged_in_client(app, "partner"), "partner-programmes-request")
    # Monday 30.11 → 01, 02, 03, 04, 07, 08, 09.12
    assert "решение не позднее 09.12.2026" in _text(response)
    with app_engine(app).connect() as conn:
        [renewal] = conn.execute(select(KkvRenewal.partner_id, KkvRenewal.requested_by)).all()
    assert tuple(renewal) == ("P0001", "partner")


def test_second_request_is_refused_with_a_message(app):
    partner = logged_in_client(app, "partner")
    _partner_write(partner, "partner-programmes-request")
    assert "уже на рассмотрении" in _text(_partner_write(partner, "partner-programmes-request"))
    assert _count(app, KkvRenewal) == 1


def test_partner_sets_a_churn_reason_on_its_own_contract_only(app):
    partner = logged_in_client(app, "partner")
    assert "partner-programmes-done" in _text(_partner_write(partner, "partner-programmes-save", "K1", "price", "дорого"))
    for contract, message in (("K3", "Выберите договор из списка"), ("K2", "ещё действует"),
                              (["K1"], "Выберите договор из списка"), ("K1' OR '1'='1", "Выберите договор")):
        assert message in _text(_partner_write(partner, "partner-programmes-save", contract, "price"))
    assert "Для причины «другое» напишите комментарий" in _text(
        _partner_write(partner, "partner-programmes-save", "K1", "other", "  "))
    with app_engine(app).connect() as conn:
        assert conn.execute(select(ChurnReason.contract_id, ChurnReason.reason)).all() == [("K1", "price")]


@pytest.mark.parametrize("login", ["manager", "management", "admin"])
def test_other_roles_cannot_write_as_a_partner(app, login):
    client = logged_in_client(app, login)
    for button in ("partner-programmes-request", "partner-programmes-save"):
        response = _partner_write(client, button, "K1", "price")
        assert response.status_code == 204 or "forbidden" in _text(response)
    assert _count(app, KkvRenewal) == 0 and _count(app, ChurnReason) == 0


def test_admin_approves_and_the_public_list_follows_the_new_date(app):
    _partner_write(logged_in_client(app, "partner"), "partner-programmes-request")
    renewal_id = 1
    admin = logged_in_client(app, "admin")
    assert "pk-reviewed" in _text(_review(admin, "pk-approve", renewal_id))
    assert "уже рассмотрели" in _text(_review(admin, "pk-reject", renewal_id, "поздно"))  # stale form
    engine = app_engine(app)
    after_old_expiry = pd.Timestamp("2027-02-15", tz="UTC")
    assert workflows.apply_kkv_expiry(engine, after_old_expiry)["partner_id"].tolist() == ["P0002"]
    with engine.connect() as conn:
        partners = pd.read_sql(select(Partner.__table__), conn)
    listed = kkv_public_list(partners, pd.DataFrame(columns=["project_id", "partner_id", "category", "industry"]),
                             pd.DataFrame(columns=["partner_id", "earned_at", "source", "points"]),
                             today=after_old_expiry)
    assert listed["partner_id"].tolist() == ["P0001"]  # renewed stays, expired P0002 fell to basic and left
    assert dict(zip(partners["partner_id"], partners["kkv_level"])) == {"P0001": "extended", "P0002": "basic"}


def test_rejection_without_comment_and_by_management_is_refused(app):
    _partner_write(logged_in_client(app, "partner"), "partner-programmes-request")
    assert "напишите причину" in _text(_review(logged_in_client(app, "admin"), "pk-reject", 1, ""))
    management = _review(logged_in_client(app, "management"), "pk-approve", 1)
    assert management.status_code == 204 or "forbidden" in _text(management)
    for crafted in ("1", [1], 10**12, None):
        assert "Выберите заявку из списка" in _text(_review(logged_in_client(app, "admin"), "pk-approve", crafted))
    assert _count(app, KkvRenewal, status="pending") == 1
    assert _count(app, AuditLog, action="kkv_renewal_approve") == 0


def test_partner_sees_its_own_top10_exclusion_reason_and_nobody_elses(app):
    with app_engine(app).begin() as conn:
        workflows.exclude_from_top10(conn, "management", "2026Q3", "P0001", "regular_complaints", "3 жалобы")
        workflows.exclude_from_top10(conn, "management", "2026Q3", "P0002", "regulation_breach", "чужая тайна")
    body = {"output": "..partner-programmes-kkv.children...partner-programmes-top10.children..."
                      "partner-programmes-churn.children...partner-programmes-contract.options..."
                      "partner-programmes-request.disabled..",
            "outputs": [{"id": i, "property": p} for i, p in (
                ("partner-programmes-kkv", "children"), ("partner-programmes-top10", "children"),
                ("partner-programmes-churn", "children"), ("partner-programmes-contract", "options"),
                ("partner-programmes-request", "disabled"))],
            "inputs": [{"id": "partner-programmes-message", "property": "children", "value": None}],
            "changedPropIds": ["partner-programmes-message.children"]}
    text = _text(logged_in_client(app, "partner").post(UPDATE, json=body))
    assert "регулярные жалобы клиентов" in text and "3 жалобы" in text and "2026Q3" in text
    assert "чужая тайна" not in text and "нарушение регламента" not in text and "K3" not in text
    assert "действует до 31.01.2027" in text and "не позднее 17.01.2027" in text
