"""Official production calendars: the xmlcalendar.ru XML format and a CSV ``date,kind`` (SPEC §5).

XML (one year)::

    <calendar year="2026" lang="ru" date="2025.09.30">
      <holidays><holiday id="1" title="Новогодние каникулы"/></holidays>
      <days><day d="01.09" t="1" h="1"/><day d="04.30" t="2"/><day d="11.01" t="3" f="11.03"/></days>
    </calendar>

``d`` is ``MM.DD`` of the calendar's year; ``t`` = 1 day off, 2 short (pre-holiday) working day,
3 working day (a moved one).  CSV: header ``date,kind``, dates ``YYYY-MM-DD`` or ``DD.MM.YYYY``,
kind ``holiday`` / ``workday`` / ``short``.  Only the days that differ from the weekly pattern are
listed; the years covered are the XML year, or every year that has a date in the CSV.
"""
from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pandas as pd

from metrics.calendar import OFFICIAL_KINDS

XML_KINDS = {"1": "holiday", "2": "short", "3": "workday"}
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


class ProductionCalendarError(ValueError):
    """A production calendar file that cannot be used as a whole (message in Russian)."""


@dataclass(frozen=True)
class ProductionCalendar:
    """Parsed official days: ``days`` has ``day`` (date) and ``kind``; ``years`` are covered."""

    days: pd.DataFrame
    years: tuple[int, ...]


def check_country(country: str) -> str:
    code = (country or "").strip().upper()
    if not COUNTRY_CODE.match(code):
        raise ProductionCalendarError(f"Код страны должен состоять из двух латинских букв (RU, KZ, …): «{country}»")
    return code


def parse_production_calendar(data: bytes, filename: str = "") -> ProductionCalendar:
    """Parse an XML or CSV production calendar; raises ``ProductionCalendarError`` on any defect."""
    text = _decode(data)
    if text.lstrip().startswith("<"):
        days, years = _parse_xml(text)
    else:
        days, years = _parse_csv(text)
    if days.empty:
        raise ProductionCalendarError("В файле нет ни одного дня календаря")
    duplicated = days["day"].duplicated(keep=False)
    if duplicated.any():
        first = days.loc[duplicated, "day"].iloc[0]
        raise ProductionCalendarError(f"День {first:%d.%m.%Y} указан в файле несколько раз")
    outside = ~days["day"].map(lambda d: d.year).isin(years)
    if outside.any():
        first = days.loc[outside, "day"].iloc[0]
        raise ProductionCalendarError(f"День {first:%d.%m.%Y} не относится к году календаря {years[0]}")
    return ProductionCalendar(days.sort_values("day").reset_index(drop=True), tuple(sorted(years)))


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ProductionCalendarError("Файл не в кодировке UTF-8 или Windows-1251")


def _parse_xml(text: str) -> tuple[pd.DataFrame, list[int]]:
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise ProductionCalendarError(f"Файл не является корректным XML: {exc}") from None
    if root.tag != "calendar":
        raise ProductionCalendarError("Ожидался XML производственного календаря с корнем <calendar>")
    year_text = root.get("year", "")
    if not re.fullmatch(r"\d{4}", year_text):
        raise ProductionCalendarError(f"У <calendar> нет года (атрибут year): «{year_text}»")
    year = int(year_text)
    rows = []
    for element in root.iter("day"):
        d, t = element.get("d", ""), element.get("t", "")
        if t not in XML_KINDS:
            raise ProductionCalendarError(f"День «{d}»: неизвестный тип t=«{t}» (1 — выходной, 2 — сокращённый, 3 — рабочий)")
        try:
            day = pd.Timestamp(f"{year}-{d[:2]}-{d[3:5]}").date() if re.fullmatch(r"\d{2}\.\d{2}", d) else None
        except ValueError:
            day = None
        if day is None:
            raise ProductionCalendarError(f"День «{d}»: дата должна быть в виде ММ.ДД и существовать в {year} году")
        rows.append((day, XML_KINDS[t]))
    return pd.DataFrame(rows, columns=["day", "kind"]), [year]


def _parse_csv(text: str) -> tuple[pd.DataFrame, list[int]]:
    if not text.strip():
        raise ProductionCalendarError("Файл пуст")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=None, engine="python", dtype=str, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as exc:
        # csv.Error: the delimiter sniffer found no delimiter (one word, not a table)
        raise ProductionCalendarError(f"Не удалось прочитать CSV: {exc}") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if not {"date", "kind"} <= set(frame.columns):
        raise ProductionCalendarError("Ожидался XML производственного календаря или CSV с колонками date,kind")
    kinds = frame["kind"].fillna("").str.strip().str.lower()
    bad_kind = ~kinds.isin(OFFICIAL_KINDS)
    if bad_kind.any():
        row = int(bad_kind.to_numpy().argmax())
        raise ProductionCalendarError(
            f"Строка {row + 1}: неизвестный вид дня «{frame['kind'].iloc[row]}» (holiday, workday или short)")
    raw = frame["date"].fillna("").str.strip()
    iso = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
    dotted = pd.to_datetime(raw, format="%d.%m.%Y", errors="coerce")
    dates = iso.fillna(dotted)
    if dates.isna().any():
        row = int(dates.isna().to_numpy().argmax())
        raise ProductionCalendarError(f"Строка {row + 1}: дата «{raw.iloc[row]}» не в виде ГГГГ-ММ-ДД или ДД.ММ.ГГГГ")
    days = pd.DataFrame({"day": dates.dt.date, "kind": kinds})
    return days, sorted({d.year for d in days["day"]})
