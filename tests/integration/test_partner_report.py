"""partner_report and the "My quality" page: the partner's own figures, never another partner's identity."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import delete, select

from demo import generate
from demo.generator import DEMO_PARTNER_ID
from metrics.privacy import answer_band, answer_band_floor, comparison_group
from metrics.survey import QUESTIONS, score_table
from reports.home import partner_home
from reports.partner import WINDOWS, next_evaluation, partner_report, partner_summary, window_id
from store.comparison_rollup import comparison_inputs, comparison_table, evaluate_exact, frozen_levels, prepare_frames
from store.db import make_engine
from store.frames import read_frame
from store.models import ComparisonRollup, SurveyRollup
from store.rollups import refresh_rollups
from tests.integration.callback_harness import app_engine, logged_in_client, make_app, seed_minimal_data
from tests.integration.partner_db import AS_OF, demo_copy, insert_frames, load_demo, migrated_engine, page_subset

UPDATE = "/_dash-update-component"


@pytest.fixture(scope="module")
def demo_frames() -> dict[str, pd.DataFrame]:
    return page_subset(generate("small", seed=42), DEMO_PARTNER_ID)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_engine(request, demo_frames, tmp_path_factory):
    if request.param == "sqlite":  # demo_frames loaded once per worker (demo_copy), copied
        path = demo_copy(tmp_path_factory, tmp_path_factory.mktemp("demo") / "test.db", DEMO_PARTNER_ID)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    with migrated_engine(request.param, tmp_path_factory.mktemp("demo")) as engine:
        load_demo(engine, demo_frames)
        yield engine


@pytest.fixture(scope="module")
def demo_report(demo_engine) -> dict:
    with demo_engine.connect() as conn:
        return partner_report(conn, DEMO_PARTNER_ID, window="ttm", as_of=AS_OF)


def test_rollup_equals_a_direct_pandas_count_of_the_demo_surveys(demo_engine, demo_frames):
    surveys = demo_frames["surveys"].merge(demo_frames["projects"][["project_id", "version", "partner_id"]],
                                           on=["project_id", "version"])
    long = surveys.melt(id_vars=["partner_id", "surveyed_at"], value_vars=list(QUESTIONS),
                        var_name="question", value_name="answer").dropna(subset=["answer"])
    long["quarter"] = long["surveyed_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("Q").astype(str)
    direct = long.groupby(["partner_id", "quarter", "question", "answer"]).size().rename("answers").reset_index()
    with demo_engine.connect() as conn:
        stored = read_frame(conn, select(SurveyRollup))
    stored = stored.groupby(["partner_id", "quarter", "question", "answer"])["answers"].sum().reset_index()
    key = ["partner_id", "quarter", "question", "answer"]
    pd.testing.assert_frame_equal(stored.sort_values(key).reset_index(drop=True),
                                  direct.astype({"answer": "int64"}).sort_values(key).reset_index(drop=True),
                                  check_dtype=False)


def test_report_of_the_demo_partner_names_no_other_partner(demo_report, demo_frames):
    text = json.dumps(demo_report, ensure_ascii=False)
    partners = demo_frames["partners"]
    own_name = partners.loc[partners["partner_id"] == DEMO_PARTNER_ID, "name"].item()
    scrubbed = text.replace(own_name, "")
    others = partners[partners["partner_id"] != DEMO_PARTNER_ID]
    assert len(others) == 59
    leaked = [p for p in others["partner_id"] if p in text] + [n for n in others["name"] if n in scrubbed]
    assert leaked == []


def test_report_kpis_equal_score_table_of_the_partners_surveys_in_the_window(demo_report, demo_frames):
    projects = demo_frames["projects"]
    own = projects[projects["partner_id"] == DEMO_PARTNER_ID][["project_id", "version"]]
    surveys = demo_frames["surveys"].merge(own, on=["project_id", "version"])
    quarter = surveys["surveyed_at"].dt.tz_localize(None).dt.to_period("Q").astype(str)
    in_window = surveys[quarter.isin(["2025Q4", "2026Q1", "2026Q2", "2026Q3"])]
    answers = in_window.assign(**{q: in_window[q].astype(float) for q in QUESTIONS})
    table = score_table(answers, scale="5").set_index("question")
    nps = demo_report["kpi"]["nps_partner"]
    assert nps["n"] == table.loc["q_recommend_partner", "n"]
    assert nps["nps"] == pytest.approx(table.loc["q_recommend_partner", "nps"])
    assert nps["nps_low"] == pytest.approx(table.loc["q_recommend_partner", "nps_low"])
    project_questions = ["q_business_goals", "q_design", "q_dev_quality", "q_managers", "q_budget", "q_speed"]
    answered = answers[project_questions].notna().to_numpy().sum()
    satisfied = (answers[project_questions] >= 4).to_numpy().sum()
    assert demo_report["kpi"]["csat"]["n"] == answered
    assert demo_report["kpi"]["csat"]["csat"] == pytest.approx(100 * satisfied / answered)


def _own_scores(demo_frames, quarters) -> pd.DataFrame:
    """score_table of the demo partner's raw surveys in `quarters`, project questions pooled as "project"."""
    projects = demo_frames["projects"]
    own = projects[projects["partner_id"] == DEMO_PARTNER_ID][["project_id", "version"]]
    surveys = demo_frames["surveys"].merge(own, on=["project_id", "version"])
    quarter = surveys["surveyed_at"].dt.tz_localize(None).dt.to_period("Q").astype(str)
    chosen = surveys[quarter.isin(quarters)]
    return chosen.assign(**{q: chosen[q].astype(float) for q in QUESTIONS})


