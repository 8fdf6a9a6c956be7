"""Row-level problems of SPEC §3: each becomes a rejected row with a plain reason; the rest loads."""
from __future__ import annotations

from tests.integration.loader_files import count, load, load_one, quarantine, reasons, seed, stored, write


def test_bad_enum_value_is_rejected_with_the_allowed_values(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "tickets.csv", "ticket_id,client_id,created_at,priority,channel\n"
                 "T5,C1,2024-04-01 10:00,4,email\nT6,C1,2024-04-01 10:00,1,fax\n")
    report = load_one(engine, path)
    assert (report.rows, report.accepted, report.rejected) == (2, 0, 2)
    assert reasons(report) == [(1, "priority", "priority must be 1, 2 or 3"),
                               (2, "channel", "channel must be onebox, cabinet, email or phone, not 'fax'")]


def test_impossible_date_is_rejected(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "tickets.csv", "ticket_id,client_id,created_at\nT5,C1,31.02.2024\nT6,C1,2024-04-01 10:00\n")
    report = load_one(engine, path)
    assert (report.accepted, report.rejected) == (1, 1)
    assert report.errors == [{"row": 1, "column": "created_at", "value": "31.02.2024",
                              "reason": "date not recognised: '31.02.2024'"}]


def test_bad_number_is_rejected(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "worklog.csv", "ticket_id,staff,hours,work_date\nT1,S1,два,2024-04-01\nT1,S1,-1,2024-04-02\n")
    report = load_one(engine, path)
    assert reasons(report) == [(1, "hours", "hours is not a number: 'два'"), (2, "hours", "hours must not be negative")]
    assert count(engine, "worklog") == 0


def test_missing_required_value_is_rejected(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "tickets.csv", "ticket_id,client_id,created_at\nT5,,2024-04-01 10:00\n")
    report = load_one(engine, path)
    assert reasons(report) == [(1, "client_id", "missing required value")]


def test_manual_monitor_test_without_comment_is_rejected(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "monitor_tests.csv", "project_id,version,test,result,comment\n"
                 "PRJ1,1,ssl,manual,\nPRJ1,1,speed,manual,checked by hand\nPRJ1,1,seo,passed,\n")
    report = load_one(engine, path)
    assert (report.accepted, report.rejected) == (2, 1)
    assert reasons(report) == [(1, "comment", "manual monitor test needs a comment")]


def test_survey_for_unknown_project_is_rejected(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "surveys.csv", "survey_id,project_id,surveyed_at\nS1,PRJ9,2024-04-01\nS2,PRJ1,2024-04-01\n")
    report = load_one(engine, path)
    assert reasons(report) == [(1, "project_id", "survey for unknown project PRJ9")]
    assert stored(engine, "surveys")["survey_id"].tolist() == ["S2"]


def test_worklog_needs_a_known_ticket_and_staff_member(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "worklog.csv", "ticket_id,staff,hours,work_date\nT9,S1,1,2024-04-01\nT1,S9,1,2024-04-01\n")
    assert reasons(load_one(engine, path)) == [(1, "ticket_id", "work on unknown ticket T9"),
                                               (2, "staff", "work by unknown staff member S9")]


def test_client_partner_is_checked_only_when_given(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "clients.csv", "client_id,name,partner_id\nC7,A,\nC8,B,P9\n")
    report = load_one(engine, path)
    assert reasons(report) == [(2, "partner_id", "client of unknown partner P9")]


def test_duplicate_key_loads_the_last_row_and_rejects_the_earlier_one(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "tickets.csv", "ticket_id,client_id,created_at,priority\n"
                 "T5,C1,2024-04-01 10:00,3\nT6,C1,2024-04-01 10:00,3\nT5,C1,2024-04-01 10:00,1\n")
    report = load_one(engine, path)
    assert (report.rows, report.accepted, report.rejected) == (3, 2, 1)
    assert reasons(report) == [(1, "ticket_id", "duplicate key (ticket_id): row 3 later in the file has the same "
                                               "key and is loaded")]
    assert stored(engine, "tickets").set_index("ticket_id").loc["T5", "priority"] == 1


