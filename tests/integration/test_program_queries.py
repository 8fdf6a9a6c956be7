"""Programme reads, the public directory and its API, `cli.py evaluate`, and the programme callbacks' roles.

Hand-made database (today = 2026-11-23):

* A «Альфа» (Москва, ЦФО): KKV extended valid to 2027-03-01; projects P1 crm/finance (enterprise),
  P2 eshop/retail (not enterprise); held the Quality Program in October, not in November.
* B «Бета» (Москва, ЦФО): KKV basic expired 2026-01-01; project P4 crm/finance; holds it in November.
* C «Вега» (Казань, ПФО): KKV extended valid to 2027-05-01; project P3 crm/retail (enterprise).
* D «Гамма» (Омск, СФО): KKV extended without a validity date.
* A decision stored for 2026-12-01 (the future) is ignored by the directory.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import insert, select

from config import Config
from reports.programs import evaluate_month
from store import clock
from store.models import AuditLog, CompetenceHistoryRow
from store.program_queries import (
    badge_month,
    directory_partners,
    lead_weights,
    save_lead_weight,
)
from tests.integration.callback_harness import logout
from tests.integration.partner_db import insert_frames, migrated_engine
from tests.integration.program_app import call, log_in

TODAY = pd.Timestamp("2026-11-23", tz="UTC")
# every answer of partner A's surveys: the directory must never show them or anything derived
SURVEY_ANSWERS = {"q_business_goals": 4, "q_design": 5, "q_dev_quality": 3, "q_recommend_partner": 5}


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def frames() -> dict[str, pd.DataFrame]:
    partners = pd.DataFrame({
        "partner_id": ["A", "B", "C", "D"], "name": ["Альфа", "Бета", "Вега", "Гамма"],
        "city": ["Москва", "Москва", "Казань", "Омск"], "region": ["ЦФО", "ЦФО", "ПФО", "СФО"],
        "country": ["RU", "RU", "RU", "RU"], "network_competence_center": [True, False, True, False],
        "kkv_level": ["extended", "basic", "extended", "extended"],
        "kkv_valid_until": [dt.date(2027, 3, 1), dt.date(2026, 1, 1), dt.date(2027, 5, 1), None],
    })
    projects = pd.DataFrame({
        "project_id": ["P1", "P2", "P3", "P4"], "version": [1, 1, 1, 1], "partner_id": ["A", "A", "C", "B"],
        "submitted_at": [ts("2026-05-01")] * 4, "category": ["crm", "eshop", "crm", "crm"],
        "industry": ["finance", "retail", "retail", "finance"],
    })
    tests = pd.DataFrame({"project_id": ["P1", "P2"], "version": [1, 1], "test": ["t1", "t1"],
                          "result": ["passed", "failed"]})
    keys = pd.DataFrame({"key": ["K1", "K2"], "partner_id": ["A", "A"],
                         "purchased_at": [ts("2025-12-01"), ts("2026-01-15")],
                         "activated_at": [ts("2025-12-05"), ts("2026-01-20")], "project_id": ["P1", "P2"]})
    reports = pd.DataFrame({"project_id": ["P1", "P3"], "reported_at": [ts("2026-10-01"), ts("2026-10-02")]})
    points = pd.DataFrame({"partner_id": ["A", "C"], "earned_at": [ts("2026-03-01")] * 2,
                           "source": ["sales", "sales"], "points": [10.0, 50.0]})
    surveys = pd.DataFrame({"survey_id": ["S1"], "project_id": ["P1"], "surveyed_at": [ts("2026-06-01")],
                            **{q: [v] for q, v in SURVEY_ANSWERS.items()}, "comment": ["Отличный проект 4,33"]})
    return {"partners": partners, "projects": projects, "monitor_tests": tests, "license_keys": keys,
            "enterprise_reports": reports, "kkv_points": points, "surveys": surveys}


def store_decisions(engine) -> None:
    rows = [("A", "2026-10-01", True), ("B", "2026-10-01", False), ("A", "2026-11-01", False),
            ("B", "2026-11-01", True), ("A", "2026-12-01", True)]
    with engine.begin() as conn:
        conn.execute(insert(CompetenceHistoryRow), [
            {"partner_id": p, "month": dt.date.fromisoformat(m), "keys": 2, "covered": 1 if held else 0,
             "share": 0.5 if held else 0.0, "held": held, "status": "kept", "window_start": dt.date(2025, 1, 1),
             "window_end": dt.date(2025, 2, 1)} for p, m, held in rows])


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stored(request, tmp_path_factory):
    """The hand-made database, shared by the tests that only read it."""
    with migrated_engine(request.param, tmp_path_factory.mktemp(request.param)) as engine:
        insert_frames(engine, frames())
        store_decisions(engine)
        yield engine


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A fresh copy of the hand-made database for a test that writes."""
    with migrated_engine(request.param, tmp_path) as engine:
        insert_frames(engine, frames())
        store_decisions(engine)
        yield engine


