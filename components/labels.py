"""Words for the codes the data carries, in ru and en, and `code_labels` that shows a grid's code columns in them.

Pages show a code through `t("<group>.<code>")`; the groups registered here are shared by several pages,
and `CODE_COLUMNS` says which grid column holds which group, so every grid shows words, not codes.
"""
from __future__ import annotations

import functools
import re
import zoneinfo

import pandas as pd

from components.i18n import (
    BABEL_LOCALES,
    STRINGS,
    current_language,
    register_strings,
    t,
)

register_strings({
    # plurals: ru one / few / many, en one / other (gettext order)
    "n.answers": {"ru": ("{n} ответ", "{n} ответа", "{n} ответов"), "en": ("{n} answer", "{n} answers")},
    "n.partners": {"ru": ("{n} партнёр", "{n} партнёра", "{n} партнёров"), "en": ("{n} partner", "{n} partners")},
    "n.rows": {"ru": ("{n} строка", "{n} строки", "{n} строк"), "en": ("{n} row", "{n} rows")},
    "n.tickets": {"ru": ("{n} обращение", "{n} обращения", "{n} обращений"), "en": ("{n} ticket", "{n} tickets")},
    "n.projects": {"ru": ("{n} проект", "{n} проекта", "{n} проектов"), "en": ("{n} project", "{n} projects")},
    # partner categories (SPEC §3 partners.categories)
    "cat.eshop": {"ru": "интернет-магазины", "en": "e-shops"},
    "cat.corporate": {"ru": "корпоративные сайты", "en": "corporate sites"},
    "cat.intranet": {"ru": "интранет-порталы", "en": "intranet portals"},
    "cat.crm": {"ru": "CRM-системы", "en": "CRM systems"},
    # support services and currencies of the dedicated-support deposits
    "service.psm": {"ru": "выделенная поддержка", "en": "dedicated support"},
    "service.classic": {"ru": "классическая линия", "en": "classic line"},
    "cur.RUB": {"ru": "руб.", "en": "RUB"},
    "cur.UAH": {"ru": "грн", "en": "UAH"},
    "cur.KZT": {"ru": "тенге", "en": "KZT"},
    "cur.BYN": {"ru": "бел. руб.", "en": "BYN"},
    "cur.USD": {"ru": "долл.", "en": "USD"},
    "cur.EUR": {"ru": "евро", "en": "EUR"},
    # SLA states, the same word on every page
    "sla.met": {"ru": "выполнен", "en": "met"},
    "sla.at_risk": {"ru": "под угрозой", "en": "at risk"},
    "sla.breached": {"ru": "нарушен", "en": "breached"},
    "sla.open": {"ru": "в работе", "en": "open"},
    # audit log actions (auth.audit) and the keys of their details
    "audit.login": {"ru": "вход", "en": "log-in"},
    "audit.logout": {"ru": "выход", "en": "log-out"},
    "audit.login_failed": {"ru": "неудачный вход", "en": "failed log-in"},
    "audit.session_expired": {"ru": "сеанс истёк", "en": "session expired"},
    "audit.export": {"ru": "выгрузка", "en": "export"},
    "audit.ingest_upload": {"ru": "загрузка файлов", "en": "file upload"},
    "audit.ingest": {"ru": "загрузка файлов", "en": "file load"},
    "audit.evaluate": {"ru": "расчёт программы", "en": "programme evaluation"},
    "audit.lead_weight": {"ru": "вес в распределении лидов", "en": "lead weight"},
    "audit.calendar_save": {"ru": "календарь сохранён", "en": "calendar saved"},
    "audit.sla_policy_save": {"ru": "политика SLA сохранена", "en": "SLA policy saved"},
    "audit.sla_recompute": {"ru": "пересчёт SLA", "en": "SLA recomputed"},
    "audit.user_add": {"ru": "пользователь добавлен", "en": "user added"},
    "audit.user_create": {"ru": "пользователь создан", "en": "user created"},
    "audit.user_enable": {"ru": "пользователь включён", "en": "user enabled"},
    "audit.user_disable": {"ru": "пользователь отключён", "en": "user disabled"},
    "audit.user_passwd": {"ru": "пароль изменён", "en": "password changed"},
    "audit.user_password_reset": {"ru": "пароль сброшен", "en": "password reset"},
    "audit.user_role": {"ru": "роль изменена", "en": "role changed"},
    "audit.comparison_frozen": {"ru": "уровень сравнения зафиксирован", "en": "comparison level frozen"},
    "audit.calendar_import": {"ru": "производственный календарь загружен", "en": "production calendar imported"},
    "audit.job_run": {"ru": "задание запущено", "en": "job run"},
    "audit.notifications": {"ru": "настройки уведомлений", "en": "notification settings"},
    "audit.churn_reason": {"ru": "причина ухода абонента", "en": "churn reason"},
    "audit.kkv_renewal_request": {"ru": "заявка на продление ККВ", "en": "KKV renewal request"},
    "audit.kkv_renewal_approve": {"ru": "продление ККВ одобрено", "en": "KKV renewal approved"},
    "audit.kkv_renewal_reject": {"ru": "продление ККВ отклонено", "en": "KKV renewal rejected"},
    "audit.meeting_action_add": {"ru": "мероприятие добавлено", "en": "meeting action added"},
    "audit.meeting_action_update": {"ru": "мероприятие изменено", "en": "meeting action changed"},
    "audit.meeting_snapshot": {"ru": "встреча зафиксирована", "en": "meeting recorded"},
    "audit.top10_exclude": {"ru": "исключение из ТОП-10", "en": "TOP-10 exclusion"},
    "audit.top10_include": {"ru": "исключение из ТОП-10 отменено", "en": "TOP-10 exclusion lifted"},
    "audit.top10_approve": {"ru": "ТОП-10 утверждён", "en": "TOP-10 approved"},
    "audit.key.frozen": {"ru": "зафиксировано сравнений", "en": "comparisons frozen"},
    "audit.key.window": {"ru": "окно", "en": "window"},
    "audit.window_ttm": {"ru": "12 мес. по {quarter}", "en": "12 months to {quarter}"},
    "audit.key.quarter": {"ru": "квартал", "en": "quarter"},
    "audit.key.role": {"ru": "роль", "en": "role"},
    "audit.key.login": {"ru": "логин", "en": "login"},
    "audit.key.partner": {"ru": "партнёр", "en": "partner"},
    "audit.key.name": {"ru": "название", "en": "name"},
    "audit.key.tickets": {"ru": "обращений", "en": "tickets"},
    "audit.key.seconds": {"ru": "секунд", "en": "seconds"},
    "audit.key.client": {"ru": "клиент", "en": "client"},
    "audit.key.run": {"ru": "загрузка №", "en": "run"},
    "audit.key.period_end": {"ru": "период по", "en": "period to"},
    "audit.csv_grid": {"ru": "таблица в CSV", "en": "table as CSV"},
    "audit.quarantine_csv": {"ru": "карантин в CSV", "en": "quarantine as CSV"},
    "audit.meeting": {"ru": "справка к встрече", "en": "meeting brief"},
    "audit.quality_program": {"ru": "Программа качества", "en": "Quality Program"},
    "audit.rows": {"ru": "строк", "en": "rows"},
    "audit.all": {"ru": "все", "en": "all"},
    "audit.none": {"ru": "нет", "en": "none"},
    "settings.name.default": {"ru": "стандартная", "en": "standard"},
    "tz.Europe": {"ru": "Европа", "en": "Europe"}, "tz.Asia": {"ru": "Азия", "en": "Asia"},
    "tz.Africa": {"ru": "Африка", "en": "Africa"}, "tz.America": {"ru": "Америка", "en": "America"},
    "tz.Antarctica": {"ru": "Антарктида", "en": "Antarctica"}, "tz.Arctic": {"ru": "Арктика", "en": "Arctic"},
    "tz.Atlantic": {"ru": "Атлантика", "en": "Atlantic"}, "tz.Australia": {"ru": "Австралия", "en": "Australia"},
    "tz.Indian": {"ru": "Индийский океан", "en": "Indian Ocean"}, "tz.Pacific": {"ru": "Тихий океан", "en": "Pacific"},
    "tz.Etc": {"ru": "служебные", "en": "technical"}, "tz.US": {"ru": "США", "en": "US"},
    "tz.Brazil": {"ru": "Бразилия", "en": "Brazil"}, "tz.Canada": {"ru": "Канада", "en": "Canada"},
    "tz.Chile": {"ru": "Чили", "en": "Chile"}, "tz.Mexico": {"ru": "Мексика", "en": "Mexico"},
})

