"""Admin: SLA policies and working calendars (SPEC §5), saved with validation and audited; a save
recomputes the tickets of the clients using that policy or calendar in the same transaction
(`store.recompute.recompute_affected`), official production calendars are uploaded per country, their
year coverage shown, and "Recompute" refreshes every stored SLA value.
"""
from __future__ import annotations

import base64
import binascii
import time
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from auth import Scope, audit, authorized, current_engine
from components.cache import invalidate_data_cache
from components.format import fmt_datetime, fmt_number
from components.i18n import STRINGS, register_strings, t
from components.labels import country_name, time_zone_options
from store.admin_queries import (
    PRIORITIES,
    AdminInputError,
    calendar_definition,
    check_name,
    policy_definition,
    settings_usage,
    sla_is_stale,
    supported_countries,
)
from loaders.production_calendar import ProductionCalendarError, check_country, parse_production_calendar
from store.derived import recompute
from store.production_calendar import calendar_coverage, import_production_calendar, stale_client_calendars
from store.recompute import (
    RecomputeError,
    calendars_of_country,
    definition_version,
    recompute_affected,
    recompute_log,
)
from store.settings import (
    DEFAULT_CALENDAR,
    DEFAULT_POLICY,
    calendar_definitions,
    load_calendars,
    policy_definitions,
    save_calendar,
    save_policy,
)

ADMIN = ("admin",)
TARGET_FIELDS = ("acceptance_hours", "simple_hours", "complex_hours_per_subtask", "bug_hours")
NO_COUNTRY = "-"

dash.register_page(__name__, path="/admin/settings", name="admin-settings", label_key="admin_settings.nav",
                   order=92)

