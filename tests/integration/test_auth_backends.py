"""Users, lockout counting and a log-in round trip on SQLite and PostgreSQL (`engine` fixture)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from app import create_app
from auth.throttle import login_block
from auth.users import create_user, get_user, list_users, set_active
from config import Config
from store.models import AuditLog
from tests.integration.callback_harness import login

NOW = dt.datetime(2024, 4, 27, 12, 0, tzinfo=dt.timezone.utc)


def add_events(engine, events: list[tuple[str, str, int, str]]) -> None:
    """(login, action, minutes before NOW, ip) audit rows."""
    with engine.begin() as conn:
        conn.execute(insert(AuditLog), [
            {"login": name, "action": action, "at": NOW - dt.timedelta(minutes=minutes), "ip": ip}
            for name, action, minutes, ip in events
        ])


def test_five_recent_failures_lock_the_login_until_15_minutes_after_the_fifth_newest(engine):
    add_events(engine, [("ann", "login_failed", m, "10.0.0.1") for m in (1, 2, 3, 4, 6)])
    block = login_block(engine, "ann", "10.0.0.9", NOW)
    assert block.reason == "login_locked"
    assert block.until == NOW - dt.timedelta(minutes=6) + dt.timedelta(minutes=15)


def test_failures_before_the_last_success_do_not_count(engine):
    add_events(engine, [("ann", "login_failed", m, "10.0.0.1") for m in (1, 2, 3, 4)]
               + [("ann", "login", 5, "10.0.0.1")]
               + [("ann", "login_failed", m, "10.0.0.1") for m in (6, 7)])
    assert login_block(engine, "ann", "10.0.0.1", NOW) is None


def test_failures_older_than_the_window_do_not_count(engine):
    add_events(engine, [("ann", "login_failed", m, "10.0.0.1") for m in (1, 2, 3, 4, 16)])
    assert login_block(engine, "ann", "10.0.0.1", NOW) is None


def test_an_address_with_twenty_recent_failures_is_throttled(engine):
    add_events(engine, [(f"user{m}", "login_failed", m % 14, "10.0.0.7") for m in range(20)])
    assert login_block(engine, "someone", "10.0.0.7", NOW).reason == "ip_throttled"
    assert login_block(engine, "someone", "10.0.0.8", NOW) is None


def test_user_round_trip(engine):
    create_user(engine, "Ann", "long-password", "service_manager", name="Анна")
    set_active(engine, "ann", False)
    user = get_user(engine, "ANN")
    assert (user.login, user.role, user.name, user.active) == ("ann", "service_manager", "Анна", False)
    assert [u.login for u in list_users(engine)] == ["ann"]


def test_login_and_lockout_through_the_app(engine, tmp_path):
    app = create_app(Config(database_url=engine.url.render_as_string(hide_password=False), testing=True,
                            secret_key="test"), engine=engine)
    client = app.server.test_client()
    assert login(client, "manager").status_code == 302
    other = app.server.test_client()
    for _ in range(5):
        assert login(other, "admin", "wrong").status_code == 401
    assert login(other, "admin").status_code == 429
