"""TOP-10 decisions on /programs/saas (seed 002, SPEC §12): exclusion with a seed reason, fixing the
quarter's TOP-10 and quotas, refused writes for other roles and for a fixed quarter.

Data (2026Q3): network competence centres A (3 new contracts), C (2 new), E (1 new); B is not a centre.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import select

from config import Config
from store import workflows
from store.models import AuditLog, Top10Approval, Top10Exclusion
from tests.integration.stored_rows import count_rows
from tests.integration.partner_db import insert_frames, migrated_engine
from tests.integration.program_app import call, log_in

QUARTER = "2026Q3"


def frames() -> dict[str, pd.DataFrame]:
    partners = pd.DataFrame({"partner_id": ["A", "B", "C", "E"], "name": ["Альфа", "Бета", "Вега", "Эпсилон"],
                             "city": ["Москва"] * 4, "country": ["RU"] * 4,
                             "network_competence_center": [True, False, True, True]})
    owners = ["A", "A", "A", "B", "C", "C", "E"]
    contracts = pd.DataFrame({"contract_id": [f"K{i}" for i in range(len(owners))], "partner_id": owners,
                              "started_at": [pd.Timestamp("2026-08-01", tz="UTC")] * len(owners),
                              "promo": ["none"] * len(owners)})
    return {"partners": partners, "saas_contracts": contracts}


@pytest.fixture()
def web(tmp_path):
    from app import create_app

    with migrated_engine("sqlite", tmp_path) as engine:
        insert_frames(engine, frames())
        app = create_app(Config(database_url=str(engine.url), testing=True), engine=engine)
        yield app.server.test_client(), engine


def _post(client, button: str, partner="A", reason="regular_complaints", comment="жалобы в сентябре",
          quarter=QUARTER) -> tuple[int, str]:
    """Click `button` of the decision form (it is the trigger: `changedPropIds`)."""
    body = {"output": "ps-decision-message.children",
            "outputs": {"id": "ps-decision-message", "property": "children"},
            "inputs": [{"id": b, "property": "n_clicks", "value": 1 if b == button else None}
                       for b in ("ps-exclude", "ps-include", "ps-approve")],
            "state": [{"id": i, "property": "value", "value": v} for i, v in (
                ("ps-quarter", quarter), ("ps-exclude-partner", partner), ("ps-exclude-reason", reason),
                ("ps-exclude-comment", comment), ("ps-leads", 100))],
            "changedPropIds": [f"{button}.n_clicks"]}
    response = client.post("/_dash-update-component", json=body)
    data = response.get_json(silent=True)
    return response.status_code, json.dumps(data, ensure_ascii=False) if data is not None else ""


def _show(client) -> str:
    _status, body = call(client, [("ps-body", "children")],
                         [("ps-quarter", "value", QUARTER), ("ps-leads", "value", 100),
                          ("ps-save-message", "children", None), ("ps-decision-message", "children", None)])
    return json.dumps(body, ensure_ascii=False)


def test_management_excludes_a_partner_with_a_seed_reason_and_the_ranking_follows(web):
    client, engine = web
    log_in(client, "management")
    status, text = _post(client, "ps-exclude")
    assert status == 200 and "ps-decided" in text
    shown = _show(client)
    assert "регулярные жалобы клиентов" in shown and "жалобы в сентябре" in shown
    with engine.connect() as conn:
        assert conn.scalar(select(AuditLog.detail).where(AuditLog.action == "top10_exclude")) == \
            f"quarter={QUARTER} partner=A reason=regular_complaints"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"reason": "просто так"}, "Выберите причину из списка"), ({"partner": "Z"}, "Выберите партнёра из списка"),
    ({"quarter": "2031Q1"}, "Выберите квартал из списка"), ({"partner": ["A"]}, "Выберите партнёра из списка"),
    ({"comment": "x" * 3000}, "длиннее 2 000"),
])
def test_invalid_exclusions_are_refused_with_a_message(web, kwargs, message):
    client, engine = web
    log_in(client, "admin")
    _status, text = _post(client, "ps-exclude", **kwargs)
    # Babel groups thousands with a no-break space
    assert message in text.replace("\xa0", " ").replace("\u202f", " ") and count_rows(engine, Top10Exclusion) == 0


@pytest.mark.parametrize("login", ["partner", "manager"])
def test_other_roles_cannot_decide(web, login):
    client, engine = web
    log_in(client, login)
    for button in ("ps-exclude", "ps-approve"):
        status, text = _post(client, button)
        assert status == 204 or "forbidden" in text
    assert count_rows(engine, Top10Exclusion) == 0 and count_rows(engine, Top10Approval) == 0


def test_fixed_top10_keeps_its_list_and_quotas_and_refuses_changes(web):
    client, engine = web
    log_in(client, "admin")
    _status, text = _post(client, "ps-approve")
    assert "ps-decided" in text
    with engine.connect() as conn:
        ranking = workflows.top10_approval(conn, QUARTER)["ranking"]
    assert [(r["partner_id"], r["place"], r["leads"]) for r in ranking] == [("A", 1, 34), ("C", 2, 33), ("E", 3, 33)]
    _status, text = _post(client, "ps-exclude")
    assert "уже утверждён (admin" in text and count_rows(engine, Top10Exclusion) == 0
    shown = _show(client)
    assert "утверждены: admin" in shown


def test_the_quarter_view_is_cached_and_a_decision_or_weight_shows_on_the_next_visit(engine, monkeypatch):
    """The drawn quarter is cached (a revisit computes nothing); an exclusion and a lead weight make it stale, so
    the next visit shows them. Both backends."""
    from app import create_app

    insert_frames(engine, frames())
    client = create_app(Config(database_url="unused", testing=True), engine=engine).server.test_client()
    import pages.programs_saas as saas_page

    computed = []
    original = saas_page.saas_overview
    monkeypatch.setattr(saas_page, "saas_overview", lambda *a, **k: computed.append(1) or original(*a, **k))
    log_in(client, "admin")
    first = _show(client)
    assert computed == [1] and "регулярные жалобы клиентов" not in first, first[:500]
    assert _show(client) == first and computed == [1]  # a revisit: from the cache
    assert "ps-decided" in _post(client, "ps-exclude")[1]
    excluded = _show(client)
    assert computed == [1, 1] and "регулярные жалобы клиентов" in excluded
    _status, body = call(client, [("ps-save-message", "children")], [("ps-save", "n_clicks", 1)],
                         [("ps-weight-partner", "value", "C"), ("ps-weight", "value", 3)])
    assert "ps-saved" in json.dumps(body)
    weighted = _show(client)
    assert computed == [1, 1, 1] and weighted != excluded
    assert _show(client) == weighted and computed == [1, 1, 1]
