"""Running jobs: due slots from the schedule, catch-up after downtime, one run per slot across processes.

`due_slots(job, now, last)`: the schedule's fire times after the last claimed slot up to `now` (at most
`job.catch_up` of them, the newest; only the newest when the job never ran). `run_due` claims each slot
(`store.jobs.claim`) and runs it; a failure is recorded, alerts the admins, and may be claimed again.
"""
from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from config import Config
from jobs.registry import Job, jobs
from store import clock
from store import jobs as runs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunResult:
    job: str
    slot: str
    outcome: str  # ok | failed | skipped (another process has the slot)
    detail: str
    seconds: float


def due_slots(job: Job, now: pd.Timestamp, last: str | None) -> list[pd.Timestamp]:
    """Fire times of `job` in (last, now], oldest first: the newest `job.catch_up` (1 when never run)."""
    limit = job.catch_up if last else 1
    horizon = max(pd.Timestamp(last), now - job.window) if last else now - job.window
    fires: list[pd.Timestamp] = []
    fire = job.trigger.get_next_fire_time(None, horizon.to_pydatetime())
    while fire is not None and pd.Timestamp(fire) <= now:
        stamp = pd.Timestamp(fire).tz_convert("UTC")
        if last is None or runs.slot_key(stamp) > last:
            fires.append(stamp)
        fire = job.trigger.get_next_fire_time(fire, fire + pd.Timedelta(seconds=1).to_pytimedelta())
        if len(fires) > limit:
            fires.pop(0)
    return fires


def next_run(job: Job, now: pd.Timestamp) -> pd.Timestamp:
    """The next fire time of `job` after `now` (UTC)."""
    fire = job.trigger.get_next_fire_time(None, (now + pd.Timedelta(seconds=1)).to_pydatetime())
    return pd.Timestamp(fire).tz_convert("UTC")


def run_slot(engine: Engine, job: Job, slot_key: str, slot: pd.Timestamp, config: Config) -> RunResult:
    """Claim and run one slot; `skipped` when another process holds it."""
    run_id = runs.claim(engine, job.name, slot_key)
    if run_id is None:
        return RunResult(job.name, slot_key, "skipped", "", 0.0)
    started = time.perf_counter()
    try:
        detail, outcome = job.run(engine, slot, config), "ok"
    except Exception as exc:
        log.exception("job %s slot %s failed", job.name, slot_key)
        detail, outcome = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}", "failed"
    runs.finish(engine, run_id, outcome, detail)
    if outcome == "failed":
        from jobs.digests import alert_failed_job

        alert_failed_job(engine, job.name, slot_key, detail, config)
    return RunResult(job.name, slot_key, outcome, detail, time.perf_counter() - started)


def run_due(engine: Engine, config: Config, names: list[str] | None = None) -> list[RunResult]:
    """Run every due slot of the named jobs (default: all), catching up missed slots; at `clock.now()`."""
    now = clock.now()
    results: list[RunResult] = []
    for name, job in jobs().items():
        if names is not None and name not in names:
            continue
        for slot in due_slots(job, now, runs.last_slot(engine, name)):
            results.append(run_slot(engine, job, runs.slot_key(slot), slot, config))
    return results


def run_now(engine: Engine, config: Config, name: str) -> RunResult:
    """Run `name` at once for the current instant (its own `manual:` slot; the job itself is idempotent)."""
    job = jobs()[name]
    now = clock.now()
    latest = due_slots(job, now, None)
    slot = latest[-1] if latest else now
    return run_slot(engine, job, f"{runs.MANUAL_PREFIX}{now.isoformat()}", slot, config)


def job_table(engine: Engine) -> list[dict]:
    """Each job: name, description, last run (slot, start, finish, duration, outcome, detail) and next run."""
    now = clock.now()
    last = runs.last_runs(engine)
    table = []
    for name, job in jobs().items():
        row = last.loc[name] if name in last.index else None
        started = None if row is None else pd.Timestamp(row["started_at"])
        finished = None if row is None or pd.isna(row["finished_at"]) else pd.Timestamp(row["finished_at"])
        table.append({
            "name": name, "description": job.description,
            "last_run": None if started is None else started.isoformat(),
            "finished": None if finished is None else finished.isoformat(),
            "duration_s": None if finished is None else round((finished - started).total_seconds(), 3),
            "outcome": None if row is None else row["outcome"],
            "detail": None if row is None else row["detail"],
            "next_run": next_run(job, now).isoformat(),
        })
    return table
