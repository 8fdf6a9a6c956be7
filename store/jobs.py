"""Job runs (SPEC §11): one row per (job, due slot) is the lock that keeps two processes from running a job twice.

`claim` inserts the slot's row in its own transaction; the unique constraint makes the second of two
concurrent claims fail (SQLite serializes writers, PostgreSQL blocks the second insert until the first
commits, then raises), so exactly one process runs the slot. A failed slot, or one still `running` after
`STALE_RUNNING` (its process died), may be claimed again: one conditional UPDATE, which only one process wins.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from store import clock
from store.frames import read_frame
from store.models import JobRun

MANUAL_PREFIX = "manual:"
STALE_RUNNING = pd.Timedelta(hours=6)  # no job runs this long; a row still running is from a dead process


def _reclaimable(now: dt.datetime):
    stale = now - STALE_RUNNING.to_pytimedelta()
    return (JobRun.outcome == "failed") | ((JobRun.outcome == "running") & (JobRun.started_at < stale))


def claim(engine: Engine, job: str, slot: str) -> int | None:
    """Claim `slot` of `job`: the id of the new `running` row, or None when another process has it (or it ran)."""
    now = clock.now_datetime()
    try:
        with engine.begin() as conn:
            return int(conn.execute(insert(JobRun).values(job=job, slot=slot, started_at=now, outcome="running")
                                    .returning(JobRun.id)).scalar_one())
    except IntegrityError:
        pass
    with engine.begin() as conn:
        retried = conn.execute(update(JobRun).where(JobRun.job == job, JobRun.slot == slot, _reclaimable(now))
                               .values(outcome="running", started_at=now, finished_at=None, detail=None))
        if retried.rowcount != 1:
            return None
        return int(conn.execute(select(JobRun.id).where(JobRun.job == job, JobRun.slot == slot)).scalar_one())


def finish(engine: Engine, run_id: int, outcome: str, detail: str) -> None:
    """Record the end of a claimed run: outcome ok | failed and a one-paragraph detail."""
    with engine.begin() as conn:
        conn.execute(update(JobRun).where(JobRun.id == run_id)
                     .values(outcome=outcome, detail=detail[:4000], finished_at=clock.now_datetime()))


def last_slot(engine: Engine, job: str) -> str | None:
    """The newest scheduled (not manual) slot of `job` that ran or is running; failed and stale slots are due again."""
    with engine.connect() as conn:
        return conn.scalar(select(func.max(JobRun.slot))
                           .where(JobRun.job == job, ~_reclaimable(clock.now_datetime()),
                                  JobRun.slot.not_like(f"{MANUAL_PREFIX}%")))


def last_runs(engine: Engine) -> pd.DataFrame:
    """The newest run of each job: `job, slot, started_at, finished_at, outcome, detail` (UTC)."""
    newest = select(JobRun.job, func.max(JobRun.started_at).label("started_at")).group_by(JobRun.job).subquery()
    query = (select(JobRun.job, JobRun.slot, JobRun.started_at, JobRun.finished_at, JobRun.outcome, JobRun.detail)
             .join(newest, (newest.c.job == JobRun.job) & (newest.c.started_at == JobRun.started_at)))
    with engine.connect() as conn:
        runs = read_frame(conn, query)
    return runs.drop_duplicates("job", keep="last").set_index("job")


def runs_of(engine: Engine, job: str) -> pd.DataFrame:
    """Every run of `job`, oldest first."""
    with engine.connect() as conn:
        return read_frame(conn, select(JobRun).where(JobRun.job == job).order_by(JobRun.started_at, JobRun.id))


def slot_key(moment: dt.datetime | pd.Timestamp) -> str:
    """The text of a due slot: its UTC instant, ISO 8601 to the minute (sortable)."""
    return pd.Timestamp(moment).tz_convert("UTC").strftime("%Y-%m-%dT%H:%MZ")