def _csat(answers: pd.DataFrame) -> float:
    project_questions = ["q_business_goals", "q_design", "q_dev_quality", "q_managers", "q_budget", "q_speed"]
    return 100 * (answers[project_questions] >= 4).to_numpy().sum() / answers[project_questions].notna().to_numpy().sum()


def test_kpi_change_is_the_window_minus_the_twelve_months_before_on_the_raw_surveys(demo_report, demo_frames):
    before = _own_scores(demo_frames, ["2024Q4", "2025Q1", "2025Q2", "2025Q3"])
    now = _own_scores(demo_frames, ["2025Q4", "2026Q1", "2026Q2", "2026Q3"])
    assert demo_report["window"]["previous_quarters"] == ["2024Q4", "2025Q1", "2025Q2", "2025Q3"]
    kpi = demo_report["kpi"]
    assert kpi["csat"]["previous"] == pytest.approx(_csat(before))
    assert kpi["csat"]["change"] == pytest.approx(_csat(now) - _csat(before))
    for key, question in (("nps_partner", "q_recommend_partner"), ("nps_platform", "q_recommend_platform")):
        old = score_table(before, scale="5").set_index("question").loc[question, "nps"]
        assert kpi[key]["previous"] == pytest.approx(old)
        assert kpi[key]["change"] == pytest.approx(kpi[key]["nps"] - old)


def test_the_homes_summary_holds_the_reports_figures_without_its_lists(demo_engine):
    """`partner_summary` (the partner's home) gives every figure of `partner_report` it holds, equal, for both
    windows; it leaves out only the lists the home does not show."""
    lists = {"questions", "trend", "comments", "projects", "tickets"}
    with demo_engine.connect() as conn:
        for window in ("quarter", "ttm"):
            report = partner_report(conn, DEMO_PARTNER_ID, window=window, as_of=AS_OF)
            summary = partner_summary(conn, DEMO_PARTNER_ID, window=window, as_of=AS_OF)
            assert summary == {k: v for k, v in report.items() if k not in lists}
            assert report["tickets"] and report["projects"] and summary["points"]["live"] > 0


def test_quarter_kpi_change_equals_the_quarterly_trend(demo_engine):
    with demo_engine.connect() as conn:
        report = partner_report(conn, DEMO_PARTNER_ID, window="quarter", as_of=AS_OF)
    trend = {row["quarter"]: row for row in report["kpi_trend"]}
    assert report["window"]["previous_quarters"] == ["2026Q2"]
    for key in ("csat", "nps_partner", "nps_platform"):
        assert report["kpi"][key]["change"] == pytest.approx(trend["2026Q3"][key] - trend["2026Q2"][key]), key


def test_comparison_shows_the_partners_own_value_from_its_own_surveys(demo_report, demo_frames):
    now = _own_scores(demo_frames, ["2025Q4", "2026Q1", "2026Q2", "2026Q3"])
    table = score_table(now, scale="5").set_index("question")
    for item in demo_report["comparison"]:
        kind = item["metric"].partition(":")[0]
        assert item["own"] == pytest.approx(table.loc[item["question"], kind]), item["metric"]
        assert item["own_n"] == table.loc[item["question"], "n"]


def test_demo_competence_at_exactly_half_with_zero_margin_is_at_risk(demo_report):
    competence = demo_report["competence"]
    assert (competence["keys"], competence["covered"], competence["share"]) == (42, 21, 0.5)
    assert competence["held"] and competence["margin"] == 0
    assert competence["at_risk"] is True


