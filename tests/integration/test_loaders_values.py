"""Cell values of SPEC §3: Likert labels, 0–10 recommend, booleans, dates and the zone of naive timestamps."""
from __future__ import annotations

import pandas as pd

from tests.integration.loader_files import load_one, seed, stored, utc, write

SURVEY_HEADER = "survey_id,project_id,surveyed_at,q_business_goals,q_managers,q_recommend_partner\n"


def test_russian_likert_labels_any_case_yo_and_spaces_map_to_5_to_1(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "опросы.csv", SURVEY_HEADER
                 + 'S1,PRJ1,2024-04-01,"Да, решает",Полностью удовлетворён,Да\n'
                 + 'S2,PRJ1,2024-04-01,скорее  решает,СКОРЕЕ УДОВЛЕТВОРЕН,Скорее да\n'
                 + 'S3,PRJ1,2024-04-01,Сложно сказать,сложно сказать,Не знаю\n'
                 + 'S4,PRJ1,2024-04-01,Скорее не решает,Скорее не удовлетворена,скорее нет\n'
                 + 'S5,PRJ1,2024-04-01,"  Нет,   не решает ",Полностью не удовлетворен,нет\n')
    report = load_one(engine, path)
    assert (report.accepted, report.rejected) == (5, 0), report.errors
    surveys = stored(engine, "surveys")
    for question in ("q_business_goals", "q_managers", "q_recommend_partner"):
        assert surveys[question].tolist() == [5, 4, 3, 2, 1]


def test_english_labels_and_numbers_are_likert_answers(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "surveys.csv", SURVEY_HEADER
                 + "S1,PRJ1,2024-04-01,Yes it does,Fully satisfied,yes\n"
                 + "S2,PRJ1,2024-04-01,2,rather dissatisfied,Rather no\n")
    assert load_one(engine, path).accepted == 2
    surveys = stored(engine, "surveys")
    assert surveys[["q_business_goals", "q_managers", "q_recommend_partner"]].values.tolist() == [[5, 5, 5], [2, 2, 2]]


def test_empty_answer_is_stored_as_no_answer(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "surveys.csv", SURVEY_HEADER + "S1,PRJ1,2024-04-01,,4,\n")
    assert load_one(engine, path).accepted == 1
    row = stored(engine, "surveys").iloc[0]
    assert pd.isna(row["q_business_goals"]) and pd.isna(row["q_recommend_partner"]) and row["q_managers"] == 4


def test_recommend_answers_0_to_10_make_the_whole_file_ten_point(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "surveys.csv", SURVEY_HEADER
                 + "S1,PRJ1,2024-04-01,5,5,3\nS2,PRJ1,2024-04-01,4,4,10\nS3,PRJ1,2024-04-01,4,4,0\n")
    assert load_one(engine, path).accepted == 3
    surveys = stored(engine, "surveys")
    assert surveys["q_recommend_partner"].tolist() == [3, 10, 0]  # the 3 is a 3 out of 10, not a Likert 3
    assert surveys["recommend_scale"].tolist() == [10, 10, 10]
    assert surveys["q_business_goals"].tolist() == [5, 4, 4]  # other questions stay 5-point


def test_recommend_answers_within_1_to_5_keep_the_five_point_scale(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "surveys.csv", SURVEY_HEADER + "S1,PRJ1,2024-04-01,5,5,Скорее да\n")
    assert load_one(engine, path).accepted == 1
    row = stored(engine, "surveys").iloc[0]
    assert (row["q_recommend_partner"], row["recommend_scale"]) == (4, 5)


def test_label_in_a_ten_point_file_is_rejected(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "surveys.csv", SURVEY_HEADER + "S1,PRJ1,2024-04-01,5,5,9\nS2,PRJ1,2024-04-01,5,5,Да\n")
    report = load_one(engine, path)
    assert (report.accepted, report.rejected) == (1, 1)
    assert report.errors[0]["row"] == 2 and "0–10" in report.errors[0]["reason"]


def test_booleans_da_net_true_1(engine, tmp_path):
    path = write(tmp_path, "partners.csv", "partner_id,name,city,network_competence_center\n"
                 "P1,A,Omsk,Да\nP2,B,Omsk,нет\nP3,C,Omsk,TRUE\nP4,D,Omsk,0\nP5,E,Omsk,\n")
    assert load_one(engine, path).accepted == 5
    assert stored(engine, "partners")["network_competence_center"].astype(bool).tolist() == [True, False, True, False,
                                                                                             False]


