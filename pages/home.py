"""Landing page per role: partner → greeting and «Моё качество»; manager → their clients;
management/admin → rows stored per input kind."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html
from sqlalchemy import Connection, func, select

from auth import Scope, authorized, current_engine
from components.cards import empty_state
from components.grid import data_grid
from components.i18n import t
from store.models import KIND_TABLES, Partner, QuarantineRow
from store.queries import client_options

dash.register_page(__name__, path="/", name="home", label_key="nav.home", order=0)


def stored_row_counts(conn: Connection) -> dict[str, int]:
    """Rows stored per input kind of SPEC §3, plus the quarantine."""
    counts = {kind: conn.scalar(select(func.count()).select_from(model)) for kind, (model, _key) in KIND_TABLES.items()}
    counts["quarantine"] = conn.scalar(select(func.count()).select_from(QuarantineRow))
    return counts


def _partner_home(scope: Scope) -> list:
    with current_engine().connect() as conn:
        partner_name = conn.scalar(select(Partner.name).where(Partner.partner_id == scope.partner_id))
    return [
        html.H3(t("home.greeting", name=scope.name), id="home-greeting"),
        html.P(t("home.partner_intro", partner=partner_name or scope.partner_id), id="home-partner"),
        dbc.Button(t("home.my_quality"), href="/quality", color="primary", id="home-quality-link"),
    ]


def _manager_home(scope: Scope) -> list:
    with current_engine().connect() as conn:
        clients = client_options(conn, sorted(scope.client_ids or ()))
    header = [html.H3(t("home.greeting", name=scope.name), id="home-greeting"), html.H5(t("home.my_clients"))]
    if not clients:
        return header + [html.Div(empty_state(t("home.no_clients")), id="home-clients")]
    items = [
        dbc.ListGroupItem(f"{c['name']} ({c['client_id']})", href=f"/meeting?client={c['client_id']}", action=True)
        for c in clients
    ]
    return header + [dbc.ListGroup(items, id="home-clients", className="home-clients")]


def _data_home(scope: Scope) -> list:
    with current_engine().connect() as conn:
        counts = stored_row_counts(conn)
    header = [html.H3(t("home.greeting", name=scope.name), id="home-greeting"), html.H5(t("home.stored"))]
    if not any(counts.values()):
        return header + [html.Div(empty_state(), id="home-counts")]
    frame = pd.DataFrame({"kind": [t(f"kind.{kind}") for kind in counts], "rows": list(counts.values())})
    columns = [
        {"field": "kind", "headerName": t("home.kind"), "filter": "agTextColumnFilter"},
        {"field": "rows", "headerName": t("home.rows"), "filter": "agNumberColumnFilter", "type": "numericColumn",
         "valueFormatter": {"function": "params.value == null ? '—' : params.value.toLocaleString('ru-RU')"}},
    ]
    return header + [html.Div(data_grid("home-counts", frame, columns=columns, page_size=20), id="home-counts")]


@authorized()
def layout(scope: Scope, **_query: str) -> html.Div:
    """The landing of the logged-in user's role."""
    if scope.role == "partner":
        body = _partner_home(scope)
    elif scope.role == "service_manager":
        body = _manager_home(scope)
    else:
        body = _data_home(scope)
    return html.Div(body, id="home", className=f"home home-{scope.role}")