def ids(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["partner_id"])


def test_quality_badge_is_the_latest_decision_not_after_today(stored):
    with stored.connect() as conn:
        assert badge_month(conn, TODAY) == dt.date(2026, 11, 1)
        frame = directory_partners(conn, TODAY)
        assert frame.set_index("partner_id")["quality_program"].to_dict() == {"A": False, "B": True, "C": False, "D": False}
        assert ids(directory_partners(conn, TODAY, quality_only=True)) == ["B"]


def test_directory_filters_by_city_and_region(stored):
    with stored.connect() as conn:
        assert ids(directory_partners(conn, TODAY, city="Москва")) == ["A", "B"]
        assert ids(directory_partners(conn, TODAY, region="ПФО")) == ["C"]


def test_expired_or_undated_kkv_level_shows_no_badge_and_does_not_match_a_level_filter(stored):
    with stored.connect() as conn:
        levels = directory_partners(conn, TODAY).set_index("partner_id")["kkv_level"].to_dict()
        assert levels == {"A": "extended", "B": "none", "C": "extended", "D": "none"}
        assert ids(directory_partners(conn, TODAY, kkv="any")) == ["A", "C"]


def test_category_and_industry_must_match_the_same_project(stored):
    with stored.connect() as conn:
        # A has crm (finance) and retail (eshop) but no crm project in retail
        assert ids(directory_partners(conn, TODAY, category="crm", industry="retail")) == ["C"]
        assert ids(directory_partners(conn, TODAY, category="crm")) == ["A", "B", "C"]


def test_kkv_category_filter_counts_only_enterprise_projects(stored):
    with stored.connect() as conn:
        assert ids(directory_partners(conn, TODAY, category="eshop")) == ["A"]
        assert ids(directory_partners(conn, TODAY, kkv="extended", category="eshop")) == []


def test_lead_weight_is_stored_and_weight_one_is_the_default(engine):
    with engine.begin() as conn:
        save_lead_weight(conn, "A", 2.5, "admin")
        save_lead_weight(conn, "C", 0.5, "admin")
        save_lead_weight(conn, "C", 1.0, "admin")
        assert lead_weights(conn) == {"A": 2.5}
        with pytest.raises(ValueError):
            save_lead_weight(conn, "A", -1, "admin")


def test_evaluation_stores_the_months_decision_with_its_numbers(engine):
    with engine.begin() as conn:
        result = evaluate_month(conn, "2026-11-01", now=TODAY)
    # window [2025-09-01, 2026-09-01): K1 and K2 count; only P1 passed the monitor → 1 of 2 = 50 % → held
    assert (result["window_start"], result["window_end"]) == ("2025-09-01", "2026-09-01")
    decision = {d["partner_id"]: d for d in result["decisions"]}["A"]
    assert (decision["keys"], decision["covered"], decision["share"], decision["held"]) == (2, 1, 0.5, True)
    assert decision["status"] == "kept"  # October had the same two keys and the same coverage


def test_evaluating_a_past_month_keeps_the_later_months(engine):
    with engine.begin() as conn:
        evaluate_month(conn, "2026-10-01", now=TODAY)
        months = set(conn.scalars(select(CompetenceHistoryRow.month)))
    assert dt.date(2026, 11, 1) in months and dt.date(2026, 10, 1) in months


# ---------------------------------------------------------------- the web app (SQLite)


@pytest.fixture(autouse=True)
def _on_today(monkeypatch):
    """The hand-made decisions hold a month after TODAY ("2026-12-01"): the pages read it at TODAY (they read the
    clock, `store.clock`), not on whatever day the suite runs (from 01.12.2026 the system clock showed December's)."""
    monkeypatch.setenv(clock.ENV_VAR, TODAY.isoformat())


@pytest.fixture(scope="module")
def web_app(tmp_path_factory):
    from app import create_app

    with migrated_engine("sqlite", tmp_path_factory.mktemp("web")) as engine:
        insert_frames(engine, frames())
        store_decisions(engine)
        yield create_app(Config(database_url=str(engine.url), testing=True), engine=engine), engine


@pytest.fixture
def client(web_app):
    """A fresh browser session (no cookies) on the shared app."""
    app, engine = web_app
    return app.server.test_client(), engine


FORBIDDEN_WORDS = ("score", "nps", "csat", "survey", "q_", "answer", "comment", "4,33", "4.33", "Отличный")


