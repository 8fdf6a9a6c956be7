"""The embedded scheduler (SPEC §11): one in-process APScheduler that runs whatever is due every minute.

Started by `python app.py` (the embedded default, `QUALITY_SCHEDULER=0` turns it off), never by
`create_app` itself, so tests and gunicorn workers do not schedule. The first tick runs at once: a
scheduler that starts after downtime catches up (a missed 1st is evaluated at start). Several processes
may run it: the `job_runs` row of a slot lets only one of them run each slot.
"""
from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from config import Config
from jobs.runner import RunResult, run_due

log = logging.getLogger(__name__)
TICK_SECONDS = 60


def tick(engine: Engine, config: Config) -> list[RunResult]:
    """Run every due slot once; never raises (a failing job is recorded by the runner)."""
    try:
        results = run_due(engine, config)
    except Exception:
        log.exception("scheduler tick failed")
        return []
    for result in results:
        if result.outcome != "skipped" and result.job != "outbox_send":
            log.info("job %s slot %s: %s in %.1f s", result.job, result.slot, result.outcome, result.seconds)
    return results


def start_scheduler(engine: Engine, config: Config) -> BackgroundScheduler:
    """Start the background scheduler: one tick at once (catch-up), then one every minute."""
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(tick, args=(engine, config), id="catch-up")  # no trigger: runs once, now
    scheduler.add_job(tick, "interval", seconds=TICK_SECONDS, args=(engine, config), id="tick")
    scheduler.start()
    return scheduler
