"""The ingest pipeline: files -> kind -> validated typed rows -> idempotent upsert + quarantine (SPEC §3, §10).

One transaction per file. A whole-file problem (`FileRefused`) rolls the file back and is reported
as one error with row None. Row problems reject the row (all its errors are listed, one
quarantine entry per failing cell); the other rows are loaded. Validation is the declarative
table of `loaders.schemas` evaluated with vectorized masks per chunk of rows.

Duplicate keys inside one file: the **last** valid row of a key is loaded and every earlier one
is rejected ("duplicate key ...: row N later in the file is loaded"), so a re-exported snapshot
keeps its newest line and nothing disappears silently. Worklog has no key of its own: rows of one
ticket, staff member, day and work type are summed instead (seed 003: time spent per ticket).
"""
from __future__ import annotations

import datetime as dt
import time
from contextlib import contextmanager, nullcontext
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import SQLAlchemyError

from loaders import parse
from loaders.read import TABLE_SUFFIXES, FileRefused, Source, Table, open_table, peek_header
from loaders.schemas import (
    LOAD_ORDER,
    RECOMMEND_QUESTIONS,
    SCHEMAS,
    KindSchema,
    kind_from_file_name,
    kind_from_header,
    match_header,
)
from store.bulk import insert_records, upsert_dataframe
from store.incremental import LoadScope
from store.models import KIND_TABLES, IngestRun, QuarantineRow
from store.stored_counts import add_stored_rows
from store import clock

CHUNK_ROWS = 200_000  # rows read, validated and written at a time: bounds the loader's memory (issue 14)
MAX_REPORTED_ERRORS = 10_000  # per file in the report; the quarantine table keeps every one
FALLBACK_ZONE = "Europe/Moscow"
SLA_KINDS = {"tickets", "ticket_pauses", "clients"}
ERROR_COLUMNS = ["row", "column", "value", "reason"]

ProgressFn = Callable[..., None]


@dataclass
class FileReport:
    """What happened to one file; `to_dict()` is the `ingest --json` shape of SPEC §10."""

    path: str
    kind: str | None
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    errors: list[dict] = field(default_factory=list)
    status: str = "ok"  # ok | partial | refused
    ignored_columns: list[str] = field(default_factory=list)
    summed: int = 0  # worklog rows repeating a key, added to the hours of the row they repeat
    seconds: float = 0.0
    derived_seconds: float = 0.0  # of `seconds`: refreshing derived tables (SLA, rollups)
    derived_stages: dict[str, float] = field(default_factory=dict)  # seconds of the derived refresh per stage

    @property
    def refused(self) -> bool:
        return self.status == "refused"

    def to_dict(self) -> dict:
        return {"path": self.path, "kind": self.kind, "rows": self.rows, "accepted": self.accepted,
                "rejected": self.rejected, "errors": self.errors}

    def refuse(self, message: str) -> None:
        self.status = "refused"
        self.rows = self.accepted = self.rejected = 0
        self.errors = [{"row": None, "column": None, "value": None, "reason": message}]


def exit_code(reports: Sequence[FileReport]) -> int:
    """SPEC §10: 2 if any file was refused as a whole, else 3 if any row was rejected, else 0."""
    if any(r.refused for r in reports):
        return 2
    return 3 if any(r.rejected for r in reports) else 0


def expand_paths(items: Iterable[str | Path | tuple[str, bytes]]) -> list[Source]:
    """Files as given; a folder contributes its CSV/XLSX files (hidden files skipped)."""
    sources: list[Source] = []
    for item in items:
        if not isinstance(item, tuple) and Path(item).is_dir():
            sources += [Source.of(p) for p in sorted(Path(item).iterdir())
                        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in TABLE_SUFFIXES - {""}]
        else:
            sources.append(Source.of(item))
    return sources