# grid column -> the group of words its codes are shown in
CODE_COLUMNS: dict[str, str] = {
    "category": "cat", "categories": "cat", "currency": "cur", "service": "service", "action": "audit",
    "role": "role", "sla_state": "sla", "kind": "kind", "type": "ticket.type", "rule": "service",
    "country": "country",
}
_DETAIL_PAIR = re.compile(r"\b([a-z_]+)=([^\s,;()]+)")


def code_label(code: object, group: str) -> object:
    """`code` in the user's language (each part of a "; " or ", " list), unknown codes unchanged."""
    if not isinstance(code, str) or not code:
        return code
    if group == "country":
        return country_name(code)
    if " · " in code:  # an SLA rule «psm · P2 · 4 ч / 16 ч»: its service first
        head, _, rest = code.partition(" · ")
        return f"{code_label(head, group)} · {rest}"
    sep = "; " if "; " in code else ", "
    return sep.join(t(f"{group}.{part}") if f"{group}.{part}" in STRINGS else part for part in code.split(sep))


def code_labels(frame: pd.DataFrame, columns: dict[str, str] | None = None) -> pd.DataFrame:
    """`frame` with its code columns (`CODE_COLUMNS` or `columns`) in words; each distinct code translated once."""
    groups = CODE_COLUMNS if columns is None else columns
    present = [c for c in frame.columns
               if c in groups and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))]
    if not present:
        return frame
    frame = frame.copy()
    for column in present:
        values = frame[column]
        uniques = values.dropna().unique()
        words = {code: code_label(code, groups[column]) for code in uniques}
        frame[column] = values.map(words).where(values.notna(), values).astype(object)
    return frame


