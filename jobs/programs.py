"""Programme jobs: the monthly Quality Program evaluation (seed 000) and the daily KKV states (seed 001)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, delete, insert

from config import Config
from jobs.registry import SCHEDULE_TZ
from metrics.kkv import kkv_status
from store import clock
from store.models import KkvState
from store.program_queries import kkv_inputs
from store.workflows import apply_kkv_expiry


def quality_program_monthly(engine: Engine, slot: pd.Timestamp, config: Config) -> str:
    """Evaluate the month of the slot's Moscow date (the 1st 00:30 MSK is still the 31st in UTC).

    Reuses `cli.py evaluate` (`reports.programs.evaluate_month`, audited); re-running a month rewrites the
    same decisions.
    """
    from auth.audit import audit
    from reports.programs import evaluate_month

    month = slot.tz_convert(SCHEDULE_TZ).date().replace(day=1)
    with engine.begin() as conn:
        result = evaluate_month(conn, month, now=max(clock.now(), pd.Timestamp(month, tz="UTC")))
    summary = (f"quality program {result['month']}: held {result['held']}, "
               f"assigned {result['assigned']}, revoked {result['revoked']}")
    audit("evaluate", summary, login="scheduler", engine=engine)
    return summary


def kkv_daily(engine: Engine, slot: pd.Timestamp, config: Config) -> str:
    """Levels past their validity without an approved renewal are downgraded (seed 001, issue 17's workflow),
    then each partner's KKV state today (valid, expiring within 30 days, expired, renewal overdue) into `kkv_states`."""
    today = clock.now()
    downgraded = apply_kkv_expiry(engine, today)
    with engine.begin() as conn:
        partners = kkv_inputs(conn)["partners"]
        states = kkv_status(partners, today)
        rows = pd.DataFrame({
            "partner_id": states["partner_id"], "as_of": today.date(), "kkv_level": states["kkv_level"],
            "valid_until": states["kkv_valid_until"], "days_left": states["days_left"],
            "status": states["status"], "renewal_overdue": states["renewal_overdue"].astype(bool),
        }).astype(object)
        rows = rows.where(rows.notna(), None)
        conn.execute(delete(KkvState))
        if len(rows):
            conn.execute(insert(KkvState), rows.to_dict("records"))
    counts = states["status"].value_counts()
    return (f"{len(downgraded)} downgraded; {len(states)} partners: expiring {int(counts.get('expiring', 0))}, expired {int(counts.get('expired', 0))}, "
            f"renewal overdue {int(states['renewal_overdue'].sum())}")