def ingest_files(engine: Engine, items: Iterable[str | Path | tuple[str, bytes]], kind: str | None = None,
                 naive_tz: str | None = None, login: str | None = None,
                 progress: ProgressFn | None = None, chunk_rows: int = CHUNK_ROWS,
                 connection: Connection | None = None) -> list[FileReport]:
    """Load files (paths, folders or ``(name, bytes)`` uploads) in dependency order; one report per file.

    Parameters
    ----------
    kind : force the kind of every file (else file name, else header).
    naive_tz : IANA zone for every timestamp without offset (else the client's/partner's zone).
    login : who loads (recorded in `ingest_runs`).
    progress : called as ``progress(rows_done, None, note)`` after each chunk; an exception it raises
        (a cancelled upload) aborts the file being loaded, which is rolled back.
    connection : run every file inside this connection's open transaction (each file in a SAVEPOINT, so a
        refused file still rolls back alone) and leave the commit to the caller: an upload cancelled or
        failed before that commit writes nothing at all. Default: one transaction per file.
    """
    if kind is not None and kind not in SCHEMAS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(LOAD_ORDER)}")
    if naive_tz is not None:
        check_zone(naive_tz)
    planned = [(source, kind or _guess_kind(source)) for source in expand_paths(items)]
    order = {k: i for i, k in enumerate(LOAD_ORDER)}
    planned.sort(key=lambda p: order.get(p[1], len(order)))  # stable: given order within a kind
    counter = _RowCounter(progress)
    return [_load_file(engine, source, file_kind, naive_tz, login, counter, chunk_rows, connection)
            for source, file_kind in planned]


def check_zone(name: str) -> str:
    """`name` if it is an IANA time zone, else ValueError with a plain message."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Europe/Moscow)") from None
    return name


def _guess_kind(source: Source) -> str | None:
    by_name = kind_from_file_name(source.name)
    if by_name:
        return by_name
    candidates = kind_from_header(peek_header(source))
    return candidates[0] if candidates else None


class _RowCounter:
    def __init__(self, progress: ProgressFn | None):
        self.progress, self.rows = progress, 0

    def add(self, rows: int, note: str) -> None:
        self.rows += rows
        if self.progress:
            self.progress(self.rows, None, note)


# ---------------------------------------------------------------- one file
@contextmanager
def _file_transaction(engine: Engine, connection: Connection | None) -> Iterator[Connection]:
    """The connection of one file in its transaction: its own, or a SAVEPOINT in the caller's transaction."""
    if connection is not None:
        with connection.begin_nested():
            yield connection
        return
    with engine.connect() as conn, conn.begin():
        yield conn


def _load_file(engine: Engine, source: Source, kind: str | None, naive_tz: str | None, login: str | None,
               counter: _RowCounter, chunk_rows: int, connection: Connection | None = None) -> FileReport:
    started_at, started = clock.now_datetime(), time.perf_counter()
    report = FileReport(path=source.name, kind=kind)
    try:
        table = open_table(source)
        if kind is None:
            raise FileRefused("unknown kind: neither the file name nor the header names one of "
                              + ", ".join(LOAD_ORDER) + " (use --kind)")
        schema = SCHEMAS[kind]
        columns = _resolve_columns(schema, table, report)
        with _file_transaction(engine, connection) as conn:
            run_id = _start_run(conn, report, started_at, login)
            scope = LoadScope(conn, kind)
            loader = _FileLoader(conn, schema, table, columns, naive_tz, report, run_id, scope)
            loader.load(chunk_rows, counter)
            add_stored_rows(conn, kind, loader.inserted)
            derived_started = time.perf_counter()
            scope.refresh(loader.ticket_ids() if kind in SLA_KINDS else None)
            report.derived_seconds = time.perf_counter() - derived_started
            report.derived_stages = scope.timings
            report.seconds = time.perf_counter() - started
            _finish_run(conn, run_id, report)
    except FileRefused as exc:
        report.refuse(f"{source.name}: {exc}")
    except SQLAlchemyError as exc:
        report.refuse(f"{source.name}: the database refused the file: {str(exc.orig or exc).splitlines()[0]}")
    if report.refused:
        report.seconds = time.perf_counter() - started
        _record_refusal(engine, report, started_at, login, connection)
    return report


