"""Codes and loader sentences shown in words; grid columns that read (names first, sized, localized numbers)."""
from __future__ import annotations

import pandas as pd
import pytest
from flask import Flask, session

from components.grid import readable_columns
from components.labels import audit_detail, code_labels, time_zone_options
from components.loader_words import PATTERNS, column_word, file_name, loader_message


@pytest.fixture()
def english():
    app = Flask(__name__)
    app.secret_key = "test"
    with app.test_request_context():
        session["lang"] = "en"
        yield


def test_code_columns_are_shown_in_words():
    frame = pd.DataFrame({"categories": ["eshop; crm", None], "currency": ["UAH", "RUB"], "kind": ["surveys", "x"],
                          "action": ["login", "logout"], "name": ["eshop", "crm"]})
    shown = code_labels(frame)
    assert shown["categories"].tolist()[0] == "интернет-магазины; CRM-системы" and pd.isna(shown["categories"][1])
    assert shown["currency"].tolist() == ["грн", "руб."]
    assert shown["kind"].tolist() == ["Анкеты клиентов", "x"]  # an unknown code stays as it is
    assert shown["action"].tolist() == ["вход", "выход"]
    assert shown["name"].tolist() == ["eshop", "crm"]  # names are data, not codes


def test_audit_detail_in_words():
    assert audit_detail("login=anna role=service_manager partner=-") == \
        "логин: anna роль: сервис-менеджер партнёр: нет"
    assert audit_detail("csv grid trends-movers (12 rows)") == "таблица в CSV trends-movers (12 строк)"


@pytest.mark.parametrize("sentence, words", [
    ("missing required value", "не заполнено обязательное поле"),
    ("users must be a whole number, not 'x'", "пользователи: нужно целое число, а не 'x'"),
    ("accepted_at is earlier than created_at", "дата принятия раньше, чем дата создания"),
    ("ticket of unknown client C9", "обращение: неизвестный клиент C9"),
    ("/tmp/abc/partners.csv: column 'Name' appears more than once in the header: keep one",
     "partners.csv: колонка «Name» повторяется в заголовке: оставьте одну"),
    ("tickets.csv: missing required columns for tickets: client_id, created_at",
     "tickets.csv: для вида «Обращения» не хватает обязательных колонок: ид клиента, дата создания"),
    ("4622 repeated rows summed", "4 622 повторные строки сложены с первыми"),
    ("something new", "something new"),
])
def test_loader_sentences_in_russian(sentence, words):
    assert loader_message(sentence, "ru") == words


def test_every_loader_pattern_has_words_in_both_languages():
    from components.i18n import has_text

    assert all(has_text(key, "ru") and has_text(key, "en") for _pattern, key in PATTERNS)


def test_file_name_and_column_word():
    assert file_name("/tmp/tmpab12/saas_contracts.csv") == "saas_contracts.csv"
    assert file_name(r"C:\\Users\\a\\tickets.xlsx") == "tickets.xlsx"
    assert column_word("client_id", "ru") == "ид клиента" and column_word("client_id", "en") == "client_id"


def test_readable_columns_put_the_name_before_the_id_and_fit_the_content():
    frame = pd.DataFrame({"partner_id": ["P0001"], "name": ["Интегратор «Альфа» (Новосибирск)"], "n": [5]})
    columns = readable_columns([{"field": "partner_id", "headerName": "Партнёр"},
                                {"field": "name", "headerName": "Название"},
                                {"field": "n", "headerName": "Обращений"}], frame)
    assert [c["field"] for c in columns] == ["name", "partner_id", "n"]
    widths = {c["field"]: c["minWidth"] for c in columns}
    assert widths["name"] > widths["partner_id"] >= 72


def test_grid_numbers_follow_the_language(english):
    ru_formatter = {"function": "params.value == null ? '—' : params.value.toLocaleString('ru-RU')"}
    (column,) = readable_columns([{"field": "n", "valueFormatter": ru_formatter}], pd.DataFrame({"n": [1]}))
    assert column["valueFormatter"]["function"] == "params.value == null ? '—' : localNumber(params.value, 'en-GB')"


def test_time_zones_are_named_in_russian():
    labels = {o["value"]: o["label"] for o in time_zone_options("ru")}
    assert labels["Europe/Moscow"] == "Москва · Европа"


def test_a_status_has_one_colour_on_every_page(monkeypatch):
    from components import i18n
    from components.colours import SCORE, STATUS, status_cell_rules

    # the competence words of the quality page and the programme page (both registered by their pages)
    for group in ("quality.status", "pq.status"):
        monkeypatch.setitem(i18n.STRINGS, f"{group}.assigned", {"ru": "присвоена", "en": "assigned"})
        monkeypatch.setitem(i18n.STRINGS, f"{group}.revoked", {"ru": "снята", "en": "revoked"})
    rules = status_cell_rules()
    assert "x === 'присвоена'" in rules["status-assigned"] and "x === 'снята'" in rules["status-revoked"]
    assert not any("присвоена" in test for css, test in rules.items() if css != "status-assigned")
    assert SCORE[1] == STATUS["breached"] and SCORE[5] == STATUS["met"] == STATUS["assigned"]
    (column,) = readable_columns([{"field": "status"}], pd.DataFrame({"status": ["присвоена"]}))
    assert column["cellClassRules"] == rules


def test_trace_colours_reach_plotly_js():
    """plotly.js ignores plotly.py's `marker_color` shorthand: the answer 5 bar was drawn in the 5th default colour."""
    from components.charts import bar
    from components.colours import SCORE

    trace = bar(y=["a"], x=[1], marker_color=SCORE[5], marker={"line": {"width": 0}})
    assert trace["marker"] == {"color": SCORE[5], "line": {"width": 0}} and "marker_color" not in trace


def test_sla_rules_and_countries_in_words():
    shown = code_labels(pd.DataFrame({"rule": ["psm · P2 · 4 ч / 16 ч"], "country": ["UZ"]}))
    assert shown.values.tolist() == [["выделенная поддержка · P2 · 4 ч / 16 ч", "Узбекистан"]]
