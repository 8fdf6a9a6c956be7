"""File formats of SPEC §3: encodings, delimiters, decimal comma, XLSX, Russian headers, kind detection."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from tests.integration.loader_files import DATA, count, load, load_one, seed, stored, utc, write


def test_utf8_comma_file_loads_every_row(engine, tmp_path):
    path = write(tmp_path, "partners.csv", "partner_id,name,city\nP1,Альфа,Москва\nP2,Beta,Omsk\n")
    report = load_one(engine, path)
    assert (report.kind, report.rows, report.accepted, report.rejected) == ("partners", 2, 2, 0)
    assert stored(engine, "partners")["name"].tolist() == ["Альфа", "Beta"]


def test_utf8_bom_does_not_hide_the_first_column(engine):
    report = load_one(engine, DATA / "variants" / "partners_bom.csv")
    assert report.accepted == 1
    assert stored(engine, "partners")["partner_id"].tolist() == ["P6"]


def test_cp1251_semicolon_file_with_russian_headers_and_name_loads(engine):
    report = load_one(engine, DATA / "variants" / "партнеры.csv")
    assert (report.kind, report.accepted) == ("partners", 1)
    row = stored(engine, "partners").iloc[0]
    assert (row["partner_id"], row["name"], row["city"], row["region"]) == ("P5", "Ёлка и Ко", "Омск", "Сибирь")


def test_decimal_comma_and_space_thousands_in_semicolon_file(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "deposits.csv", "partner_id;paid_at;amount;currency\nP1;2024-04-01 10:00;1 234,50;UAH\n"
                 "P2;2024-04-02 10:00;180;\n")
    assert load_one(engine, path).accepted == 2
    deposits = stored(engine, "deposits")
    assert deposits["amount"].tolist() == [1234.5, 180.0]
    assert deposits["currency"].tolist() == ["UAH", "UAH"]  # empty cell takes the default


def test_xlsx_with_date_cells_and_numbers_loads(engine, tmp_path):
    seed(engine)
    book = Workbook()
    sheet = book.active
    sheet.append(["ticket_id", "client_id", "created_at", "priority", "estimate_hours"])
    sheet.append(["T10", "C1", dt.datetime(2024, 4, 27, 10, 15), 1, 2.5])
    sheet.append(["T11", "C1", "27.04.2024 11:00", 3.0, None])
    buffer = io.BytesIO()
    book.save(buffer)
    report = load_one(engine, ("tickets_2024-05.xlsx", buffer.getvalue()))
    assert (report.kind, report.accepted, report.rejected) == ("tickets", 2, 0)
    tickets = stored(engine, "tickets").set_index("ticket_id")
    assert tickets.loc["T10", "created_at"] == utc("2024-04-27 07:15")  # C1: RU calendar, Moscow UTC+3
    assert tickets.loc["T11", "priority"] == 3
    assert tickets.loc["T10", "estimate_hours"] == 2.5


def test_russian_header_aliases_of_tickets(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "обращения.csv",
                 "ИД обращения;Клиент;Дата создания;Приоритет;Линия;Вид обращения\n"
                 "T20;C1;2024-04-27 10:15;2;1;Инцидент\n")
    report = load_one(engine, path)
    assert (report.kind, report.accepted) == ("tickets", 1)
    row = stored(engine, "tickets").set_index("ticket_id").loc["T20"]
    assert (row["client_id"], row["priority"], row["line"], row["kind"]) == ("C1", 2, 1, "incident")


def test_column_names_match_case_insensitively_with_hyphens_and_spaces(engine, tmp_path):
    path = write(tmp_path, "partners.csv", "Partner-ID,NAME,City,Network Competence Center\nP1,A,Omsk,true\n")
    assert load_one(engine, path).accepted == 1
    assert bool(stored(engine, "partners").loc[0, "network_competence_center"]) is True


def test_kind_comes_from_russian_file_name(engine, tmp_path):
    path = write(tmp_path, "Партнёры май 2024.csv", "partner_id,name,city\nP1,A,Omsk\n")
    assert load_one(engine, path).kind == "partners"


def test_kind_comes_from_header_when_the_name_says_nothing(engine, tmp_path):
    seed(engine)
    path = write(tmp_path, "export_17.csv", "ticket_id,paused_at,resumed_at,reason\nT1,2024-04-01 10:00,,waiting_client\n")
    report = load_one(engine, path)
    assert (report.kind, report.accepted) == ("ticket_pauses", 1)


def test_kind_option_overrides_the_file_name(engine, tmp_path):
    path = write(tmp_path, "tickets.csv", "partner_id,name,city\nP1,A,Omsk\n")
    assert load_one(engine, path, kind="partners").accepted == 1
    assert count(engine, "partners") == 1


def test_folder_loads_in_dependency_order_whatever_the_names(engine, tmp_path):
    write(tmp_path, "a_tickets.csv", "ticket_id,client_id,created_at\nT1,C1,2024-04-01 10:00\n")
    write(tmp_path, "b_clients.csv", "client_id,name,calendar\nC1,Client,RU\n")
    reports = load(engine, tmp_path)
    # file names do not start with a kind, so the header decides; clients still load first
    assert [(r.kind, r.accepted, r.rejected) for r in reports] == [("clients", 1, 0), ("tickets", 1, 0)]
