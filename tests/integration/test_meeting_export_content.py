"""The meeting brief's PDF and XLSX read back (PDF text with pypdf, XLSX cells with openpyxl) and compared with
the brief they were made from and with the hand-made data of test_meeting_brief (client C1 «ООО Ромашка»,
period ending 28.05.2024, seed 004's development-pressure flag, breached B1 and at-risk R1; X1 belongs to
another manager's client and OLD was resolved long before the window)."""
from __future__ import annotations

import io

import openpyxl
import pytest
from pypdf import PdfReader

from reports.export import FINDINGS_SHOWN, brief_pdf, brief_xlsx, kpi_change_text, number, unit_text
from reports.meeting import meeting_brief
from store.db import make_engine
from tests.integration.test_meeting_brief import PERIOD_END, insert_meeting_data


@pytest.fixture(scope="module")
def brief(tmp_path_factory, _sqlite_template) -> dict:
    import shutil

    path = tmp_path_factory.mktemp("export-content") / "quality.db"
    shutil.copyfile(_sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    insert_meeting_data(engine)
    with engine.connect() as conn:
        result = meeting_brief(conn, "C1", PERIOD_END)
    engine.dispose()
    return result


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module", params=["ru", "en"])
def pdf_text(request, brief) -> tuple[str, str]:
    reader = PdfReader(io.BytesIO(brief_pdf(brief, request.param)))
    return request.param, _flat(" ".join(page.extract_text() for page in reader.pages))


@pytest.fixture(scope="module")
def book(brief) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(brief_xlsx(brief, "ru")))


def test_the_hand_data_gives_the_brief_the_exports_must_show(brief):
    assert brief["client"]["name"] == "ООО Ромашка"
    assert brief["period"]["label"].startswith("15.05")
    assert [t["ticket_id"] for t in brief["tickets"]] == ["B1", "R1"]
    assert "development_share" in [f["metric_id"] for f in brief["flags"]]


def test_pdf_shows_title_period_client_and_no_other_clients_tickets(pdf_text, brief):
    _lang, text = pdf_text
    assert "ООО Ромашка" in text
    assert brief["period"]["label"] in text
    for period in brief["periods"][:-1]:
        assert period["label"] in text
    assert "X1" not in text and "OLD" not in text and "Василёк" not in text


def test_pdf_shows_every_kpi_row_with_its_values(pdf_text, brief):
    lang, text = pdf_text
    for kpi in brief["kpis"]:
        label = kpi[f"label_{lang}"]
        assert label, kpi["metric_id"]
        flag = "⚠ " if kpi["flagged"] else ""
        row = " ".join((flag + _flat(label), unit_text(kpi["unit"], lang), number(kpi["current"], kpi["unit"], lang),
                        number(kpi["previous_mean"], kpi["unit"], lang), kpi_change_text(kpi, lang)))
        assert _flat(row) in text, row


def test_pdf_shows_each_finding_with_explanation_and_action(pdf_text, brief):
    lang, text = pdf_text
    assert brief["findings"], "the hand data must give at least one finding"
    for finding in brief["findings"][:FINDINGS_SHOWN]:  # the flags merged per theme (issue 15)
        for part in ("title", "sentence", "explanation", "action"):
            assert _flat(finding[f"{part}_{lang}"]) in text, part


def test_pdf_lists_the_breached_and_at_risk_tickets_with_worked_hours(pdf_text, brief):
    lang, text = pdf_text
    worked = {"B1": "3,0" if lang == "ru" else "3.0"}  # 3 h logged 60 days before the window still count
    for ticket in brief["tickets"]:
        assert ticket["ticket_id"] in text
    assert "B1 " in text and worked["B1"] in text.split("B1 ", 1)[1][:120]


def test_xlsx_kpi_sheet_holds_title_period_and_the_brief_values(book, brief):
    sheet = book["KPI"]
    assert "ООО Ромашка" in sheet["A1"].value
    assert brief["period"]["label"] in sheet["A2"].value
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(rows) == len(brief["kpis"])
    for row, kpi in zip(rows, brief["kpis"], strict=True):
        trend = [v for v in row[2:2 + len(brief["periods"])]]
        assert trend == [None if v is None else pytest.approx(v) for v in kpi["trend"]]
        assert (row[2 + len(brief["periods"]) + 2] == "⚠") == bool(kpi["flagged"])
    development = next(r for r, k in zip(rows, brief["kpis"], strict=True) if k["metric_id"] == "development_share")
    assert development[2 + len(brief["periods"]) - 1] == pytest.approx(80.0)  # P0: 8 of 10 h development


def test_xlsx_flags_and_tickets_sheets(book, brief):
    flags = list(book["Flags"].iter_rows(min_row=2, values_only=True))
    assert [f[1] for f in flags] == [f["sentence_ru"] for f in brief["findings"]]
    assert [f[4] for f in flags] == [f["action_ru"] for f in brief["findings"]]
    header, *tickets = list(book["Tickets"].iter_rows(min_row=1, values_only=True))
    assert [t[0] for t in tickets] == ["B1", "R1"]
    assert tickets[0][len(header) - 1] == pytest.approx(3.0)  # worked hours, the last column
    hours = {r[0]: r[1:4] for r in book["Hours"].iter_rows(min_row=2, max_row=5, values_only=True)}
    assert hours[brief["period"]["label"]] == (8, 2, 10)  # P0: 8 h development, 2 h support
