"""Whole-file problems of SPEC §3 (one message naming the file, nothing written) and idempotent re-loads."""
from __future__ import annotations

import pytest

from loaders.ingest import exit_code
from tests.integration.loader_files import DATA, count, load, load_one, seed, stored, write

BROKEN = DATA / "broken"


def refusal(report) -> str:
    assert report.status == "refused"
    assert (report.rows, report.accepted, report.rejected) == (0, 0, 0)
    assert len(report.errors) == 1 and report.errors[0]["row"] is None
    assert report.errors[0]["reason"].startswith(report.path + ": ")
    return report.errors[0]["reason"][len(report.path) + 2:]


def test_unknown_kind_is_refused(engine):
    assert refusal(load_one(engine, BROKEN / "export.csv")).startswith("unknown kind")


def test_missing_required_column_is_refused(engine):
    assert refusal(load_one(engine, BROKEN / "tickets_missing_column.csv")) == \
        "missing required column for tickets: client_id"


def test_empty_file_is_refused(engine):
    assert refusal(load_one(engine, BROKEN / "tickets_empty.csv")) == "the file is empty"


def test_header_without_rows_is_refused(engine):
    assert refusal(load_one(engine, BROKEN / "tickets_header_only.csv")) == "the file has a header but no data rows"


def test_file_mixing_encodings_is_refused_as_undecodable(engine):
    assert refusal(load_one(engine, BROKEN / "partners_mixed_encoding.csv")).startswith("undecodable bytes")
    assert count(engine, "partners") == 0


def test_binary_content_is_not_a_csv(engine):
    assert refusal(load_one(engine, BROKEN / "partners_binary.csv")) == "not a CSV or XLSX file (binary content)"


def test_pdf_is_not_a_csv_or_xlsx(engine):
    assert refusal(load_one(engine, BROKEN / "report.pdf")) == "not a CSV or XLSX file (.pdf)"


def test_xlsx_name_with_other_content_is_refused(engine):
    report = load_one(engine, ("tickets.xlsx", b"ticket_id,client_id\nT1,C1\n"))
    assert refusal(report).startswith("not a valid XLSX file")


def test_broken_line_after_good_rows_writes_nothing_of_the_file(engine):
    seed(engine)
    before = count(engine, "tickets")
    message = refusal(load(engine, BROKEN / "tickets_ragged.csv", chunk_rows=1)[0])
    assert message == "line 4 has more fields than the header: check the delimiter and the quotes"
    assert count(engine, "tickets") == before


def test_two_headers_meaning_one_column_are_refused(engine, tmp_path):
    path = write(tmp_path, "partners.csv", "partner_id,ИД партнера,name,city\nP1,P1,A,Omsk\n")
    assert refusal(load_one(engine, path)) == "columns 'partner_id' and 'ИД партнера' both mean partner_id"


def test_a_column_header_written_twice_is_refused(engine, tmp_path):
    path = write(tmp_path, "partners.csv", "partner_id,name,city,Name\nP1,A,Omsk,B\n")
    assert refusal(load_one(engine, path)) == "column 'Name' appears more than once in the header: keep one"
    assert count(engine, "partners") == 0


def test_refused_file_does_not_stop_the_other_files(engine, tmp_path):
    good = write(tmp_path, "partners.csv", "partner_id,name,city\nP1,A,Omsk\n")
    reports = load(engine, good, BROKEN / "tickets_empty.csv")
    assert [r.status for r in reports] == ["ok", "refused"]
    assert count(engine, "partners") == 1
    assert exit_code(reports) == 2


def test_exit_code_is_3_when_rows_are_rejected_and_0_when_all_load(engine, tmp_path):
    good = write(tmp_path, "partners.csv", "partner_id,name,city\nP1,A,Omsk\n")
    bad = write(tmp_path, "partners_2.csv", "partner_id,name,city\nP2,,Omsk\n")
    assert exit_code(load(engine, good)) == 0
    assert exit_code(load(engine, bad)) == 3


def test_reloading_the_same_file_changes_nothing(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "tickets.csv", "ticket_id,client_id,created_at,priority,resolved_at\n"
                 "T5,C1,2024-04-01 10:00,1,2024-04-01 12:00\nT6,C2,2024-04-01 10:00,2,\n")
    first = load_one(engine, path)
    snapshot = stored(engine, "tickets")
    second = load_one(engine, path)
    assert (first.accepted, second.accepted) == (2, 2)
    assert stored(engine, "tickets").equals(snapshot)
    assert count(engine, "tickets") == 4  # T1, T2 from the base data plus T5, T6


def test_reload_with_a_changed_value_updates_the_row(engine, tmp_path):
    seed(engine)
    load_one(engine, write(tmp_path, "tickets.csv", "ticket_id,client_id,created_at,priority\nT5,C1,2024-04-01 10:00,1\n"))
    load_one(engine, write(tmp_path, "tickets.csv", "ticket_id,client_id,created_at,priority\nT5,C1,2024-04-01 10:00,3\n"))
    assert stored(engine, "tickets").set_index("ticket_id").loc["T5", "priority"] == 3


def test_column_absent_from_a_reload_keeps_its_stored_value(engine, tmp_path):
    load_one(engine, write(tmp_path, "partners.csv", "partner_id,name,city,region\nP1,A,Omsk,Siberia\n"))
    load_one(engine, write(tmp_path, "partners.csv", "partner_id,name,city\nP1,A2,Omsk\n"))
    row = stored(engine, "partners").iloc[0]
    assert (row["name"], row["region"]) == ("A2", "Siberia")


def test_unknown_kind_option_and_time_zone_are_plain_errors(engine, tmp_path):
    path = write(tmp_path, "partners.csv", "partner_id,name,city\nP1,A,Omsk\n")
    with pytest.raises(ValueError, match="unknown kind 'tikets'"):
        load(engine, path, kind="tikets")
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        load(engine, path, naive_tz="Mars/Olympus")


def test_old_excel_xls_is_refused_with_what_to_do(engine):
    report = load_one(engine, ("partners.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64))
    assert refusal(report) == "old Excel 97-2003 (.xls) files are not supported: save it as XLSX or CSV"