def assert_no_quality_data(text: str) -> None:
    """No field name or value of survey data (A's mean over its answers is 17 / 4 = 4.25)."""
    lowered = text.lower()
    for word in (*FORBIDDEN_WORDS, "4.25", "4,25"):
        assert word.lower() not in lowered, word


def test_partner_api_works_without_login_and_returns_badges_only(client):
    test_client, _engine = client
    response = test_client.get("/api/partners?city=Москва")
    assert response.status_code == 200
    body = response.get_json()
    assert body["count"] == 2
    assert {tuple(sorted(p)) for p in body["partners"]} == {("badges", "city", "country", "id", "name", "region")}
    badges = {p["id"]: p["badges"] for p in body["partners"]}
    assert badges == {"A": ["kkv_extended"], "B": ["quality_program"]}
    assert_no_quality_data(response.get_data(as_text=True))


def test_partner_api_kkv_list_is_ordered_by_kkv_points(client):
    test_client, _engine = client
    body = test_client.get("/api/partners?kkv=extended").get_json()
    assert [p["id"] for p in body["partners"]] == ["C", "A"]  # 50 points before 10


def test_partner_api_answers_bad_parameters_with_a_message(client):
    test_client, _engine = client
    for query in ("kkv=gold", "competence=nps", "sort=score"):
        response = test_client.get(f"/api/partners?{query}")
        assert response.status_code == 400
        assert response.get_json()["error"]


def test_directory_page_and_callback_work_without_login_and_carry_no_quality_data(client):
    test_client, _engine = client
    page = test_client.get("/directory/", headers={"Accept": "text/html"})
    assert page.status_code == 200
    status, body = call(test_client, [("directory-grid", "rowData"), ("directory-kkv-grid", "rowData"),
                                      ("directory-count", "children"), ("directory-empty", "children")],
                        [("directory-city", "value", None), ("directory-region", "value", None),
                         ("directory-category", "value", "crm"), ("directory-industry", "value", None),
                         ("directory-kkv", "value", None), ("directory-quality", "value", []),
                         ("directory-ids", "data", [])],
                        path=DIRECTORY_UPDATE)
    assert status == 200
    rows = body["response"]["directory-grid"]["rowData"]
    assert sorted(r["name"] for r in rows) == ["Альфа", "Бета", "Вега"]  # Гамма has no crm project
    assert [r["name"] for r in body["response"]["directory-kkv-grid"]["rowData"]] == ["Вега", "Альфа"]
    assert_no_quality_data(json.dumps(body, ensure_ascii=False))


def test_directory_callback_ignores_malformed_browser_values(client):
    test_client, _engine = client
    status, body = call(test_client, [("directory-grid", "rowData"), ("directory-kkv-grid", "rowData"),
                                      ("directory-count", "children"), ("directory-empty", "children")],
                        [("directory-city", "value", {"$ne": 1}), ("directory-region", "value", 5),
                         ("directory-category", "value", None), ("directory-industry", "value", None),
                         ("directory-kkv", "value", "gold"), ("directory-quality", "value", "yes"),
                         ("directory-ids", "data", {"$ne": 1})],
                        path=DIRECTORY_UPDATE)
    assert status == 200
    assert len(body["response"]["directory-grid"]["rowData"]) == 4


DIRECTORY_UPDATE = "/directory/_dash-update-component"
PROGRAMME_CALLBACKS = {
    "pq-body": [("pq-month", "value", "2026-11-01"), ("pq-run-message", "children", None)],
    "pk-body": [("pk-url", "pathname", "/programs/kkv"), ("pk-review-message", "children", None)],
    "ps-body": [("ps-quarter", "value", "2026Q3"), ("ps-leads", "value", None), ("ps-save-message", "children", None),
                ("ps-decision-message", "children", None)],
    "pu-body": [("pu-price", "value", 180)],
}


def test_programme_callbacks_refuse_anonymous_and_partner_users(client):
    test_client, _engine = client
    for output, inputs in PROGRAMME_CALLBACKS.items():
        status, _body = call(test_client, [(output, "children")], inputs)
        assert status == 401, output
    log_in(test_client, "partner")
    for output, inputs in PROGRAMME_CALLBACKS.items():
        status, body = call(test_client, [(output, "children")], inputs)
        assert status == 403  # refused by the guard from the callback registry (issue 18)
        assert "forbidden" in json.dumps(body), output