def _resolve_columns(schema: KindSchema, table: Table, report: FileReport) -> dict[str, str]:
    """Header name -> column; refuses missing required columns and two headers meaning one column."""
    if not any(h for h in table.header):
        raise FileRefused("the file has no header row")
    named = pd.Series([h.casefold() for h in table.header if h])
    repeated = sorted({h for h in table.header if h and h.casefold() in set(named[named.duplicated()])})
    if repeated:  # pandas would keep one of the two columns silently
        raise FileRefused(f"column '{repeated[0]}' appears more than once in the header: keep one")
    mapping = match_header(schema, table.header)
    seen: dict[str, str] = {}
    for header, column in mapping.items():
        if column in seen:
            raise FileRefused(f"columns '{seen[column]}' and '{header}' both mean {column}")
        seen[column] = header
    missing = [c for c in schema.required if c not in seen]
    if missing:
        raise FileRefused(f"missing required column{'s' if len(missing) > 1 else ''} for {schema.kind}: "
                          + ", ".join(missing))
    report.ignored_columns = [h for h in table.header if h and h not in mapping]
    return mapping


def _start_run(conn: Connection, report: FileReport, started_at: dt.datetime, login: str | None) -> int:
    result = conn.execute(IngestRun.__table__.insert().values(
        path=report.path, kind=report.kind, status="running", started_at=started_at, login=login))
    return int(result.inserted_primary_key[0])


def _finish_run(conn: Connection, run_id: int, report: FileReport) -> None:
    report.status = "partial" if report.rejected else "ok"
    conn.execute(update(IngestRun).where(IngestRun.id == run_id).values(
        rows=report.rows, accepted=report.accepted, rejected=report.rejected, status=report.status,
        message=f"{report.summed} repeated rows summed" if report.summed else None,
        finished_at=clock.now_datetime(), seconds=report.seconds))


def _record_refusal(engine: Engine, report: FileReport, started_at: dt.datetime, login: str | None,
                    connection: Connection | None = None) -> None:
    try:
        with (nullcontext(connection) if connection is not None else engine.begin()) as conn:
            conn.execute(IngestRun.__table__.insert().values(
                path=report.path, kind=report.kind, status="refused", message=report.errors[0]["reason"],
                started_at=started_at, finished_at=clock.now_datetime(),
                seconds=report.seconds, login=login))
    except SQLAlchemyError:
        pass  # the refusal is still reported to the caller; the run log is best effort


