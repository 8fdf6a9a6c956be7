"""Every row of a fuzzed file is accounted for by an independent count: the data rows of the file (read with the
csv module) equal the file's keys stored in the table plus the distinct rows of that file in the quarantine
table — not the loader's own counters."""
from __future__ import annotations

import csv
import io
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from store.db import make_engine
from store.models import QuarantineRow, Ticket
from tests.integration.loader_files import load, seed

# valid values four times as likely as bad ones, so duplicates of valid rows (the later one loads) are common
CLIENTS = ["C1", "C2", "C4"] * 4 + ["C9", "", "  "]  # C9 unknown, blanks missing
CREATED = ["2024-04-01 10:00", "01.04.2024 09:30", "2024-04-01T09:00:00+03:00"] * 4 + ["31.02.2024", "", "вчера"]
PRIORITY = ["1", "2", "3", ""] * 3 + ["4", "x"]
CHANNEL = ["email", "onebox"] * 4 + ["fax", "1"]
ticket_rows = st.lists(st.tuples(st.integers(0, 8), st.sampled_from(CLIENTS), st.sampled_from(CREATED),
                                 st.sampled_from(PRIORITY), st.sampled_from(CHANNEL)), min_size=1, max_size=25)


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory, _sqlite_template):
    path = tmp_path_factory.mktemp("fuzz-template") / "seeded.db"
    shutil.copyfile(_sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    seed(engine)
    engine.dispose()
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ticket_rows, chunk_rows=st.sampled_from([None, 1, 3]))
def test_rows_in_the_file_equal_rows_stored_plus_rows_quarantined(tmp_path, seeded_template, rows, chunk_rows):
    db = tmp_path / f"fuzz-{len(list(tmp_path.iterdir()))}.db"
    shutil.copyfile(seeded_template, db)
    engine = make_engine(f"sqlite:///{db}")
    text_ = io.StringIO()
    writer = csv.writer(text_)
    writer.writerow(["ticket_id", "client_id", "created_at", "priority", "channel"])
    writer.writerows([(f"F{k}", c, t, p, ch) for k, c, t, p, ch in rows])
    path = db.with_suffix(".tickets.csv")
    path.write_text(text_.getvalue(), encoding="utf-8")

    load(engine, path, **({} if chunk_rows is None else {"chunk_rows": chunk_rows}))

    with path.open(encoding="utf-8", newline="") as handle:
        in_file = sum(1 for _ in csv.reader(handle)) - 1
    ids = sorted({f"F{k}" for k, *_ in rows})
    with engine.connect() as conn:
        stored_keys = conn.scalar(select(func.count()).select_from(Ticket).where(Ticket.ticket_id.in_(ids)))
        quarantined = conn.scalar(select(func.count(func.distinct(QuarantineRow.row)))
                                  .where(QuarantineRow.path.like(f"%{path.name}")))
    engine.dispose()
    assert in_file == len(rows)
    assert in_file == stored_keys + quarantined, (in_file, stored_keys, quarantined)


# the clock columns a re-load may legitimately move; every other column of every table must stay the same
CLOCK_COLUMNS = {"computed_at", "updated_at"}
OPERATIONAL = {"ingest_runs", "quarantine", "audit_log", "users"}


def _snapshot(engine) -> dict[str, list[tuple]]:
    from store.models import Base

    out = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in OPERATIONAL:
                continue
            columns = [c for c in table.columns if c.name not in CLOCK_COLUMNS and c.name != "id"]
            out[table.name] = sorted(map(tuple, conn.execute(select(*columns)).all()), key=repr)
    return out


def test_reloading_a_whole_folder_changes_no_table_derived_ones_included(tmp_path, _sqlite_template, monkeypatch):
    from tests.integration.loader_files import BASE, write

    monkeypatch.setenv("QUALITY_NOW", "2024-06-03T10:00:00+00:00")  # open tickets' live SLA at one instant

    folder = tmp_path / "inputs"
    folder.mkdir()
    for path in BASE.iterdir():
        write(folder, path.name, path.read_text(encoding="utf-8"))
    write(folder, "ticket_pauses.csv", "ticket_id,paused_at,resumed_at,reason\n"
          "T1,2024-04-01T10:00:00+03:00,2024-04-01T11:00:00+03:00,waiting_client\n")
    write(folder, "worklog.csv", "ticket_id,staff,hours,work_date,work_type\nT1,S1,2,2024-04-01,support\n")
    shutil.copyfile(_sqlite_template, tmp_path / "q.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'q.db'}")
    first = load(engine, folder)
    assert sum(r.rejected for r in first) == 0, [r.errors for r in first]
    before = _snapshot(engine)
    assert before["ticket_sla"] and before["ticket_pauses"] and before["worklog"]
    load(engine, folder)
    after = _snapshot(engine)
    engine.dispose()
    assert {t: len(rows) for t, rows in after.items()} == {t: len(rows) for t, rows in before.items()}
    assert after == before