def test_duplicate_key_across_chunks_loads_the_last_row(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "tickets.csv", "ticket_id,client_id,created_at,priority\n"
                 "T5,C1,2024-04-01 10:00,3\nT6,C1,2024-04-01 10:00,3\nT5,C1,2024-04-01 10:00,2\n")
    (report,) = load(engine, path, chunk_rows=1)
    assert (report.accepted, report.rejected) == (2, 1)
    assert report.errors[0]["row"] == 1
    assert stored(engine, "tickets").set_index("ticket_id").loc["T5", "priority"] == 2


def test_worklog_rows_of_one_ticket_staff_day_and_type_are_summed(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "worklog.csv", "ticket_id,staff,hours,work_date,work_type\n"
                 "T1,S1,1.5,2024-04-01,support\nT1,S1,2,2024-04-01,support\nT1,S1,3,2024-04-01,development\n")
    report = load_one(engine, path)
    assert (report.accepted, report.rejected, report.summed) == (3, 0, 1)
    assert stored(engine, "worklog")[["work_type", "hours"]].values.tolist() == [["development", 3.0],
                                                                               ["support", 3.5]]


def test_worklog_sum_is_the_same_when_rows_fall_in_different_chunks(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "worklog.csv", "ticket_id,staff,hours,work_date\n"
                 "T1,S1,1.5,2024-04-01\nT1,S2,1,2024-04-01\nT1,S1,2,2024-04-01\n")
    assert load(engine, path, chunk_rows=1)[0].summed == 1
    load(engine, path, chunk_rows=1)  # and a re-load does not add it again
    assert stored(engine, "worklog")[["staff", "hours"]].values.tolist() == [["S1", 3.5], ["S2", 1.0]]


def test_row_with_several_problems_is_one_rejected_row_listing_every_problem(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "tickets.csv", "ticket_id,client_id,created_at,priority,line\n"
                 "T5,C9,yesterday,high,1\nT6,C1,2024-04-01 10:00,1,1\n")
    report = load_one(engine, path)
    assert (report.rows, report.accepted, report.rejected) == (2, 1, 1)
    assert reasons(report) == [(1, "client_id", "ticket of unknown client C9"),
                               (1, "created_at", "date not recognised: 'yesterday'"),
                               (1, "priority", "priority must be a whole number, not 'high'")]


def test_every_error_is_kept_in_quarantine_with_file_row_and_raw_values(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "tickets.csv", "ticket_id,client_id,created_at,priority\nT5,C9,2024-04-01 10:00,7\n")
    load_one(engine, path)
    rows = quarantine(engine)
    assert rows[["path", "kind", "row", "column", "value"]].values.tolist() == [
        [str(path), "tickets", 1, "client_id", "C9"], [str(path), "tickets", 1, "priority", "7"]]
    raw = rows["raw"].iloc[0]
    raw = raw if isinstance(raw, dict) else __import__("json").loads(raw)
    assert raw == {"ticket_id": "T5", "client_id": "C9", "created_at": "2024-04-01 10:00", "priority": "7"}


def test_value_longer_than_the_column_is_a_rejected_row_not_a_crash(engine, tmp_path):
    path = write(tmp_path, "partners.csv", f"partner_id,name,city\n{'P' * 65},A,Omsk\nP1,B,Omsk\n")
    report = load_one(engine, path)
    assert reasons(report) == [(1, "partner_id", "partner_id is longer than 64 characters")]
    assert count(engine, "partners") == 1


def test_rows_in_equal_accepted_plus_rejected(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "ticket_pauses.csv", "ticket_id,paused_at,resumed_at,reason\n"
                 "T1,2024-04-02 10:00,2024-04-02 09:00,waiting_client\nT1,2024-04-03 10:00,,other\n"
                 "T9,2024-04-03 10:00,,other\nT2,2024-04-03 10:00,,сон\n")
    report = load_one(engine, path)
    assert (report.rows, report.accepted, report.rejected) == (4, 1, 3)
    assert report.rows == report.accepted + report.rejected
    assert reasons(report)[0] == (1, "resumed_at", "resumed_at is earlier than paused_at")
