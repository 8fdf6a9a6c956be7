"""Public partner directory (seeds 000, 001): badges only, no log-in, never a quality figure.

Its own small Dash app under `/directory/` (`create_directory_app`), so that an anonymous visitor
reaches exactly its page, layout and callbacks and nothing of the private app (SPEC §8).

Filters: city, region, KKV category and industry, KKV level, "only Quality Program participants".
A client ticks partners into an RFP shortlist (seed 000: an RFP may be restricted to Quality Program
participants) and gets a shareable link (the filters and the ticked ids in the URL: opening it shows
exactly that list) and the CSV of exactly that list (`api.partners`). Below, the list of extended-level
KKV partners ordered by KKV points (seed 001 §6.2; the points themselves are not shown). The same list
is served as JSON by `api.partners`.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, dcc, html
from flask import Flask, redirect, request

from api.partners import CSV_PATH, MAX_IDS, BadRequest, directory_query, shortlist
from auth import current_engine
from components.grid import LOCALE_RU
from components.i18n import current_language, register_strings, t
from store import clock
from store.program_queries import (
    KKV_LEVEL_FILTERS,
    directory_options,
    directory_partners,
    enterprise_categories,
)

PATH = "/directory/"

CATEGORIES = ("eshop", "corporate", "intranet", "crm")  # seed 001 §6.2
register_strings({
    "dir.title": {"ru": "Каталог партнёров", "en": "Partner directory"},
    "dir.intro": {
        "ru": "Партнёры со знаками компетенций. Оценки клиентов не публикуются: они доступны только самому партнёру.",
        "en": "Partners with their competence badges. Client ratings are never published: only the partner sees them.",
    },
    "dir.city": {"ru": "Город", "en": "City"},
    "dir.region": {"ru": "Регион", "en": "Region"},
    "dir.category": {"ru": "Категория проектов", "en": "Project category"},
    "dir.industry": {"ru": "Отрасль", "en": "Industry"},
    "dir.kkv": {"ru": "Крупные корпоративные внедрения", "en": "Enterprise implementations"},
    "dir.kkv.any": {"ru": "любой уровень", "en": "any level"},
    "dir.kkv.basic": {"ru": "базовый", "en": "basic"},
    "dir.kkv.extended": {"ru": "расширенный", "en": "extended"},
    "dir.quality_only": {"ru": "Только участники «Программы качества»", "en": "Quality Program participants only"},
    "dir.count": {"ru": "Найдено партнёров: {n}", "en": "Partners found: {n}"},
    "dir.none": {"ru": "Под эти условия не подходит ни один партнёр.", "en": "No partner matches these filters."},
    "dir.badge.quality": {"ru": "★ Программа качества", "en": "★ Quality Program"},
    "dir.badge.kkv_basic": {"ru": "ККВ: базовый", "en": "Enterprise: basic"},
    "dir.badge.kkv_extended": {"ru": "ККВ: расширенный", "en": "Enterprise: extended"},
    "dir.kkv_list": {"ru": "Крупные корпоративные внедрения: расширенный уровень",
                     "en": "Enterprise implementations: extended level"},
    "dir.kkv_list.hint": {"ru": "Порядок — по ККВ-баллам партнёра.", "en": "Ordered by the partner's KKV points."},
    "dir.api": {"ru": "Этот список в формате JSON: ", "en": "This list as JSON: "},
    "dir.col.place": {"ru": "Место", "en": "Place"},
    "dir.col.name": {"ru": "Партнёр", "en": "Partner"},
    "dir.col.badges": {"ru": "Знаки", "en": "Badges"},
    "cat.eshop": {"ru": "интернет-магазины", "en": "e-shops"},
    "cat.corporate": {"ru": "корпоративные сайты", "en": "corporate sites"},
    "cat.intranet": {"ru": "интранет-порталы", "en": "intranet portals"},
    "cat.crm": {"ru": "CRM-системы", "en": "CRM systems"},
    "dir.shortlist": {"ru": "Шорт-лист для запроса предложений", "en": "RFP shortlist"},
    "dir.shortlist.hint": {
        "ru": "Отметьте партнёров в таблице (или оставьте без отметок — тогда в списке все найденные) "
              "и отправьте ссылку или CSV тем, кто готовит запрос.",
        "en": "Tick partners in the table (or tick none: then every partner found is on the list) "
              "and share the link or the CSV.",
    },
    "dir.shortlist.count": {"ru": "В шорт-листе: {n}", "en": "On the shortlist: {n}"},
    "dir.shortlist.link": {"ru": "Ссылка на этот список", "en": "Link to this list"},
    "dir.shortlist.csv": {"ru": "Скачать CSV", "en": "Download CSV"},
    "dir.shortlist.shown": {"ru": "Открыт шорт-лист по ссылке. ", "en": "A shared shortlist is shown. "},
    "dir.shortlist.all": {"ru": "Показать всех партнёров", "en": "Show every partner"},
    "dir.shortlist.too_many": {"ru": "В шорт-лист входит не больше {n} партнёров: отметьте меньше.",
                               "en": "A shortlist holds at most {n} partners: tick fewer."},
})


def badge_text(frame: pd.DataFrame) -> pd.Series:
    """The badges of each partner as one line of text."""
    quality = frame["quality_program"].map({True: t("dir.badge.quality"), False: ""})
    kkv = frame["kkv_level"].map(lambda level: "" if level == "none" else t(f"dir.badge.kkv_{level}"))
    return (quality + " · " + kkv).str.strip(" ·")


def _grid(grid_id: str, columns: list[dict], selectable: bool = False) -> dag.AgGrid:
    options = {"pagination": True, "paginationPageSize": 20, "domLayout": "autoHeight"}
    if selectable:
        options["rowSelection"] = {"mode": "multiRow", "checkboxes": True, "headerCheckbox": True,
                                   "enableClickSelection": False}
    if current_language() == "ru":
        options["localeText"] = LOCALE_RU
    extra = {"getRowId": "params.data.id"} if selectable else {}
    return dag.AgGrid(id=grid_id, rowData=[], columnDefs=columns, columnSize="responsiveSizeToFit",
                      defaultColDef={"sortable": True, "filter": True, "resizable": True},
                      dashGridOptions=options, className="ag-theme-alpine", **extra)


def _dropdown(id_: str, label: str, values: list[str], labels: dict[str, str] | None = None,
              value: str | None = None) -> dbc.Col:
    options = [{"label": (labels or {}).get(v, v), "value": v} for v in values]
    return dbc.Col([dbc.Label(label, html_for=id_, className="small mb-1"),
                    dcc.Dropdown(id=id_, options=options, placeholder="—", clearable=True,
                                 value=value if value in values else None)], md=2, sm=6)


def _url_filters(query: dict[str, str]) -> dict:
    """The filters and shortlist ids of a shared link (a malformed link opens the whole directory)."""
    try:
        return directory_query({k: v for k, v in query.items() if isinstance(v, str)})
    except BadRequest:
        return directory_query({})


def layout(**query: str) -> html.Div:
    """Filters (preset from a shared link), the shortlist tools, the directory grid and the KKV extended list."""
    with current_engine().connect() as conn:
        options = directory_options(conn)
    preset = _url_filters(query)
    categories = [c for c in CATEGORIES if c in options["category"]] or list(CATEGORIES)
    filters = dbc.Row([
        _dropdown("directory-city", t("dir.city"), options["city"], value=preset["city"]),
        _dropdown("directory-region", t("dir.region"), options["region"], value=preset["region"]),
        _dropdown("directory-category", t("dir.category"), categories, {c: t(f"cat.{c}") for c in CATEGORIES},
                  value=preset["category"]),
        _dropdown("directory-industry", t("dir.industry"), options["industry"], value=preset["industry"]),
        _dropdown("directory-kkv", t("dir.kkv"), list(KKV_LEVEL_FILTERS),
                  {k: t(f"dir.kkv.{k}") for k in KKV_LEVEL_FILTERS}, value=preset["kkv"]),
        dbc.Col(dbc.Checklist(id="directory-quality", options=[{"label": t("dir.quality_only"), "value": "quality"}],
                              value=["quality"] if preset["quality_only"] else [], switch=True, className="mt-4"),
                md=2, sm=6),
    ], className="g-2 mb-3")
    tools = dbc.Card(dbc.CardBody([
        html.H5(t("dir.shortlist"), className="mb-1"),
        html.P(t("dir.shortlist.hint"), className="small text-muted mb-2"),
        html.Div(id="directory-shortlist-shown", className="small"),
        dbc.Row([
            dbc.Col(html.Span(id="directory-shortlist-count", className="fw-bold"), md="auto"),
            dbc.Col(html.A(t("dir.shortlist.link"), id="directory-share-link", href="/directory"), md="auto"),
            dbc.Col(html.A(t("dir.shortlist.csv"), id="directory-csv", href=CSV_PATH, download="partners-shortlist.csv",
                           className="btn btn-sm btn-outline-primary"), md="auto"),
        ], className="g-3 align-items-center"),
        dcc.Input(id="directory-share-url", readOnly=True, className="form-control form-control-sm mt-2",
                  value=""),
    ]), className="mb-3")
    main_columns = [
        {"field": "name", "headerName": t("dir.col.name"), "filter": "agTextColumnFilter", "flex": 2},
        {"field": "city", "headerName": t("dir.city"), "filter": "agTextColumnFilter"},
        {"field": "region", "headerName": t("dir.region"), "filter": "agTextColumnFilter"},
        {"field": "badges", "headerName": t("dir.col.badges"), "filter": "agTextColumnFilter", "flex": 2},
    ]
    kkv_columns = [
        {"field": "place", "headerName": t("dir.col.place"), "type": "numericColumn", "maxWidth": 110},
        {"field": "name", "headerName": t("dir.col.name"), "filter": "agTextColumnFilter", "flex": 2},
        {"field": "city", "headerName": t("dir.city"), "filter": "agTextColumnFilter"},
        {"field": "categories", "headerName": t("dir.category"), "filter": "agTextColumnFilter", "flex": 2},
    ]
    return html.Div([
        html.H3(t("dir.title")),
        html.P(t("dir.intro"), className="text-muted"),
        filters,
        dcc.Store(id="directory-ids", data=preset["ids"] or []),
        tools,
        html.Div(id="directory-count", className="fw-bold mb-2"),
        _grid("directory-grid", main_columns, selectable=True),
        html.Div(id="directory-empty"),
        html.H4(t("dir.kkv_list"), className="mt-4"),
        html.P(t("dir.kkv_list.hint"), className="text-muted small"),
        _grid("directory-kkv-grid", kkv_columns),
        html.P([t("dir.api"), html.A("/api/partners", href="/api/partners", id="directory-api-link")],
               className="small text-muted mt-3"),
    ], id="directory", className="directory")


def _text(value: object) -> str:
    """A filter value as sent by the browser: only short strings are used, anything else is ignored."""
    return value if isinstance(value, str) and len(value) <= 200 else ""


# the filters and the shortlist ids of a shared link, in the order of `_filters`'s parameters
FILTER_INPUTS = [Input(f"directory-{name}", "value") for name in ("city", "region", "category", "industry", "kkv",
                                                                  "quality")] + [Input("directory-ids", "data")]


DIRECTORY_DEPENDENCIES = (
    Output("directory-grid", "rowData"),
    Output("directory-kkv-grid", "rowData"),
    Output("directory-count", "children"),
    Output("directory-empty", "children"),
    *FILTER_INPUTS,
)


def update_directory(city, region, category, industry, kkv, quality, ids):
    """Public callback: filters in, public columns and badges out (no quality data exists in this path);
    a shared shortlist (`ids`) shows exactly its partners."""
    filters = _filters(city, region, category, industry, kkv, quality, ids)
    today = clock.now()
    with current_engine().connect() as conn:
        frame = shortlist(conn, filters, today)
        extended = directory_partners(conn, today, kkv="extended", category=filters["category"],
                                      industry=filters["industry"])
        categories = enterprise_categories(conn)
    rows = pd.DataFrame({"id": frame["partner_id"], "name": frame["name"], "city": frame["city"],
                         "region": frame["region"], "badges": badge_text(frame)})
    extended = extended.sort_values(["kkv_points", "name"], ascending=[False, True], kind="stable")
    labels = extended["partner_id"].map(categories).fillna("").map(
        lambda codes: ", ".join(t(f"cat.{c}") if c in CATEGORIES else c for c in codes.split(", ") if c))
    kkv_rows = pd.DataFrame({"place": range(1, len(extended) + 1), "name": extended["name"],
                             "city": extended["city"], "categories": labels})
    empty = "" if len(rows) else dbc.Alert(t("dir.none"), color="light", className="mt-2")
    return (rows.astype(object).where(rows.notna(), None).to_dict("records"),
            kkv_rows.to_dict("records"), t("dir.count", n=len(rows)), empty)


def _filters(city, region, category, industry, kkv, quality, ids) -> dict:
    """Validated filters from the browser's values (anything malformed is ignored, never trusted)."""
    quality_only = isinstance(quality, list) and "quality" in quality
    wanted = ",".join(i for i in ids if isinstance(i, str)) if isinstance(ids, list) else ""
    args = {"city": _text(city), "region": _text(region), "category": _text(category),
            "industry": _text(industry), "kkv": _text(kkv), "competence": "quality" if quality_only else "",
            "ids": wanted}
    try:
        return directory_query(args)
    except BadRequest:
        return directory_query({**args, "ids": ""}) if wanted else directory_query({})