register_strings({
    "admin_settings.nav": {"ru": "SLA и календари", "en": "SLA and calendars"},
    "admin_settings.title": {"ru": "SLA-политики и рабочие календари", "en": "SLA policies and working calendars"},
    "admin_settings.intro": {
        "ru": "Сроки — в рабочих часах календаря клиента (клиенту назначают политику и календарь колонками "
              "«политика SLA» и «календарь» файла клиентов). Сохранение политики или календаря сразу пересчитывает "
              "обращения клиентов, которые их используют; «Пересчитать» пересчитывает все обращения.",
        "en": "Targets are working hours of the client's calendar (a client gets its policy and calendar in the "
              "sla_policy and calendar columns of the clients file). Saving a policy or calendar recomputes the "
              "tickets of the clients using it at once; “Recompute” recomputes every ticket.",
    },
    "admin_settings.policies": {"ru": "SLA-политики", "en": "SLA policies"},
    "admin_settings.calendars": {"ru": "Рабочие календари", "en": "Working calendars"},
    "admin_settings.policy": {"ru": "Политика", "en": "Policy"},
    "admin_settings.calendar": {"ru": "Календарь", "en": "Calendar"},
    "admin_settings.name": {"ru": "Сохранить под именем", "en": "Save as"},
    "admin_settings.usage": {"ru": "Клиентов с этим именем: {n}", "en": "Clients using this name: {n}"},
    "admin_settings.usage_default": {"ru": " (и все клиенты без указанного значения)",
                                     "en": " (and every client without one)"},
    "admin_settings.acceptance_hours": {"ru": "Принятие в работу, ч", "en": "Acceptance, h"},
    "admin_settings.simple_hours": {"ru": "Простая задача, ч", "en": "Simple task, h"},
    "admin_settings.complex_hours_per_subtask": {"ru": "Сложная задача, ч на подзадачу",
                                                 "en": "Complex task, h per subtask"},
    "admin_settings.bug_hours": {"ru": "Ошибка, ч", "en": "Bug, h"},
    "admin_settings.incident": {"ru": "Инциденты по приоритетам", "en": "Incidents by priority"},
    "admin_settings.priority": {"ru": "Приоритет {p}", "en": "Priority {p}"},
    "admin_settings.reaction": {"ru": "реакция, ч", "en": "reaction, h"},
    "admin_settings.resolution": {"ru": "решение, ч", "en": "resolution, h"},
    "admin_settings.at_risk": {"ru": "«Под угрозой», если осталось меньше, % срока",
                               "en": "“At risk” when less than this % of the target is left"},
    "admin_settings.save_policy": {"ru": "Сохранить политику", "en": "Save policy"},
    "admin_settings.save_calendar": {"ru": "Сохранить календарь", "en": "Save calendar"},
    "admin_settings.timezone": {"ru": "Часовой пояс", "en": "Time zone"},
    "admin_settings.country": {"ru": "Праздники страны", "en": "Public holidays of"},
    "admin_settings.no_country": {"ru": "без праздников", "en": "no public holidays"},
    "admin_settings.opens": {"ru": "Начало дня", "en": "Day starts"},
    "admin_settings.closes": {"ru": "Конец дня", "en": "Day ends"},
    "admin_settings.workdays": {"ru": "Рабочие дни", "en": "Working days"},
    "admin_settings.extra_holidays": {"ru": "Дополнительные выходные (дд.мм.гггг, по одной в строке)",
                                      "en": "Extra days off (dd.mm.yyyy, one per line)"},
    "admin_settings.extra_workdays": {"ru": "Дополнительные рабочие дни", "en": "Extra working days"},
    "admin_settings.short_preholiday": {"ru": "Предпраздничный день короче на час (ТК РФ ст. 95)",
                                        "en": "The day before a public holiday is one hour shorter"},
    "admin_settings.saved_policy": {
        "ru": "Политика {name} сохранена, SLA пересчитан для обращений её клиентов: {n} (версия {version}).",
        "en": "Policy {name} saved; SLA recomputed for the tickets of its clients: {n} (version {version}).",
    },
    "admin_settings.saved_calendar": {
        "ru": "Календарь {name} сохранён, SLA пересчитан для обращений его клиентов: {n} (версия {version}).",
        "en": "Calendar {name} saved; SLA recomputed for the tickets of its clients: {n} (version {version}).",
    },
    "admin_settings.official_title": {"ru": "Официальные производственные календари",
                                      "en": "Official production calendars"},
    "admin_settings.official_intro": {
        "ru": "XML в формате xmlcalendar.ru или CSV с колонками date,kind (holiday, workday, short). "
              "Файл заменяет данные пакета holidays для страны и года.",
        "en": "XML in the xmlcalendar.ru format or CSV with columns date,kind (holiday, workday, short). "
              "The file replaces the holidays package for its country and year.",
    },
    "admin_settings.official_country": {"ru": "Страна", "en": "Country"},
    "admin_settings.official_drop": {"ru": "Перетащите файл календаря сюда или ", "en": "Drop a calendar file here or "},
    "admin_settings.official_choose": {"ru": "выберите", "en": "choose one"},
    "admin_settings.official_loaded": {
        "ru": "{country} {years}: загружено дней — {days} из «{file}»; SLA пересчитан для обращений: {n}.",
        "en": "{country} {years}: {days} days loaded from “{file}”; SLA recomputed for tickets: {n}.",
    },
    "admin_settings.official_bad": {"ru": "Файл «{file}» не загружен: {detail}", "en": "File “{file}” refused: {detail}"},
    "admin_settings.coverage": {"ru": "Данные календарей по годам", "en": "Calendar data by year"},
    "admin_settings.coverage.calendar": {"ru": "Календарь", "en": "Calendar"},
    "admin_settings.coverage.year": {"ru": "Год", "en": "Year"},
    "admin_settings.coverage.source": {"ru": "Источник", "en": "Source"},
    "admin_settings.source.file": {"ru": "файл «{detail}»", "en": "file “{detail}”"},
    "admin_settings.source.package": {"ru": "пакет holidays", "en": "holidays package"},
    "admin_settings.source.rules": {"ru": "без праздников", "en": "no public holidays"},
    "admin_settings.source.none": {"ru": "нет официальных данных", "en": "no official data"},
    "admin_settings.stale_calendar": {
        "ru": "Календарь {name} (клиентов: {clients}): нет официальных данных за {year} год в ближайшие 60 дней — "
              "загрузите производственный календарь.",
        "en": "Calendar {name} (clients: {clients}): no official data for {year} within the next 60 days — "
              "load the production calendar.",
    },
    "admin_settings.log": {"ru": "Последние пересчёты", "en": "Latest recomputations"},
    "admin_settings.log.at": {"ru": "Когда", "en": "When"},
    "admin_settings.log.trigger": {"ru": "Изменение", "en": "Change"},
    "admin_settings.log.version": {"ru": "Версия", "en": "Version"},
    "admin_settings.log.tickets": {"ru": "Обращений", "en": "Tickets"},
    "admin_settings.log.outcome": {"ru": "Итог", "en": "Outcome"},
    "admin_settings.outcome.done": {"ru": "выполнен", "en": "done"},
    "admin_settings.outcome.failed": {"ru": "ошибка, значения не изменены", "en": "failed, values unchanged"},
    "admin_settings.recompute_title": {"ru": "Пересчёт SLA", "en": "SLA recomputation"},
    "admin_settings.recompute": {"ru": "Пересчитать", "en": "Recompute"},
    "admin_settings.recomputing": {"ru": "Пересчёт всех обращений…", "en": "Recomputing every ticket…"},
    "admin_settings.stale": {
        "ru": "Политики или календари менялись после последнего пересчёта: значения SLA в отчётах устарели.",
        "en": "Policies or calendars changed after the last recomputation: SLA values in reports are stale.",
    },
    "admin_settings.recomputed": {"ru": "Пересчитано обращений: {n} за {seconds} с.",
                                  "en": "Tickets recomputed: {n} in {seconds} s."},
    "admin_settings.err.bad_name": {
        "ru": "Имя «{name}»: 1–64 символа, латиница, цифры, «_», «.», «-».",
        "en": "Name “{name}”: 1–64 characters, Latin letters, digits, “_”, “.”, “-”.",
    },
    "admin_settings.err.not_a_number": {"ru": "«{field}»: укажите число.", "en": "“{field}”: enter a number."},
    "admin_settings.err.hours_range": {"ru": "«{field}»: от 0 (не включая) до {max} ч.",
                                       "en": "“{field}”: more than 0 and at most {max} h."},
    "admin_settings.err.reaction_after_resolution": {
        "ru": "Приоритет {priority}: реакция не может быть дольше решения.",
        "en": "Priority {priority}: the reaction cannot take longer than the resolution.",
    },
    "admin_settings.err.percent_range": {"ru": "Доля «под угрозой»: от 0 до 99 %.",
                                         "en": "At-risk share: from 0 to 99 %."},
    "admin_settings.err.unknown_timezone": {"ru": "Неизвестный часовой пояс «{value}».",
                                            "en": "Unknown time zone “{value}”."},
    "admin_settings.err.unknown_country": {"ru": "Нет календаря праздников для страны «{value}».",
                                           "en": "No public holiday calendar for country “{value}”."},
    "admin_settings.err.bad_time": {"ru": "«{field}»: время в виде ЧЧ:ММ, например 09:00.",
                                    "en": "“{field}”: a time as HH:MM, e.g. 09:00."},
    "admin_settings.err.closes_before_opens": {"ru": "Конец дня ({closes}) должен быть позже начала ({opens}).",
                                               "en": "The day must end ({closes}) after it starts ({opens})."},
    "admin_settings.err.no_workdays": {"ru": "Выберите хотя бы один рабочий день.", "en": "Choose at least one working day."},
    "admin_settings.err.bad_date": {"ru": "«{field}»: «{value}» — не дата (дд.мм.гггг).",
                                    "en": "“{field}”: “{value}” is not a date (dd.mm.yyyy)."},
    "admin_settings.err.calendar_invalid": {"ru": "Календарь не сохранён: {detail}", "en": "Calendar not saved: {detail}"},
    "admin_settings.err.policy_invalid": {"ru": "Политика не сохранена: {detail}", "en": "Policy not saved: {detail}"},
    "weekday.0": {"ru": "Пн", "en": "Mon"}, "weekday.1": {"ru": "Вт", "en": "Tue"},
    "weekday.2": {"ru": "Ср", "en": "Wed"}, "weekday.3": {"ru": "Чт", "en": "Thu"},
    "weekday.4": {"ru": "Пт", "en": "Fri"}, "weekday.5": {"ru": "Сб", "en": "Sat"},
    "weekday.6": {"ru": "Вс", "en": "Sun"},
})


