"""Fast bulk writes: idempotent upserts of whole DataFrames by natural key, and plain bulk inserts.

PostgreSQL: the frame is written as CSV into a temporary table with ``COPY`` (psycopg 3
``cursor.copy``) and merged with one ``INSERT ... SELECT ... ON CONFLICT DO UPDATE``.
SQLite: one ``executemany`` of ``INSERT ... ON CONFLICT DO UPDATE`` per batch.
Neither creates an ORM object per row. Values are converted column by column (vectorized) from
the target column's type: timestamps are written in UTC, missing values as NULL.
"""
from __future__ import annotations

import io
import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    Select,
    Table,
    delete,
    func,
    literal,
    select,
)

SQLITE_BATCH_ROWS = 50_000
LARGE_WORK_MEM = "64MB"  # per sort or hash of a rebuild's statements (`local_work_mem`, PostgreSQL)
_stage_numbers = itertools.count()


def upsert_dataframe(conn: Connection, table: Table, frame: pd.DataFrame, key: Sequence[str],
                     update_columns: Sequence[str] | None = None,
                     add_columns: Sequence[str] = ()) -> int:
    """Insert the rows of `frame` into `table`, updating the rows whose `key` already exists.

    Parameters
    ----------
    conn : an open connection; the caller owns the transaction.
    table : target table; `frame` holds a subset of its columns (the key included).
    key : natural-key columns with a unique constraint in `table`.
    update_columns : columns overwritten on a key conflict (default: every non-key column of
        `frame`); an empty list leaves existing rows untouched (``DO NOTHING``).
    add_columns : numeric columns summed on a conflict (stored + new) instead of overwritten.

    Rows of `frame` repeating a key are reduced to the last one (a database cannot update one
    row twice in one statement). Returns the number of rows inserted (keys not stored before), what a load adds
    to `stored_counts`.
    """
    if frame.empty:
        return 0
    key = list(key)
    frame = frame[~frame.duplicated(subset=key, keep="last")]
    columns = list(frame.columns)
    if update_columns is None:
        update_columns = [c for c in columns if c not in key]
    update_columns = [c for c in update_columns if c not in key]
    if conn.dialect.name == "postgresql":
        return _upsert_postgresql(conn, table, frame, columns, key, update_columns, add_columns)
    return _upsert_sqlite(conn, table, frame, columns, key, update_columns, add_columns)


def insert_dataframe(conn: Connection, table: Table, frame: pd.DataFrame) -> int:
    """Append rows known to be new (the table was just emptied in this transaction).

    PostgreSQL: one COPY straight into the table, without the staging table and conflict merge of
    `upsert_dataframe`; SQLite: `upsert_dataframe` by the primary key. Returns the rows written.
    """
    if frame.empty:
        return 0
    if conn.dialect.name != "postgresql":
        return upsert_dataframe(conn, table, frame, [c.name for c in table.primary_key.columns])
    with conn.connection.dbapi_connection.cursor() as cursor:
        _copy_in(cursor, table.name, table, frame, list(frame.columns))
    return len(frame)


