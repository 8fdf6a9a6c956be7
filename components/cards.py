"""KPI card (value, 95 % interval, n, greyed "too few answers") and the empty state."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.format import fmt_number
from components.i18n import t

INGEST_PATH = "/admin/ingest"
MIN_ANSWERS = 5  # SPEC §4: below n = 5 the value is greyed as "too few answers"


def kpi_card(
    title: str,
    value: float | None,
    *,
    unit: str = "",
    interval: tuple[float, float] | None = None,
    n: int | None = None,
    min_n: int = MIN_ANSWERS,
    decimals: int | None = None,
    hint: str | None = None,
    id: str | None = None,
    extra: list | None = None,
) -> dbc.Card:
    """One metric: big value, optional 95 % interval and answer count; greyed when n < `min_n`;
    `extra` components (e.g. the change against the previous period) go right under the value."""
    too_few = n is not None and n < min_n
    shown = fmt_number(value, decimals) + (f" {unit}" if unit and value is not None else "")
    lines = []
    if interval is not None and not too_few:
        lines.append(html.Div(t("kpi.interval", low=fmt_number(interval[0], decimals),
                                high=fmt_number(interval[1], decimals)), className="kpi-interval"))
    if n is not None:
        lines.append(html.Div(t("kpi.too_few" if too_few else "n.answers", n=n), className="kpi-n"))
    if hint:
        lines.append(html.Div(hint, className="kpi-hint"))
    body = [html.Div(title, className="kpi-title"), html.Div(shown, className="kpi-value"), *(extra or []), *lines]
    return dbc.Card(
        dbc.CardBody(body),
        className="kpi-card h-100" + (" kpi-too-few" if too_few else ""),
        **({"id": id} if id else {}),
    )


def empty_state(message: str | None = None, upload_href: str | None = None) -> html.Div:
    """Shown where there is no data yet: a title, a plain sentence and, for admins, the upload link."""
    from auth.scope import current_scope_or_none

    scope = current_scope_or_none()
    if upload_href is None and scope is not None and scope.role == "admin":
        upload_href = INGEST_PATH
    children = [html.H5(t("empty.title")), html.P(message or t("empty.upload"), className="mb-2")]
    if upload_href:
        children.append(dbc.Button(t("empty.upload_link"), href=upload_href, color="primary", size="sm"))
    return html.Div(children, className="empty-state text-center text-muted p-4")