def _message(error: AdminInputError) -> dbc.Alert:
    values = dict(error.values)
    if "field" in values:  # name the field as the form does
        label = f"admin_settings.{values['field']}"
        values["field"] = t(label) if t(label) != label else values["field"]
    key = f"admin_settings.err.{error.code}"
    return dbc.Alert(t(key, **values) if t(key) != key else str(error), color="warning")


def _names(definitions: dict) -> list[dict]:
    return [{"label": t(f"settings.name.{name}") if f"settings.name.{name}" in STRINGS else name, "value": name}
            for name in sorted(definitions)]


def _usage_text(kind: str, name: str | None, default: str) -> str:
    with current_engine().connect() as conn:
        usage = settings_usage(conn)[kind]
    text = t("admin_settings.usage", n=fmt_number(usage.get(name, 0)))
    return text + (t("admin_settings.usage_default") if name == default else "")


def _stale_alert() -> Any:
    with current_engine().connect() as conn:
        stale = sla_is_stale(conn)
    return dbc.Alert(t("admin_settings.stale"), color="warning", className="mb-2") if stale else None


def _number(id_: str, label: str, step: float = 0.5) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=id_, className="small"),
                    dbc.Input(id=id_, type="number", min=0, step=step)], md=3)


def _policy_form() -> dbc.Card:
    with current_engine().connect() as conn:
        names = _names(policy_definitions(conn))
    incident = [dbc.Row([
        dbc.Col(html.Div(t("admin_settings.priority", p=p), className="pt-1"), md=3),
        dbc.Col(dbc.InputGroup([dbc.Input(id=f"admin-settings-reaction-{p}", type="number", min=0, step=0.5),
                                dbc.InputGroupText(t("admin_settings.reaction"))], size="sm"), md=4),
        dbc.Col(dbc.InputGroup([dbc.Input(id=f"admin-settings-resolution-{p}", type="number", min=0, step=0.5),
                                dbc.InputGroupText(t("admin_settings.resolution"))], size="sm"), md=4),
    ], className="g-2 mb-1") for p in PRIORITIES]
    return dbc.Card(dbc.CardBody([
        html.H5(t("admin_settings.policies")),
        dbc.Row([
            dbc.Col([dbc.Label(t("admin_settings.policy")),
                     dcc.Dropdown(id="admin-settings-policy", options=names, value=DEFAULT_POLICY, clearable=False)],
                    md=4),
            dbc.Col([dbc.Label(t("admin_settings.name")), dbc.Input(id="admin-settings-policy-name", maxLength=64)],
                    md=4),
            dbc.Col(html.Div(id="admin-settings-policy-usage", className="small text-muted pt-4"), md=4),
        ], className="g-2 mb-2"),
        dbc.Row([_number(f"admin-settings-{f}", t(f"admin_settings.{f}")) for f in TARGET_FIELDS], className="g-2"),
        html.H6(t("admin_settings.incident"), className="mt-3"),
        *incident,
        dbc.Row(dbc.Col([dbc.Label(t("admin_settings.at_risk"), html_for="admin-settings-at-risk", className="small"),
                         dbc.Input(id="admin-settings-at-risk", type="number", min=0, max=99, step=1)], md=6),
                className="g-2 mt-1"),
        dbc.Button(t("admin_settings.save_policy"), id="admin-settings-save-policy", color="primary", className="mt-3"),
        html.Div(id="admin-settings-policy-message", className="mt-2"),
    ]), className="mb-3")