def share_query(filters: dict) -> str:
    """The URL query of a shortlist: its filters and ids (empty parts left out)."""
    params = {"city": filters["city"], "region": filters["region"], "category": filters["category"],
              "industry": filters["industry"], "kkv": filters["kkv"],
              "competence": "quality" if filters["quality_only"] else None,
              "ids": ",".join(filters["ids"]) if filters["ids"] else None}
    return urlencode({k: v for k, v in params.items() if v})


SHORTLIST_DEPENDENCIES = (
    Output("directory-share-link", "href"),
    Output("directory-share-url", "value"),
    Output("directory-csv", "href"),
    Output("directory-shortlist-count", "children"),
    Output("directory-shortlist-shown", "children"),
    *FILTER_INPUTS,
    Input("directory-grid", "selectedRows"),
    Input("directory-grid", "rowData"),
)


def update_shortlist(city, region, category, industry, kkv, quality, ids, selected, rows):
    """Public callback: the shareable link and CSV address of exactly the list shown (or ticked)."""
    ticked = [r.get("id") for r in selected if isinstance(r, dict)] if isinstance(selected, list) else []
    if len(ticked) > MAX_IDS:
        warning = dbc.Alert(t("dir.shortlist.too_many", n=MAX_IDS), color="warning", className="py-1")
        return dash.no_update, dash.no_update, dash.no_update, dash.no_update, warning
    chosen = ticked or (ids if isinstance(ids, list) else [])
    filters = _filters(city, region, category, industry, kkv, quality, chosen)
    query = share_query(filters)
    link = "/directory" + (f"?{query}" if query else "")
    count = len(filters["ids"]) if filters["ids"] and ticked else (len(rows) if isinstance(rows, list) else 0)
    shown = [] if not (isinstance(ids, list) and ids) else [
        t("dir.shortlist.shown"),
        html.A(t("dir.shortlist.all"), href="/directory" + (f"?{share_query({**filters, 'ids': None})}"
                                                            if share_query({**filters, 'ids': None}) else ""))]
    return (link, request.host_url.rstrip("/") + link, CSV_PATH + (f"?{query}" if query else ""),
            t("dir.shortlist.count", n=count), shown)


