"""The named jobs and their schedules (SPEC §11); times are wall-clock Europe/Moscow."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from config import Config

SCHEDULE_TZ = "Europe/Moscow"
JobFunction = Callable[[Engine, pd.Timestamp, Config], str]


@dataclass(frozen=True)
class Job:
    """A job: `cron` fields (minute, hour, day …) in `SCHEDULE_TZ`, how many missed slots to catch up, the work.

    `run(engine, slot, config) -> detail` must be idempotent: running a slot twice changes nothing more.
    """

    name: str
    cron: dict[str, str]
    catch_up: int
    run: JobFunction
    window: pd.Timedelta  # how far back missed slots are looked for
    description: str = ""
    trigger: CronTrigger = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "trigger", CronTrigger(timezone=SCHEDULE_TZ, **self.cron))


def _jobs() -> dict[str, Job]:
    from jobs.consistency import consistency_nightly
    from jobs.digests import digests_daily
    from jobs.mailer import outbox_send
    from jobs.programs import kkv_daily, quality_program_monthly

    jobs = [
        # seed 000: «Присвоение/снятие компетенции производится автоматически 1го числа каждого месяца»
        Job("quality_program_monthly", {"day": "1", "hour": "0", "minute": "30"}, 12, quality_program_monthly,
            pd.Timedelta(days=370),
            "Quality Program competence on the 1st"),
        Job("kkv_daily", {"hour": "0", "minute": "45"}, 1, kkv_daily, pd.Timedelta(days=2), "KKV expiry and renewal states"),
        Job("digests_daily", {"hour": "8", "minute": "0"}, 1, digests_daily, pd.Timedelta(days=2), "notification digests"),
        Job("consistency_nightly", {"hour": "3", "minute": "15"}, 1, consistency_nightly, pd.Timedelta(days=2),
            "stored rollups equal a recomputation"),
        Job("outbox_send", {"minute": "*"}, 1, outbox_send, pd.Timedelta(minutes=5), "deliver queued e-mail"),
    ]
    return {job.name: job for job in jobs}


JOBS: dict[str, Job] = {}


def jobs() -> dict[str, Job]:
    """Every job by name (built on first use: the job modules import reports and stores)."""
    if not JOBS:
        JOBS.update(_jobs())
    return JOBS