def _calendar_form() -> dbc.Card:
    with current_engine().connect() as conn:
        names = _names(calendar_definitions(conn))
    countries = [{"label": t("admin_settings.no_country"), "value": NO_COUNTRY}] + [
        {"label": country_name(c), "value": c} for c in supported_countries()]
    weekdays = [{"label": t(f"weekday.{d}"), "value": d} for d in range(7)]
    return dbc.Card(dbc.CardBody([
        html.H5(t("admin_settings.calendars")),
        dbc.Row([
            dbc.Col([dbc.Label(t("admin_settings.calendar")),
                     dcc.Dropdown(id="admin-settings-calendar", options=names, value=DEFAULT_CALENDAR,
                                  clearable=False)], md=4),
            dbc.Col([dbc.Label(t("admin_settings.name")), dbc.Input(id="admin-settings-calendar-name", maxLength=64)],
                    md=4),
            dbc.Col(html.Div(id="admin-settings-calendar-usage", className="small text-muted pt-4"), md=4),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col([dbc.Label(t("admin_settings.timezone")),
                     dcc.Dropdown(id="admin-settings-timezone", options=time_zone_options(), clearable=False)], md=4),
            dbc.Col([dbc.Label(t("admin_settings.country")),
                     dcc.Dropdown(id="admin-settings-country", options=countries, clearable=False)], md=3),
            dbc.Col([dbc.Label(t("admin_settings.opens")), dbc.Input(id="admin-settings-opens", placeholder="09:00")],
                    md=2),
            dbc.Col([dbc.Label(t("admin_settings.closes")), dbc.Input(id="admin-settings-closes", placeholder="18:00")],
                    md=2),
        ], className="g-2"),
        dbc.Label(t("admin_settings.workdays"), className="mt-2"),
        dbc.Checklist(id="admin-settings-workdays", options=weekdays, inline=True),
        dbc.Row([
            dbc.Col([dbc.Label(t("admin_settings.extra_holidays"), className="small"),
                     dbc.Textarea(id="admin-settings-extra-holidays", rows=3)], md=6),
            dbc.Col([dbc.Label(t("admin_settings.extra_workdays"), className="small"),
                     dbc.Textarea(id="admin-settings-extra-workdays", rows=3)], md=6),
        ], className="g-2 mt-1"),
        dbc.Switch(id="admin-settings-short-preholiday", label=t("admin_settings.short_preholiday"), className="mt-2"),
        dbc.Button(t("admin_settings.save_calendar"), id="admin-settings-save-calendar", color="primary",
                   className="mt-2"),
        html.Div(id="admin-settings-calendar-message", className="mt-2"),
    ]), className="mb-3")