def test_only_admin_saves_a_lead_weight_and_the_change_is_audited(client):
    test_client, engine = client
    save = ([("ps-save-message", "children")], [("ps-save", "n_clicks", 1)],
            [("ps-weight-partner", "value", "A"), ("ps-weight", "value", 3)])
    log_in(test_client, "management")
    _status, body = call(test_client, *save)
    assert "forbidden" in json.dumps(body)
    with engine.connect() as conn:
        assert lead_weights(conn) == {}
    logout(test_client)
    log_in(test_client, "admin")
    _status, body = call(test_client, *save)
    assert "ps-saved" in json.dumps(body)
    with engine.connect() as conn:
        assert lead_weights(conn) == {"A": 3.0}
        assert conn.scalar(select(AuditLog.detail).where(AuditLog.action == "lead_weight")) == "A=3.0"


def test_only_admin_runs_the_monthly_evaluation_from_the_page_and_it_is_audited(client):
    test_client, engine = client
    run = ([("pq-run-message", "children")], [("pq-run", "n_clicks", 1)], [("pq-month", "value", None)])
    log_in(test_client, "management")
    assert "forbidden" in json.dumps(call(test_client, *run)[1])
    logout(test_client)
    log_in(test_client, "admin")
    assert "pq-ran" in json.dumps(call(test_client, *run)[1])
    with engine.connect() as conn:
        assert conn.scalar(select(AuditLog.login).where(AuditLog.action == "evaluate")) == "admin"


def test_admin_rejects_an_out_of_range_weight_with_a_message(client):
    test_client, _engine = client
    log_in(test_client, "admin")
    _status, body = call(test_client, [("ps-save-message", "children")], [("ps-save", "n_clicks", 1)],
                         [("ps-weight-partner", "value", "A"), ("ps-weight", "value", "9e99")])
    assert "ps-save-error" in json.dumps(body)


def test_cli_evaluate_prints_the_months_decisions_as_json(tmp_path, monkeypatch, capsys):
    import cli

    with migrated_engine("sqlite", tmp_path) as engine:
        insert_frames(engine, frames())
        monkeypatch.setenv("DATABASE_URL", str(engine.url))
        assert cli.main(["evaluate", "--month", "2026-11-01", "--json"]) == 0
        result = json.loads(capsys.readouterr().out)
        assert result["month"] == "2026-11-01"
        assert [(d["partner_id"], d["keys"], d["covered"], d["held"]) for d in result["decisions"]] == [
            ("A", 2, 1, True)]
        with pytest.raises(SystemExit) as refused:
            cli.main(["evaluate", "--month", "2026-11-05"])
        assert refused.value.code == 2 and "1st" in capsys.readouterr().err


def test_a_quarters_lead_view_from_its_own_rows_equals_the_view_from_every_row(engine):
    """`saas_quarter_inputs` reads the contracts started or ended in the quarter and the leads registered in it or
    behind its new contracts: `saas_overview` of every quarter (the demo's, with partner churn reasons) equals the
    overview from the whole tables. Both backends."""
    from demo import generate
    from metrics.saas import net_new_contracts
    from reports.programs import saas_overview
    from store.program_queries import saas_inputs, saas_quarter_inputs, saas_quarters

    frames = generate("small", seed=42)
    leads = frames["leads"].copy()
    earlier = leads["lead_id"].isin(frames["saas_contracts"]["lead_id"].dropna().head(40))
    leads.loc[earlier, "registered_at"] -= pd.Timedelta(days=120)  # a contract from a lead of an earlier quarter
    assert earlier.sum() >= 20
    insert_frames(engine, {"partners": frames["partners"], "saas_contracts": frames["saas_contracts"], "leads": leads})
    with engine.connect() as conn:
        everything = saas_inputs(conn)
        quarters = saas_quarters(conn)
        assert len(quarters) >= 4
        for quarter in quarters:
            own = saas_quarter_inputs(conn, quarter)
            assert len(own["saas_contracts"]) < len(everything["saas_contracts"])
            reasons = everything["saas_contracts"]["contract_id"].head(50)
            reasons = pd.Series("price", index=reasons.to_numpy())
            whole, part = (saas_overview(inputs, quarter, {"P0001": 2.0}, partner_reasons=reasons)
                           for inputs in (everything, own))
            # per partner active in the quarter (the whole table also lists the others, all zeros)
            whole["net_new"], part["net_new"] = (
                counts[counts.drop(columns="partner_id").ne(0).any(axis=1)].reset_index(drop=True)
                for counts in (net_new_contracts(i["saas_contracts"], i["leads"], quarter) for i in (everything, own)))
            for name, table in whole.items():
                pd.testing.assert_frame_equal(table.reset_index(drop=True), part[name].reset_index(drop=True),
                                              check_dtype=False, obj=f"{quarter} {name}")