# ---------------------------------------------------------------- the loader of one file
class _FileLoader:
    """Validates and writes the chunks of one file inside the caller's transaction."""

    def __init__(self, conn: Connection, schema: KindSchema, table: Table, columns: dict[str, str],
                 naive_tz: str | None, report: FileReport, run_id: int, scope: LoadScope):
        self.conn, self.schema, self.table, self.columns = conn, schema, table, columns
        self.scope = scope  # SLA values and rollups are refreshed in this transaction too (SPEC §5, §9)
        self.naive_tz, self.report, self.run_id = naive_tz, report, run_id
        self.present = list(columns.values())
        self.lookups = _Lookups(conn)
        self.recommend_scale = 5
        self.seen_hashes = np.empty(0, dtype=np.uint64)
        self.seen_rows = np.empty(0, dtype=np.int64)
        self.errors: list[pd.DataFrame] = []
        self.raw_rows: dict[int, dict] = {}
        self.touched_tickets: list[np.ndarray] = []
        self.inserted = 0  # rows whose key was not stored before (`stored_counts`)

    # -- driver
    def load(self, chunk_rows: int, counter: _RowCounter) -> None:
        if self.schema.kind == "surveys":
            self.recommend_scale = self._file_recommend_scale(chunk_rows)
        for chunk in self.table.chunks(chunk_rows):
            chunk = chunk.rename(columns=lambda h: str(h).strip())
            raw = pd.DataFrame({col: chunk[h] for h, col in self.columns.items() if h in chunk.columns},
                               index=chunk.index)
            self.report.rows += len(raw)
            self._load_chunk(raw, chunk)
            counter.add(len(raw), self.schema.kind)
        if self.report.rows == 0:
            raise FileRefused("the file has a header but no data rows")
        self._write_quarantine()

    def _file_recommend_scale(self, chunk_rows: int) -> int:
        """SPEC §3: a file's recommend columns share one scale, decided over the whole file."""
        wanted = {h for h, c in self.columns.items() if c in RECOMMEND_QUESTIONS}
        if not wanted:
            return 5
        columns = [chunk[h] for chunk in self.table.chunks(chunk_rows) for h in wanted if h in chunk.columns]
        return parse.recommend_scale(columns)

    # -- one chunk
    def _load_chunk(self, raw: pd.DataFrame, original: pd.DataFrame) -> None:
        rows = pd.Series(raw.index.to_numpy() + 1, index=raw.index)
        values, bad_cells = self._parse(raw, rows)
        self._check_rules(values, bad_cells, raw, rows)
        self._check_references(values, bad_cells, raw, rows)
        bad_row = pd.Series(False, index=raw.index)
        for mask in bad_cells.values():
            bad_row |= mask
        if bad_row.any():
            self._remember_raw(original[bad_row], rows[bad_row])
        good = values[~bad_row]
        good_rows = rows[~bad_row].to_numpy()
        self.report.rejected += int(bad_row.sum())
        self.report.accepted += len(good)
        self._write(good, good_rows)

    def _parse(self, raw: pd.DataFrame, rows: pd.Series) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
        """Typed values of every column (defaults filled) and the bad-cell mask of every column."""
        values: dict[str, pd.Series] = {}
        bad_cells: dict[str, pd.Series] = {}
        naive: dict[str, pd.Series] = {}
        for column in self.schema.columns:
            name = column.name
            if name not in raw.columns:
                # absent: the default is written on insert; otherwise empty (rules still see the column)
                values[name] = pd.Series(column.default if column.default is not None else np.nan,
                                         index=raw.index, dtype=object)
                continue
            cells = raw[name]
            parsed, reason = self._parse_column(column, cells)
            if isinstance(parsed, parse.ParsedTimestamps):
                naive[name] = parsed.naive
                values[name], bad = parsed.utc, parsed.bad
            else:
                values[name], bad = parsed.values, parsed.bad
            self._add_errors(rows, name, cells, bad, reason)
            missing = values[name].isna() & ~bad
            if name in naive:
                missing &= naive[name].isna()
            if column.required:
                self._add_errors(rows, name, cells, missing, "missing required value")
                bad = bad | missing
            elif column.default is not None and missing.any():
                values[name] = values[name].astype(object).where(~missing, column.default)
                if column.type == "integer":
                    values[name] = pd.to_numeric(values[name]).astype("Int64")
            bad |= self._check_limits(column, values[name], cells, rows, bad)
            bad_cells[name] = bad
        frame = pd.DataFrame(values, index=raw.index)
        if naive:
            self._localize(frame, naive)
        if self.schema.kind == "surveys":
            frame["recommend_scale"] = self.recommend_scale
        return frame, bad_cells

    def _parse_column(self, column, cells: pd.Series):
        name, kind = column.name, column.type
        if kind == "text":
            return parse.parse_text(cells), None
        if kind == "integer":
            return parse.parse_integer(cells), f"{name} must be a whole number, not {{value}}"
        if kind == "number":
            return parse.parse_number(cells), f"{name} is not a number: {{value}}"
        if kind == "bool":
            return parse.parse_bool(cells), f"{name} must be yes or no (да/нет, true/false, 1/0), not {{value}}"
        if kind == "enum":
            return (parse.parse_enum(cells, column.allowed, column.labels),
                    f"{name} must be {_one_of(column.allowed)}, not {{value}}")
        if kind in ("timestamp", "date"):
            parser = parse.parse_timestamps if kind == "timestamp" else parse.parse_dates
            return parser(cells), "date not recognised: {value}"
        if kind == "recommend" and self.recommend_scale == 10:
            return (parse.parse_recommend(cells, 10),
                    f"{name} must be a whole number 0–10 (this file uses the 0–10 scale), not {{value}}")
        if kind in ("likert", "recommend"):
            return parse.parse_likert(cells), f"{name} must be 1–5 or an answer label, not {{value}}"
        raise ValueError(f"unknown column type {kind}")  # a schema bug, not bad input

    def _check_limits(self, column, values: pd.Series, cells: pd.Series, rows: pd.Series,
                      bad: pd.Series) -> pd.Series:
        name = column.name
        out = pd.Series(False, index=values.index)
        if column.allowed and column.type == "integer":
            out |= values.notna() & ~values.isin(list(column.allowed)) & ~bad
            self._add_errors(rows, name, cells, out, f"{name} must be {_one_of(column.allowed)}")
        if column.minimum is not None:
            low = values.notna() & (pd.to_numeric(values, errors="coerce") < column.minimum) & ~bad & ~out
            reason = f"{name} must not be negative" if column.minimum == 0 else f"{name} must be at least {column.minimum:g}"
            self._add_errors(rows, name, cells, low, reason)
            out |= low
        limit = self.schema.max_length(name)
        if limit and column.type == "text" and values.notna().any():
            long = values.notna() & (values.astype(str).str.len() > limit)
            self._add_errors(rows, name, cells, long, f"{name} is longer than {limit} characters")
            out |= long
        return out

    def _localize(self, frame: pd.DataFrame, naive: dict[str, pd.Series]) -> None:
        """Naive wall times -> UTC in the zone of the row's client/partner, or `--naive-tz`."""
        if not any(n.notna().any() for n in naive.values()):
            return
        zones = self.naive_tz or self.lookups.zones(self.schema.zone_via, frame)
        for name, wall in naive.items():
            if wall.notna().any():
                localized = parse.localize_naive(wall, zones)
                frame[name] = frame[name].where(wall.isna(), localized)

    def _check_rules(self, values: pd.DataFrame, bad_cells: dict[str, pd.Series], raw: pd.DataFrame,
                     rows: pd.Series) -> None:
        for rule in self.schema.rules:
            # bad cells are empty in `values`, so a rule only fires on cells that parsed
            failing = rule.bad(values).fillna(False).astype(bool)
            cells = raw[rule.column] if rule.column in raw.columns else pd.Series(np.nan, index=raw.index)
            self._add_errors(rows, rule.column, cells, failing, rule.reason)
            bad_cells[rule.column] = bad_cells.get(rule.column, pd.Series(False, index=raw.index)) | failing

    def _check_references(self, values: pd.DataFrame, bad_cells: dict[str, pd.Series], raw: pd.DataFrame,
                          rows: pd.Series) -> None:
        for ref in self.schema.references:
            if ref.column not in raw.columns:
                continue
            wanted = values[ref.column]
            check = wanted.notna() & ~bad_cells[ref.column]
            if not check.any():
                continue
            known = self.lookups.existing(ref.target_kind, ref.target_column, wanted[check].unique())
            unknown = check & ~wanted.isin(known)
            self._add_errors(rows, ref.column, raw[ref.column], unknown, ref.reason, quote=False)
            bad_cells[ref.column] = bad_cells[ref.column] | unknown

    # -- errors
    def _add_errors(self, rows: pd.Series, column: str, cells: pd.Series, mask: pd.Series,
                    reason: str | None, quote: bool = True) -> None:
        """Quarantine entries for the cells under `mask`; `{value}` in `reason` becomes the cell text."""
        if reason is None or not mask.any():
            return
        failing = cells[mask]
        text = failing.astype(str).str.strip()
        if "{value}" in reason:
            before, after = reason.split("{value}", 1)
            reason = before + ("'" + text + "'" if quote else text) + after
        self.errors.append(pd.DataFrame({
            "row": rows[mask].to_numpy(), "column": column,
            "value": failing.astype(object).where(failing.notna(), None).to_numpy(),
            "reason": reason.to_numpy() if isinstance(reason, pd.Series) else reason,
        }))

    def _remember_raw(self, original: pd.DataFrame, rows: pd.Series) -> None:
        records = original.astype(object).where(original.notna(), None).to_dict("records")
        self.raw_rows.update(zip(rows.tolist(), records))

    # -- writing, duplicates
    def _write(self, good: pd.DataFrame, good_rows: np.ndarray) -> None:
        if good.empty:
            return
        key = list(self.schema.key)
        table = self.schema.table
        # columns of the file are written and updated; absent ones with a default only on insert
        defaulted = [c.name for c in self.schema.columns if c.name not in self.present and c.default is not None]
        update_columns = self.present + (["recommend_scale"] if "recommend_scale" in good.columns else [])
        columns = [c for c in good.columns if c in update_columns or c in defaulted]
        if self.schema.sum_duplicates:
            self.scope.before_write(good)
            self._write_summed(good[columns], good_rows, key, update_columns)
        else:
            good = self._reject_earlier_duplicates(good, good_rows, key)
            self.scope.before_write(good)
            self.inserted += upsert_dataframe(self.conn, table, good[columns], key, update_columns)
        if self.schema.kind in ("tickets", "ticket_pauses"):
            self.touched_tickets.append(good["ticket_id"].to_numpy())

    def _key_hashes(self, frame: pd.DataFrame, key: list[str]) -> np.ndarray:
        return pd.util.hash_pandas_object(frame[key], index=False).to_numpy()

    def _reject_earlier_duplicates(self, good: pd.DataFrame, good_rows: np.ndarray, key: list[str]) -> pd.DataFrame:
        """Last row of a key wins; earlier rows (this chunk or earlier chunks) become rejected rows."""
        hashes = self._key_hashes(good, key)
        earlier_here = pd.Series(hashes).duplicated(keep="last").to_numpy()
        if earlier_here.any():
            last_row = pd.Series(good_rows, index=hashes).groupby(level=0).last()
            self._reject_duplicates(good_rows[earlier_here], last_row.loc[hashes[earlier_here]].to_numpy(),
                                    good[earlier_here], key)
        kept, kept_hashes, kept_rows = good[~earlier_here], hashes[~earlier_here], good_rows[~earlier_here]
        matched, positions = self._seen(kept_hashes)
        if matched.any():
            self._reject_duplicates(self.seen_rows[positions[matched]], kept_rows[matched], kept[matched], key)
            self.seen_rows[positions[matched]] = kept_rows[matched]
        self._remember(kept_hashes[~matched], kept_rows[~matched])
        return kept

    def _write_summed(self, good: pd.DataFrame, good_rows: np.ndarray, key: list[str],
                      update_columns: list[str]) -> None:
        """Worklog: hours of rows repeating a key are summed, within the chunk and across chunks."""
        summed = list(self.schema.sum_duplicates)
        first = {c: "last" for c in good.columns if c not in key and c not in summed}
        grouped = good.groupby(key, sort=False, as_index=False, dropna=False).agg({**first, **{c: "sum" for c in summed}})
        hashes = self._key_hashes(grouped, key)
        matched, _ = self._seen(hashes)
        self.report.summed += len(good) - len(grouped) + int(matched.sum())
        self.inserted += upsert_dataframe(self.conn, self.schema.table, grouped[~matched], key, update_columns)
        self.inserted += upsert_dataframe(self.conn, self.schema.table, grouped[matched], key, update_columns,
                                          add_columns=summed)
        self._remember(hashes[~matched], np.zeros((~matched).sum(), dtype=np.int64))

    def _seen(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        positions = np.searchsorted(self.seen_hashes, hashes)
        inside = positions < len(self.seen_hashes)
        matched = np.zeros(len(hashes), dtype=bool)
        matched[inside] = self.seen_hashes[positions[inside]] == hashes[inside]
        return matched, positions

    def _remember(self, hashes: np.ndarray, rows: np.ndarray) -> None:
        all_hashes = np.concatenate([self.seen_hashes, hashes])
        all_rows = np.concatenate([self.seen_rows, rows])
        order = np.argsort(all_hashes, kind="stable")
        self.seen_hashes, self.seen_rows = all_hashes[order], all_rows[order]

    def _reject_duplicates(self, earlier_rows: np.ndarray, later_rows: np.ndarray, frame: pd.DataFrame,
                           key: list[str]) -> None:
        key_text = frame[key].astype(str).agg(", ".join, axis=1).to_numpy()
        key_names = ", ".join(key)
        reasons = (f"duplicate key ({key_names}): row " + pd.Series(later_rows).astype(str)
                   + " later in the file has the same key and is loaded").to_numpy()
        self.errors.append(pd.DataFrame({"row": earlier_rows, "column": key[0], "value": key_text,
                                         "reason": reasons}))
        self.report.rejected += len(earlier_rows)
        self.report.accepted -= len(earlier_rows)

    def _write_quarantine(self) -> None:
        if not self.errors:
            return
        errors = pd.concat(self.errors, ignore_index=True)
        errors["order"] = errors["column"].map({c: i for i, c in enumerate(self.present)}).fillna(len(self.present))
        errors = errors.sort_values(["row", "order"], kind="stable").drop(columns="order")
        errors["value"] = errors["value"].astype(object).where(errors["value"].notna(), None)
        errors["row"] = errors["row"].astype(int)
        now = clock.now_datetime()
        records = errors[ERROR_COLUMNS].to_dict("records")
        self.report.errors = records[:MAX_REPORTED_ERRORS]
        insert_records(self.conn, QuarantineRow.__table__, [
            {**r, "ingest_id": self.run_id, "path": self.report.path, "kind": self.schema.kind,
             "raw": self.raw_rows.get(r["row"]), "created_at": now} for r in records])

    def ticket_ids(self) -> list[str] | None:
        if self.schema.kind == "clients":
            return None
        if not self.touched_tickets:
            return []
        return pd.unique(np.concatenate(self.touched_tickets)).tolist()


# ---------------------------------------------------------------- lookups in the database
class _Lookups:
    """Keys and zones read from the database (earlier files of the same ingest are already committed)."""

    IN_LIMIT = 2_000

    def __init__(self, conn: Connection):
        self.conn = conn
        self.known: dict[tuple[str, str], set] = {}
        self.complete: set[tuple[str, str]] = set()
        self.maps: dict[tuple[str, str, str], pd.Series] = {}
        self._calendars: dict[str, dict] | None = None

    def existing(self, kind: str, column: str, values: np.ndarray) -> set:
        """Those of `values` present in `kind`.`column`."""
        slot = (kind, column)
        known = self.known.setdefault(slot, set())
        if slot in self.complete:
            return known
        target = KIND_TABLES[kind][0].__table__.c[column]
        todo = [v for v in values if v not in known] if len(values) <= self.IN_LIMIT else None
        if todo is None:
            known.update(value for (value,) in self._fetch_all(f'SELECT DISTINCT "{column}" FROM "{target.table.name}"'))
            self.complete.add(slot)
        else:
            for start in range(0, len(todo), 500):
                known.update(self.conn.execute(select(target).where(target.in_(todo[start:start + 500]))).scalars())
        return known

    def mapping(self, kind: str, key: str, value: str) -> pd.Series:
        """`kind`.`key` -> `kind`.`value` for every stored row (the last one by key order wins)."""
        slot = (kind, key, value)
        if slot not in self.maps:
            table = KIND_TABLES[kind][0].__table__
            rows = self._fetch_all(f'SELECT "{key}", "{value}" FROM "{table.name}"')
            frame = pd.DataFrame(rows, columns=["k", "v"])
            self.maps[slot] = frame.drop_duplicates("k", keep="last").set_index("k")["v"]
        return self.maps[slot]

    def _fetch_all(self, sql: str) -> list[tuple]:
        """Rows of a whole-table read straight from the driver (no Row object per row)."""
        cursor = self.conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(sql)
            return cursor.fetchall()
        finally:
            cursor.close()

    def calendars(self) -> dict[str, dict]:
        if self._calendars is None:
            from store.settings import calendar_definitions

            self._calendars = calendar_definitions(self.conn)
        return self._calendars

    def zones(self, via: str | None, frame: pd.DataFrame) -> pd.Series:
        """IANA zone per row: the client's calendar zone (tickets, pauses) or the partner's country zone."""
        index = frame.index
        if via == "client":
            return self._calendar_zone(frame["client_id"])
        if via == "ticket":
            clients = frame["ticket_id"].map(self.mapping("tickets", "ticket_id", "client_id"))
            return self._calendar_zone(clients)
        if via == "partner" and "partner_id" in frame.columns:
            return self._country_zone(frame["partner_id"])
        if via == "project":
            partners = frame["project_id"].map(self.mapping("projects", "project_id", "partner_id"))
            return self._country_zone(partners)
        return pd.Series(FALLBACK_ZONE, index=index)

    def _calendar_zone(self, client_ids: pd.Series) -> pd.Series:
        calendars = client_ids.map(self.mapping("clients", "client_id", "calendar"))
        zone_of = {name: d.get("timezone") for name, d in self.calendars().items() if d.get("timezone")}
        return calendars.map(zone_of).fillna(FALLBACK_ZONE)

    def _country_zone(self, partner_ids: pd.Series) -> pd.Series:
        # countries share the names of the built-in calendars RU/KZ/UA (store.settings)
        countries = partner_ids.map(self.mapping("partners", "partner_id", "country"))
        zone_of = {name: d.get("timezone") for name, d in self.calendars().items()
                   if d.get("timezone") and len(name) == 2}
        return countries.map(zone_of).fillna(FALLBACK_ZONE)


def _one_of(allowed: tuple) -> str:
    items = [str(a) for a in allowed]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