def _table(header: list[str], rows: list[list[Any]], id_: str) -> dbc.Table:
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in header])),
                      html.Tbody([html.Tr([html.Td(v) for v in row]) for row in rows])],
                     id=id_, size="sm", bordered=False, striped=True, className="small mb-2")


def _coverage_view() -> html.Div:
    """Source of each client-usable calendar per year (current, next), warnings, the recompute log."""
    with current_engine().connect() as conn:
        calendars = load_calendars(conn)
        coverage = calendar_coverage(conn, calendars)
        stale = stale_client_calendars(conn, calendars, DEFAULT_CALENDAR)
        log = recompute_log(conn, limit=5)
    warnings = [dbc.Alert(t("admin_settings.stale_calendar", name=name, year=year, clients=fmt_number(clients)),
                          color="warning", className="py-2 mb-2") for name, year, clients in stale]
    coverage_rows = [[country_name(r.calendar), r.year, t(f"admin_settings.source.{r.source}", detail=r.detail)]
                     for r in coverage.itertuples()]
    log_rows = [[fmt_datetime(r.at), r.trigger, r.version or "", fmt_number(r.tickets),
                 t(f"admin_settings.outcome.{r.outcome}") + (f": {r.detail}" if r.detail else "")]
                for r in log.itertuples()]
    return html.Div([
        *warnings,
        html.H6(t("admin_settings.coverage")),
        _table([t(f"admin_settings.coverage.{c}") for c in ("calendar", "year", "source")], coverage_rows,
               "admin-settings-coverage-table"),
        html.H6(t("admin_settings.log")),
        _table([t(f"admin_settings.log.{c}") for c in ("at", "trigger", "version", "tickets", "outcome")], log_rows,
               "admin-settings-log-table"),
    ])


