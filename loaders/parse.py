"""Vectorized cell parsers: text cells (object Series, NaN = empty) -> typed values plus a mask of bad cells.

Every parser works on a whole column at once: fast exact formats first, then the unparsed
remainder only, never a Python loop per row. A parser returns ``Parsed(values, bad)``; the
caller turns ``bad`` cells into quarantine rows with a plain-language reason.
"""
from __future__ import annotations

import datetime as dt
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
AWARE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M:%S.%f%z",
)
TIMESTAMP_FORMATS = NAIVE_FORMATS + AWARE_FORMATS
MAX_STRAY_SAMPLES = 20  # unrecognisable cells sampled before one sweep of every layout
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

    The layout of the first unparsed cell is recognised and applied to the whole remainder in one
    C-speed pass (a file column nearly always has one layout), until nothing is left; cells that
    fit no layout are bad. Cells with an offset (`Z`, `+03:00`) are converted to UTC; naive ones
    are returned as wall times for the caller to localize. Impossible dates (`31.02.2024`) are bad.
    """
    naive = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    utc = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    rest = raw.notna().to_numpy().copy()
    text = raw
    tried: set[str] = set()
    strays = 0
    while rest.any() and strays < MAX_STRAY_SAMPLES:
        position = int(np.argmax(rest))
        sample = str(text.iloc[position])
        layout = _layout_of(sample, tried)
        if layout is None and sample != sample.strip():
            text = _squeezed(raw, rest)
            continue
        if layout is None:
            rest[position] = False  # fits no layout: bad, and not a guide for the others
            strays += 1
            continue
        tried.add(layout)
        _apply_layout(text, rest, layout, naive, utc)
    if rest.any():  # many unrecognisable cells: one sweep of every layout left, then ISO 8601
        text = _squeezed(raw, rest)
        for layout in TIMESTAMP_FORMATS:
            if rest.any() and layout not in tried:
                _apply_layout(text, rest, layout, naive, utc)
        _apply_iso_offsets(text, rest, utc)
    bad = raw.notna() & naive.isna() & utc.isna()
    return ParsedTimestamps(utc=utc, naive=naive, bad=bad)


def _layout_of(sample: str, tried: set[str]) -> str | None:
    for layout in TIMESTAMP_FORMATS:
        if layout in tried:
            continue
        try:
            dt.datetime.strptime(sample, layout)
        except ValueError:
            continue
        return layout
    return None


def _apply_layout(text: pd.Series, rest: np.ndarray, layout: str, naive: pd.Series, utc: pd.Series) -> None:
    """Parse the remainder with one layout; hits leave the remainder (in place)."""
    aware = "%z" in layout
    if aware:
        fast = _fixed_width_offsets(text[rest])
        hit = fast.notna()
        if hit.any():
            utc.loc[hit[hit].index] = fast[hit]
            rest[text.index.get_indexer(hit[hit].index)] = False
        if not rest.any():
            return
    parsed = pd.to_datetime(text[rest], format=layout, errors="coerce", utc=aware)
    hit = parsed.notna()
    if hit.any():
        target = utc if aware else naive
        target.loc[hit[hit].index] = parsed[hit]
        rest[text.index.get_indexer(hit[hit].index)] = False


def _fixed_width_offsets(cells: pd.Series) -> pd.Series:
    """UTC of `YYYY-MM-DD[T ]HH:MM:SS±HH:MM` and `...SSZ` cells by character arithmetic; NaT for others.

    pandas parses mixed offsets element by element (~16 µs a cell); here the wall time is parsed as
    a naive layout (~1 µs) and the offset read from its digits with numpy.
    """
    width = 26
    chars = np.asarray(cells.to_numpy(dtype=object, na_value=""), dtype=f"U{width}")
    codes = chars.view(np.uint32).reshape(len(chars), width)
    length = width - (codes[:, ::-1] != 0).argmax(axis=1)
    length[codes[:, 0] == 0] = 0
    digits = codes[:, [20, 21, 23, 24]].astype(np.int64) - ord("0")
    sign = np.where(codes[:, 19] == ord("-"), -1, 1)
    with_offset = (length == 25) & ((codes[:, 19] == ord("+")) | (codes[:, 19] == ord("-"))) \
        & (codes[:, 22] == ord(":")) & np.all((digits >= 0) & (digits <= 9), axis=1)
    zulu = (length == 20) & (codes[:, 19] == ord("Z"))
    usable = with_offset | zulu
    result = np.full(len(cells), np.datetime64("NaT"), dtype="datetime64[ns]")
    if usable.any():
        wall_codes = codes[usable, :19].copy()
        wall_codes[:, 10] = ord("T")
        wall = pd.to_datetime(wall_codes.view("U19").ravel(), format="%Y-%m-%dT%H:%M:%S", errors="coerce")
        offset_minutes = np.where(with_offset[usable],
                                  sign[usable] * ((digits[usable, 0] * 10 + digits[usable, 1]) * 60
                                                  + digits[usable, 2] * 10 + digits[usable, 3]), 0)
        result[usable] = wall.to_numpy(dtype="datetime64[ns]") - offset_minutes.astype("timedelta64[m]")
    return pd.Series(result, index=cells.index).dt.tz_localize("UTC")


def _apply_iso_offsets(text: pd.Series, rest: np.ndarray, utc: pd.Series) -> None:
    candidates = text[rest].astype(str)
    with_offset = candidates[candidates.str.contains(OFFSET_SUFFIX, regex=True)]
    if len(with_offset):
        parsed = pd.to_datetime(with_offset, format="ISO8601", utc=True, errors="coerce")
        hit = parsed.notna()
        utc.loc[hit[hit].index] = parsed[hit]
        rest[text.index.get_indexer(hit[hit].index)] = False


def _squeezed(raw: pd.Series, rest: np.ndarray) -> pd.Series:
    """The remainder with outer spaces removed and inner runs of spaces made single."""
    part = raw[rest].astype(str).str.strip().str.replace(r"\s+", " ", regex=True)
    return raw.where(~rest, part)


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
