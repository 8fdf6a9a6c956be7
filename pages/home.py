"""Landing page per role: what needs my attention now (issue 15).

Partner: own CSAT / NPS / SLA with the change against the previous quarter and the comparison
group where it is allowed, and a short risk list. Service manager: clients ranked by need of
attention with badges. Management: the programme's CSAT, NPS and SLA compliance with deltas,
biggest movers, competence assigned/revoked this month. Admin: data freshness per kind, last
loads, quarantine. Every value comes from a report function (`reports.home`, `reports.meeting`),
every tile links to the page behind it.
"""
from __future__ import annotations

import re

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from auth import Scope, authorized, current_engine
from components.cache import scoped_memoize
from components.cards import empty_state
from components.format import fmt_date, fmt_datetime, fmt_number, fmt_percent, fmt_quarter
from components.i18n import current_language, register_strings, t
from components.loader_words import loader_message
from pages.meeting import attention
from reports.home import admin_home, management_home, partner_home
from reports.partner import UnknownPartner

dash.register_page(__name__, path="/", name="home", label_key="nav.home", order=0)

STALE_DAYS = 31  # a kind not loaded for a month is shown as stale
GAIN, LOSS, NEUTRAL = "text-success", "text-danger", "text-muted"
POINTS = "\u00a0п.п."  # CSAT and SLA compliance change in percentage points

register_strings({
    "home.attention": {"ru": "Что требует внимания", "en": "What needs attention"},
    "home.no_risks": {"ru": "Рисков не видно.", "en": "No risks in sight."},
    "home.csat": {"ru": "Удовлетворённость (CSAT)", "en": "Satisfaction (CSAT)"},
    "home.nps_partner": {"ru": "Рекомендуют вас (NPS)", "en": "Recommend you (NPS)"},
    "home.nps_programme": {"ru": "Рекомендуют партнёров (NPS)", "en": "Recommend partners (NPS)"},
    "home.sla": {"ru": "Соблюдение SLA", "en": "SLA compliance"},
    "home.vs_previous": {"ru": "{change} к {quarter}", "en": "{change} vs {quarter}"},
    "home.vs_group": {"ru": "{group}: {value}", "en": "{group}: {value}"},
    "home.period": {"ru": "за {quarter}", "en": "in {quarter}"},
    "home.breaches": {"ru": "нарушено: {breached}, под угрозой: {at_risk}",
                      "en": "breached: {breached}, at risk: {at_risk}"},
    # the margin in submitted projects: short of the threshold, none to lose, or some to spare
    "home.risk.competence_short": {"ru": ("Компетенция: до порога не хватает {n} сданного проекта; проверка {date}",
                                          "Компетенция: до порога не хватает {n} сданных проектов; проверка {date}",
                                          "Компетенция: до порога не хватает {n} сданных проектов; проверка {date}"),
                                   "en": ("Competence: {n} submitted project short of the threshold; evaluation {date}",
                                          "Competence: {n} submitted projects short of the threshold; evaluation "
                                          "{date}")},
    "home.risk.competence_edge": {"ru": "Компетенция: запаса нет — один потерянный сданный проект снимет её; "
                                        "проверка {date}",
                                  "en": "Competence: no margin — one lost submitted project revokes it; "
                                        "evaluation {date}"},
    "home.risk.competence_margin": {"ru": ("Компетенция: запас — {n} сданный проект; проверка {date}",
                                           "Компетенция: запас — {n} сданных проекта; проверка {date}",
                                           "Компетенция: запас — {n} сданных проектов; проверка {date}"),
                                    "en": ("Competence: a margin of {n} submitted project; evaluation {date}",
                                           "Competence: a margin of {n} submitted projects; evaluation {date}")},
    "home.risk.points_expiring": {"ru": "Сгорят в ближайшие 90 дней: {value} баллов, первые — {date}",
                                  "en": "Expiring within 90 days: {value} points, first on {date}"},
    "home.risk.tickets": {"ru": "Обращения: нарушен SLA — {value}, под угрозой — {at_risk}",
                          "en": "Tickets: SLA breached — {value}, at risk — {at_risk}"},
    "home.risk.kkv_expiring": {"ru": "Уровень ККВ «{level}» истекает {date} (через {value} дн.); запрос на продление — "
                                     "до {due}",
                               "en": "KKV level “{level}” expires on {date} (in {value} days); renewal request due "
                                     "by {due}"},
    "home.risk.deposit_runway": {"ru": "Депозита хватит примерно на {value} дн.",
                                 "en": "The deposit lasts about {value} more days"},
    "home.clients_ranked": {"ru": "Клиенты: сначала те, кому нужно внимание",
                            "en": "Clients: those needing attention first"},
    "home.badge.findings": {"ru": "находок: {n}", "en": "findings: {n}"},
    "home.badge.breached": {"ru": "нарушений SLA: {n}", "en": "SLA breaches: {n}"},
    "home.badge.at_risk": {"ru": "под угрозой: {n}", "en": "at risk: {n}"},
    "home.badge.calm": {"ru": "спокойно", "en": "calm"},
    "home.programme": {"ru": "Программа: {quarter} к предыдущему кварталу",
                       "en": "Programme: {quarter} vs the quarter before"},
    "home.movers": {"ru": "Сильнее всего изменился CSAT", "en": "Biggest CSAT movers"},
    "home.competence": {"ru": "Компетенция «Программа качества», {month}: присвоена {assigned}, снята {revoked}, "
                              "всего {held}",
                        "en": "“Quality Program” competence, {month}: assigned {assigned}, revoked {revoked}, "
                              "held {held}"},
    "home.freshness": {"ru": "Свежесть данных", "en": "Data freshness"},
    "home.never": {"ru": "не загружались", "en": "never loaded"},
    "home.loaded": {"ru": "{date}: принято {accepted}, отклонено {rejected}",
                    "en": "{date}: {accepted} accepted, {rejected} rejected"},
    "home.quarantine": {"ru": "В карантине строк: {n}", "en": "Rows in quarantine: {n}"},
    "home.stale": {"ru": "давно", "en": "stale"},
    "home.partner_not_loaded": {"ru": "Данных вашей компании пока нет: они появятся после загрузки файлов партнёров.",
                                "en": "There is no data of your company yet: it appears once the partner files are loaded."},
    "home.quarantine_column": {"ru": "В карантине", "en": "In quarantine"},
})