def _official_form() -> dbc.Card:
    countries = [{"label": country_name(c), "value": c} for c in supported_countries()]
    return dbc.Card(dbc.CardBody([
        html.H5(t("admin_settings.official_title")),
        html.P(t("admin_settings.official_intro"), className="small text-muted"),
        dbc.Row([
            dbc.Col([dbc.Label(t("admin_settings.official_country")),
                     dcc.Dropdown(id="admin-settings-official-country", options=countries, value=DEFAULT_CALENDAR,
                                  clearable=False)], md=3),
            dbc.Col(dcc.Upload(id="admin-settings-official-file", multiple=False, children=html.Div([
                t("admin_settings.official_drop"), html.A(t("admin_settings.official_choose"), className="link-primary")]),
                style={"border": "2px dashed #b4bcc2", "borderRadius": ".5rem", "padding": "1rem",
                       "textAlign": "center", "cursor": "pointer"}), md=9),
        ], className="g-2 mb-2"),
        html.Div(id="admin-settings-official-message"),
        html.Div(_coverage_view(), id="admin-settings-coverage"),
    ]), className="mb-3")


@authorized(roles=ADMIN)
def layout(scope: Scope, **_query: str) -> html.Div:
    recompute_card = dbc.Card(dbc.CardBody([
        html.H5(t("admin_settings.recompute_title")),
        html.Div(_stale_alert(), id="admin-settings-stale"),
        dbc.Button(t("admin_settings.recompute"), id="admin-settings-recompute", color="primary"),
        html.Div([dbc.Spinner(size="sm", spinner_class_name="me-2"), t("admin_settings.recomputing")],
                 id="admin-settings-recompute-busy", className="d-none"),
        html.Div(id="admin-settings-recompute-message", className="mt-2"),
    ]), className="mb-3")
    return html.Div([
        html.H3(t("admin_settings.title")),
        html.P(t("admin_settings.intro"), className="text-muted"),
        recompute_card,
        _official_form(),
        dbc.Row([dbc.Col(_policy_form(), xl=6), dbc.Col(_calendar_form(), xl=6)]),
    ], id="admin-settings", className="admin-settings")


# ---------------------------------------------------------------- callbacks: policies
POLICY_FIELDS = [*(f"admin-settings-{f}" for f in TARGET_FIELDS),
                 *(f"admin-settings-{kind}-{p}" for p in PRIORITIES for kind in ("reaction", "resolution")),
                 "admin-settings-at-risk"]


@dash.callback(
    Output("admin-settings-policy-name", "value"),
    *[Output(f, "value") for f in POLICY_FIELDS],
    Output("admin-settings-policy-usage", "children"),
    Input("admin-settings-policy", "value"),
)
@authorized(roles=ADMIN)
def show_policy(name: Any) -> tuple:
    """The targets of the chosen policy, in hours and percent."""
    with current_engine().connect() as conn:
        definitions = policy_definitions(conn)
    if not isinstance(name, str) or name not in definitions:
        raise PreventUpdate
    policy = definitions[name]
    targets = {int(k): v for k, v in policy["incident_targets"].items()}
    values = [policy[f] for f in TARGET_FIELDS]
    values += [targets.get(p, (None, None))[i] for p in PRIORITIES for i in (0, 1)]
    values.append(round(policy["at_risk_share"] * 100, 2))
    return (name, *values, _usage_text("sla_policy", name, DEFAULT_POLICY))