def test_kkv_level_expiring_within_30_days_is_a_home_risk(engine):
    partners = pd.DataFrame({"partner_id": ["PK", "PL"], "name": ["Истекает", "Не скоро"], "city": ["Омск"] * 2,
                             "country": ["RU"] * 2, "kkv_level": ["extended", "basic"],
                             "kkv_valid_until": [dt.date(2026, 12, 3), dt.date(2027, 2, 1)]})
    insert_frames(engine, {"partners": partners})
    with engine.begin() as conn:
        refresh_rollups(conn, now=AS_OF)
        soon, later = partner_home(conn, "PK", as_of=AS_OF), partner_home(conn, "PL", as_of=AS_OF)
    kkv = [r for r in soon["risks"] if r["kind"] == "kkv_expiring"]
    # 23.11.2026 10:00 → 03.12.2026 00:00: 9 whole days left; renewal request due 14 days before expiry
    assert kkv == [{"kind": "kkv_expiring", "value": 9, "level": "extended", "date": "2026-12-03",
                    "due": "2026-11-19"}]
    assert [r for r in later["risks"] if r["kind"] == "kkv_expiring"] == []


def test_comparison_from_rollup_counts_equals_metrics_privacy_on_the_raw_surveys(demo_report, demo_frames):
    partners = demo_frames["partners"]
    places = partners[partners["country"] == "RU"][["partner_id", "city", "region", "country"]]
    answers = demo_frames["surveys"].merge(demo_frames["projects"][["project_id", "version", "partner_id"]],
                                           on=["project_id", "version"])
    answers = answers[answers["partner_id"].isin(places["partner_id"])]
    answers = answers.assign(**{q: answers[q].astype(float) for q in QUESTIONS})
    for item in demo_report["comparison"]:
        direct = comparison_group(DEMO_PARTNER_ID, places, answers, item["metric"], "ttm:2026Q3")
        band = None if direct["withheld"] else answer_band(direct["n_answers"])
        assert (item["withheld"], item["value"], item["n_answers"]) == \
            (direct["withheld"], direct.get("value"), band), item["metric"]
    assert not demo_report["comparison"][0]["withheld"]