def _signed(change: float | None, unit: str) -> str:
    if change is None:
        return "—"
    if round(change, 1) == 0:
        return "±0" + unit
    return ("+" if change > 0 else "−") + fmt_number(abs(change), 1) + unit


def _change_line(change: float | None, quarter: str | None, unit: str = POINTS) -> html.Div:
    """The change in points, gains green and losses red (diverging colours)."""
    colour = NEUTRAL if not change else (GAIN if change > 0 else LOSS)
    if change is None or quarter is None:
        return html.Div("—", className=f"home-tile-change {NEUTRAL}")
    return html.Div(t("home.vs_previous", change=_signed(change, unit), quarter=quarter),
                    className=f"home-tile-change {colour}")


def _tile(tile_id: str, title: str, value: str, href: str, lines: list) -> dbc.Col:
    """One tile: title, big value, lines below; the whole card links to the page behind it."""
    card = dbc.Card(dbc.CardBody([html.Div(title, className="kpi-title"),
                                  html.Div(value, className="kpi-value home-tile-value"), *lines]),
                    className="kpi-card h-100 home-tile")
    return dbc.Col(dcc.Link(card, href=href, className="text-reset text-decoration-none", id=tile_id), md=4,
                   className="mb-3")


@scoped_memoize()
def _partner_data(partner_id: str) -> dict:
    with current_engine().connect() as conn:
        return partner_home(conn, partner_id)


def _partner_home(scope: Scope) -> list:
    try:
        data = _partner_data(scope.partner_id)
    except UnknownPartner:  # a partner login whose partner has not been loaded yet
        return [html.H3(t("home.greeting", name=scope.name), id="home-greeting"),
                empty_state(t("home.partner_not_loaded"))]
    tiles = data["tiles"]
    quarter = tiles["csat"]["quarter"]
    previous = None if quarter is None else _previous_label(quarter)
    nps = tiles["nps_partner"]
    nps_lines = [_change_line(nps["change"], previous, "")]
    if nps["group"] is not None:
        nps_lines.append(html.Div(t("home.vs_group", group=nps["group_name"], value=fmt_number(nps["group"], 1)),
                                  className="home-tile-group text-muted small"))
    row = dbc.Row([
        _tile("home-tile-csat", t("home.csat"), fmt_percent(tiles["csat"]["value"], 1), "/quality",
              [_change_line(tiles["csat"]["change"], previous)]),
        _tile("home-tile-nps", t("home.nps_partner"), fmt_number(nps["value"], 1), "/quality", nps_lines),
        _tile("home-tile-sla", t("home.sla"), fmt_percent(tiles["sla"]["value"], 1), "/quality#quality-tickets",
              [html.Div(t("home.breaches", breached=fmt_number(tiles["sla"]["breached"]),
                          at_risk=fmt_number(tiles["sla"]["at_risk"])), className="text-muted small")]),
    ])
    risks = [html.Li(_risk_text(r), className=f"home-risk home-risk-{r['kind']}") for r in data["risks"]]
    return [
        html.H3(t("home.greeting", name=scope.name), id="home-greeting"),
        html.P(t("home.partner_intro", partner=data["partner"]["name"]), id="home-partner"),
        row,
        html.H5(t("home.attention"), className="mt-2"),
        html.Ul(risks, id="home-risks") if risks else html.P(t("home.no_risks"), id="home-risks"),
    ]


