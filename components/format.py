"""Numbers, money, dates and quarters in the user's language, formatted by Babel (CLDR).

Russian: `fmt_number(-1234.5) -> '−1 234,5'` (a real minus, space between thousands, decimal comma),
`fmt_date -> '27.04.2024'`, `fmt_quarter('2026Q3') -> 'III кв. 2026'`; English: `'−1,234.5'`,
`'27 Apr 2024'`, `'Q3 2026'`. Every function takes `lang` (default: the user's, `current_language()`).
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pandas as pd
from babel import Locale
from babel.dates import format_date as babel_date
from babel.numbers import NumberPattern, format_currency, parse_pattern

from components.i18n import BABEL_LOCALES, current_language

MISSING = "—"
MINUS = "\u2212"
DISPLAY_TZ = ZoneInfo("Europe/Moscow")
_GROUP = " "  # a plain space between thousands in every language's Russian-style grouping
DATE_PATTERNS = {"ru": "dd.MM.yyyy", "en": "d MMM yyyy"}
ROMAN = ("I", "II", "III", "IV")
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$")


def _locale(lang: str | None) -> str:
    return BABEL_LOCALES.get(lang or current_language(), BABEL_LOCALES["ru"])


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _round_half_up(number: float, decimals: int) -> Decimal:
    """Round as people do (0,25 -> 0,3), from the shortest decimal repr of the float."""
    return Decimal(repr(number)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _localized(text: str, lang: str | None) -> str:
    """Babel's output with a real minus sign and, in Russian, a plain space between thousands."""
    text = text.replace("-", MINUS)
    return text.replace("\xa0", _GROUP).replace("\u202f", _GROUP) if (lang or current_language()) == "ru" else text


def fmt_number(value: float | None, decimals: int | None = None, lang: str | None = None) -> str:
    """A number in the user's language: ``1 234,5`` (ru) or ``1,234.5`` (en); negative with ``−``.

    `decimals=None`: whole numbers without decimals, others rounded to one decimal
    (a trailing ``,0`` dropped). Halves round away from zero; a value rounding to zero has no sign.
    Missing values (None, NaN) give ``—``.
    """
    if _is_missing(value):
        return MISSING
    number = float(value)
    if math.isinf(number):
        return "∞" if number > 0 else MINUS + "∞"
    if decimals is None:
        decimals = 0 if _round_half_up(number, 1) == _round_half_up(number, 0) else 1
    rounded = _round_half_up(number, decimals)
    if rounded == 0:
        rounded = abs(rounded)
    return _localized(_number_pattern(decimals).apply(rounded, _babel_locale(_locale(lang))), lang)


@functools.lru_cache(maxsize=16)
def _number_pattern(decimals: int) -> NumberPattern:
    """Babel's pattern of `decimals` decimals, parsed once (`format_decimal` parsed the pattern and the locale on
    every call: a trends view formats ~1,200 numbers, 0.26 s of it)."""
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


@functools.lru_cache(maxsize=8)
def _babel_locale(name: str) -> Locale:
    return Locale.parse(name)


def fmt_signed(value: float | None, decimals: int | None = None, lang: str | None = None) -> str:
    """A change with its sign: ``+3,2``, ``−5``, ``0``."""
    text = fmt_number(value, decimals, lang)
    return "+" + text if text not in (MISSING, "0") and not text.startswith(MINUS) and text.strip("0,.") else text


def fmt_percent(value: float | None, decimals: int | None = None, lang: str | None = None) -> str:
    """A percentage already in 0..100 units: ``87,3 %`` (ru), ``87.3%`` (en)."""
    if _is_missing(value):
        return MISSING
    sep = " " if (lang or current_language()) == "ru" else ""
    return f"{fmt_number(value, decimals, lang)}{sep}%"


def fmt_money(value: float | None, currency: str = "RUB", lang: str | None = None) -> str:
    """An amount of money: ``1 234,50 ₽`` (ru), ``RUB 1,234.50`` (en)."""
    if _is_missing(value):
        return MISSING
    text = format_currency(_round_half_up(float(value), 2), currency, locale=_locale(lang))
    return _localized(text, lang)


def _to_local(value: dt.date | dt.datetime | pd.Timestamp | str, tz: ZoneInfo) -> dt.date | dt.datetime:
    if isinstance(value, str):
        value = pd.Timestamp(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(tz)
    return value


def fmt_date(value: dt.date | dt.datetime | pd.Timestamp | str | None, tz: ZoneInfo = DISPLAY_TZ,
             lang: str | None = None) -> str:
    """``DD.MM.YYYY`` (ru) or ``27 Apr 2024`` (en); a tz-aware timestamp is shown in `tz` (Moscow), naive as is."""
    if _is_missing(value):
        return MISSING
    lang = lang or current_language()
    local = _to_local(value, tz)
    return babel_date(local, DATE_PATTERNS.get(lang, DATE_PATTERNS["ru"]), locale=_locale(lang))


def fmt_datetime(value: dt.datetime | pd.Timestamp | str | None, tz: ZoneInfo = DISPLAY_TZ,
                 lang: str | None = None) -> str:
    """``DD.MM.YYYY HH:MM`` (ru; English: ``27 Apr 2024 10:15``) in `tz` for tz-aware timestamps."""
    if _is_missing(value):
        return MISSING
    return f"{fmt_date(value, tz, lang)} {_to_local(value, tz).strftime('%H:%M')}"


_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def fmt_month(value: str | None, lang: str | None = None) -> str:
    """A month such as ``2026-05``: «май 2026», «сент. 2026» (ru), «May 2026» (en); other text unchanged."""
    if _is_missing(value):
        return MISSING
    match = _MONTH.match(str(value).strip())
    if match is None:
        return str(value)
    return babel_date(dt.date(int(match.group(1)), int(match.group(2)), 1), "LLL yyyy", locale=_locale(lang))


def fmt_quarter(value: str | pd.Period | None, lang: str | None = None) -> str:
    """A quarter such as ``2026Q3``: «III кв. 2026» (ru), «Q3 2026» (en); other text unchanged."""
    if _is_missing(value):
        return MISSING
    if isinstance(value, pd.Period):
        year, quarter = value.year, value.quarter
    else:
        match = _QUARTER.match(str(value).strip())
        if match is None:
            return str(value)
        year, quarter = int(match.group(1)), int(match.group(2))
    if (lang or current_language()) == "ru":
        return f"{ROMAN[quarter - 1]} кв. {year}"
    return babel_date(dt.date(year, 3 * quarter - 2, 1), "QQQ yyyy", locale=_locale(lang))
