"""Bytes -> table of text cells: CSV (UTF-8, UTF-8 with BOM, Windows-1251; `,` `;` or tab) or XLSX.

`open_table` refuses a whole file (`FileRefused`) when it is empty, not CSV/XLSX, or undecodable;
otherwise it returns a `Table` whose chunks are DataFrames of raw text cells
(object dtype, NaN = empty cell) indexed by 0-based data row, so row number = index + 1.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

CSV_SUFFIXES = {".csv", ".txt", ".tsv", ""}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
TABLE_SUFFIXES = CSV_SUFFIXES | XLSX_SUFFIXES | {".xls"}
UTF8_BOM = b"\xef\xbb\xbf"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_UTF8_CYRILLIC = re.compile(rb"[\xd0\xd1][\x80-\xbf]")
EXTRA_FIELDS = "\x00surplus"
_FIELDS_ERROR = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


class FileRefused(Exception):
    """A whole-file problem: nothing of the file is written; the message names the problem."""


@dataclass(frozen=True)
class Source:
    """A file to load: a path on disk, or a name with its bytes (an upload)."""

    name: str
    data: bytes | None = None
    path: Path | None = None

    @classmethod
    def of(cls, item: str | Path | tuple[str, bytes] | "Source") -> "Source":
        if isinstance(item, Source):
            return item
        if isinstance(item, tuple):
            return cls(name=str(item[0]), data=item[1])
        return cls(name=str(item), path=Path(item))

    def read_bytes(self) -> bytes:
        if self.data is not None:
            return self.data
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            raise FileRefused("file not found") from None
        except IsADirectoryError:
            raise FileRefused("is a folder, not a file") from None
        except OSError as exc:
            raise FileRefused(f"cannot read the file: {exc.strerror}") from None

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()


@dataclass
class Table:
    """The header and the data rows of one file, read in chunks of text cells."""

    name: str
    header: list[str]
    format: str  # csv | xlsx
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int = 1  # lines up to and including the header
    _data: bytes = b""
    _frame: pd.DataFrame | None = field(default=None, repr=False)

    def chunks(self, rows: int) -> Iterator[pd.DataFrame]:
        """DataFrames of at most `rows` rows, object dtype, NaN for empty cells, index = data row - 1."""
        if self._frame is not None:
            for start in range(0, len(self._frame), rows):
                yield self._frame.iloc[start:start + rows]
            return
        # one spare column catches rows longer than the header (pandas drops the surplus silently
        # when such a row starts a chunk)
        names = _unique(self.header) + [EXTRA_FIELDS]
        reader = pd.read_csv(io.BytesIO(self._data), sep=self.delimiter, encoding=self.encoding, dtype=str,
                             header=None, skiprows=self.header_line, names=names, keep_default_na=False, na_values=[""], chunksize=rows,
                             skipinitialspace=True, engine="c", low_memory=False)
        try:
            for chunk in reader:
                surplus = chunk[EXTRA_FIELDS].notna()
                if surplus.any():
                    raise FileRefused(_too_many_fields(int(surplus.idxmax()) + 2))
                yield chunk.drop(columns=EXTRA_FIELDS)
        except pd.errors.ParserError as exc:
            raise FileRefused(_parser_message(exc)) from None
        except UnicodeDecodeError:
            raise FileRefused("undecodable bytes: the file is neither UTF-8 nor Windows-1251") from None


def open_table(source: Source) -> Table:
    """Read and check the whole file; raise `FileRefused` for whole-file problems."""
    suffix = source.suffix
    if suffix == ".xls":
        raise FileRefused("old Excel 97-2003 (.xls) files are not supported: save it as XLSX or CSV")
    if suffix not in TABLE_SUFFIXES:
        raise FileRefused(f"not a CSV or XLSX file ({suffix})")
    data = source.read_bytes()
    if not data.strip():
        raise FileRefused("the file is empty")
    if suffix in XLSX_SUFFIXES or data.startswith(b"PK\x03\x04"):
        return _open_xlsx(source.name, data)
    return _open_csv(source.name, data)


def peek_header(source: Source) -> list[str]:
    """The header of a file from its first bytes (to choose its kind before loading); [] if unreadable."""
    try:
        table = open_table(source)
    except FileRefused:
        return []
    return table.header


# ---------------------------------------------------------------- CSV
def _open_csv(name: str, data: bytes) -> Table:
    encoding = detect_encoding(data)
    start = data[len(UTF8_BOM):] if encoding == "utf-8-sig" else data
    head = start[:65536].decode(encoding.replace("-sig", ""), errors="replace")
    lines = head.splitlines()
    header_at = next((i for i, line in enumerate(lines) if line.strip()), 0)
    first_line = lines[header_at] if lines else ""
    delimiter = sniff_delimiter(first_line)
    header = [h.strip() for h in next(csv.reader([first_line], delimiter=delimiter), [])]
    return Table(name=name, header=header, format="csv", encoding=encoding, delimiter=delimiter,
                 header_line=header_at + 1, _data=data)


def detect_encoding(data: bytes) -> str:
    """UTF-8 with BOM, UTF-8, or Windows-1251; `FileRefused` for binary or mixed/undecodable bytes."""
    if data.startswith(UTF8_BOM):
        encoding, text = "utf-8-sig", _decode(data[len(UTF8_BOM):], "utf-8")
    else:
        try:
            encoding, text = "utf-8", data.decode("utf-8")
        except UnicodeDecodeError as exc:
            high = int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) >= 0x80))
            utf8_pairs = len(_UTF8_CYRILLIC.findall(data))
            if utf8_pairs >= 3 and 2 * utf8_pairs >= 0.3 * high:
                # UTF-8 Cyrillic mixed with other bytes: a broken or concatenated file
                raise FileRefused(f"undecodable bytes at byte {exc.start + 1}: the file mixes UTF-8 with "
                                  "another encoding") from None
            encoding, text = "cp1251", _decode(data, "cp1251")
    if _CONTROL.search(text):
        raise FileRefused("not a CSV or XLSX file (binary content)")
    return encoding


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FileRefused(f"undecodable bytes at byte {exc.start + 1}: the file is neither UTF-8 nor "
                          "Windows-1251") from None


def sniff_delimiter(first_line: str) -> str:
    """`;`, `,` or tab: the one occurring most often outside quotes in the header line."""
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {d: unquoted.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _parser_message(exc: Exception) -> str:
    found = _FIELDS_ERROR.search(str(exc))
    if found:
        return _too_many_fields(int(found.group(2)))
    return f"the CSV cannot be read: {str(exc).splitlines()[0]}"


def _too_many_fields(line: int) -> str:
    return f"line {line} has more fields than the header: check the delimiter and the quotes"


# ---------------------------------------------------------------- XLSX
def _open_xlsx(name: str, data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRefused(f"not a valid XLSX file ({type(exc).__name__})") from None
    try:
        if not book.worksheets:
            raise FileRefused("the workbook has no sheets")
        # openpyxl yields cells one by one; XLSX files are uploads of modest size
        rows = [row for row in book.worksheets[0].iter_rows(values_only=True)
                if any(cell is not None and str(cell).strip() != "" for cell in row)]
    finally:
        book.close()
    if not rows:
        raise FileRefused("the file is empty")
    header = [("" if h is None else str(h)).strip() for h in rows[0]]
    width = len(header)
    body = [tuple(_cell_text(c) for c in row[:width]) + (np.nan,) * (width - len(row)) for row in rows[1:]]
    frame = pd.DataFrame(body, columns=_unique(header), dtype=object)
    return Table(name=name, header=header, format="xlsx", _frame=frame)


def _cell_text(cell: object) -> object:
    """An XLSX cell as the text a CSV would hold (dates ISO, whole floats without `.0`)."""
    if cell is None:
        return np.nan
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    text = str(cell)
    return text if text.strip() else np.nan


def _unique(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in header:
        n = seen.get(h, 0)
        seen[h] = n + 1
        out.append(h if n == 0 else f"{h}.{n}")
    return out
