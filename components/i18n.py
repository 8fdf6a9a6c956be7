"""Interface strings in Russian (default) and English: `t(key)` in the user's language.

The words live in gettext catalogs, `translations/<lang>/LC_MESSAGES/messages.po` (message ids are the
keys, e.g. ``nav.home``), compiled in memory by Babel at first use (no .mo file to forget) and read
through `gettext.GNUTranslations`; plural entries follow the language's plural rule
(``t("n.answers", n=221)`` -> «221 ответ»). Modules still declare their strings beside the code with
`register_strings`: `python -m tools.i18n_extract` writes them into both catalogs, and a registered key
missing from the catalogs (e.g. just merged from another branch) is served from its registration until
then. `tests/unit/test_i18n.py` fails while the catalogs and the registrations disagree.
"""
from __future__ import annotations

import functools
import gettext
import io
import numbers
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog as BabelCatalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import has_request_context, session

LANGUAGES: tuple[str, ...] = ("ru", "en")
DEFAULT_LANGUAGE = "ru"
SESSION_KEY = "lang"

# key -> {language: text}; pages add theirs with `register_strings`
STRINGS: dict[str, dict[str, str]] = {
    "product": {"ru": "Монитор качества партнёров", "en": "Partner Quality Monitor"},
    "login.title": {"ru": "Вход", "en": "Log in"},
    "login.login": {"ru": "Логин", "en": "Login"},
    "login.password": {"ru": "Пароль", "en": "Password"},
    "login.submit": {"ru": "Войти", "en": "Log in"},
    "login.bad_credentials": {"ru": "Неверный логин или пароль.", "en": "Wrong login or password."},
    "login.locked": {
        "ru": "Слишком много неудачных попыток входа для этого логина. Повторите после {until} (МСК).",
        "en": "Too many failed attempts for this login. Try again after {until} (Moscow time).",
    },
    "login.ip_throttled": {
        "ru": "Слишком много неудачных попыток входа с вашего адреса. Повторите после {until} (МСК).",
        "en": "Too many failed attempts from your address. Try again after {until} (Moscow time).",
    },
    "login.rate_limited": {
        "ru": "Слишком много попыток входа. Подождите минуту и попробуйте снова.",
        "en": "Too many log-in attempts. Wait a minute and try again.",
    },
    "login.bad_form": {
        "ru": "Форма устарела: обновите страницу и войдите снова.",
        "en": "The form has expired: reload the page and log in again.",
    },
    "login.expired": {"ru": "Сеанс завершён по неактивности, войдите снова.", "en": "Your session expired, please log in again."},
    "login.logged_out": {"ru": "Вы вышли из системы.", "en": "You have logged out."},
    "login.demo_hint": {
        "ru": "Демо-режим: логины partner, manager, management, admin — пароль demo.",
        "en": "Demo mode: logins partner, manager, management, admin — password demo.",
    },
    "nav.home": {"ru": "Главная", "en": "Home"},
    "nav.quality": {"ru": "Моё качество", "en": "My quality"},
    "nav.meeting": {"ru": "Встреча с клиентом", "en": "Client meeting"},
    "nav.trends": {"ru": "Тренды", "en": "Trends"},
    "nav.programs": {"ru": "Программы", "en": "Programmes"},
    "nav.admin": {"ru": "Администрирование", "en": "Administration"},
    "nav.directory": {"ru": "Каталог партнёров", "en": "Partner directory"},
    "nav.logout": {"ru": "Выйти", "en": "Log out"},
    "nav.notifications": {"ru": "Уведомления", "en": "Notifications"},
    "nav.login": {"ru": "Войти", "en": "Log in"},
    "role.partner": {"ru": "партнёр", "en": "partner"},
    "role.service_manager": {"ru": "сервис-менеджер", "en": "service manager"},
    "role.management": {"ru": "руководство", "en": "management"},
    "role.admin": {"ru": "администратор", "en": "administrator"},
    "forbidden": {"ru": "Нет доступа к этим данным для вашей роли.", "en": "Your role has no access to this data."},
    "error.callback": {
        "ru": "Не удалось обновить данные: ошибка записана в журнал, попробуйте ещё раз.",
        "en": "Could not update the data: the error was logged, please try again.",
    },
    "error.page": {
        "ru": "Что-то пошло не так. Ошибка записана в журнал; попробуйте позже.",
        "en": "Something went wrong. The error was logged; please try again later.",
    },
    "not_found": {"ru": "Страница не найдена.", "en": "Page not found."},
    "empty.title": {"ru": "Данных пока нет", "en": "No data yet"},
    "empty.upload": {
        "ru": "Загрузите файлы, чтобы увидеть здесь данные.",
        "en": "Upload files to see data here.",
    },
    "empty.upload_link": {"ru": "Загрузить файлы", "en": "Upload files"},
    "kpi.interval": {"ru": "95 % интервал: {low} … {high}", "en": "95 % interval: {low} … {high}"},
    "kpi.n": {"ru": "ответов: {n}", "en": "answers: {n}"},
    "kpi.too_few": {"ru": "мало ответов (n = {n})", "en": "too few answers (n = {n})"},
    "grid.csv": {"ru": "Скачать CSV", "en": "Download CSV"},
    "grid.server": {"ru": "{rows} строк: страницы, сортировка и фильтры — на сервере", "en": "{rows} rows: paged, sorted and filtered on the server"},
    "home.greeting": {"ru": "Здравствуйте, {name}!", "en": "Hello, {name}!"},
    "home.partner_intro": {
        "ru": "Здесь оценки ваших клиентов, компетенции и обращения в поддержку партнёра {partner}.",
        "en": "Your clients' ratings, competences and support tickets of partner {partner}.",
    },
    "home.my_quality": {"ru": "Перейти к разделу «Моё качество»", "en": "Open “My quality”"},
    "home.my_clients": {"ru": "Мои клиенты", "en": "My clients"},
    "home.no_clients": {
        "ru": "За вами пока не закреплены клиенты. Их назначают в файле clients (колонка service_manager).",
        "en": "No clients are assigned to you yet (column service_manager of the clients file).",
    },
    "home.stored": {"ru": "Загруженные данные", "en": "Stored data"},
    "home.kind": {"ru": "Вид данных", "en": "Kind"},
    "home.rows": {"ru": "Строк", "en": "Rows"},
    "kind.partners": {"ru": "Партнёры", "en": "Partners"},
    "kind.clients": {"ru": "Клиенты", "en": "Clients"},
    "kind.projects": {"ru": "Проекты (версии)", "en": "Projects (versions)"},
    "kind.monitor_tests": {"ru": "Тесты монитора", "en": "Monitor tests"},
    "kind.license_keys": {"ru": "Лицензионные ключи", "en": "License keys"},
    "kind.surveys": {"ru": "Анкеты клиентов", "en": "Client surveys"},
    "kind.tickets": {"ru": "Обращения", "en": "Tickets"},
    "kind.ticket_pauses": {"ru": "Паузы обращений", "en": "Ticket pauses"},
    "kind.worklog": {"ru": "Трудозатраты", "en": "Work log"},
    "kind.staff": {"ru": "Сотрудники поддержки", "en": "Support staff"},
    "kind.deposits": {"ru": "Депозиты", "en": "Deposits"},
    "kind.kkv_points": {"ru": "Баллы ККВ", "en": "KKV points"},
    "kind.enterprise_reports": {"ru": "Отчёты по внедрениям", "en": "Enterprise reports"},
    "kind.saas_contracts": {"ru": "Договоры 1cfresh", "en": "1cfresh contracts"},
    "kind.leads": {"ru": "Лиды", "en": "Leads"},
    "kind.quarantine": {"ru": "Отклонённые строки (карантин)", "en": "Rejected rows (quarantine)"},
    "col.client_id": {"ru": "Клиент", "en": "Client"},
    "col.name": {"ru": "Название", "en": "Name"},
    "col.city": {"ru": "Город", "en": "City"},
    "col.users": {"ru": "Пользователей", "en": "Users"},
}


TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
DOMAIN = "messages"
BABEL_LOCALES = {"ru": "ru_RU", "en": "en_GB"}


@dataclass(frozen=True)
class Catalog:
    """One language's compiled catalog and the ids of its plural entries."""

    translations: gettext.GNUTranslations
    plural_keys: frozenset[str]


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def catalog(lang: str) -> Catalog:
    """The `lang` catalog: its .po read and compiled to .mo in memory by Babel (once per process)."""
    path = po_path(lang)
    if path.exists():
        with path.open("rb") as handle:
            po = read_po(handle, locale=lang, domain=DOMAIN)
    else:  # before the first `python -m tools.i18n_extract`: registrations only
        po = BabelCatalog(locale=lang, domain=DOMAIN)
    mo = io.BytesIO()
    write_mo(mo, po, use_fuzzy=False)
    mo.seek(0)
    plural = frozenset(m.id[0] for m in po if m.id and m.pluralizable)
    return Catalog(gettext.GNUTranslations(mo), plural)


def register_strings(strings: dict[str, dict[str, str | tuple[str, ...]]]) -> None:
    """Add (or override) interface strings, e.g. a page's own, at import of the page module.

    A plural string gives its forms as a tuple in the language's gettext order
    (ru: one, few, many — «{n} ответ», «{n} ответа», «{n} ответов»; en: one, other).
    Registered strings are the source `tools.i18n_extract` writes into the catalogs and the fallback
    for a key the catalogs do not have yet.
    """
    STRINGS.update(strings)


def current_language() -> str:
    """The user's language from the session (set by /lang/<code>), Russian by default."""
    if has_request_context():
        lang = session.get(SESSION_KEY)
        if lang in LANGUAGES:
            return lang
    return DEFAULT_LANGUAGE


def has_text(key: str, lang: str | None = None) -> bool:
    """Whether `key` has a text in `lang` (catalog or registration)."""
    lang = lang if lang in LANGUAGES else current_language()
    cat = catalog(lang)
    return (key in cat.plural_keys or cat.translations.gettext(key) != key
            or bool(STRINGS.get(key, {}).get(lang)))


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The string `key` in `lang` (default: the user's), formatted with `values`; the key itself if unknown.

    A plural entry takes its form from the number `n` (shown formatted for the language):
    ``t("n.answers", n=5) -> "5 ответов"``.
    """
    lang = lang if lang in LANGUAGES else current_language()
    cat = catalog(lang)
    count = values.get("n")
    whole = abs(int(count)) if isinstance(count, numbers.Real) and not isinstance(count, bool) else 0
    if key in cat.plural_keys:
        text = cat.translations.ngettext(key, key, whole)
    else:
        text = cat.translations.gettext(key)
        if text == key:
            entry = STRINGS.get(key)
            if entry is None:
                return key
            text = entry.get(lang) or entry.get(DEFAULT_LANGUAGE) or key
            if isinstance(text, tuple):
                text = text[min(cat.translations.plural(whole), len(text) - 1)]
    if isinstance(count, numbers.Real) and not isinstance(count, bool) and "{n" in text:
        from components.format import fmt_number

        values = {**values, "n": fmt_number(count, lang=lang)}
    return text.format(**values) if values else text