def test_russian_date_without_time_and_iso_date(engine, tmp_path):
    path = write(tmp_path, "partners.csv", "partner_id,name,city,kkv_level,kkv_valid_until\n"
                 "P1,A,Omsk,basic,27.04.2025\nP2,B,Omsk,extended,2025-04-28\n")
    assert load_one(engine, path).accepted == 2
    assert stored(engine, "partners")["kkv_valid_until"].tolist() == [pd.Timestamp("2025-04-27"),
                                                                       pd.Timestamp("2025-04-28")]


def ticket_file(tmp_path, rows: str):
    return write(tmp_path, "tickets.csv", "ticket_id,client_id,created_at\n" + rows)


def test_naive_timestamp_is_moscow_time_for_a_ru_calendar_client(engine, tmp_path):
    seed(engine)
    load_one(engine, ticket_file(tmp_path, "T5,C1,27.04.2024 10:15\n"))
    assert stored(engine, "tickets").set_index("ticket_id").loc["T5", "created_at"] == utc("2024-04-27 07:15")


def test_naive_timestamp_is_almaty_time_for_a_kz_calendar_client(engine, tmp_path):
    seed(engine)
    # Kazakhstan: UTC+6 until 2024-03-01, UTC+5 since (tz database)
    load_one(engine, ticket_file(tmp_path, "T5,C2,2024-01-15 10:00\nT6,C2,2024-04-27 10:15\n"))
    created = stored(engine, "tickets").set_index("ticket_id")["created_at"]
    assert (created["T5"], created["T6"]) == (utc("2024-01-15 04:00"), utc("2024-04-27 05:15"))


def test_naive_timestamp_is_kyiv_time_with_summer_time_for_a_ua_calendar_client(engine, tmp_path):
    seed(engine)
    load_one(engine, ticket_file(tmp_path, "T5,C3,2024-01-15 10:00\nT6,C3,2024-07-01 10:00\n"))
    created = stored(engine, "tickets").set_index("ticket_id")["created_at"]
    assert (created["T5"], created["T6"]) == (utc("2024-01-15 08:00"), utc("2024-07-01 07:00"))


def test_naive_timestamp_of_a_24x7_client_is_utc(engine, tmp_path):
    seed(engine)
    load_one(engine, ticket_file(tmp_path, "T5,C4,2024-01-15 10:00\n"))
    assert stored(engine, "tickets").set_index("ticket_id").loc["T5", "created_at"] == utc("2024-01-15 10:00")


def test_timestamp_with_offset_is_taken_as_is(engine, tmp_path):
    seed(engine)
    load_one(engine, ticket_file(tmp_path, "T5,C2,2024-04-27T10:15:00+03:00\nT6,C2,2024-04-27T10:15:00Z\n"))
    created = stored(engine, "tickets").set_index("ticket_id")["created_at"]
    assert (created["T5"], created["T6"]) == (utc("2024-04-27 07:15"), utc("2024-04-27 10:15"))


def test_naive_tz_option_overrides_the_client_zone(engine, tmp_path):
    seed(engine)
    load_one(engine, ticket_file(tmp_path, "T5,C2,2024-04-27 10:15\n"), naive_tz="Europe/Kyiv")
    assert stored(engine, "tickets").set_index("ticket_id").loc["T5", "created_at"] == utc("2024-04-27 07:15")


def test_pause_takes_the_zone_of_its_tickets_client(engine, tmp_path):
    seed(engine)  # T2 belongs to C2 (KZ)
    path = write(tmp_path, "ticket_pauses.csv", "ticket_id,paused_at,resumed_at,reason\n"
                 "T2,2024-04-02 10:00,2024-04-02 12:30,БП\n")
    assert load_one(engine, path).accepted == 1
    pause = stored(engine, "ticket_pauses").iloc[0]
    assert (pause["paused_at"], pause["resumed_at"], pause["reason"]) == (
        utc("2024-04-02 05:00"), utc("2024-04-02 07:30"), "waiting_production")


def test_project_timestamp_takes_the_partners_country_zone(engine, tmp_path):
    seed(engine)  # P2 is in KZ
    path = write(tmp_path, "projects.csv", "project_id,partner_id,submitted_at\nPRJ7,P2,2024-04-27 10:15\n")
    assert load_one(engine, path).accepted == 1
    assert stored(engine, "projects").set_index("project_id").loc["PRJ7", "submitted_at"] == utc("2024-04-27 05:15")


def test_project_version_defaults_to_1(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "projects.csv", "project_id,partner_id,submitted_at\nPRJ7,P1,2024-04-27 10:15\n")
    load_one(engine, path)
    assert stored(engine, "projects").set_index("project_id").loc["PRJ7", "version"] == 1
