"""Sessions of a production app (issue 18, finding 5; SPEC §8).

* Sessions are stored on the server (database in the embedded default, Redis in production):
  log-out and a password change end them, and a cookie copied before log-out opens nothing.
* Production cookies are Secure, HttpOnly, SameSite=Lax; log-out is a POST with the CSRF token.
* The client address comes from `PROXY_COUNT` trusted proxies only; failed log-ins are limited
  per address and per login (Flask-Limiter), so one address's failures do not lock out the others.
"""
from __future__ import annotations

import pytest
import redis
from sqlalchemy import func, select

from auth.sessions import digest
from auth.users import create_user, set_active, set_password
from store.models import AuditLog, UserSession
from tests.integration.callback_harness import (
    app_engine,
    logged_in_client,
    login,
    logout,
    make_app,
)

LAYOUT = "/_dash-layout"


@pytest.fixture()
def app(tmp_path):
    return make_app(tmp_path)


def _stolen_copy(app, client):
    """A second browser holding a copy of `client`'s session cookie."""
    thief = app.server.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _stored_sessions(app) -> int:
    with app_engine(app).connect() as conn:
        return conn.scalar(select(func.count()).select_from(UserSession))


def test_a_cookie_copied_before_logout_opens_nothing_after_it(app):
    client = logged_in_client(app, "partner")
    thief = _stolen_copy(app, client)
    assert thief.get(LAYOUT).status_code == 200
    assert logout(client).headers["Location"] == "/login?m=logged_out"
    assert thief.get(LAYOUT).status_code == 401
    assert client.get(LAYOUT).status_code == 401


def test_the_cookie_holds_a_token_and_the_session_lives_in_the_database(app):
    client = logged_in_client(app, "partner")
    token = client.get_cookie("session").value
    assert "." not in token and len(token) >= 40  # not a signed copy of the session data
    assert _stored_sessions(app) >= 1


@pytest.mark.parametrize("change", ["password", "disable"])
def test_password_change_or_disabling_deletes_the_users_stored_sessions(app, change):
    client = logged_in_client(app, "manager")
    thief = _stolen_copy(app, client)
    if change == "password":
        set_password(app_engine(app), "manager", "a much longer one")
    else:
        set_active(app_engine(app), "manager", False)
    with app_engine(app).connect() as conn:
        assert conn.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id.isnot(None))) == 0
    assert thief.get(LAYOUT).status_code == 401


def test_logout_by_get_or_without_the_csrf_token_does_nothing(app):
    client = logged_in_client(app, "partner")
    client.get("/logout")  # a link or an image cannot log a user out
    assert client.get(LAYOUT).status_code == 200
    assert client.post("/logout", data={}).status_code == 400
    assert client.get(LAYOUT).status_code == 200


def test_demo_cookie_is_http_only_and_same_site_lax(app):
    client = app.server.test_client()
    header = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header


@pytest.fixture()
def production_app(tmp_path):
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis at 127.0.0.1:6379 is not reachable: {error}")
    app = make_app(tmp_path, mode="production")
    create_user(app_engine(app), "boss", "long-enough-1", "management")
    return app


def test_production_cookies_are_secure_and_sessions_live_in_redis(production_app):
    client = production_app.server.test_client()
    header = client.get("/login", base_url="https://pqm.example").headers["Set-Cookie"]
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
    response = login(client, "boss", "long-enough-1")
    assert response.status_code == 302
    assert _stored_sessions(production_app) == 0  # not in the database: in Redis
    thief = _stolen_copy(production_app, client)
    assert thief.get(LAYOUT).status_code == 200
    logout(client)
    assert thief.get(LAYOUT).status_code == 401


def _fail(client, name: str, address: str):
    return login(client, name, "wrong", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                 headers={"X-Forwarded-For": address})