def _previous_label(quarter: str) -> str:
    year, q = int(quarter[:4]), int(quarter[-1])
    return fmt_quarter(f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}")


def _risk_text(risk: dict) -> str:
    kind = risk["kind"]
    if kind == "competence_margin":
        margin, date = int(risk["value"]), fmt_date(risk["next"])
        if margin < 0:
            return t("home.risk.competence_short", n=-margin, date=date)
        return t("home.risk.competence_margin", n=margin, date=date) if margin else \
            t("home.risk.competence_edge", date=date)
    if kind == "points_expiring":
        return t("home.risk.points_expiring", value=fmt_number(risk["value"]), date=fmt_date(risk["date"]))
    if kind == "tickets":
        return t("home.risk.tickets", value=fmt_number(risk["value"]), at_risk=fmt_number(risk["at_risk"]))
    if kind == "kkv_expiring":
        return t("home.risk.kkv_expiring", level=t(f"pk.level.{risk['level']}"), date=fmt_date(risk["date"]),
                 value=fmt_number(risk["value"]), due=fmt_date(risk["due"]))
    return t("home.risk.deposit_runway", value=fmt_number(risk["value"], 0))


def _manager_home(scope: Scope) -> list:
    header = [html.H3(t("home.greeting", name=scope.name), id="home-greeting"), html.H5(t("home.clients_ranked"))]
    ranking = attention(tuple(sorted(scope.client_ids or ())))
    if not ranking:
        return header + [html.Div(empty_state(t("home.no_clients")), id="home-clients")]
    lang = current_language()
    items = []
    for row in ranking:
        badges = []
        if row["findings"]:
            badges.append(dbc.Badge(t("home.badge.findings", n=row["findings"]), color="danger", className="me-1"))
        if row["breached"]:
            badges.append(dbc.Badge(t("home.badge.breached", n=row["breached"]), color="warning",
                                    text_color="body", className="me-1"))
        if row["at_risk"]:
            badges.append(dbc.Badge(t("home.badge.at_risk", n=row["at_risk"]), color="info", text_color="body",
                                    className="me-1"))
        if not badges:
            # dark text: Flatly's grey on its light grey read at 2.2:1 contrast
            badges.append(dbc.Badge(t("home.badge.calm"), color="light", text_color="body", className="border"))
        top = row[f"top_finding_{lang}"]
        items.append(dbc.ListGroupItem([
            html.Div([html.Span(f"{row['name']} ({row['client_id']})", className="fw-bold me-2"), *badges]),
            html.Div(top, className="small text-danger") if top else None,
        ], href=f"/meeting?client={row['client_id']}", action=True, className="home-client",
            id={"type": "home-client", "index": row["client_id"]}))
    return header + [dbc.ListGroup(items, id="home-clients", className="home-clients")]


@scoped_memoize()
def _management_data() -> dict:
    with current_engine().connect() as conn:
        return management_home(conn)


