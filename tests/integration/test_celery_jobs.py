"""Production jobs through a real Celery worker process and Redis (SPEC §11): beat's task runs the job in the
worker, once per slot, honouring QUALITY_NOW."""
from __future__ import annotations

import os

from sqlalchemy import select

from jobs.celery_app import celery_for
from store.models import JobRun
from tests.celery_worker import celery_worker
from tests.integration.test_production import require_redis


def test_a_beat_task_runs_the_job_in_the_worker_once_per_slot(engine, tmp_path):
    require_redis()
    url = engine.url.render_as_string(hide_password=False)
    with celery_worker(url, tmp_path / "uploads", tmp_path / "worker.log",
                       QUALITY_NOW="2026-12-01T00:31:00+03:00") as redis_url:
        celery = celery_for(redis_url)
        first = celery.send_task("jobs.run_due", args=["quality_program_monthly"]).get(timeout=120)
        second = celery.send_task("jobs.run_due", args=["quality_program_monthly"]).get(timeout=120)
    assert [(r["slot"], r["outcome"]) for r in first] == [("2026-11-30T21:30Z", "ok")]
    assert second == []  # the slot is taken: beat firing twice runs it once
    with engine.connect() as conn:
        assert conn.execute(select(JobRun.job, JobRun.slot, JobRun.outcome)).all() == [
            ("quality_program_monthly", "2026-11-30T21:30Z", "ok")]
    assert "QUALITY_NOW" not in os.environ  # the worker's clock came from its own environment
