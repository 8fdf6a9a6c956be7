"""RFP shortlist from the public directory (seed 000, SPEC §12): shareable link and CSV of exactly the
list, no log-in, badges only. Data: `test_program_queries.frames` (B holds the Quality Program in
November 2026, A does not; A and C hold KKV extended, B's basic has expired).
"""
from __future__ import annotations

import csv
import io
import json

import pytest

from config import Config
from tests.integration.partner_db import insert_frames, migrated_engine
from tests.integration.program_app import call
from tests.integration.test_program_queries import (  # noqa: F401 - `_on_today`: the pages read the tests' day
    FORBIDDEN_WORDS,
    _on_today,
    frames,
    store_decisions,
)

DIRECTORY_UPDATE = "/directory/_dash-update-component"  # the public directory's own Dash app
SHORTLIST_OUTPUTS = [("directory-share-link", "href"), ("directory-share-url", "value"), ("directory-csv", "href"),
                     ("directory-shortlist-count", "children"), ("directory-shortlist-shown", "children")]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from app import create_app

    with migrated_engine("sqlite", tmp_path_factory.mktemp("rfp")) as engine:
        insert_frames(engine, frames())
        store_decisions(engine)
        app = create_app(Config(database_url=str(engine.url), testing=True), engine=engine)
        yield app.server.test_client()


def _csv(client, query: str) -> list[dict]:
    response = client.get(f"/api/partners/shortlist.csv?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def _shortlist(client, selected=None, ids=None, quality=None, city=None):
    inputs = [("directory-city", "value", city), ("directory-region", "value", None),
              ("directory-category", "value", None), ("directory-industry", "value", None),
              ("directory-kkv", "value", None), ("directory-quality", "value", quality or []),
              ("directory-ids", "data", ids or []), ("directory-grid", "selectedRows", selected),
              ("directory-grid", "rowData", [{"id": "A"}, {"id": "B"}, {"id": "C"}])]
    status, body = call(client, SHORTLIST_OUTPUTS, inputs, path=DIRECTORY_UPDATE)
    assert status == 200
    return body["response"]


def test_csv_of_a_shortlist_without_login_is_exactly_the_ticked_partners_with_badges_only(client):
    rows = _csv(client, "ids=C,A")
    assert [r["Партнёр"] for r in rows] == ["Альфа", "Вега"]  # by name, like the directory
    assert rows[1]["Знаки"] == "ККВ: расширенный"
    text = json.dumps(rows, ensure_ascii=False).lower()
    assert not any(word.lower() in text for word in FORBIDDEN_WORDS)


def test_csv_equals_the_json_list_of_the_same_link(client):
    query = "competence=quality&city=Москва"
    listed = client.get(f"/api/partners?{query}").get_json()["partners"]
    assert [r["Партнёр"] for r in _csv(client, query)] == [p["name"] for p in listed] == ["Бета"]


@pytest.mark.parametrize("query", ["ids=A;DROP", "ids=" + ",".join(f"P{i}" for i in range(201)), "owner=A"])
def test_malformed_shortlists_are_refused_with_a_message(client, query):
    response = client.get(f"/api/partners/shortlist.csv?{query}")
    assert response.status_code == 400 and response.get_json()["error"]


def test_ticked_partners_become_the_shareable_link_and_the_csv_address(client):
    response = _shortlist(client, selected=[{"id": "A", "name": "Альфа"}, {"id": "C"}], quality=None, city="Москва")
    link = response["directory-share-link"]["href"]
    assert link == "/directory?city=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0&ids=A%2CC"
    assert response["directory-csv"]["href"] == "/api/partners/shortlist.csv?" + link.split("?", 1)[1]
    assert response["directory-share-url"]["value"].endswith(link)
    assert response["directory-shortlist-count"]["children"] == "В шорт-листе: 2"


def test_without_ticks_the_shortlist_is_the_filtered_list(client):
    response = _shortlist(client, selected=[], quality=["quality"])
    assert response["directory-share-link"]["href"] == "/directory?competence=quality"
    assert response["directory-shortlist-count"]["children"] == "В шорт-листе: 3"


def test_opening_a_shared_link_shows_exactly_its_partners(client):
    status, body = call(client, [("directory-grid", "rowData"), ("directory-kkv-grid", "rowData"),
                                 ("directory-count", "children"), ("directory-empty", "children")],
                        [("directory-city", "value", None), ("directory-region", "value", None),
                         ("directory-category", "value", None), ("directory-industry", "value", None),
                         ("directory-kkv", "value", None), ("directory-quality", "value", []),
                         ("directory-ids", "data", ["C", "A", "nobody"])], path=DIRECTORY_UPDATE)
    assert status == 200
    assert [r["id"] for r in body["response"]["directory-grid"]["rowData"]] == ["A", "C"]
    shown = _shortlist(client, ids=["C", "A"])["directory-shortlist-shown"]["children"]
    assert "Открыт шорт-лист по ссылке" in json.dumps(shown, ensure_ascii=False)


def test_the_directory_page_presets_the_filters_of_a_shared_link(client):
    moved = client.get("/directory?competence=quality&ids=B", headers={"Accept": "text/html"})
    assert moved.status_code == 308 and moved.headers["Location"] == "/directory/?competence=quality&ids=B"
    page = client.get(moved.headers["Location"], headers={"Accept": "text/html"})
    assert page.status_code == 200
    from pages.directory import _url_filters

    assert _url_filters({"competence": "quality", "ids": "B"})["ids"] == ["B"]
    assert _url_filters({"competence": "gold", "ids": "B"}) == _url_filters({})
