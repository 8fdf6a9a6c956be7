"""Scheduled jobs (SPEC §11): the registry, the runner with its per-slot database lock, the schedulers.

`jobs.registry.JOBS` names every job with its schedule; `jobs.runner.run_due` runs what is due (catching
up missed slots) and `run_now` runs one at once. The embedded default runs them from one in-process
APScheduler (`jobs.embedded`); production from Celery beat + workers (`jobs.celery_app`). Both go through
`run_due`, so the `job_runs` row of a slot is the only lock and every job honours `QUALITY_NOW`.
"""