def _public_layout() -> html.Div:
    """The directory under a slim public navbar; a shared link's filters come from the page address
    (the layout request's referrer: Dash asks for the layout from the page itself)."""
    from components.shell import public_navbar

    query = dict(parse_qsl(urlsplit(request.referrer or "").query)) if request.referrer else {}
    return html.Div([public_navbar(), dbc.Container(layout(**query), fluid=True, className="pb-4")])


def _to_app() -> object:
    """`/directory?…` (the menu, shared links) -> `/directory/?…`, the public app's page."""
    query = request.query_string.decode("utf-8", "replace")
    return redirect(PATH + (f"?{query}" if query else ""), code=308)


def create_directory_app(server: Flask, assets_folder: str) -> dash.Dash:
    """The public directory as its own Dash app on `server` under `/directory/`, with its two callbacks."""
    app = dash.Dash(
        "directory", server=server, url_base_pathname=PATH, assets_folder=assets_folder,
        serve_locally=True, title=t("dir.title", "ru"), update_title=None, suppress_callback_exceptions=True,
    )
    app.layout = _public_layout
    app.callback(*DIRECTORY_DEPENDENCIES)(update_directory)
    app.callback(*SHORTLIST_DEPENDENCIES)(update_shortlist)
    from components.shell import register_shell_callbacks

    register_shell_callbacks(app)  # the folded navbar's toggler (runs in the browser)
    server.add_url_rule("/directory", "directory_root", _to_app)
    return app
