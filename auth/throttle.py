"""Login rate limiting from the audit log, so every gunicorn worker sees the same counts.

A login is locked after `max_failures` failed attempts within `window` (counted since its last
successful login or admin unlock); an IP address is throttled after `max_ip_failures` failures
within `window` whatever the logins tried. Attempts refused by a lock are not counted as failures,
so a lock lifts `window` after the failure that triggered it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select

from store.models import AuditLog

MAX_FAILURES = 5
MAX_IP_FAILURES = 20
WINDOW = dt.timedelta(minutes=15)
FAILED, SUCCESS, UNLOCKED = "login_failed", "login", "login_unlocked"


@dataclass(frozen=True)
class Block:
    """Why a login attempt is refused before the password is checked, and until when (UTC)."""

    reason: str  # "login_locked" | "ip_throttled"
    until: dt.datetime


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes; everything is stored in UTC
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _lock_until(failure_times: list[dt.datetime], limit: int, window: dt.timedelta) -> dt.datetime | None:
    """With failures newest first: locked until the `limit`-th newest + window, if there are that many."""
    if len(failure_times) < limit:
        return None
    return _utc(failure_times[limit - 1]) + window


def login_block(
    engine: Engine,
    login: str,
    ip: str | None,
    now: dt.datetime,
    *,
    max_failures: int = MAX_FAILURES,
    max_ip_failures: int = MAX_IP_FAILURES,
    window: dt.timedelta = WINDOW,
) -> Block | None:
    """The reason an attempt for `login` from `ip` at `now` is refused, or None when allowed."""
    since = now - window
    with engine.connect() as conn:
        events = conn.execute(
            select(AuditLog.action, AuditLog.at)
            .where(AuditLog.login == login, AuditLog.at >= since, AuditLog.action.in_((FAILED, SUCCESS, UNLOCKED)))
            .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        ).all()
        ip_failures = (
            conn.scalars(
                select(AuditLog.at)
                .where(AuditLog.ip == ip, AuditLog.at >= since, AuditLog.action == FAILED)
                .order_by(AuditLog.at.desc())
                .limit(max_ip_failures)
            ).all()
            if ip
            else []
        )
    login_failures = []
    for action, at in events:
        if action != FAILED:
            break
        login_failures.append(at)
    until = _lock_until(login_failures, max_failures, window)
    if until is not None and until > now:
        return Block("login_locked", until)
    until = _lock_until(list(ip_failures), max_ip_failures, window)
    if until is not None and until > now:
        return Block("ip_throttled", until)
    return None
