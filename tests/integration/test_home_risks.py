"""The partner home's risk lines read as sentences: a competence margin below the threshold says how many submitted
projects are missing (never «запас −4»), with Russian plurals, in both languages."""
from __future__ import annotations

import pytest
from flask import session

from tests.integration.callback_harness import make_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("risks"))


def _margin_text(app, margin: int, lang: str = "ru") -> str:
    from pages.home import _risk_text

    with app.server.test_request_context("/"):
        session["lang"] = lang
        return _risk_text({"kind": "competence_margin", "value": margin, "next": "2027-01-01"})


@pytest.mark.parametrize("margin, text", [
    (-4, "Компетенция: до порога не хватает 4 сданных проектов; проверка 01.01.2027"),
    (-1, "Компетенция: до порога не хватает 1 сданного проекта; проверка 01.01.2027"),
    (0, "Компетенция: запаса нет — один потерянный сданный проект снимет её; проверка 01.01.2027"),
    (1, "Компетенция: запас — 1 сданный проект; проверка 01.01.2027"),
    (2, "Компетенция: запас — 2 сданных проекта; проверка 01.01.2027"),
])
def test_a_competence_margin_reads_by_its_sign_in_russian(app, margin, text):
    assert _margin_text(app, margin) == text


def test_a_competence_margin_in_english(app):
    assert _margin_text(app, -3, "en") == "Competence: 3 submitted projects short of the threshold; evaluation 1 Jan 2027"
    assert _margin_text(app, 1, "en") == "Competence: a margin of 1 submitted project; evaluation 1 Jan 2027"