def replace_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Select) -> None:
    """Make `table` hold exactly the result of `rows` (its `columns`, in that order): a rollup rebuild.

    PostgreSQL, table not empty: the new rows are staged, rows that vanished are deleted and only new
    or changed rows are written. Deleting every row and inserting the same keys again in one
    transaction made each insert check a dead duplicate in the primary key (the 1.4 M-row survey
    rollup: 37 s instead of 10 s), and re-loading an unchanged file rewrote everything.
    SQLite, or an empty table: delete and insert.
    """
    columns = list(columns)
    postgres = conn.dialect.name == "postgresql"
    if not postgres or conn.execute(select(table).limit(1)).first() is None:
        conn.execute(delete(table))
        conn.execute(table.insert().from_select(columns, rows))
        analyze(conn, table)
        return
    stage = f"_replace_{table.name}_{next(_stage_numbers)}"
    sql = str(rows.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    # the anti-joins hash the staged rows: with the default 4 MB they were sorted on disk
    # (merge joins on seven text keys: 3.4 s of a 200-survey delta's 87 k staged rows at `medium`)
    with local_work_mem(conn), conn.connection.dbapi_connection.cursor() as cursor:
        cursor.execute(f'CREATE TEMP TABLE "{stage}" ON COMMIT DROP AS SELECT * FROM ({sql}) AS q({_names(columns)})')
        _merge_stage(cursor, table, stage, columns, None)
    analyze(conn, table)


def replace_frame(conn: Connection, table: Table, frame: pd.DataFrame, scope: ColumnElement[bool],
                  digest: str | None = None) -> int:
    """Make the rows of `table` that `scope` selects hold exactly `frame` (the table's columns); returns the rows
    of `frame` (with `digest` on PostgreSQL: the rows written). PostgreSQL: `frame` is copied into a staging table and only the rows that vanished, changed or are
    new are written (`replace_rows`): a country's comparison refresh deleted and rewrote all of its rows (71 k for
    Russia at `large`; a 200-survey file changes 32 k of them). SQLite: delete and insert.

    `digest`: a column of `frame` (and `table`) holding a hash of each row's other values (`row_digest`). Then only
    the stored keys and digests of the scope are read, and only the rows whose digest differs or that are new are
    staged: a 200-survey file changes 2–4 k of the ~80 k comparison rows of the countries it touches at `large`,
    and staging all of them (their reason texts) cost more than the rest of the write."""
    if conn.dialect.name != "postgresql":
        conn.execute(delete(table).where(scope))
        return insert_dataframe(conn, table, frame)
    if digest is not None:
        frame = _changed_rows(conn, table, frame, scope, digest)
        if frame.empty:
            return 0
    columns = list(frame.columns)
    with local_work_mem(conn), conn.connection.dbapi_connection.cursor() as cursor:
        stage = _staged(cursor, table, frame, columns, "replace")
        if digest is None:
            _merge_stage(cursor, table, stage, columns,
                         str(scope.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})))
        else:  # the staged rows are the new and changed ones (`_changed_rows` deleted the vanished)
            key = [c.name for c in table.primary_key.columns]
            cursor.execute(f'INSERT INTO "{table.name}" ({_names(columns)}) SELECT {_names(columns)} FROM "{stage}" '
                           + _conflict_clause(table, key, [c for c in columns if c not in key], ()))
            cursor.execute(f'DROP TABLE "{stage}"')
    return len(frame)


def row_digest(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of each row's values (`replace_frame`'s `digest`): equal rows of equal dtypes hash alike."""
    return pd.util.hash_pandas_object(frame, index=False).to_numpy().view(np.int64)


def _changed_rows(conn: Connection, table: Table, frame: pd.DataFrame, scope: ColumnElement[bool],
                  digest: str) -> pd.DataFrame:
    """The rows of `frame` that are new or whose `digest` differs from the stored row's; the stored rows of `scope`
    that `frame` no longer holds are deleted here."""
    from store.frames import read_frame_bulk

    key = [c.name for c in table.primary_key.columns]
    stored = read_frame_bulk(conn, select(*(table.c[c] for c in [*key, digest])).where(scope))
    both = frame[[*key, digest]].merge(stored.astype({c: object for c in key}), on=key, how="outer",
                                       suffixes=("", "_stored"), indicator=True)
    vanished = both.loc[both["_merge"] == "right_only", key]
    if len(vanished):
        # staged keys, not an IN list: a new quarter's windows leave ~75 k rows of a country behind at `large`,
        # more than the 65,535 parameters a statement may bind
        matches = " AND ".join(f'stage."{c}" = "{table.name}"."{c}"' for c in key)
        with conn.connection.dbapi_connection.cursor() as cursor:
            stage = _staged(cursor, table, vanished, key, "vanished")
            cursor.execute(f'DELETE FROM "{table.name}" USING "{stage}" AS stage WHERE {matches}')
            cursor.execute(f'DROP TABLE "{stage}"')
    same = (both["_merge"] == "both") & (both[digest] == both[f"{digest}_stored"])
    write = both.loc[(both["_merge"] == "left_only") | ((both["_merge"] == "both") & ~same), key]
    return frame.merge(write, on=key)[list(frame.columns)]


def _merge_stage(cursor, table: Table, stage: str, columns: list[str], scope: str | None) -> None:
    """Make `table` (the rows `scope` selects, SQL text; all when None) equal the staged rows of the temporary
    table `stage`: vanished rows deleted, new and changed rows written, the same rows left alone."""
    key = [c.name for c in table.primary_key.columns]
    values = [c for c in columns if c not in key]
    matches = " AND ".join(f'stage."{c}" = "{table.name}"."{c}"' for c in key)
    changed = (f"({', '.join(f'{_q(table.name)}.{_q(c)}' for c in values)}) IS DISTINCT FROM "
               f"({', '.join(f'excluded.{_q(c)}' for c in values)})")
    # without statistics the anti-joins below ran as nested loops; the key columns' are the ones they need (the
    # comparison rows' reason texts took 0.16 s to sample)
    cursor.execute(f'ANALYZE "{stage}" ({_names(key)})')
    cursor.execute(f'DELETE FROM "{table.name}" WHERE {"" if scope is None else f"({scope}) AND "}'
                   f'NOT EXISTS (SELECT 1 FROM "{stage}" AS stage WHERE {matches})')
    update = (f"DO UPDATE SET {', '.join(f'{_q(c)} = excluded.{_q(c)}' for c in values)} WHERE {changed}"
              if values else "DO NOTHING")
    same = " AND ".join([matches, *(f'stage."{c}" IS NOT DISTINCT FROM "{table.name}"."{c}"' for c in values)])
    cursor.execute(f'INSERT INTO "{table.name}" ({_names(columns)}) SELECT {_names(columns)} FROM "{stage}" AS stage '
                   f'WHERE NOT EXISTS (SELECT 1 FROM "{table.name}" WHERE {same}) '
                   f"ON CONFLICT ({_names(key)}) {update}")
    cursor.execute(f'DROP TABLE "{stage}"')


@contextmanager
def local_work_mem(conn: Connection, amount: str = LARGE_WORK_MEM) -> Iterator[None]:
    """PostgreSQL: `amount` of memory per sort or hash for the statements of the block (in the caller's
    transaction), then the setting before it; elsewhere nothing. Rebuild statements that group or join
    hundreds of thousands of rows spilled their sorts to disk with the default 4 MB."""
    if conn.dialect.name != "postgresql":
        yield
        return
    before = conn.exec_driver_sql("SHOW work_mem").scalar_one()
    conn.exec_driver_sql(f"SET LOCAL work_mem = '{amount}'")
    yield
    # not in a `finally`: after a failed statement the transaction accepts no SET (the error it would raise
    # would hide the real one), and its rollback discards the SET LOCAL anyway
    conn.exec_driver_sql(f"SET LOCAL work_mem = '{before}'")


def analyze(conn: Connection, table: Table) -> None:
    """PostgreSQL: fresh planner statistics of a table rewritten in this transaction, so the pages' first
    queries after an ingest do not plan with the old row counts (autovacuum comes later)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f'ANALYZE "{table.name}"')


