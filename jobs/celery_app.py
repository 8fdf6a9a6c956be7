"""Production jobs (SPEC §11): a Celery app over Redis (`REDIS_URL`), beat with the schedule of `jobs.registry`.

    celery -A jobs.worker worker --loglevel=INFO         # `make worker`: runs jobs and background callbacks
    celery -A jobs.celery_app beat --loglevel=INFO       # `make beat`: exactly one per deployment

Beat sends `jobs.run_due(name)` at each job's cron time (Europe/Moscow) and a catch-up of every job at
start-up; the worker runs it through `jobs.runner.run_due`, so the `job_runs` row per slot keeps a slot
from running twice even when beat is restarted or two beats run by mistake. The Dash background
callbacks of the web processes use the same app (`CeleryManager`) and queue; `jobs.worker` builds the Dash
app once so that the worker knows those callbacks as tasks.
"""
from __future__ import annotations

from functools import lru_cache

from celery import Celery
from celery.schedules import crontab
from celery.signals import beat_init

from config import Config


@lru_cache(maxsize=4)
def celery_for(redis_url: str) -> Celery:
    """The Celery app over `redis_url` (broker and result backend), one per process and URL."""
    celery = Celery("quality", broker=redis_url, backend=redis_url)
    celery.conf.update(timezone="Europe/Moscow", enable_utc=True, task_acks_late=True, worker_prefetch_multiplier=1,
                       broker_connection_retry_on_startup=True, result_expires=86_400)
    return celery


CONFIG = Config.from_env()
app = celery_for(CONFIG.redis_url)


def _beat_schedule() -> dict:
    from jobs.registry import jobs

    return {
        name: {"task": "jobs.run_due", "schedule": crontab(**{
            {"day": "day_of_month"}.get(field, field): value for field, value in job.cron.items()}),
               "args": (name,)}
        for name, job in jobs().items()
    }


app.conf.beat_schedule = _beat_schedule()


@app.task(name="jobs.run_due")
def run_due_task(name: str | None = None) -> list[dict]:
    """Run the due slots of `name` (all jobs when None); the results as plain dicts."""
    from commands.common import configured_engine
    from jobs.runner import run_due

    engine = configured_engine(CONFIG)
    return [r.__dict__ for r in run_due(engine, CONFIG, None if name is None else [name])]


@beat_init.connect
def _catch_up_at_start(sender=None, **_kwargs) -> None:
    """Beat (re)started: queue one catch-up of every job (a missed 1st is evaluated now)."""
    run_due_task.delay(None)
