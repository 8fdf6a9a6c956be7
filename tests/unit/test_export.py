"""PDF and XLSX exports of the meeting brief, on a small hand-made brief dict."""
from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest

from reports.export import SHEETS, brief_pdf, brief_xlsx, date_text, delta_text, number


def _brief(flags: bool = True, tickets: bool = True) -> dict:
    periods = [{"period": k, "first_day": first, "last_day": last, "label": lab, "start": None, "end": None}
               for k, first, last, lab in ((1, "2024-05-01", "2024-05-14", "01.05–14.05.2024"),
                                    (0, "2024-05-15", "2024-05-28", "15.05–28.05.2024"))]
    share_flag = {
        "rule": "development_pressure", "metric_id": "development_share", "key": "share",
        "label_ru": "Разработка вытесняет поддержку", "label_en": "Development crowds out support",
        "unit": "%", "better": "lower", "previous": 20.0, "current": 80.0, "change_pct": 300.0,
        "sentence_ru": "Доля часов разработки выросла с 20 до 80 %",
        "sentence_en": "Development share of hours rose from 20% to 80%",
        "explanation_ru": "Высокоприоритетная разработка забирает время второй и третьей линий.",
        "explanation_en": "High-priority development takes the time of lines 2 and 3.",
        "action_ru": "Добавить ресурсы или понизить приоритет части задач на доработку.",
        "action_en": "Add resources or lower the priority of some development tasks.",
    }
    return {
        "client": {"client_id": "C1", "name": "ООО Ромашка", "users": 10, "service_manager": "anna"},
        "period": periods[-1], "periods": periods, "timezone": "Europe/Moscow", "generated_at": "2024-05-29T08:00:00+00:00",
        "kpis": [
            {"metric_id": "development_share", "key": "share", "label_ru": "Доля часов разработки",
             "label_en": "Development share of hours", "unit": "%", "better": "lower", "current": 80.0,
             "previous_mean": 20.0, "delta_pct": None, "delta_pp": 60.0, "status": "worse", "n": 10.0,
             "change_ru": "+60\u00a0п.п.", "change_en": "+60 pp",
             "trend": [20.0, 80.0], "flagged": True},
            {"metric_id": "incident_reaction", "key": "median", "label_ru": "Время реакции на инциденты (медиана)",
             "label_en": "Incident reaction time (median)", "unit": "h", "better": "lower", "current": 0.25,
             "previous_mean": 0.5, "delta_pct": -50.0, "delta_pp": None, "status": "better", "n": 3.0,
             "change_ru": "−50\u00a0%", "change_en": "−50%",
             "trend": [None, 0.25], "flagged": False},
        ],
        "flags": [share_flag] if flags else [],
        "findings": [{
            "theme": "development_pressure", "title_ru": "Разработка вытесняет поддержку",
            "title_en": "Development crowds out support", "impact": 4.5, "n_flags": 3,
            "sentence_ru": share_flag["sentence_ru"], "sentence_en": share_flag["sentence_en"],
            "details_ru": ["Количество часов разработки выросло с 2,0 до 8,0 ч (+300 %)"],
            "details_en": ["Development hours rose from 2.0 h to 8.0 h (+300%)"],
            **{k: share_flag[k] for k in ("explanation_ru", "explanation_en", "action_ru", "action_en")},
        }] if flags else [],
        "tickets": [{"ticket_id": "B1", "kind": "incident", "type": None, "priority": 1, "line": 2,
                     "created_at": "2024-05-16T10:00:00+00:00", "deadline": "2024-05-17T10:00:00+00:00",
                     "resolved_at": None, "rule": "classic · P1 · 1 ч / 4 ч", "state": "breached",
                     "worked_hours": 3.5}] if tickets else [],
        "hours": {
            "by_priority": [{"priority": p, "development": d, "support": s, "total": d + s}
                            for p, d, s in ((1, 8.0, 0.0), (2, 0.0, 2.0), (3, 0.0, 0.0))],
            "by_period": [{"period": 1, "label": "01.05–14.05.2024", "development": 2.0, "support": 8.0,
                           "total": 10.0, "development_share": 20.0},
                          {"period": 0, "label": "15.05–28.05.2024", "development": 8.0, "support": 2.0,
                           "total": 10.0, "development_share": 80.0}],
        },
    }


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_pdf_is_a_pdf_with_pages(lang):
    pdf = brief_pdf(_brief(), lang)
    assert pdf.startswith(b"%PDF")
    assert _pages(pdf) >= 1


