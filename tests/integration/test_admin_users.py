"""Admin users page over HTTP: create, validate, role/partner, disable, one-time password, audit; roles."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from auth.users import get_user
from components.grid import grid_id
from store.admin_queries import audit_table
from store.models import AuditLog
from tests.integration.admin_app import PASSWORD, admin_app, call, logged_in, text_of

NEW_OUTPUTS = [("admin-users-new-message", "children"), (grid_id("admin-users"), "rowData"),
               (grid_id("admin-audit"), "rowData"), ("admin-users-pick", "options"),
               ("admin-users-new-password", "value")]
EDIT_OUTPUTS = [("admin-users-edit-message", "children"), (grid_id("admin-users"), "rowData"),
                (grid_id("admin-audit"), "rowData"), ("admin-users-pick", "options")]
BUTTONS = ("admin-users-save-role", "admin-users-disable", "admin-users-enable", "admin-users-reset")
USERS = '{"name":"admin-users","type":"data-grid"}'


@pytest.fixture()
def app(engine):
    return admin_app(engine)


@pytest.fixture()
def admin(app):
    return logged_in(app, "root")


def create(client, app, login, role, partner=None, password="long-enough-1", name="Ива"):
    status, response = call(client, app, NEW_OUTPUTS, [("admin-users-create", "n_clicks", 1)], [
        ("admin-users-new-login", "value", login), ("admin-users-new-name", "value", name),
        ("admin-users-new-role", "value", role), ("admin-users-new-partner", "value", partner),
        ("admin-users-new-password", "value", password)])
    return status, response


def edit(client, app, button, login, role=None, partner=None):
    inputs = [(b, "n_clicks", 1 if b == button else None) for b in BUTTONS]
    return call(client, app, EDIT_OUTPUTS, inputs, [("admin-users-pick", "value", login),
                                                    ("admin-users-role", "value", role),
                                                    ("admin-users-partner", "value", partner)],
                changed=BUTTONS.index(button))


def actions(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [(a, d) for a, d in conn.execute(select(AuditLog.action, AuditLog.detail)
                                                .where(AuditLog.action.like("user_%")).order_by(AuditLog.id))]


def test_admin_creates_a_partner_user_who_can_log_in(app, admin, engine):
    status, response = create(admin, app, "Ivan@Alpha", "partner", partner="P1")
    assert status == 200
    assert text_of(response["admin-users-new-message"]["children"]).startswith("Пользователь ivan@alpha создан.")
    assert response["admin-users-new-password"]["value"] == ""  # never echoed back
    row = next(r for r in response[USERS]["rowData"] if r["login"] == "ivan@alpha")
    assert (row["role"], row["partner_id"], row["active"], row["name"]) == ("партнёр", "P1", "да", "Ива")
    assert actions(engine) == [("user_create", "login=ivan@alpha role=partner partner=P1")]
    logged_in(app, "ivan@alpha", "long-enough-1")


INVALID_NEW_USERS = [  # (login, role, partner, password) -> the message shown
    (("", "admin", None, "long-enough-1"), "Укажите логин."),
    (("bob", "partner", None, "long-enough-1"), "Для роли «партнёр» выберите партнёра."),
    (("bob", "partner", "P404", "long-enough-1"), "Партнёра P404 нет в данных: загрузите файл partners."),
    (("bob", "management", "P1", "long-enough-1"), "Партнёр указывается только для роли «партнёр»."),
    (("bob", "superuser", None, "long-enough-1"), "Выберите роль."),
    (("bob", "management", None, "short"), "Пароль короче 8 символов."),
    (("ROOT", "management", None, "long-enough-1"), "Логин root уже занят."),
]


def test_invalid_new_user_gets_a_message_and_nothing_is_created(app, admin, engine):
    shown = []
    for (login, role, partner, password), _message in INVALID_NEW_USERS:
        status, response = create(admin, app, login, role, partner=partner, password=password)
        assert status == 200 and USERS not in response
        shown.append(text_of(response["admin-users-new-message"]["children"]).removesuffix(" warning"))
    assert shown == [message for _case, message in INVALID_NEW_USERS]
    assert get_user(engine, "bob") is None
    assert actions(engine) == []


def test_role_change_moves_a_partner_user_to_management(app, admin, engine):
    status, response = edit(admin, app, "admin-users-save-role", "alpha", role="management")
    assert text_of(response["admin-users-edit-message"]["children"]).startswith("Роль alpha: руководство.")
    user = get_user(engine, "alpha")
    assert (user.role, user.partner_id) == ("management", None)
    assert actions(engine) == [("user_role", "login=alpha role=management partner=-")]


def test_reset_password_shows_a_one_time_password_that_replaces_the_old_one(app, admin, engine):
    status, response = edit(admin, app, "admin-users-reset", "alpha")
    message = response["admin-users-edit-message"]["children"]
    password = message["props"]["children"][1]["props"]["children"]
    assert len(password) == 14
    logged_in(app, "alpha", password)
    old = app.server.test_client()
    from tests.integration.callback_harness import login

    assert login(old, "alpha", PASSWORD).status_code == 401
    assert actions(engine) == [("user_password_reset", "login=alpha")]
    assert password not in str(audit_table(engine.connect()).to_dict("records"))


def test_disabled_user_loses_the_session_and_enabling_restores_log_in(app, admin, engine):
    partner = logged_in(app, "alpha")
    edit(admin, app, "admin-users-disable", "alpha")
    assert partner.get("/_dash-layout").status_code == 401  # the layout needs a live session too
    assert partner.get("/admin/upload").status_code == 302  # session ended: back to the login form
    edit(admin, app, "admin-users-enable", "alpha")
    logged_in(app, "alpha")
    assert [a for a, _d in actions(engine)] == ["user_disable", "user_enable"]


def test_the_last_admin_can_neither_be_demoted_nor_disable_themself(app, admin, engine):
    _s, response = edit(admin, app, "admin-users-save-role", "root", role="management")
    assert text_of(response["admin-users-edit-message"]["children"]).startswith(
        "root — последний активный администратор")
    _s, response = edit(admin, app, "admin-users-disable", "root")
    assert text_of(response["admin-users-edit-message"]["children"]).startswith("Нельзя отключить собственный логин.")
    assert get_user(engine, "root").role == "admin" and get_user(engine, "root").active
    assert actions(engine) == []


def test_a_second_admin_can_be_demoted(app, admin, engine):
    create(admin, app, "deputy", "admin")
    edit(admin, app, "admin-users-save-role", "deputy", role="management")
    assert get_user(engine, "deputy").role == "management"


def test_partner_role_cannot_create_or_change_users(app, engine):
    client = logged_in(app, "alpha")
    status, response = create(client, app, "mallory", "admin")
    assert status == 403  # refused by the guard from the callback registry (issue 18)
    assert USERS not in (response or {})
    assert edit(client, app, "admin-users-save-role", "alpha", role="admin")[0] == 403
    assert get_user(engine, "mallory") is None
    assert get_user(engine, "alpha").role == "partner"


def test_audit_grid_shows_the_latest_entries_newest_first(app, admin, engine):
    create(admin, app, "first", "management")
    create(admin, app, "second", "management")
    frame = audit_table(engine.connect(), limit=2)
    assert frame["detail"].tolist() == ["login=second role=management partner=-",
                                        "login=first role=management partner=-"]
