"""Scheduled jobs (SPEC §11): one run per slot across processes, catch-up after downtime, QUALITY_NOW, CLI."""
from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, func, insert, select

import cli
from config import Config
from jobs.registry import jobs
from jobs.runner import due_slots, run_due
from store.models import AuditLog, JobRun

ROOT = Path(__file__).resolve().parents[2]
MONTHLY = "quality_program_monthly"


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _scheduler_process(url: str, now: str, barrier, results) -> None:
    """One scheduler process: wait for the other, then run what is due for the monthly job."""
    os.environ["QUALITY_NOW"] = now
    from store.db import make_engine

    engine = make_engine(url)
    barrier.wait(timeout=60)
    outcome = run_due(engine, Config(database_url=url), [MONTHLY])
    results.put([(r.slot, r.outcome) for r in outcome])
    engine.dispose()


def _evaluations(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "evaluate"))


def test_monthly_evaluation_runs_once_when_two_scheduler_processes_start_together(engine, monkeypatch):
    now = "2026-12-01T00:31:00+03:00"  # one minute after the 1st's 00:30 Moscow slot
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [context.Process(target=_scheduler_process, args=(_url(engine), now, barrier, results))
                 for _ in range(2)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    flat = sorted(o for per_process in outcomes for o in per_process)
    # the other process either lost the claim (skipped) or already saw the slot taken (nothing due)
    assert [o for o in flat if o[1] != "skipped"] == [("2026-11-30T21:30Z", "ok")]
    with engine.connect() as conn:
        rows = conn.execute(select(JobRun.slot, JobRun.outcome).where(JobRun.job == MONTHLY)).all()
    assert rows == [("2026-11-30T21:30Z", "ok")]
    assert _evaluations(engine) == 1


def test_scheduler_catches_up_every_missed_first_of_the_month(engine, monkeypatch):
    with engine.begin() as conn:  # the last evaluated slot: 1 October 2026, 00:30 Moscow
        conn.execute(insert(JobRun).values(job=MONTHLY, slot="2026-09-30T21:30Z", outcome="ok",
                                           started_at=dt.datetime(2026, 9, 30, 21, 30, tzinfo=dt.UTC)))
    monkeypatch.setenv("QUALITY_NOW", "2026-12-02T10:00:00+03:00")  # down since before 1 November
    results = run_due(engine, Config(database_url=_url(engine)), [MONTHLY])
    assert [(r.slot, r.outcome) for r in results] == [("2026-10-31T21:30Z", "ok"), ("2026-11-30T21:30Z", "ok")]
    assert _evaluations(engine) == 2
    assert run_due(engine, Config(database_url=_url(engine)), [MONTHLY]) == []  # idempotent: nothing due now


def test_a_job_that_never_ran_runs_only_its_latest_slot():
    import pandas as pd

    job = jobs()[MONTHLY]
    slots = due_slots(job, pd.Timestamp("2026-12-15T12:00:00Z"), None)
    assert [s.isoformat() for s in slots] == ["2026-11-30T21:30:00+00:00"]
    assert due_slots(job, pd.Timestamp("2026-11-30T21:29:00Z"), "2026-10-31T21:30Z") == []


def _cli(url: str, *args: str, now: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "QUALITY_NOW": now}
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False,
                          timeout=300)


def test_cli_runs_a_job_and_lists_last_and_next_run_at_quality_now(engine, monkeypatch, capsys):
    """`cli.main` in this process (QUALITY_NOW and DATABASE_URL from the environment, as a shell sets them);
    the refusal of an unknown job as a real subprocess: its exit code and message are what a shell sees."""
    url = _url(engine)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("QUALITY_NOW", "2026-11-30T12:00:00+03:00")
    assert cli.main(["jobs", "run", "kkv_daily"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert cli.main(["jobs", "list", "--json"]) == 0
    table = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert set(table) == set(jobs())
    assert table["kkv_daily"]["outcome"] == "ok"
    assert table["kkv_daily"]["last_run"].startswith("2026-11-30T09:00")  # QUALITY_NOW, not the wall clock
    assert table[MONTHLY]["next_run"] == "2026-11-30T21:30:00+00:00"  # 1 December 00:30 Moscow
    assert table[MONTHLY]["last_run"] is None
    unknown = _cli(url, "jobs", "run", "nope", now="2026-11-30T12:00:00+03:00")
    assert unknown.returncode == 2 and "unknown job" in unknown.stderr
    assert "Traceback" not in unknown.stderr