def holds_more_than(conn: Connection, table: Table, rows: float) -> bool:
    """Whether `table` holds more than `rows` rows, reading at most ⌊rows⌋ + 1 of them: a delta load's size
    checks against the stored rows cost what the delta holds, not a count of the whole table (issue 14)."""
    limit = int(rows) + 1
    counted = select(func.count()).select_from(select(literal(1)).select_from(table).limit(limit).subquery())
    return conn.execute(counted).scalar_one() >= limit


def _q(name: str) -> str:
    return f'"{name}"'


def insert_records(conn: Connection, table: Table, records: list[dict]) -> None:
    """Plain bulk insert (one executemany) of small operational rows such as quarantine entries."""
    if records:
        conn.execute(table.insert(), records)


def _conflict_clause(table: Table, key: list[str], update_columns: Sequence[str],
                     add_columns: Sequence[str]) -> str:
    if not update_columns:
        return f"ON CONFLICT ({_names(key)}) DO NOTHING"
    sets = []
    for column in update_columns:
        if column in add_columns:
            sets.append(f'"{column}" = "{table.name}"."{column}" + excluded."{column}"')
        else:
            sets.append(f'"{column}" = excluded."{column}"')
    return f"ON CONFLICT ({_names(key)}) DO UPDATE SET {', '.join(sets)}"