def _window_words(window: str) -> str:
    """A comparison window id in words: ``2026Q3`` «III кв. 2026», ``ttm:2026Q3`` «12 мес. по III кв. 2026»."""
    from components.format import fmt_quarter

    trailing, _, quarter = window.rpartition(":")
    return t("audit.window_ttm", quarter=fmt_quarter(quarter)) if trailing == "ttm" else fmt_quarter(quarter)


def audit_detail(detail: object) -> object:
    """An audit detail such as ``login=anna role=admin`` in words: «логин: anna, роль: администратор»."""
    if not isinstance(detail, str) or not detail:
        return detail

    def pair(match: re.Match) -> str:
        key, value = match.group(1), match.group(2)
        if f"audit.key.{key}" not in STRINGS:
            return match.group(0)
        if key == "role" and f"role.{value}" in STRINGS:
            value = t(f"role.{value}")
        elif key == "window":
            value = _window_words(value)
        elif value == "-":
            value = t("audit.none")
        elif value == "all":
            value = t("audit.all")
        return f"{t(f'audit.key.{key}')}: {value}"

    text = _DETAIL_PAIR.sub(pair, detail)
    for phrase, key in (("csv grid", "audit.csv_grid"), ("quarantine csv", "audit.quarantine_csv"),
                        ("quality program", "audit.quality_program"), ("meeting pdf", "audit.meeting"),
                        ("meeting xlsx", "audit.meeting"), (" rows)", "audit.rows")):
        if phrase in text:
            replacement = t(key) + (")" if phrase.endswith(")") else "")
            text = text.replace(phrase, (" " if phrase.startswith(" ") else "") + replacement)
    return text


@functools.cache
def _time_zone_options(lang: str) -> tuple[tuple[str, str], ...]:
    from babel import Locale
    from babel.core import get_global

    cities = Locale.parse(BABEL_LOCALES.get(lang, BABEL_LOCALES["ru"])).time_zones
    aliases = {new: old for old, new in get_global("zone_aliases").items()} | get_global("zone_aliases")
    options = []
    for zone in zoneinfo.available_timezones():
        known = cities.get(zone) or cities.get(aliases.get(zone, zone)) or {}
        city = known.get("city") or zone.rsplit("/", 1)[-1].replace("_", " ")
        region = zone.split("/", 1)[0] if "/" in zone else ""
        options.append((zone, city if not region else f"{city} · {t(f'tz.{region}', lang)}"))
    return tuple(sorted(options, key=lambda item: item[1]))


def time_zone_options(lang: str | None = None) -> list[dict[str, str]]:
    """Dropdown options of the IANA time zones named in the user's language («Москва · Европа»)."""
    return [{"label": label, "value": zone} for zone, label in _time_zone_options(lang or current_language())]


def country_name(code: str, lang: str | None = None) -> str:
    """A country code in words (CLDR): ``UZ`` -> «Узбекистан»; unknown codes unchanged."""
    from babel import Locale

    return Locale.parse(BABEL_LOCALES.get(lang or current_language(), BABEL_LOCALES["ru"])).territories.get(code, code)