def _management_home(scope: Scope) -> list:
    data = _management_data()
    tiles = data["tiles"]
    quarter = tiles["csat"]["period"]
    previous = None if quarter is None else _previous_label(quarter)
    row = dbc.Row([
        _tile("home-tile-csat", t("home.csat"), fmt_percent(tiles["csat"]["value"], 1), "/trends",
              [_change_line(tiles["csat"]["change"], previous)]),
        _tile("home-tile-nps", t("home.nps_programme"), fmt_number(tiles["nps_partner"]["value"], 1), "/trends",
              [_change_line(tiles["nps_partner"]["change"], previous, "")]),
        _tile("home-tile-sla", t("home.sla"), fmt_percent(tiles["sla"]["value"], 1), "/trends",
              [_change_line(tiles["sla"]["change"], previous)]),
    ])
    movers = [html.Li([html.Span(m["name"] or m["partner_id"], className="me-2"),
                       html.Span(f"{fmt_number(m['value_previous'], 1)} → {fmt_number(m['value'], 1)} "
                                 f"({_signed(m['delta'], POINTS)})",
                                 className=GAIN if m["delta"] > 0 else LOSS)], className="home-mover")
              for m in data["movers"]]
    competence = data["competence"]
    body = [html.H3(t("home.greeting", name=scope.name), id="home-greeting"),
            html.H5(t("home.programme", quarter=fmt_quarter(quarter) if quarter else "—")), row,
            html.H5(t("home.movers"), className="mt-2"),
            dcc.Link(html.Ul(movers, id="home-movers"), href="/trends", className="text-reset")]
    if competence:
        body.append(dcc.Link(html.P(t("home.competence", month=fmt_date(competence["month"]),
                                      assigned=fmt_number(competence["assigned"]),
                                      revoked=fmt_number(competence["revoked"]), held=fmt_number(competence["held"])),
                                    id="home-competence"), href="/programs/quality", className="text-reset"))
    return body


def _admin_home(scope: Scope) -> list:
    with current_engine().connect() as conn:
        data = admin_home(conn)
    rows = []
    for kind in data["kinds"]:
        stale = kind["age_days"] is None or kind["age_days"] > STALE_DAYS
        loaded = t("home.never") if kind["loaded_at"] is None else t(
            "home.loaded", date=fmt_datetime(kind["loaded_at"]), accepted=fmt_number(kind["accepted"]),
            rejected=fmt_number(kind["rejected"]))
        fresh: list = [loaded]
        if stale:
            fresh += [" ", dbc.Badge(t("home.stale"), color="warning", text_color="body")]
        if kind["note"]:  # worklog: repeated keys summed, so fewer rows are stored than were accepted
            # on its own line; a number's thousands never wrap apart («4 622»)
            note = re.sub(r"(?<=\d) (?=\d)", "\u00a0", str(loader_message(kind["note"])))
            fresh += [html.Br(), html.Small(note, className="text-muted home-kind-note")]
        # on a phone each row is a card (assets/style.css): kind and rows, then freshness, then quarantine
        rows.append(html.Tr([
            html.Td(t(f"kind.{kind['kind']}"), className="home-kind-name"),
            html.Td(fmt_number(kind["rows"]), className="text-end text-nowrap home-kind-rows"),
            html.Td(fresh, className="home-kind-fresh"),
            html.Td(dcc.Link(fmt_number(kind["quarantine"]), href="/admin/upload") if kind["quarantine"]
                    else "0", className="text-end home-kind-quarantine",
                    **{"data-label": t("home.quarantine_column")}),
        ], className="home-kind", id={"type": "home-kind", "index": kind["kind"]}))
    head = html.Thead(html.Tr([html.Th(t("home.kind")), html.Th(t("home.rows")), html.Th(t("home.freshness")),
                               html.Th(t("home.quarantine_column"))]))
    return [html.H3(t("home.greeting", name=scope.name), id="home-greeting"),
            html.H5(t("home.freshness")),
            dcc.Link(html.P(t("home.quarantine", n=fmt_number(data["quarantine"])), id="home-quarantine"),
                     href="/admin/upload", className="text-reset"),
            dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, id="home-counts")]


@authorized()
def layout(scope: Scope, **_query: str) -> html.Div:
    """The landing of the logged-in user's role."""
    if scope.role == "partner":
        body = _partner_home(scope)
    elif scope.role == "service_manager":
        body = _manager_home(scope)
    elif scope.role == "admin":
        body = _admin_home(scope)
    else:
        body = _management_home(scope)
    return html.Div(body, id="home", className=f"home home-{scope.role}")


def warm_first_view(scope: Scope) -> None:
    """The cached data of the landing of `scope` (`jobs.warm`: computed by the load, not by the first visit)."""
    if scope.role == "partner" and scope.partner_id:
        try:
            _partner_data(scope.partner_id)
        except UnknownPartner:
            pass
    elif scope.role == "service_manager":
        attention(tuple(sorted(scope.client_ids or ())))
    elif scope.role == "management":
        _management_data()
