"""Specification of the demo data generator (``demo``): shape, integrity and the seeded rules."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

import demo

SPEC_COLUMNS = {  # SPEC §3, in order
    "partners": ["partner_id", "name", "city", "region", "country", "network_competence_center", "kkv_level",
                 "kkv_valid_until"],
    "clients": ["client_id", "name", "partner_id", "city", "users", "service_manager", "calendar", "sla_policy"],
    "projects": ["project_id", "partner_id", "submitted_at", "version", "client_id", "site_url", "category",
                 "industry", "license_key", "transferred_from", "contact_name", "contact_phone"],
    "monitor_tests": ["project_id", "version", "test", "result", "comment"],
    "license_keys": ["key", "partner_id", "purchased_at", "activated_at", "project_id"],
    "surveys": ["survey_id", "project_id", "surveyed_at", "version", "q_business_goals", "q_design",
                "q_dev_quality", "q_managers", "q_budget", "q_speed", "q_recommend_partner",
                "q_platform_usability", "q_platform_features", "q_recommend_platform", "comment"],
    "tickets": ["ticket_id", "client_id", "created_at", "partner_id", "service", "channel", "kind", "type",
                "priority", "line", "assignee", "subtasks", "estimate_hours", "accepted_at", "due_at",
                "resolved_at", "closed_at", "requirements_at", "spec_at", "implemented_at", "deployed_at"],
    "ticket_pauses": ["ticket_id", "paused_at", "resumed_at", "reason"],
    "worklog": ["ticket_id", "staff", "hours", "work_date", "work_type"],
    "staff": ["staff", "line", "name"],
    "deposits": ["partner_id", "paid_at", "amount", "currency"],
    "kkv_points": ["partner_id", "earned_at", "source", "points"],
    "enterprise_reports": ["project_id", "reported_at", "stage", "comment"],
    "saas_contracts": ["contract_id", "partner_id", "started_at", "client_id", "its_level", "promo", "lead_id",
                       "ended_at", "churn_reason"],
    "leads": ["lead_id", "registered_at", "partner_id", "welcome_call_at", "first_reply_at", "converted_at",
              "complaint"],
}
QUESTIONS = SPEC_COLUMNS["surveys"][4:14]
UTC = pd.Timestamp


@pytest.fixture(scope="module")
def small() -> dict[str, pd.DataFrame]:
    return demo.generate("small", seed=42)


def _submitted_project_ids(frames: dict[str, pd.DataFrame]) -> set[str]:
    """Projects with a version whose tests are all passed or manual-with-comment (seed 000)."""
    tests = frames["monitor_tests"]
    ok = (tests["result"] == "passed") | ((tests["result"] == "manual") & tests["comment"].notna())
    per_version = ok.groupby([tests["project_id"], tests["version"]]).all()
    return set(per_version[per_version].index.get_level_values(0))


# --------------------------------------------------------------------------- shape and integrity

def test_same_seed_gives_identical_frames(small):
    again = demo.generate("small", seed=42)
    assert small.keys() == again.keys()
    for kind in small:
        pd.testing.assert_frame_equal(small[kind], again[kind])


def test_other_seed_gives_other_data(small):
    other = demo.generate("small", seed=7)
    assert not other["tickets"]["created_at"].equals(small["tickets"]["created_at"])


def test_every_kind_has_the_columns_of_spec_section_3(small):
    assert {kind: list(frame.columns) for kind, frame in small.items()} == SPEC_COLUMNS


def test_small_scale_row_counts_are_exact(small):
    sc = demo.SCALES["small"]
    assert (len(small["partners"]), len(small["clients"]), len(small["projects"]), len(small["surveys"]),
            len(small["tickets"]), len(small["ticket_pauses"]), len(small["worklog"])) == (
        sc.partners, sc.clients, sc.project_versions, sc.surveys, sc.tickets, sc.pauses, sc.worklog)


def test_large_scale_matches_spec_section_9():
    sc = demo.SCALES["large"]
    assert (sc.partners, sc.cities, sc.clients, sc.project_versions, sc.surveys, sc.tickets, sc.pauses,
            sc.worklog) == (5_000, 300, 50_000, 200_000, 150_000, 2_000_000, 500_000, 4_000_000)


def test_ids_are_prefixed_strings(small):
    assert small["partners"]["partner_id"].iloc[0] == "P0001"
    assert small["clients"]["client_id"].iloc[0] == "C00001"
    assert small["tickets"]["ticket_id"].iloc[0] == "T0000001"
    assert small["projects"]["project_id"].str.fullmatch(r"PRJ\d{6}").all()


def test_keys_are_unique(small):
    keys = {"partners": ["partner_id"], "clients": ["client_id"], "projects": ["project_id", "version"],
            "monitor_tests": ["project_id", "version", "test"], "license_keys": ["key"], "surveys": ["survey_id"],
            "tickets": ["ticket_id"], "ticket_pauses": ["ticket_id", "paused_at"], "staff": ["staff"],
            "saas_contracts": ["contract_id"], "leads": ["lead_id"]}
    for kind, cols in keys.items():
        assert not small[kind].duplicated(cols).any(), kind


@pytest.mark.parametrize(("kind", "column", "target", "target_column"), [
    ("clients", "partner_id", "partners", "partner_id"),
    ("projects", "partner_id", "partners", "partner_id"),
    ("projects", "client_id", "clients", "client_id"),
    ("projects", "license_key", "license_keys", "key"),
    ("projects", "transferred_from", "partners", "partner_id"),
    ("monitor_tests", "project_id", "projects", "project_id"),
    ("license_keys", "partner_id", "partners", "partner_id"),
    ("license_keys", "project_id", "projects", "project_id"),
    ("surveys", "project_id", "projects", "project_id"),
    ("tickets", "client_id", "clients", "client_id"),
    ("tickets", "partner_id", "partners", "partner_id"),
    ("tickets", "assignee", "staff", "staff"),
    ("ticket_pauses", "ticket_id", "tickets", "ticket_id"),
    ("worklog", "ticket_id", "tickets", "ticket_id"),
    ("worklog", "staff", "staff", "staff"),
    ("deposits", "partner_id", "partners", "partner_id"),
    ("kkv_points", "partner_id", "partners", "partner_id"),
    ("enterprise_reports", "project_id", "projects", "project_id"),
    ("saas_contracts", "partner_id", "partners", "partner_id"),
    ("saas_contracts", "client_id", "clients", "client_id"),
    ("saas_contracts", "lead_id", "leads", "lead_id"),
    ("leads", "partner_id", "partners", "partner_id"),
])
def test_foreign_key_values_exist(small, kind, column, target, target_column):
    values = small[kind][column].dropna()
    assert len(values) > 0
    assert values.isin(small[target][target_column]).all()


def test_monitor_tests_and_surveys_reference_existing_versions(small):
    versions = small["projects"][["project_id", "version"]]
    for kind in ("monitor_tests", "surveys"):
        merged = small[kind][["project_id", "version"]].merge(versions, how="left", indicator=True)
        assert (merged["_merge"] == "both").all(), kind


def test_timestamps_are_tz_aware_utc_inside_the_window(small):
    for kind, frame in small.items():
        for col in frame.columns:
            if col.endswith("_at") and col != "kkv_valid_until":
                assert str(frame[col].dtype) == "datetime64[ns, UTC]", (kind, col)
                values = frame[col].dropna()
                assert values.min() >= UTC("2023-01-01", tz="UTC"), (kind, col)
                if col != "due_at":
                    assert values.max() < UTC("2026-11-23", tz="UTC"), (kind, col)


# --------------------------------------------------------------------------- geography and privacy groups

def test_cities_with_exactly_one_four_and_twenty_partners(small):
    counts = small["partners"]["city"].value_counts()
    assert (counts[demo.CITY_1], counts[demo.CITY_4], counts[demo.CITY_20]) == (1, 4, 20)


def test_region_is_the_federal_district_for_russia(small):
    omsk = small["partners"].loc[small["partners"]["city"] == "Омск"].iloc[0]
    assert (omsk["region"], omsk["country"]) == ("Сибирский ФО", "RU")


def test_kazakh_and_ukrainian_partners_exist_with_oblast_regions(small):
    p = small["partners"].set_index("partner_id")
    assert set(p["country"]) == {"RU", "KZ", "UA"}
    assert p.loc["P0026", ["city", "country", "region"]].tolist() == ["Алматы", "KZ", "Алматы"]
    assert p.loc["P0029", ["city", "country", "region"]].tolist() == ["Харьков", "UA", "Харьковская область"]


def test_demo_partner_has_rich_data_in_a_city_with_five_other_partners(small):
    partners = small["partners"].set_index("partner_id")
    city = partners.loc[demo.DEMO_PARTNER_ID, "city"]
    assert (partners["city"] == city).sum() - 1 >= 5
    for kind in ("projects", "tickets", "license_keys", "saas_contracts"):
        per_partner = small[kind]["partner_id"].value_counts()
        assert per_partner[demo.DEMO_PARTNER_ID] >= per_partner.median(), kind
    paid = small["deposits"].groupby("partner_id")["amount"].sum()
    assert paid[demo.DEMO_PARTNER_ID] >= paid.median()
    surveyed = small["surveys"].merge(small["projects"][["project_id", "version", "partner_id"]])
    assert (surveyed["partner_id"] == demo.DEMO_PARTNER_ID).sum() >= 30


# --------------------------------------------------------------------------- Quality Program (seed 000)

@pytest.mark.parametrize(("partner", "keys", "covered"), [
    (demo.QP_ABOVE_PARTNER_ID, 25, 13), (demo.QP_EXACT_PARTNER_ID, 20, 10), (demo.QP_BELOW_PARTNER_ID, 25, 12)])
def test_quality_program_boundary_partners_on_2026_11_01(small, partner, keys, covered):
    k = small["license_keys"]
    in_window = (k["partner_id"] == partner) & (k["purchased_at"] >= UTC("2025-09-01", tz="UTC")) \
        & (k["purchased_at"] < UTC("2026-09-01", tz="UTC")) & (k["activated_at"] < UTC("2026-11-01", tz="UTC"))
    linked = k.loc[in_window, "project_id"].isin(_submitted_project_ids(small))
    assert (int(in_window.sum()), int(linked.sum())) == (keys, covered)


def test_window_also_holds_keys_that_were_never_activated(small):
    k = small["license_keys"]
    mine = k[k["partner_id"] == demo.QP_ABOVE_PARTNER_ID]
    assert mine["activated_at"].isna().sum() == 3


def test_zero_key_partners_have_no_keys(small):
    assert not small["license_keys"]["partner_id"].isin(demo.ZERO_KEYS_PARTNER_IDS).any()
    assert set(demo.ZERO_KEYS_PARTNER_IDS) <= set(small["partners"]["partner_id"])


def test_manual_monitor_tests_always_have_a_comment(small):
    t = small["monitor_tests"]
    assert set(t["result"]) == {"passed", "failed", "manual"}
    assert t.loc[t["result"] == "manual", "comment"].notna().all()
    assert t.loc[t["result"] != "manual", "comment"].isna().all()


def test_projects_are_resubmitted_and_transferred(small):
    p = small["projects"]
    assert {1, 2, 3} <= set(p["version"])
    moved = p[p["transferred_from"].notna()]
    assert (moved["transferred_from"] != moved["partner_id"]).all()
    assert (moved["version"] >= 2).all()
    assert (moved["partner_id"] == demo.DEMO_PARTNER_ID).any()


def test_versions_of_a_project_are_in_date_order(small):
    p = small["projects"].sort_values(["project_id", "version"])
    assert (p.groupby("project_id")["submitted_at"].diff().dropna() >= pd.Timedelta(0)).all()


# --------------------------------------------------------------------------- surveys

def test_survey_answers_are_mostly_four_or_five_with_some_empty(small):
    answers = small["surveys"][QUESTIONS]
    values = answers.stack().dropna()  # pandas 3 keeps missing answers in stack()
    assert set(values.unique()) <= {1, 2, 3, 4, 5}
    assert values.isin([4, 5]).mean() > 0.7
    assert 0.01 < answers.isna().to_numpy().mean() < 0.1


def test_survey_comments_are_russian(small):
    comments = small["surveys"]["comment"].dropna()
    assert len(comments) > 100
    assert comments.str.contains("[а-яА-Я]").all()


def test_surveys_follow_the_submission_of_their_version(small):
    s = small["surveys"].merge(small["projects"][["project_id", "version", "submitted_at"]])
    assert (s["surveyed_at"] >= s["submitted_at"]).all()


# --------------------------------------------------------------------------- tickets, pauses, worklog

def test_ticket_timestamps_are_in_order(small):
    t = small["tickets"]
    chain = ["created_at", "accepted_at", "requirements_at", "spec_at", "implemented_at", "deployed_at",
             "resolved_at", "closed_at"]
    for earlier, later in zip(chain, chain[1:]):
        assert not (t[later] < t[earlier]).any(), (earlier, later)
    assert not (t["resolved_at"] < t["accepted_at"]).any()
    assert not (t["closed_at"] < t["resolved_at"]).any()


def test_some_tickets_are_open_at_the_end_of_the_window(small):
    t = small["tickets"]
    assert t["resolved_at"].isna().sum() >= 5
    assert t["accepted_at"].isna().sum() >= 1
    assert (t["resolved_at"].notna() & t["accepted_at"].isna()).sum() == 0


def test_stage_timestamps_belong_to_enhancements_only(small):
    t = small["tickets"]
    assert t.loc[t["kind"] != "enhancement", "requirements_at"].isna().all()
    assert t.loc[t["kind"] == "enhancement", "requirements_at"].notna().mean() > 0.95


def test_ticket_attributes_follow_seed_003(small):
    t = small["tickets"]
    assert set(t["service"]) == {"psm", "classic"}
    assert set(t["channel"]) == {"onebox", "cabinet", "email", "phone"}
    assert (t.loc[t["channel"] == "phone", "priority"] == 1).all()
    assert t.loc[t["type"] == "complex", "subtasks"].notna().all()
    assert t.loc[t["type"] != "complex", "subtasks"].isna().all()
    rework = t[t["type"] == "rework"]
    assert rework["estimate_hours"].notna().all()
    assert rework.loc[rework["accepted_at"].notna(), "due_at"].notna().all()


def test_psm_resolves_faster_than_classic_for_the_same_type_and_priority(small):
    t = small["tickets"].dropna(subset=["resolved_at"])
    t = t[t["kind"] == "incident"]
    hours = (t["resolved_at"] - t["accepted_at"]).dt.total_seconds() / 3600
    median = hours.groupby([t["type"], t["priority"], t["service"]]).median().unstack()
    assert (median["psm"] < median["classic"]).all()


def test_assignee_works_on_the_line_of_the_ticket(small):
    t = small["tickets"].dropna(subset=["assignee"])
    line = t["assignee"].map(small["staff"].set_index("staff")["line"])
    assert (line == t["line"]).all()


def test_fewer_tickets_in_new_year_holidays_and_summer_than_in_q4(small):
    created = small["tickets"]["created_at"].dt.tz_convert("Europe/Moscow")
    per_day = created.dt.normalize().value_counts()
    per_day = per_day[(per_day.index.year >= 2024) & (per_day.index.year <= 2025)]
    month = per_day.index.month
    new_year = per_day[(month == 1) & (per_day.index.day <= 8)].sum() / 16
    summer = per_day[(month >= 6) & (month <= 8)].sum() / 184
    q4 = per_day[month >= 10].sum() / 184
    assert new_year < summer < q4


def test_special_tickets_span_the_working_saturday_and_new_year(small):
    t = small["tickets"].set_index("ticket_id")
    ids = demo.SPECIAL_TICKET_IDS
    msk = "Europe/Moscow"
    assert t.loc[ids["working_saturday_span"], "resolved_at"].tz_convert(msk) == UTC("2024-04-27 12:30", tz=msk)
    assert t.loc[ids["created_on_working_saturday"], "created_at"] == UTC("2024-04-27T10:15:00+03:00")
    ny = t.loc[ids["new_year_rework_bp"]]
    assert ny["created_at"] < UTC("2025-01-01", tz=msk) < UTC("2025-01-08", tz=msk) < ny["resolved_at"]
    assert pd.isna(t.loc[ids["still_paused"], "resolved_at"])
    assert pd.isna(t.loc[ids["open_unaccepted"], "accepted_at"])


def test_pauses_lie_between_acceptance_and_resolution(small):
    p = small["ticket_pauses"].merge(small["tickets"], on="ticket_id")
    assert (p["paused_at"] >= p["accepted_at"]).all()
    assert not (p["resumed_at"] < p["paused_at"]).any()
    assert not (p["resumed_at"] > p["resolved_at"]).any()
    still = p[p["resumed_at"].isna()]
    assert len(still) >= 3 and still["resolved_at"].isna().all()


def test_pause_reasons_with_production_waits_mostly_on_rework_and_bugs(small):
    p = small["ticket_pauses"].merge(small["tickets"][["ticket_id", "type"]], on="ticket_id")
    assert set(p["reason"]) == {"waiting_production", "waiting_client", "other"}
    production = p[p["reason"] == "waiting_production"]
    assert production["type"].isin(["rework", "bug"]).mean() > 0.5
    assert small["ticket_pauses"].loc[small["ticket_pauses"]["ticket_id"] == demo.SPECIAL_TICKET_IDS[
        "new_year_rework_bp"], "reason"].tolist() == ["waiting_production"]


def test_worklog_hours_are_positive_quarter_hours_of_both_work_types(small):
    w = small["worklog"]
    assert (w["hours"] > 0).all()
    assert ((w["hours"] * 4) % 1 == 0).all()
    assert set(w["work_type"]) == {"support", "development"}


def test_worklog_dates_fall_between_acceptance_and_the_window_end(small):
    w = small["worklog"].merge(small["tickets"][["ticket_id", "accepted_at"]], on="ticket_id")
    accepted_day = w["accepted_at"].dt.tz_convert("Asia/Almaty").dt.tz_localize(None).dt.normalize()
    assert (w["work_date"] >= accepted_day - pd.Timedelta(days=1)).all()
    assert w["work_date"].max() <= pd.Timestamp("2026-11-15")


# --------------------------------------------------------------------------- seed 004: deteriorating client

def _periods() -> pd.IntervalIndex:
    edges = pd.to_datetime(list(demo.DETERIORATION_PERIOD_STARTS) + ["2026-11-16"])
    return pd.IntervalIndex.from_breaks(edges, closed="left")


def test_deteriorating_client_development_share_jumps_from_20_to_over_70_percent(small):
    t = small["tickets"]
    w = small["worklog"][small["worklog"]["ticket_id"].isin(t.loc[t["client_id"] == demo.DETERIORATING_CLIENT_ID,
                                                                  "ticket_id"])]
    period = pd.cut(w["work_date"], _periods())
    hours = w.pivot_table(index=period, columns="work_type", values="hours", aggfunc="sum", observed=False)
    share = hours["development"] / hours.sum(axis=1)
    assert share.iloc[:3].between(0.15, 0.25).all()
    assert share.iloc[3] >= 0.7


def test_deteriorating_client_development_in_last_period_is_high_priority(small):
    t = small["tickets"]
    mine = t[(t["client_id"] == demo.DETERIORATING_CLIENT_ID) & (t["kind"] == "enhancement")]
    last = mine[mine["created_at"] >= UTC(demo.DETERIORATION_PERIOD_STARTS[-1], tz="Europe/Moscow")]
    assert len(last) >= 5 and last["priority"].isin([1, 2]).all()


def test_deteriorating_client_incidents_on_lines_2_and_3_resolve_much_slower(small):
    t = small["tickets"]
    inc = t[(t["client_id"] == demo.DETERIORATING_CLIENT_ID) & (t["kind"] == "incident") & t["line"].isin([2, 3])]
    period = pd.cut(inc["created_at"].dt.tz_localize(None), _periods())
    median = ((inc["resolved_at"] - inc["accepted_at"]).dt.total_seconds() / 3600).groupby(period, observed=False).median()
    assert median.iloc[3] > 3 * median.iloc[:3].mean()


def test_demo_manager_login_manages_several_clients_including_the_deteriorating_one(small):
    c = small["clients"]
    mine = c.loc[c["service_manager"] == demo.DEMO_MANAGER_LOGIN, "client_id"]
    assert len(mine) >= 3 and demo.DETERIORATING_CLIENT_ID in set(mine)
    assert c["service_manager"].dropna().str.fullmatch(r"manager\d*").all()
    assert set(c["calendar"]) <= {"RU", "KZ", "UA", "24x7"} and set(c["sla_policy"]) == {"default", "premium"}


# --------------------------------------------------------------------------- programmes

def test_deposits_are_uah_of_psm_partners_in_whole_tickets(small):
    d = small["deposits"]
    psm_partners = set(small["tickets"].loc[small["tickets"]["service"] == "psm", "partner_id"])
    assert set(d["currency"]) == {"UAH"}
    assert set(d["partner_id"]) <= psm_partners
    assert ((d["amount"] % 180) == 0).all() and demo.DEMO_PARTNER_ID in set(d["partner_id"])


def test_kkv_of_some_partners_expires_within_14_days_of_today(small):
    p = small["partners"].set_index("partner_id")
    until = p.loc[list(demo.KKV_EXPIRING_PARTNER_IDS), "kkv_valid_until"]
    assert (until > pd.Timestamp("2026-11-23")).all() and (until <= pd.Timestamp("2026-12-07")).all()
    assert p.loc[p["kkv_level"] == "none", "kkv_valid_until"].isna().all()
    assert set(p["kkv_level"]) == {"none", "basic", "extended"}


def test_kkv_points_come_from_the_three_sources(small):
    k = small["kkv_points"]
    assert set(k["source"]) == {"sales", "projects", "marketing"} and (k["points"] > 0).all()


def test_some_enterprise_projects_have_not_reported_for_over_two_months(small):
    r = small["enterprise_reports"]
    last = r.groupby("project_id")["reported_at"].max()
    stages = r.groupby("project_id")["stage"].last()
    overdue = last[(last < UTC("2026-09-23", tz="UTC")) & (stages[last.index] != "completed")]
    assert len(overdue) >= 1 and (last >= UTC("2026-09-23", tz="UTC")).any()
    owner = small["projects"].drop_duplicates("project_id").set_index("project_id")["partner_id"]
    assert demo.OVERDUE_REPORT_PARTNER_ID in set(owner[overdue.index])


def test_saas_contracts_have_promos_and_churn_with_reasons(small):
    s = small["saas_contracts"]
    assert set(s["promo"]) == {"none", "prof_promo", "other_promo"}
    assert (s.loc[s["promo"] == "prof_promo", "its_level"] == "prof").all()
    churned = s[s["ended_at"].notna()]
    assert churned["churn_reason"].notna().all() and s.loc[s["ended_at"].isna(), "churn_reason"].isna().all()
    same_quarter = (churned["started_at"].dt.tz_convert(None).dt.to_period("Q")
                    == churned["ended_at"].dt.tz_convert(None).dt.to_period("Q"))
    assert same_quarter.sum() >= 5
    partners = small["partners"].set_index("partner_id")
    assert partners.loc[s["partner_id"], "network_competence_center"].all()


def test_leads_have_calls_replies_conversions_and_complaints(small):
    leads = small["leads"]
    assert leads["welcome_call_at"].notna().mean() > 0.8
    assert not (leads["welcome_call_at"] < leads["registered_at"]).any()
    assert not (leads["first_reply_at"] < leads["registered_at"]).any()
    converted = leads.dropna(subset=["converted_at"])
    assert len(converted) > 0 and converted["lead_id"].isin(small["saas_contracts"]["lead_id"]).all()
    complaints = leads.groupby("partner_id")["complaint"].mean()
    assert complaints.idxmax() == demo.COMPLAINT_PARTNER_ID


def test_each_quarter_shares_leads_among_at_most_ten_partners(small):
    leads = small["leads"]
    per_quarter = leads.groupby(leads["registered_at"].dt.tz_localize(None).dt.to_period("Q"))["partner_id"].nunique()
    assert per_quarter.max() <= 10 and len(per_quarter) >= 10


# --------------------------------------------------------------------------- CSV files and timing

def test_write_csv_writes_one_file_per_kind_with_local_offsets(small, tmp_path):
    paths = demo.write_csv(small, tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{kind}.csv" for kind in SPEC_COLUMNS)
    tickets = pd.read_csv(tmp_path / "tickets.csv", dtype=str, keep_default_na=False)
    assert list(tickets.columns) == SPEC_COLUMNS["tickets"]
    special = tickets.set_index("ticket_id").loc[demo.SPECIAL_TICKET_IDS["created_on_working_saturday"]]
    assert special["created_at"] == "2024-04-27T10:15:00+03:00"
    assert special["subtasks"] == "3"
    parsed = pd.to_datetime(tickets["created_at"], format="ISO8601", utc=True).dt.as_unit("ns")
    pd.testing.assert_series_equal(parsed, small["tickets"]["created_at"], check_names=False)


def test_written_survey_answers_are_integers_or_empty(small, tmp_path):
    demo.write_csv(small, tmp_path)
    surveys = pd.read_csv(tmp_path / "surveys.csv", dtype=str, keep_default_na=False, encoding="utf-8")
    values = set(np.unique(surveys[QUESTIONS].to_numpy()))
    assert values == {"", "1", "2", "3", "4", "5"} or values == {"", "2", "3", "4", "5"}
    worklog = pd.read_csv(tmp_path / "worklog.csv", dtype=str, nrows=5)
    assert worklog["work_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_small_scale_generates_in_under_ten_seconds():
    start = time.perf_counter()
    demo.generate("small", seed=3)
    assert time.perf_counter() - start < 10.0


def test_unknown_scale_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="unknown scale 'huge'"):
        demo.generate("huge")