def _names(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


# ---------------------------------------------------------------- PostgreSQL: COPY + merge
def _upsert_postgresql(conn: Connection, table: Table, frame: pd.DataFrame, columns: list[str],
                       key: list[str], update_columns: Sequence[str], add_columns: Sequence[str]) -> int:
    """The merge; returns the rows it inserted: a row version an INSERT created has no deleting or locking
    transaction (``xmax = 0``), one that ON CONFLICT updated carries this transaction's id (DO NOTHING returns
    inserted rows only)."""
    stage = f"_stage_{table.name}_{next(_stage_numbers)}"
    dbapi = conn.connection.dbapi_connection
    with dbapi.cursor() as cursor:
        cursor.execute(f'CREATE TEMP TABLE "{stage}" (LIKE "{table.name}" INCLUDING DEFAULTS) ON COMMIT DROP')
        _copy_in(cursor, stage, table, frame, columns)
        cursor.execute(f'WITH merged AS (INSERT INTO "{table.name}" ({_names(columns)}) SELECT {_names(columns)} '
                       f'FROM "{stage}" ' + _conflict_clause(table, key, update_columns, add_columns)
                       + ' RETURNING (xmax = 0) AS inserted) SELECT count(*) FILTER (WHERE inserted) FROM merged')
        inserted = int(cursor.fetchone()[0])
        cursor.execute(f'DROP TABLE "{stage}"')
    return inserted


def _staged(cursor, table: Table, frame: pd.DataFrame, columns: list[str], purpose: str) -> str:
    """A temporary table (dropped at commit) of `table`'s `columns`, holding `frame`'s rows (COPY); its name."""
    stage = f"_{purpose}_{table.name}_{next(_stage_numbers)}"
    cursor.execute(f'CREATE TEMP TABLE "{stage}" ON COMMIT DROP AS SELECT {_names(columns)} FROM "{table.name}" '
                   "WITH NO DATA")
    if len(frame):
        _copy_in(cursor, stage, table, frame, columns)
    return stage


def _copy_in(cursor, target: str, table: Table, frame: pd.DataFrame, columns: list[str]) -> None:
    """COPY the `columns` of `frame` (typed as in `table`) into the table named `target`."""
    text_frame = pd.DataFrame({c: _postgres_text(frame[c], table.c[c].type) for c in columns})
    buffer = io.StringIO()
    text_frame.to_csv(buffer, header=False, index=False, na_rep="")
    with cursor.copy(f'COPY "{target}" ({_names(columns)}) FROM STDIN WITH (FORMAT csv)') as copy:
        copy.write(buffer.getvalue())


def _postgres_text(values: pd.Series, sql_type) -> pd.Series:
    """Values as COPY-CSV text (None = NULL) for a column of `sql_type`."""
    if isinstance(sql_type, DateTime):
        stamps = _utc_naive(values)
        text = np.datetime_as_string(stamps.to_numpy(dtype="datetime64[us]"), unit="us")
        return pd.Series(np.where(stamps.isna().to_numpy(), None, np.char.add(text, "+00:00")), index=values.index)
    if isinstance(sql_type, Date):
        days = pd.to_datetime(values).to_numpy(dtype="datetime64[D]")
        return pd.Series(np.where(pd.isna(values).to_numpy(), None, np.datetime_as_string(days)), index=values.index)
    if isinstance(sql_type, Boolean):
        return values.map({True: "t", False: "f"}).astype(object)  # 1 and 0 hash as True and False
    if isinstance(sql_type, Integer):
        return pd.to_numeric(values).astype("Int64")
    return values


# ---------------------------------------------------------------- SQLite: executemany upsert
def _upsert_sqlite(conn: Connection, table: Table, frame: pd.DataFrame, columns: list[str],
                   key: list[str], update_columns: Sequence[str], add_columns: Sequence[str]) -> int:
    """The upsert; returns the rows it inserted: SQLite gives a new row a rowid above every stored one (an update
    keeps its rowid), so they are the rows above the largest rowid before (a range read of the new rows)."""
    placeholders = ", ".join("?" for _ in columns)
    sql = (f'INSERT INTO "{table.name}" ({_names(columns)}) VALUES ({placeholders}) '
           + _conflict_clause(table, key, update_columns, add_columns))
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        last = cursor.execute(f'SELECT coalesce(max(rowid), 0) FROM "{table.name}"').fetchone()[0]
        for start in range(0, len(frame), SQLITE_BATCH_ROWS):
            part = frame.iloc[start:start + SQLITE_BATCH_ROWS]
            arrays = [_sqlite_values(part[c], table.c[c].type) for c in columns]
            cursor.executemany(sql, list(zip(*arrays)))
        return int(cursor.execute(f'SELECT count(*) FROM "{table.name}" WHERE rowid > ?', (last,)).fetchone()[0])
    finally:
        cursor.close()


def _sqlite_values(values: pd.Series, sql_type) -> list:
    """Python values for sqlite3 in SQLAlchemy's SQLite storage formats (UTC text timestamps)."""
    missing = pd.isna(values).to_numpy()
    if isinstance(sql_type, DateTime):
        stamps = _utc_naive(values).to_numpy(dtype="datetime64[us]")
        out = np.char.replace(np.datetime_as_string(stamps, unit="us"), "T", " ").astype(object)
    elif isinstance(sql_type, Date):
        out = np.datetime_as_string(pd.to_datetime(values).to_numpy(dtype="datetime64[D]")).astype(object)
    elif isinstance(sql_type, Boolean):
        out = values.astype(object).map({True: 1, False: 0}).to_numpy(dtype=object)
    elif isinstance(sql_type, Integer):
        out = pd.to_numeric(values).astype("Int64").to_numpy(dtype=object, na_value=None)
    elif isinstance(sql_type, Float):
        out = pd.to_numeric(values).astype(float).to_numpy(dtype=object)
    else:
        out = values.to_numpy(dtype=object)
    if missing.any():
        out = out.copy()
        out[missing] = None
    return out.tolist()


def _utc_naive(values: pd.Series) -> pd.Series:
    """Timestamps as naive UTC wall times (aware values converted, naive ones taken as UTC)."""
    stamps = values if pd.api.types.is_datetime64_any_dtype(values) else pd.to_datetime(values, utc=True)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    return stamps
