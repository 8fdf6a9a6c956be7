"""Log-in, lockout, sessions, log-out, audit and demo users (SPEC §8)."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select, update

from auth.passwords import hash_password, verify_password
from auth.users import DEMO_LOGINS, get_user, list_users, set_active, set_password
from store.models import AuditLog
from tests.integration.callback_harness import app_engine, csrf_token, logged_in_client, login, logout, make_app


@pytest.fixture()
def app(tmp_path):
    return make_app(tmp_path)


def audit_actions(app, login_name=None) -> list[str]:
    stmt = select(AuditLog.action).order_by(AuditLog.id)
    if login_name is not None:
        stmt = stmt.where(AuditLog.login == login_name)
    with app_engine(app).connect() as conn:
        return list(conn.scalars(stmt))


def test_password_hash_is_argon2id_and_verifies_only_the_same_password():
    hashed = hash_password("correct horse")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse")
    assert not verify_password(hashed, "correct horsE")


def test_malformed_or_missing_hash_never_verifies():
    assert not verify_password("not-a-hash", "x")
    assert not verify_password(None, "not-a-real-password")


def test_page_without_login_redirects_to_login_keeping_the_target(app):
    response = app.server.test_client().get("/trends?period=q1", headers={"Accept": "text/html"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/trends?period=q1"


def test_login_form_is_russian_by_default_with_demo_hint(app):
    page = app.server.test_client().get("/login").get_data(as_text=True)
    assert "Монитор качества партнёров" in page and "Пароль" in page
    assert "пароль demo" in page


def test_demo_login_redirects_to_the_requested_page(app):
    client = app.server.test_client()
    response = login(client, "manager", next_="/meeting")
    assert response.status_code == 302 and response.headers["Location"] == "/meeting"
    assert client.get("/").status_code == 200


def test_logins_are_case_insensitive(app):
    assert login(app.server.test_client(), "  Admin ").status_code == 302


def test_login_never_redirects_off_site(app):
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = login(app.server.test_client(), "admin", next_=target)
        assert response.headers["Location"] == "/"


def test_login_without_csrf_token_is_refused(app):
    client = app.server.test_client()
    client.get("/login")
    response = client.post("/login", data={"login": "admin", "password": "demo", "csrf_token": "forged"})
    assert response.status_code == 400
    assert "Форма устарела" in response.get_data(as_text=True)
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 302


def test_wrong_password_is_refused_plainly_and_audited(app):
    response = login(app.server.test_client(), "admin", "wrong")
    assert response.status_code == 401
    assert "Неверный логин или пароль." in response.get_data(as_text=True)
    assert audit_actions(app, "admin") == ["login_failed"]
    assert get_user(app_engine(app), "admin").id  # the user row still exists


def test_unknown_login_gets_the_same_message_as_a_wrong_password(app):
    response = login(app.server.test_client(), "nobody", "demo")
    assert response.status_code == 401
    assert "Неверный логин или пароль." in response.get_data(as_text=True)


def test_login_locks_after_five_failures_even_with_the_right_password(app):
    client = app.server.test_client()
    for _ in range(5):
        assert login(client, "admin", "wrong").status_code == 401
    response = login(client, "admin", "demo")
    assert response.status_code == 429
    assert "Слишком много неудачных попыток входа для этого логина" in response.get_data(as_text=True)
    assert audit_actions(app, "admin")[-1] == "login_locked"
    assert get_user(app_engine(app), "admin").locked_until is not None


def test_lock_lifts_when_the_failures_are_older_than_15_minutes(app):
    client = app.server.test_client()
    for _ in range(5):
        login(client, "admin", "wrong")
    with app_engine(app).begin() as conn:
        conn.execute(update(AuditLog).values(at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=16)))
    assert login(client, "admin", "demo").status_code == 302


def test_successful_login_resets_the_failure_count(app):
    client = app.server.test_client()
    for _ in range(4):
        login(client, "admin", "wrong")
    assert login(client, "admin", "demo").status_code == 302
    logout(client)
    for _ in range(4):
        login(client, "admin", "wrong")
    assert login(client, "admin", "demo").status_code == 302


def test_an_address_is_throttled_after_many_failures_over_any_logins(app):
    app.server.config["LOGIN_IP_MAX_FAILURES"] = 3
    client = app.server.test_client()
    for name in ("a1", "a2", "a3"):
        login(client, name, "wrong")
    response = login(client, "admin", "demo")
    assert response.status_code == 429
    assert "с вашего адреса" in response.get_data(as_text=True)


def test_session_is_permanent_with_the_configured_lifetime(tmp_path):
    app = make_app(tmp_path, session_minutes=30)
    assert app.server.permanent_session_lifetime == dt.timedelta(minutes=30)
    client = logged_in_client(app, "admin")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.expires is not None


def test_idle_session_expires_and_the_user_must_log_in_again(tmp_path):
    app = make_app(tmp_path, session_minutes=30)
    client = logged_in_client(app, "admin")
    with client.session_transaction() as session:
        session["seen"] = time.time() - 31 * 60
    response = client.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "session_expired" in audit_actions(app, "admin")


def test_active_session_within_the_idle_limit_stays(tmp_path):
    app = make_app(tmp_path, session_minutes=30)
    client = logged_in_client(app, "admin")
    with client.session_transaction() as session:
        session["seen"] = time.time() - 29 * 60
    assert client.get("/").status_code == 200


def test_logout_ends_the_session_and_is_audited(app):
    client = logged_in_client(app, "partner")
    response = logout(client)
    assert response.headers["Location"] == "/login?m=logged_out"
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 302
    assert audit_actions(app, "partner") == ["login", "logout"]


def test_changing_the_password_ends_existing_sessions(app):
    client = logged_in_client(app, "admin")
    set_password(app_engine(app), "admin", "a much longer one")
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 302


def test_disabled_user_is_logged_out_and_cannot_log_in(app):
    client = logged_in_client(app, "manager")
    set_active(app_engine(app), "manager", False)
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 302
    assert login(app.server.test_client(), "manager").status_code == 401


def test_demo_logins_exist_one_per_role_in_demo_mode(app):
    users = {u.login: u for u in list_users(app_engine(app))}
    assert {login_name: users[login_name].role for login_name in DEMO_LOGINS} == DEMO_LOGINS
    assert users["partner"].partner_id == "P0001"


def test_production_mode_creates_no_demo_logins(tmp_path):
    app = make_app(tmp_path, mode="production")
    assert list_users(app_engine(app)) == []
    assert login(app.server.test_client(), "admin", "demo").status_code == 401
    assert "пароль demo" not in app.server.test_client().get("/login").get_data(as_text=True)


def test_language_switch_is_kept_in_the_session(app):
    client = app.server.test_client()
    response = client.get("/lang/en?next=/login")
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert "Partner Quality Monitor" in page and "Password" in page


def test_csrf_token_is_per_session(app):
    assert csrf_token(app.server.test_client()) != csrf_token(app.server.test_client())


def test_unexpected_server_error_shows_a_plain_page_without_traceback(app):
    @app.server.get("/boom-test")
    def boom():
        raise RuntimeError("secret internals")

    client = logged_in_client(app, "admin")
    response = client.get("/boom-test")
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Что-то пошло не так" in text
    assert "secret internals" not in text and "Traceback" not in text


def test_csv_export_of_a_grid_is_audited(app):
    client = logged_in_client(app, "management")
    body = {
        "output": '{"name":["MATCH"],"type":"data-grid"}.exportDataAsCsv',
        "outputs": {"id": {"name": "home-counts", "type": "data-grid"}, "property": "exportDataAsCsv"},
        "inputs": [{"id": {"name": "home-counts", "type": "data-grid-csv"}, "property": "n_clicks", "value": 1}],
        "changedPropIds": ['{"name":"home-counts","type":"data-grid-csv"}.n_clicks'],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.get_json()["response"] == {'{"name":"home-counts","type":"data-grid"}': {"exportDataAsCsv": True}}
    with app_engine(app).connect() as conn:
        rows = conn.execute(select(AuditLog.login, AuditLog.action, AuditLog.detail).where(AuditLog.action == "export")).all()
    assert rows == [("management", "export", "csv grid home-counts")]