def test_pdf_embeds_a_cyrillic_truetype_font():
    assert b"DejaVuSans" in brief_pdf(_brief())


def test_pdf_without_flags_or_tickets_still_renders():
    assert _pages(brief_pdf(_brief(flags=False, tickets=False))) >= 1


def test_xlsx_has_the_five_sheets():
    book = openpyxl.load_workbook(io.BytesIO(brief_xlsx(_brief())))
    assert book.sheetnames == list(SHEETS) == ["KPI", "Flags", "Actions", "Tickets", "Hours"]


def test_xlsx_kpi_sheet_has_values_per_period_mean_and_delta():
    sheet = openpyxl.load_workbook(io.BytesIO(brief_xlsx(_brief())))["KPI"]
    header = [c.value for c in sheet[4]]
    assert header == ["Показатель", "Ед.", "01.05–14.05.2024", "15.05–28.05.2024", "Ранее (среднее)", "Δ", "Сигнал"]
    assert [c.value for c in sheet[5]] == ["Доля часов разработки", "%", 20.0, 80.0, 20.0, 60.0, "⚠"]
    assert "п.п." in sheet["F5"].number_format  # a share changes in percentage points
    assert sheet["F6"].value == -50.0 and "%" in sheet["F6"].number_format
    assert sheet["F5"].font.color.rgb.endswith("C0392B")  # worse: red
    assert sheet["C6"].value is None and sheet["D6"].value == 0.25  # missing period stays empty


def test_xlsx_flags_and_tickets_sheets_carry_the_texts_in_the_language():
    book = openpyxl.load_workbook(io.BytesIO(brief_xlsx(_brief(), "en")))
    assert book["Flags"]["A2"].value == "Development crowds out support"
    assert book["Flags"]["C2"].value == "Development hours rose from 2.0 h to 8.0 h (+300%)"
    assert book["Flags"]["E2"].value == "Add resources or lower the priority of some development tasks."
    assert [c.value for c in book["Tickets"][2]] == ["B1", "incident", "1", "16.05.2024 13:00", "17.05.2024 13:00",
                                                     "classic · P1 · 1 ч / 4 ч", "breached", 3.5]


def test_xlsx_hours_sheet_has_a_native_chart():
    data = brief_xlsx(_brief())
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book["Hours"]["E3"].value == 80.0
    assert any(name.startswith("xl/charts/chart") for name in zipfile.ZipFile(io.BytesIO(data)).namelist())


def test_number_formats_follow_the_language():
    assert number(1234.5, "h", "ru") == "1\u00a0234,5"
    assert number(1234.5, "h", "en") == "1,234.5"
    assert number(None, "h", "ru") == "—"
    assert delta_text(-12.4, "ru") == "−12"
    assert date_text("2024-04-27T10:15:00+00:00") == "27.04.2024 10:15"
    assert date_text("2024-04-27T10:15:00+00:00", "Europe/Moscow") == "27.04.2024 13:15"


ACTIONS = {
    "open": [{"id": 2, "finding": "development_share:share", "finding_label": "Разработка вытесняет поддержку",
              "title": "Понизить приоритет доработок", "owner": "Анна", "due_date": "2024-06-11",
              "status": "in_progress", "comment": None}],
    "last_meeting": {"id": 1, "period_end": "2024-05-14", "created_at": "2024-05-15T09:00:00+00:00", "login": "anna",
                     "actions": [{"id": 1, "finding": "general", "finding_label": None, "title": "Созвон с ИТ-директором",
                                  "owner": "Анна", "due_date": "2024-05-20", "status": "planned",
                                  "status_now": "done", "comment": "перенесли"}]},
    "history": [],
}


def test_xlsx_actions_sheet_lists_open_actions_and_the_last_meetings_status_then_and_now():
    book = openpyxl.load_workbook(io.BytesIO(brief_xlsx({**_brief(), "actions": ACTIONS})))
    rows = [[c for c in row if c is not None] for row in book["Actions"].iter_rows(values_only=True)]
    assert ["Разработка вытесняет поддержку", "Понизить приоритет доработок", "Анна", "11.06.2024", "в работе"] in rows
    assert "Действия, согласованные на прошлой встрече (14.05.2024)" in [r[0] for r in rows if r]
    assert ["Общее", "Созвон с ИТ-директором", "Анна", "20.05.2024", "запланировано", "выполнено", "перенесли"] in rows


def test_pdf_with_actions_renders():
    assert brief_pdf({**_brief(), "actions": ACTIONS}).startswith(b"%PDF")