def _missing_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns with None for missing (a stored text column reads back as pandas 3 `str`, NaN for missing)."""
    reasons = ["level", "group_name", "group_name_en", "reason_ru", "reason_en"]
    return frame.assign(**{c: frame[c].astype(object).where(frame[c].notna(), None) for c in reasons})


def test_stored_comparisons_equal_live_evaluation_for_every_partner_and_window(demo_engine):
    with demo_engine.connect() as conn:
        stored = read_frame(conn, select(ComparisonRollup))
        for window in WINDOWS:
            key = window_id(window, AS_OF)
            live = comparison_table(conn, "RU", key)
            rows = stored[(stored["window_id"] == key) & (stored["scheme"] == "top1")]
            ru = rows[rows["partner_id"].isin(live["partner_id"])].drop(columns=["window_id", "scheme", "row_digest"])
            key_columns = ["partner_id", "metric"]
            pd.testing.assert_frame_equal(_missing_as_none(ru.sort_values(key_columns).reset_index(drop=True)),
                                          _missing_as_none(live.sort_values(key_columns).reset_index(drop=True)[ru.columns]),
                                          check_dtype=False)
            assert (~ru["withheld"]).sum() > 0 and ru["partner_id"].nunique() == live["partner_id"].nunique()


def test_stored_comparisons_hold_the_band_floor_of_each_groups_answer_count_not_the_count(demo_engine):
    """Only the band leaves the server, so only its floor is stored: a group's exact count moves with every
    answer in the country and would rewrite its rows for a figure no one sees."""
    with demo_engine.connect() as conn:
        key = window_id("ttm", AS_OF)
        counts, places = comparison_inputs(conn, ["RU"], [key])
        exact = evaluate_exact(prepare_frames(places, counts, [key]), [key],
                               frozen={key: frozen_levels(conn, key, "top1")})[key]
        stored = read_frame(conn, select(ComparisonRollup).where(ComparisonRollup.window_id == key,
                                                                 ComparisonRollup.scheme == "top1"))
    both = stored.merge(exact, on=["partner_id", "metric"], suffixes=("", "_exact"))
    assert len(both) == len(exact) > 0
    assert (both["answers_from"] == answer_band_floor(both["n_answers"].to_numpy())).all()
    shown = both[~both["withheld"]]
    assert len(shown) and (shown["n_answers"] != shown["answers_from"]).any()  # the exact counts are not stored
    assert set(shown["answers_from"]) <= {30, 50, 100} and (both.loc[both["withheld"], "answers_from"] == 0).all()


def test_report_without_stored_comparisons_evaluates_them_live_to_the_same_result(demo_engine, demo_report):
    with demo_engine.begin() as conn:
        saved = read_frame(conn, select(ComparisonRollup))
        conn.execute(delete(ComparisonRollup))
        live = partner_report(conn, DEMO_PARTNER_ID, window="ttm", as_of=AS_OF)
        conn.rollback()  # keep the stored rows for the other tests
    assert len(saved) > 0
    assert live["comparison"] == demo_report["comparison"]


def test_report_windows_are_complete_quarters_and_nothing_else():
    assert window_id("quarter", AS_OF) == "2026Q3"
    assert window_id("ttm", AS_OF) == "ttm:2026Q3"
    with pytest.raises(ValueError):
        window_id("2026-01-01..2026-02-01", AS_OF)


def test_next_competence_evaluation_is_the_next_first_of_a_month():
    assert next_evaluation(AS_OF) == pd.Timestamp("2026-12-01", tz="UTC")
    assert next_evaluation(pd.Timestamp("2026-12-01 00:00", tz="UTC")) == pd.Timestamp("2027-01-01", tz="UTC")


def test_report_competence_shows_the_numbers_of_the_latest_decision(demo_report):
    competence = demo_report["competence"]
    assert competence["next_evaluation"] == "2026-12-01"
    assert competence["month"].startswith("2026-11-01")
    assert competence["held"] == (competence["keys"] > 0 and 2 * competence["covered"] >= competence["keys"])
    assert competence["margin"] == competence["covered"] - (competence["keys"] + 1) // 2


def test_report_is_plain_json(demo_report):
    assert json.loads(json.dumps(demo_report, allow_nan=False)) == demo_report


def test_transferred_project_shows_as_transferred_without_the_previous_partner(engine):
    partners = pd.DataFrame({"partner_id": ["PA", "PB"], "name": ["Старый партнёр", "Новый партнёр"],
                             "city": ["Омск", "Омск"], "country": ["RU", "RU"]})
    projects = pd.DataFrame({"project_id": ["X1", "X1"], "version": [1, 2], "partner_id": ["PA", "PB"],
                             "submitted_at": pd.to_datetime(["2025-01-10", "2026-03-01"], utc=True),
                             "transferred_from": [None, "PA"]})
    tests = pd.DataFrame({"project_id": ["X1", "X1"], "version": [1, 2], "test": ["t", "t"],
                          "result": ["passed", "passed"], "comment": [None, None]})
    insert_frames(engine, {"partners": partners, "projects": projects, "monitor_tests": tests})
    with engine.begin() as conn:
        refresh_rollups(conn, now=AS_OF)
        report = partner_report(conn, "PB", as_of=AS_OF)
    text = json.dumps(report, ensure_ascii=False)
    assert [(p["project_id"], p["version"], p["transferred"], p["points"]) for p in report["projects"]] == \
        [("X1", 2, True, 1.0)]
    assert "PA" not in text and "Старый партнёр" not in text


# ---------------------------------------------------------------- the page's callback, called as a hostile browser
@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_frames):
    folder = tmp_path_factory.mktemp("quality-page")
    demo_copy(tmp_path_factory, folder / "quality.db", DEMO_PARTNER_ID)  # demo_frames, loaded once per worker
    return make_app(folder)


def quality_call(partner_value, window="ttm") -> dict:
    return {
        "output": "quality-body.children",
        "outputs": {"id": "quality-body", "property": "children"},
        "inputs": [{"id": "quality-partner", "property": "value", "value": partner_value},
                   {"id": "quality-window", "property": "value", "value": window}],
        "changedPropIds": ["quality-partner.value"],
    }


def answer_text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.dumps(response.get_json(), ensure_ascii=False)


def test_partner_asking_for_another_partner_gets_only_its_own_data(app, demo_frames):
    client = logged_in_client(app, "partner")
    names = demo_frames["partners"].set_index("partner_id")["name"]
    for crafted in ("P0002", {"partner_id": "P0002"}, ["P0002"], None, "x" * 5000):
        text = answer_text(client.post(UPDATE, json=quality_call(crafted)))
        assert names["P0001"] in text
        assert "P0002" not in text and names["P0002"] not in text


def test_management_may_choose_any_partner(app, demo_frames):
    client = logged_in_client(app, "management")
    names = demo_frames["partners"].set_index("partner_id")["name"]
    text = answer_text(client.post(UPDATE, json=quality_call("P0002")))
    assert names["P0002"] in text and names["P0001"] not in text


def test_free_date_range_window_is_refused_with_a_plain_message(app):
    client = logged_in_client(app, "partner")
    text = answer_text(client.post(UPDATE, json=quality_call(None, window="2026-01-01/2026-02-01")))
    assert "«квартал» и «12 месяцев»" in text


def test_service_manager_is_refused(app):
    client = logged_in_client(app, "manager")
    response = client.post(UPDATE, json=quality_call("P0001"))
    assert response.status_code == 204 or "forbidden" in response.get_data(as_text=True)


def test_minimal_data_without_surveys_renders_empty_states(tmp_path):
    app = make_app(tmp_path)
    seed_minimal_data(app_engine(app))
    client = logged_in_client(app, "partner")
    text = answer_text(client.post(UPDATE, json=quality_call(None)))
    assert "Загрузите файлы projects и surveys" in text and "Загрузите файл tickets" in text


# ---------------------------------------------------------------- big grids paged on the server
def _server_grids(payload) -> list[dict]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "AgGrid" and isinstance(node.get("props", {}).get("id"), dict) \
                    and node["props"]["id"].get("type") == "server-grid":
                found.append(node["props"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload)
    return found


def _rows_call(grid_id: dict, request: dict) -> dict:
    pattern = json.dumps({"name": ["MATCH"], "token": ["MATCH"], "type": "server-grid"}, separators=(",", ":"))
    return {"output": f"{pattern}.getRowsResponse",
            "outputs": {"id": grid_id, "property": "getRowsResponse"},
            "inputs": [{"id": grid_id, "property": "getRowsRequest", "value": request}],
            "changedPropIds": [f"{json.dumps(grid_id, separators=(',', ':'), sort_keys=True)}.getRowsRequest"]}


def test_big_tickets_grid_is_paged_on_the_server_for_its_owner_only(app, demo_frames, monkeypatch):
    import components.server_grid as server_grid

    monkeypatch.setattr(server_grid, "SERVER_ROWS", 5)
    owner = logged_in_client(app, "partner")
    body = owner.post(UPDATE, json=quality_call(None)).get_json()
    grids = {g["id"]["name"]: g for g in _server_grids(body)}
    assert "quality-tickets" in grids and grids["quality-tickets"]["rowModelType"] == "infinite"
    assert "rowData" not in grids["quality-tickets"]  # no rows travel with the page
    grid_id = grids["quality-tickets"]["id"]
    request = {"startRow": 0, "endRow": 10, "sortModel": [{"colId": "ticket_id", "sort": "desc"}]}
    answer = owner.post(UPDATE, json=_rows_call(grid_id, request)).get_json()["response"]
    page = next(iter(answer.values()))["getRowsResponse"]
    tickets = demo_frames["tickets"]
    clients = demo_frames["clients"].set_index("client_id")["partner_id"]
    own = tickets[tickets["partner_id"].fillna(tickets["client_id"].map(clients)) == DEMO_PARTNER_ID]
    assert page["rowCount"] == len(own) > 10
    assert [r["ticket_id"] for r in page["rowData"]] == sorted(own["ticket_id"], reverse=True)[:10]

    # another logged-in user replaying the owner's grid id (token) gets nothing
    other = logged_in_client(app, "management")
    response = other.post(UPDATE, json=_rows_call(grid_id, request))
    assert response.status_code in (200, 204)
    if response.status_code == 200:
        text = response.get_data(as_text=True)
        assert '"rowCount": 0' in text.replace('"rowCount":0', '"rowCount": 0') and "T0" not in text

    # "Download CSV" sends the whole table from the server to the owner only
    pattern = json.dumps({"name": ["MATCH"], "token": ["MATCH"], "type": "server-grid-download"},
                         separators=(",", ":"))
    ident = {"name": grid_id["name"], "token": grid_id["token"]}
    download = {"output": f"{pattern}.data",
                "outputs": {"id": {**ident, "type": "server-grid-download"}, "property": "data"},
                "inputs": [{"id": {**ident, "type": "server-grid-csv"}, "property": "n_clicks", "value": 1}],
                "state": [{"id": grid_id, "property": "filterModel", "value": None}],
                "changedPropIds": [json.dumps({**ident, "type": "server-grid-csv"}, separators=(",", ":"),
                                              sort_keys=True) + ".n_clicks"]}
    sent = next(iter(owner.post(UPDATE, json=download).get_json()["response"].values()))["data"]
    assert sent["filename"] == "tickets.csv" and sent["content"].count("\n") == len(own) + 1
    assert other.post(UPDATE, json=download).status_code == 204