@dash.callback(
    Output("admin-settings-policy-message", "children"),
    Output("admin-settings-policy", "options"),
    Output("admin-settings-stale", "children", allow_duplicate=True),
    Input("admin-settings-save-policy", "n_clicks"),
    State("admin-settings-policy", "value"),
    State("admin-settings-policy-name", "value"),
    *[State(f, "value") for f in POLICY_FIELDS],
    prevent_initial_call=True,
)
@authorized(roles=ADMIN)
def store_policy(n_clicks: Any, picked: Any, name: Any, *values: Any) -> tuple:
    """Validate and save the policy under its name (audited); SLA values are stale until recomputed."""
    if not isinstance(n_clicks, int) or n_clicks < 1:
        raise PreventUpdate
    keys = [*TARGET_FIELDS, *(f"{kind}_{p}" for p in PRIORITIES for kind in ("reaction", "resolution")),
            "at_risk_percent"]
    engine = current_engine()
    try:
        name = check_name(name if isinstance(name, str) else "")
        with engine.connect() as conn:
            definitions = policy_definitions(conn)
        base = definitions.get(name) or definitions.get(picked if isinstance(picked, str) else "")
        definition = policy_definition(dict(zip(keys, values)), base=base)
        version = definition_version(definition)
        result = recompute_affected(engine, trigger=f"policy {name}", version=version, policies=[name],
                                    change=lambda conn: save_policy(conn, name, definition))
    except AdminInputError as error:
        return _message(error), dash.no_update, dash.no_update
    except RecomputeError as error:
        return dbc.Alert(str(error), color="danger"), dash.no_update, dash.no_update
    audit("sla_policy_save", f"name={name} tickets={result.tickets} " + _summary(definition))
    invalidate_data_cache()
    with engine.connect() as conn:
        options = _names(policy_definitions(conn))
    text = t("admin_settings.saved_policy", name=name, n=fmt_number(result.tickets), version=version)
    return dbc.Alert(text, color="success"), options, _stale_alert()


def _summary(definition: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(definition.items()))


# ---------------------------------------------------------------- callbacks: calendars
CALENDAR_FIELDS = ["admin-settings-timezone", "admin-settings-country", "admin-settings-opens",
                   "admin-settings-closes", "admin-settings-workdays", "admin-settings-extra-holidays",
                   "admin-settings-extra-workdays"]


@dash.callback(
    Output("admin-settings-calendar-name", "value"),
    *[Output(f, "value") for f in CALENDAR_FIELDS],
    Output("admin-settings-short-preholiday", "value"),
    Output("admin-settings-calendar-usage", "children"),
    Input("admin-settings-calendar", "value"),
)
@authorized(roles=ADMIN)
def show_calendar(name: Any) -> tuple:
    """The settings of the chosen calendar (missing keys take the WorkCalendar defaults)."""
    from metrics.calendar import WorkCalendar

    with current_engine().connect() as conn:
        definitions = calendar_definitions(conn)
    if not isinstance(name, str) or name not in definitions:
        raise PreventUpdate
    cal = WorkCalendar.from_dict(definitions[name]).to_dict()
    as_text = "\n".join
    dmy = lambda iso: f"{iso[8:10]}.{iso[5:7]}.{iso[:4]}"  # noqa: E731 - a one-line format
    return (name, cal["timezone"], cal["country"] or NO_COUNTRY, cal["hours"][0], cal["hours"][1], cal["workdays"],
            as_text(map(dmy, cal["extra_holidays"])), as_text(map(dmy, cal["extra_workdays"])),
            cal["short_preholiday"], _usage_text("calendar", name, DEFAULT_CALENDAR))


@dash.callback(
    Output("admin-settings-calendar-message", "children"),
    Output("admin-settings-calendar", "options"),
    Output("admin-settings-stale", "children", allow_duplicate=True),
    Input("admin-settings-save-calendar", "n_clicks"),
    State("admin-settings-calendar-name", "value"),
    *[State(f, "value") for f in CALENDAR_FIELDS],
    State("admin-settings-short-preholiday", "value"),
    prevent_initial_call=True,
)
@authorized(roles=ADMIN)
def store_calendar(n_clicks: Any, name: Any, timezone: Any, country: Any, opens: Any, closes: Any, workdays: Any,
                   extra_holidays: Any, extra_workdays: Any, short_preholiday: Any) -> tuple:
    """Validate and save the calendar under its name (audited); SLA values are stale until recomputed."""
    if not isinstance(n_clicks, int) or n_clicks < 1:
        raise PreventUpdate
    text = lambda v: v if isinstance(v, str) else None  # noqa: E731 - browser values may be anything
    try:
        name = check_name(text(name))
        if not isinstance(workdays, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in workdays):
            workdays = []
        definition = calendar_definition(
            text(timezone), None if country == NO_COUNTRY else text(country), text(opens), text(closes), workdays,
            text(extra_holidays), text(extra_workdays), short_preholiday is True)
        version = definition_version(definition)
        result = recompute_affected(current_engine(), trigger=f"calendar {name}", version=version,
                                    calendars=[name], change=lambda conn: save_calendar(conn, name, definition))
    except AdminInputError as error:
        return _message(error), dash.no_update, dash.no_update
    except RecomputeError as error:
        return dbc.Alert(str(error), color="danger"), dash.no_update, dash.no_update
    audit("calendar_save", f"name={name} tickets={result.tickets} " + _summary(definition))
    invalidate_data_cache()
    with current_engine().connect() as conn:
        options = _names(calendar_definitions(conn))
    text = t("admin_settings.saved_calendar", name=name, n=fmt_number(result.tickets), version=version)
    return dbc.Alert(text, color="success"), options, _stale_alert()


