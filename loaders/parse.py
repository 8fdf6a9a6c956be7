"""Vectorized cell parsers: text cells (object Series, NaN = empty) -> typed values plus a mask of bad cells.

Every parser works on a whole column at once: fast exact formats first, then the unparsed
remainder only, never a Python loop per row. A parser returns ``Parsed(values, bad)``; the
caller turns ``bad`` cells into quarantine rows with a plain-language reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

# naive layouts tried in order on the still-unparsed remainder (SPEC §3: ISO 8601 and Russian)
NAIVE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
)
OFFSET_SUFFIX = r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"

TRUE_WORDS = ("да", "true", "1", "yes", "y", "t", "истина", "+")
FALSE_WORDS = ("нет", "false", "0", "no", "n", "f", "ложь", "-")
BOOLEANS = {**{w: True for w in TRUE_WORDS}, **{w: False for w in FALSE_WORDS}}

# seed 000: the three 5-point answer scales of the questionnaire, 5 = best; English equivalents
LIKERT_LABELS: dict[str, int] = {
    # "Решает ли сайт задачи бизнеса?"
    "да решает": 5, "скорее решает": 4, "сложно сказать": 3, "скорее не решает": 2, "нет не решает": 1,
    "yes it does": 5, "yes solves": 5, "rather solves": 4, "rather does": 4, "hard to say": 3,
    "rather does not solve": 2, "rather not": 2, "no it does not": 1, "does not solve": 1,
    # "Удовлетворены ли вы ...?"
    "полностью удовлетворен": 5, "скорее удовлетворен": 4, "скорее не удовлетворен": 2,
    "полностью не удовлетворен": 1, "совсем не удовлетворен": 1,
    "fully satisfied": 5, "completely satisfied": 5, "very satisfied": 5, "rather satisfied": 4,
    "somewhat satisfied": 4, "satisfied": 4, "neutral": 3, "rather dissatisfied": 2, "somewhat dissatisfied": 2,
    "dissatisfied": 2, "fully dissatisfied": 1, "completely dissatisfied": 1, "very dissatisfied": 1,
    "rather unsatisfied": 2, "fully unsatisfied": 1, "completely unsatisfied": 1,
    # "Порекомендуете ли вы ...?"
    "да": 5, "скорее да": 4, "не знаю": 3, "скорее нет": 2, "нет": 1,
    "yes": 5, "rather yes": 4, "probably yes": 4, "don't know": 3, "dont know": 3, "not sure": 3,
    "rather no": 2, "probably not": 2, "no": 1,
}
# feminine and plural forms of «удовлетворен»
for _label, _score in list(LIKERT_LABELS.items()):
    if _label.endswith("удовлетворен"):
        LIKERT_LABELS[_label + "а"] = _score
        LIKERT_LABELS[_label + "ы"] = _score


@dataclass
class Parsed:
    """Typed values of one column and the cells that could not be parsed (missing cells are not bad)."""

    values: pd.Series
    bad: pd.Series


@dataclass
class ParsedTimestamps:
    """Timestamps split by what the file said: with an offset (already UTC) or naive (wall time)."""

    utc: pd.Series    # datetime64[ns, UTC]; NaT where naive, missing or bad
    naive: pd.Series  # datetime64[ns] wall time where the cell had no offset
    bad: pd.Series


def normalize_label(raw: pd.Series) -> pd.Series:
    """Lower case, ё = е, punctuation dropped, runs of spaces collapsed: «Да,  решает» -> 'да решает'."""
    text = raw.astype(str).str.lower().str.replace("ё", "е", regex=False)
    text = text.str.replace(r"[,.;:!?«»\"()]", " ", regex=True).str.replace(r"\s+", " ", regex=True)
    return text.str.strip()


def parse_text(raw: pd.Series) -> Parsed:
    """Stripped text; cells of spaces only become missing."""
    text = raw.str.strip() if raw.notna().any() else raw
    text = text.where(text != "", np.nan)
    return Parsed(text.astype(object), pd.Series(False, index=raw.index))


def parse_number(raw: pd.Series) -> Parsed:
    """Decimal numbers with `.` or `,` as the decimal mark and spaces as thousands separators."""
    values = pd.to_numeric(raw, errors="coerce")
    rest = values.isna() & raw.notna()
    if rest.any():
        cleaned = raw[rest].astype(str).str.replace(r"[\s\u00a0]", "", regex=True)
        both = cleaned.str.contains(",", regex=False) & cleaned.str.contains(".", regex=False)
        cleaned = cleaned.where(~both, cleaned.str.replace(",", "", regex=False))  # 1,234.5
        values.loc[rest] = pd.to_numeric(cleaned.str.replace(",", ".", regex=False), errors="coerce")
    values = values.astype(float)
    bad = raw.notna() & (values.isna() | ~np.isfinite(values.fillna(0)))
    return Parsed(values.where(~bad), bad)


def parse_integer(raw: pd.Series) -> Parsed:
    """Whole numbers (`3`, `3.0`, `3,0`); `2.5` is bad."""
    number = parse_number(raw)
    fractional = number.values.notna() & (number.values % 1 != 0)
    bad = number.bad | fractional
    return Parsed(number.values.where(~bad).astype("Int64"), bad)


def parse_bool(raw: pd.Series) -> Parsed:
    """да/нет, true/false, yes/no, 1/0 in any case."""
    values = raw.astype(object).where(raw.isna(), raw.astype(str).str.strip().str.lower()).map(BOOLEANS)
    bad = raw.notna() & values.isna()
    return Parsed(values.astype(object), bad)


def parse_enum(raw: pd.Series, allowed: tuple[str, ...], aliases: dict[str, str] | None = None) -> Parsed:
    """One of `allowed` (any case, spaces/hyphens as `_`), or a label listed in `aliases`."""
    key = raw.astype(object).where(raw.isna(), raw.astype(str).str.strip().str.lower()
                                   .str.replace("ё", "е", regex=False))
    lookup = {a: a for a in allowed}
    lookup.update({k.lower(): v for k, v in (aliases or {}).items()})
    values = key.map(lookup)
    rest = values.isna() & key.notna()
    if rest.any():
        values.loc[rest] = key[rest].str.replace(r"[\s\-]+", "_", regex=True).map(lookup)
    bad = raw.notna() & values.isna()
    return Parsed(values.astype(object), bad)


def parse_timestamps(raw: pd.Series) -> ParsedTimestamps:
    """ISO 8601 with or without offset, `2024-04-27 10:15`, Russian `27.04.2024 10:15` or `27.04.2024`.

    Exact layouts are tried in order on the unparsed remainder (each is a C-speed pass);
    cells ending in an offset (`Z`, `+03:00`) are parsed as ISO 8601 and converted to UTC.
    Impossible dates such as `31.02.2024` are bad.
    """
    naive = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    utc = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    rest = raw.notna()
    text = raw
    for attempt in range(2):
        for layout in NAIVE_FORMATS:
            if not rest.any():
                break
            parsed = pd.to_datetime(text[rest], format=layout, errors="coerce")
            hit = parsed.notna()
            if hit.any():
                naive.loc[hit[hit].index] = parsed[hit]
                rest.loc[hit[hit].index] = False
        if not rest.any() or attempt:
            break
        text = raw.where(~rest, raw[rest].astype(str).str.strip().str.replace(r"\s+", " ", regex=True))
    if rest.any():
        candidates = text[rest].astype(str)
        with_offset = candidates[candidates.str.contains(OFFSET_SUFFIX, regex=True)]
        if len(with_offset):
            parsed = pd.to_datetime(with_offset, format="ISO8601", utc=True, errors="coerce")
            hit = parsed.notna()
            utc.loc[hit[hit].index] = parsed[hit]
            rest.loc[hit[hit].index] = False
    return ParsedTimestamps(utc=utc, naive=naive, bad=rest)


def localize_naive(naive: pd.Series, zones: pd.Series | str) -> pd.Series:
    """Naive wall times -> UTC, each row in its IANA zone (`zones` per row, or one zone for all).

    A wall time skipped by a DST change moves forward; an ambiguous one takes standard time.
    """
    out = pd.Series(pd.NaT, index=naive.index, dtype="datetime64[ns, UTC]")
    present = naive.notna()
    if not present.any():
        return out
    if isinstance(zones, str):
        zones = pd.Series(zones, index=naive.index)
    for zone, index in zones[present].groupby(zones[present], sort=False).groups.items():
        part = naive.loc[index]
        local = part.dt.tz_localize(zone, ambiguous=np.zeros(len(part), dtype=bool), nonexistent="shift_forward")
        out.loc[index] = local.dt.tz_convert("UTC")
    return out


def parse_dates(raw: pd.Series) -> Parsed:
    """Calendar dates (`2024-04-27`, `27.04.2024`); a time part, if any, is ignored (the written date counts)."""
    values = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
    rest = values.isna() & raw.notna()
    if rest.any():
        stamps = parse_timestamps(raw[rest])
        wall = stamps.naive.where(stamps.naive.notna(),
                                  _written_wall_time(raw[rest], stamps.utc))
        values.loc[rest] = wall
    values = values.dt.normalize()
    return Parsed(values, raw.notna() & values.isna())


def _written_wall_time(raw: pd.Series, utc: pd.Series) -> pd.Series:
    """The wall time as written in a cell with an offset (its date is what the writer meant)."""
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    present = utc.notna()
    if present.any():
        written = pd.to_datetime(raw[present].astype(str).str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
        out.loc[present] = written
    return out


def parse_likert(raw: pd.Series) -> Parsed:
    """A 5-point answer: 1–5 or a label of seed 000 (Russian or English, any case, ё = е)."""
    values = _likert_or_number(raw)
    bad = raw.notna() & ~values.isin([1, 2, 3, 4, 5])
    return Parsed(values.where(~bad).astype("Int64"), bad)


def _likert_or_number(raw: pd.Series) -> pd.Series:
    number = parse_number(raw).values
    rest = number.isna() & raw.notna()
    if rest.any():
        number.loc[rest] = normalize_label(raw[rest]).map(LIKERT_LABELS).astype(float)
    return number


def parse_recommend(raw: pd.Series, scale: int) -> Parsed:
    """A recommendation answer on the file's scale: 5 (1–5 or a label) or 10 (0–10, numbers only)."""
    if scale == 5:
        return parse_likert(raw)
    values = parse_number(raw).values
    bad = raw.notna() & ~values.isin(list(range(11)))
    return Parsed(values.where(~bad).astype("Int64"), bad)


def recommend_scale(columns: list[pd.Series]) -> int:
    """10 when any numeric answer of the file's recommend columns is 0 or 6–10, else 5 (SPEC §3: file-level)."""
    for raw in columns:
        number = parse_number(raw.dropna()).values
        if number.isin([0, 6, 7, 8, 9, 10]).any():
            return 10
    return 5


def quote(value: object) -> str:
    """A cell value as shown in a reason: 'text'."""
    return "'" + str(value) + "'"


_SPACES = re.compile(r"\s+")
