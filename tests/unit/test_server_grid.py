"""Server-side paging of big grids: AG Grid's filter and sort models applied with pandas, then one block."""
from __future__ import annotations

import pandas as pd

from components.server_grid import MAX_BLOCK, rows_page

FRAME = pd.DataFrame({
    "partner_id": [f"P{i:04d}" for i in range(1000)],
    "city": ["Омск", "Пермь", None, "Томск"] * 250,
    "points": [float(i % 37) for i in range(1000)],
})


def test_a_block_of_rows_and_the_total():
    page = rows_page(FRAME, {"startRow": 20, "endRow": 40})
    assert page["rowCount"] == 1000
    assert [r["partner_id"] for r in page["rowData"]] == [f"P{i:04d}" for i in range(20, 40)]


def test_text_filter_is_case_insensitive_and_sort_is_server_side():
    request = {"startRow": 0, "endRow": 5, "filterModel": {"city": {"filterType": "text", "type": "contains",
                                                                    "filter": "ОМ"}},
               "sortModel": [{"colId": "points", "sort": "desc"}, {"colId": "partner_id", "sort": "asc"}]}
    page = rows_page(FRAME, request)
    omsk = FRAME[FRAME["city"].fillna("").str.contains("Ом") | FRAME["city"].fillna("").str.contains("ом")]
    assert page["rowCount"] == len(omsk) == 500  # Омск and Томск
    expected = omsk.sort_values(["points", "partner_id"], ascending=[False, True]).head(5)["partner_id"].tolist()
    assert [r["partner_id"] for r in page["rowData"]] == expected


def test_number_range_and_combined_conditions():
    request = {"filterModel": {"points": {"filterType": "number", "operator": "OR", "conditions": [
        {"filterType": "number", "type": "inRange", "filter": 1, "filterTo": 2},
        {"filterType": "number", "type": "equals", "filter": 36}]}}, "startRow": 0, "endRow": 1000}
    page = rows_page(FRAME, request)
    assert page["rowCount"] == int(FRAME["points"].isin([1.0, 2.0, 36.0]).sum())
    assert {r["points"] for r in page["rowData"]} == {1.0, 2.0, 36.0}


def test_blank_filter_and_missing_values_as_null():
    page = rows_page(FRAME, {"filterModel": {"city": {"filterType": "text", "type": "blank"}}, "endRow": 3,
                             "startRow": 0})
    assert page["rowCount"] == 250 and all(r["city"] is None for r in page["rowData"])


def test_crafted_requests_get_a_bounded_block_and_never_raise():
    for request in (None, "x", [], {"startRow": -5, "endRow": 10**9}, {"startRow": True},
                    {"sortModel": [{"colId": "__class__"}, "x"], "filterModel": {"city": "x", "zzz": {}}},
                    {"filterModel": {"points": {"filterType": "number", "type": "lessThan", "filter": "1; drop"}}},
                    {"filterModel": {"points": {"filterType": "number", "type": "inRange", "filter": 1}}}):
        page = rows_page(FRAME, request)
        assert page["rowCount"] == 1000 and 0 < len(page["rowData"]) <= MAX_BLOCK