# ---------------------------------------------------------------- callbacks: official calendars
@dash.callback(
    Output("admin-settings-official-message", "children"),
    Output("admin-settings-coverage", "children"),
    Input("admin-settings-official-file", "contents"),
    State("admin-settings-official-file", "filename"),
    State("admin-settings-official-country", "value"),
    prevent_initial_call=True,
)
@authorized(roles=ADMIN)
def load_official_calendar(contents: Any, filename: Any, country: Any) -> tuple:
    """Parse the uploaded production calendar, store it and recompute the tickets of that country (audited)."""
    if not isinstance(contents, str):
        raise PreventUpdate
    name = filename if isinstance(filename, str) else "file"
    engine = current_engine()
    try:
        code = check_country(country if isinstance(country, str) else "")
        try:
            data = base64.b64decode(contents.partition(",")[2], validate=True)
        except (binascii.Error, ValueError):
            raise ProductionCalendarError("файл не прочитан") from None
        parsed = parse_production_calendar(data, name)
        with engine.connect() as conn:
            names = calendars_of_country(conn, code)
        version = definition_version(None, [code, parsed.days.astype(str).values.tolist()])
        years = ", ".join(map(str, parsed.years))
        result = recompute_affected(engine, trigger=f"calendar {code} {years} ({name})", version=version,
                                    calendars=names,
                                    change=lambda conn: import_production_calendar(conn, code, parsed, name))
    except ProductionCalendarError as error:
        return dbc.Alert(t("admin_settings.official_bad", file=name, detail=str(error)), color="warning"), \
            dash.no_update
    except RecomputeError as error:
        return dbc.Alert(str(error), color="danger"), _coverage_view()
    audit("calendar_import", f"country={code} years={years} file={name} tickets={result.tickets}")
    invalidate_data_cache()
    text = t("admin_settings.official_loaded", country=code, years=years, days=fmt_number(len(parsed.days)),
             file=name, n=fmt_number(result.tickets))
    return dbc.Alert(text, color="success"), _coverage_view()


# ---------------------------------------------------------------- callbacks: recompute
@dash.callback(
    Output("admin-settings-recompute-message", "children"),
    Output("admin-settings-stale", "children", allow_duplicate=True),
    Input("admin-settings-recompute", "n_clicks"),
    running=[(Output("admin-settings-recompute", "disabled"), True, False),
             (Output("admin-settings-recompute-busy", "className"), "mt-2", "d-none")],
    prevent_initial_call=True,
)
@authorized(roles=ADMIN)
def recompute_sla(n_clicks: Any) -> tuple:
    """Recompute every stored SLA value with the current policies and calendars (audited)."""
    if not isinstance(n_clicks, int) or n_clicks < 1:
        raise PreventUpdate
    started = time.perf_counter()
    tickets = recompute(current_engine())
    seconds = time.perf_counter() - started
    audit("sla_recompute", f"tickets={tickets} seconds={seconds:.2f}")
    invalidate_data_cache()
    message = t("admin_settings.recomputed", n=fmt_number(tickets), seconds=fmt_number(seconds, 1))
    return dbc.Alert(message, color="success", id="admin-settings-recomputed"), None