def test_behind_one_proxy_failures_of_one_address_do_not_lock_out_the_others(tmp_path):
    app = make_app(tmp_path, proxy_count=1, login_rate_per_address="3 per minute")
    attacker = app.server.test_client()
    statuses = [_fail(attacker, f"nobody{i}", "203.0.113.7").status_code for i in range(5)]
    assert statuses[:3] == [401, 401, 401] and statuses[3:] == [429, 429]
    assert "Слишком много попыток" in _fail(attacker, "nobody9", "203.0.113.7").get_data(as_text=True)
    colleague = app.server.test_client()
    response = login(colleague, "admin", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                     headers={"X-Forwarded-For": "198.51.100.4"})
    assert response.status_code == 302
    with app_engine(app).connect() as conn:
        ips = set(conn.scalars(select(AuditLog.ip)))
    assert ips == {"203.0.113.7", "198.51.100.4"}


def test_without_a_configured_proxy_the_forwarded_header_is_ignored(tmp_path):
    app = make_app(tmp_path, login_rate_per_address="3 per minute")
    client = app.server.test_client()
    statuses = [_fail(client, "nobody", f"203.0.113.{i}").status_code for i in range(4)]
    assert statuses[-1] == 429  # a forged header does not buy a fresh address


def test_failed_logins_are_limited_per_login_across_addresses(tmp_path):
    app = make_app(tmp_path, proxy_count=1, login_rate_per_login="3 per minute")
    client = app.server.test_client()
    responses = [_fail(client, "admin", f"203.0.113.{i}") for i in range(4)]
    assert [r.status_code for r in responses] == [401, 401, 401, 429]
    assert "Подождите минуту" in responses[-1].get_data(as_text=True)
    assert _fail(client, "manager", "203.0.113.99").status_code == 401


def _request_in_flight(app, client):
    """A request of `client`'s browser that has read its session and is still running (a slow callback)."""
    interface = app.server.session_interface
    context = app.server.test_request_context(LAYOUT, headers={"Cookie": f"session={client.get_cookie('session').value}"})
    return interface, interface.open_session(app.server, context.request)


def _finish(app, interface, slow) -> None:
    """The in-flight request ends: it refreshes its last-seen time (what the guard writes once a minute) and saves."""
    slow["seen"] = slow.get("seen", 0) + 61
    interface.save_session(app.server, slow, app.server.response_class())


def test_a_slow_request_saving_its_session_keeps_a_language_switched_meanwhile(app):
    """Each request writes only what it changed: the callback that read the session before the switch to English
    updates its last-seen time without putting Russian back (every page of a test run came back in Russian)."""
    client = logged_in_client(app, "partner")
    interface, slow = _request_in_flight(app, client)
    assert client.get("/lang/en?next=/").status_code == 302
    _finish(app, interface, slow)
    stored = interface.store.load(digest(client.get_cookie("session").value))
    assert stored["lang"] == "en" and stored["seen"] == slow["seen"]
    assert client.get(LAYOUT).status_code == 200


def test_a_request_in_flight_during_logout_does_not_bring_the_ended_session_back(app):
    """A session ended while a request of it was running stays ended: its save does not write the record again,
    so a copy of the old cookie opens nothing."""
    client = logged_in_client(app, "partner")
    thief = _stolen_copy(app, client)
    interface, slow = _request_in_flight(app, client)
    logout(client)
    _finish(app, interface, slow)
    assert thief.get(LAYOUT).status_code == 401


def test_in_redis_too_a_slow_request_keeps_the_language_and_a_logged_out_session_stays_ended(production_app):
    client = production_app.server.test_client()
    assert login(client, "boss", "long-enough-1").status_code == 302
    interface, slow = _request_in_flight(production_app, client)
    assert client.get("/lang/en?next=/").status_code == 302
    _finish(production_app, interface, slow)
    assert interface.store.load(digest(client.get_cookie("session").value))["lang"] == "en"
    thief = _stolen_copy(production_app, client)
    interface, slow = _request_in_flight(production_app, client)
    logout(client)
    _finish(production_app, interface, slow)
    assert thief.get(LAYOUT).status_code == 401
