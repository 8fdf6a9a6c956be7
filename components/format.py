"""Russian number and date formatting: `fmt_number(1234.5) -> '1 234,5'`, `fmt_date -> '27.04.2024'`."""
from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pandas as pd

MISSING = "—"
DISPLAY_TZ = ZoneInfo("Europe/Moscow")
_GROUP = " "


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


def fmt_number(value: float | int | None, decimals: int | None = None) -> str:
    """Group thousands with a space and use a decimal comma.

    `decimals=None`: whole numbers without decimals, others rounded to one decimal
    (a trailing ``,0`` dropped). Halves round away from zero. Missing values (None, NaN) give ``—``.
    """
    if _is_missing(value):
        return MISSING
    number = float(value)
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    if decimals is None:
        decimals = 0 if _round_half_up(number, 1) == _round_half_up(number, 0) else 1
    text = f"{abs(_round_half_up(number, decimals)):,.{decimals}f}".replace(",", _GROUP).replace(".", ",")
    sign = "-" if number < 0 and text.strip("0, ") else ""
    return sign + text


def fmt_percent(value: float | None, decimals: int | None = None) -> str:
    """A percentage already in 0..100 units: `fmt_percent(87.25, 1) -> '87,3 %'`."""
    return MISSING if _is_missing(value) else f"{fmt_number(value, decimals)} %"


def _to_local(value: dt.date | dt.datetime | pd.Timestamp | str, tz: ZoneInfo) -> dt.date | dt.datetime:
    if isinstance(value, str):
        value = pd.Timestamp(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(tz)
    return value


def fmt_date(value: dt.date | dt.datetime | pd.Timestamp | str | None, tz: ZoneInfo = DISPLAY_TZ) -> str:
    """``DD.MM.YYYY``; a tz-aware timestamp is shown in `tz` (Moscow by default), naive as is."""
    if _is_missing(value):
        return MISSING
    return _to_local(value, tz).strftime("%d.%m.%Y")


def fmt_datetime(value: dt.datetime | pd.Timestamp | str | None, tz: ZoneInfo = DISPLAY_TZ) -> str:
    """``DD.MM.YYYY HH:MM`` in `tz` for tz-aware timestamps."""
    if _is_missing(value):
        return MISSING
    return _to_local(value, tz).strftime("%d.%m.%Y %H:%M")
