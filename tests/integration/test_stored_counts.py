"""The rows stored per input kind are kept by the loads (`stored_counts`, issue 14) and always equal a count.

The admin's home reads them instead of counting the input tables; each file's upserts add the rows they inserted
(not the rows they updated, summed or rejected), in the file's transaction, on both backends.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import update

from components.loader_words import loader_message
from jobs.consistency import stored_count_mismatches
from reports.home import admin_home
from store.bulk import upsert_dataframe
from store.models import Staff, StoredCount, Worklog
from store.stored_counts import counted_rows, stored_row_counts
from tests.integration.loader_files import load, load_one, seed, write


def kept(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return stored_row_counts(conn)


def counted(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return counted_rows(conn)


def test_loads_keep_the_stored_rows_per_kind_equal_to_a_count(engine, tmp_path):
    seed(engine)
    assert kept(engine) == counted(engine) and kept(engine)["tickets"] > 0
    staff = write(tmp_path, "staff.csv", "staff,line,name\nS1,1,Иван Петрович\nS7,1,Новая\nS8,2,Новый\n")
    assert load_one(engine, staff).accepted == 3  # one row updated, two new
    worklog = write(tmp_path, "worklog.csv", "ticket_id,staff,hours,work_date\n"
                    "T1,S1,1.5,2024-04-01\nT1,S7,1,2024-04-01\nT1,S1,2,2024-04-01\nT9,S1,1,2024-04-01\n")
    report = load(engine, worklog, chunk_rows=1)[0]  # a repeated key summed across chunks, an unknown ticket
    assert (report.summed, report.rejected) == (1, 1)
    load(engine, worklog)  # the same file again: its keys are stored, hours added, no new row
    assert kept(engine) == counted(engine)
    assert (kept(engine)["staff"], kept(engine)["worklog"]) == (counted(engine)["staff"], 2)


def test_a_refused_file_adds_nothing(engine, tmp_path):
    seed(engine)
    before = kept(engine)
    bad = write(tmp_path, "staff.csv", "staff,line,name,name\nS9,1,A,B\n")  # a column twice: refused whole
    assert load_one(engine, bad).refused
    assert kept(engine) == before == counted(engine)


def test_an_upsert_returns_the_rows_it_inserted_not_the_ones_it_updated(engine):
    seed(engine)
    table = Staff.__table__
    frame = pd.DataFrame({"staff": ["S1", "N1", "N2"], "line": [1, 1, 2], "name": ["a", "b", "c"]})
    with engine.begin() as conn:
        assert upsert_dataframe(conn, table, frame, ["staff"]) == 2
        assert upsert_dataframe(conn, table, frame, ["staff"]) == 0
        assert upsert_dataframe(conn, table, frame.assign(staff=["N3", "N1", "N4"]), ["staff"], []) == 2  # DO NOTHING
        hours = pd.DataFrame({"ticket_id": ["T1", "T1"], "staff": ["S1", "S1"], "hours": [1.0, 2.0],
                              "work_date": pd.to_datetime(["2024-04-01", "2024-04-02"]).date, "work_type": "support"})
        key = ["ticket_id", "staff", "work_date", "work_type"]
        assert upsert_dataframe(conn, Worklog.__table__, hours, key, ["hours"], add_columns=["hours"]) == 2
        assert upsert_dataframe(conn, Worklog.__table__, hours, key, ["hours"], add_columns=["hours"]) == 0


def test_the_consistency_check_finds_and_repairs_a_kept_count_that_drifted(engine):
    seed(engine)
    with engine.begin() as conn:
        conn.execute(update(StoredCount).where(StoredCount.kind == "tickets").values(rows=StoredCount.rows + 5))
    assert stored_count_mismatches(engine) == ["tickets"]
    assert kept(engine) == counted(engine)  # repaired
    assert stored_count_mismatches(engine) == []


def test_the_admin_home_says_why_fewer_worklog_rows_are_stored_than_accepted(engine, tmp_path):
    seed(engine)
    before = kept(engine)["worklog"]
    worklog = write(tmp_path, "worklog.csv", "ticket_id,staff,hours,work_date\n"
                    "T1,S1,1.5,2024-05-02\nT1,S1,2,2024-05-02\nT1,S1,1,2024-05-03\n")
    assert load_one(engine, worklog).accepted == 3
    worklog_home = next(kind for kind in admin_home_of(engine)["kinds"] if kind["kind"] == "worklog")
    assert (worklog_home["accepted"], worklog_home["rows"] - before) == (3, 2)
    assert loader_message(worklog_home["note"], "ru") == "1 повторная строка сложена с первой"
    staff_home = next(kind for kind in admin_home_of(engine)["kinds"] if kind["kind"] == "staff")
    assert staff_home["note"] is None  # a load that summed nothing has nothing to explain


def admin_home_of(engine) -> dict:
    with engine.connect() as conn:
        return admin_home(conn)
