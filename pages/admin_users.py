"""Admin: users (add, role and partner, disable/enable, password reset with a one-time password) and the
audit log (SPEC §8). Every change is audited; the last active admin cannot be demoted or disabled.
"""
from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, clientside_callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from auth import ROLES, Scope, UserError, audit, authorized, current_engine
from auth.users import MIN_PASSWORD_LENGTH, create_user, get_user, normalize_login, set_password
from components.format import fmt_number
from components.labels import audit_detail, code_labels
from components.grid import grid_id
from components.grid_columns import grid_records, typed_grid
from components.i18n import register_strings, t
from store.admin_queries import (
    AUDIT_LIMIT,
    AdminInputError,
    audit_table,
    check_role_partner,
    generate_password,
    partner_choices,
    set_role,
    set_user_active,
    user_table,
)

ADMIN = ("admin",)

dash.register_page(__name__, path="/admin/users", name="admin-users", label_key="admin_users.nav", order=91)

register_strings({
    "admin_users.nav": {"ru": "Пользователи", "en": "Users"},
    "admin_users.title": {"ru": "Пользователи и журнал аудита", "en": "Users and audit log"},
    "admin_users.new": {"ru": "Новый пользователь", "en": "New user"},
    "admin_users.edit": {"ru": "Изменить пользователя", "en": "Change a user"},
    "admin_users.login": {"ru": "Логин", "en": "Login"},
    "admin_users.name": {"ru": "Имя", "en": "Name"},
    "admin_users.role": {"ru": "Роль", "en": "Role"},
    "admin_users.partner": {"ru": "Партнёр (для роли «партнёр»)", "en": "Partner (role partner)"},
    "admin_users.password": {"ru": "Начальный пароль (не короче {n} символов)",
                             "en": "Initial password (at least {n} characters)"},
    "admin_users.create": {"ru": "Создать", "en": "Create"},
    "admin_users.user": {"ru": "Пользователь", "en": "User"},
    "admin_users.save_role": {"ru": "Сохранить роль и партнёра", "en": "Save role and partner"},
    "admin_users.disable": {"ru": "Отключить", "en": "Disable"},
    "admin_users.enable": {"ru": "Включить", "en": "Enable"},
    "admin_users.reset": {"ru": "Сбросить пароль", "en": "Reset password"},
    "admin_users.users": {"ru": "Пользователи", "en": "Users"},
    "admin_users.audit": {"ru": "Журнал аудита (последние {n} записей)", "en": "Audit log (latest {n} entries)"},
    "admin_users.created": {"ru": "Пользователь {login} создан.", "en": "User {login} created."},
    "admin_users.role_saved": {"ru": "Роль {login}: {role}.", "en": "Role of {login}: {role}."},
    "admin_users.disabled": {"ru": "Пользователь {login} отключён: его сеансы завершены.",
                             "en": "User {login} disabled: their sessions have ended."},
    "admin_users.enabled": {"ru": "Пользователь {login} включён.", "en": "User {login} enabled."},
    "admin_users.one_time": {
        "ru": "Новый пароль для {login} (показан один раз, передайте его пользователю): ",
        "en": "New password of {login} (shown once, hand it to the user): ",
    },
    "admin_users.choose": {"ru": "Выберите…", "en": "Choose…"},
    "admin_users.pick_user": {"ru": "Выберите пользователя.", "en": "Choose a user."},
    "admin_users.err.login_required": {"ru": "Укажите логин.", "en": "Enter a login."},
    "admin_users.err.login_taken": {"ru": "Логин {login} уже занят.", "en": "Login {login} is already taken."},
    "admin_users.err.short_password": {"ru": "Пароль короче {n} символов.",
                                       "en": "The password is shorter than {n} characters."},
    "admin_users.err.unknown_role": {"ru": "Выберите роль.", "en": "Choose a role."},
    "admin_users.err.partner_required": {"ru": "Для роли «партнёр» выберите партнёра.",
                                         "en": "Role partner needs a partner."},
    "admin_users.err.unknown_partner": {"ru": "Партнёра {partner} нет в данных: загрузите файл partners.",
                                        "en": "Partner {partner} is not in the data: load the partners file."},
    "admin_users.err.partner_only_for_partner_role": {"ru": "Партнёр указывается только для роли «партнёр».",
                                                      "en": "A partner is set only for role partner."},
    "admin_users.err.last_admin": {
        "ru": "{login} — последний активный администратор: сначала назначьте другого.",
        "en": "{login} is the last active administrator: appoint another one first.",
    },
    "admin_users.err.disable_self": {"ru": "Нельзя отключить собственный логин.", "en": "You cannot disable your own login."},
    "admin_users.err.unknown_user": {"ru": "Пользователя {login} нет.", "en": "There is no user {login}."},
    "admin_users.err.refused": {"ru": "Не сохранено: {reason}", "en": "Not saved: {reason}"},
    "col.role": {"ru": "Роль", "en": "Role"},
    "col.partner_id": {"ru": "Партнёр", "en": "Partner"},
    "col.active": {"ru": "Активен", "en": "Active"},
    "col.failed_logins": {"ru": "Неудачных входов", "en": "Failed logins"},
    "col.locked_until": {"ru": "Заблокирован до", "en": "Locked until"},
    "col.at": {"ru": "Когда", "en": "When"},
    "col.action": {"ru": "Действие", "en": "Action"},
    "col.detail": {"ru": "Подробности", "en": "Detail"},
    "col.ip": {"ru": "IP", "en": "IP"},
    "yes": {"ru": "да", "en": "yes"},
    "no": {"ru": "нет", "en": "no"},
})


def _message(error: AdminInputError) -> str:
    key = f"admin_users.err.{error.code}"
    return t(key, **error.values) if t(key) != key else t("admin_users.err.refused", reason=str(error))


def user_records() -> list[dict]:
    with current_engine().connect() as conn:
        frame = user_table(conn)
    frame["role"] = frame["role"].map(lambda r: t(f"role.{r}"))
    frame["active"] = frame["active"].map(lambda a: t("yes") if a else t("no"))
    return grid_records(frame)


def audit_records() -> list[dict]:
    with current_engine().connect() as conn:
        frame = audit_table(conn)
    frame["detail"] = frame["detail"].map(audit_detail)
    return grid_records(code_labels(frame))


def user_options() -> list[dict]:
    with current_engine().connect() as conn:
        frame = user_table(conn)
    return [{"label": f"{r.login} · {t(f'role.{r.role}')}" + ("" if r.active else f" · {t('admin_users.disable')}"),
             "value": r.login} for r in frame.itertuples(index=False)]


USER_SPEC = [("login", "text", "admin_users.login"), ("name", "text", "admin_users.name"), ("role", "text"), ("partner_id", "text"), ("active", "text"),
             ("failed_logins", "number"), ("locked_until", "datetime"), ("created_at", "datetime")]
AUDIT_SPEC = [("at", "datetime"), ("login", "text", "admin_users.login"), ("action", "text"), ("detail", "text"), ("ip", "text")]


def _field(label: str, component: Any) -> dbc.Col:
    return dbc.Col([dbc.Label(label), component], md=True)


@authorized(roles=ADMIN)
def layout(scope: Scope, **_query: str) -> html.Div:
    roles = [{"label": t(f"role.{r}"), "value": r} for r in ROLES]
    choose = t("admin_users.choose")
    with current_engine().connect() as conn:
        partners = partner_choices(conn)
    new_user = dbc.Card(dbc.CardBody([
        html.H5(t("admin_users.new")),
        dbc.Row([
            _field(t("admin_users.login"), dbc.Input(id="admin-users-new-login", maxLength=64, autoComplete="off")),
            _field(t("admin_users.name"), dbc.Input(id="admin-users-new-name", maxLength=200)),
            _field(t("admin_users.role"), dcc.Dropdown(id="admin-users-new-role", options=roles, value="partner",
                                                       clearable=False)),
            _field(t("admin_users.partner"), dcc.Dropdown(id="admin-users-new-partner", options=partners,
                                                          placeholder=choose)),
            _field(t("admin_users.password", n=MIN_PASSWORD_LENGTH),
                   dbc.Input(id="admin-users-new-password", type="password", autoComplete="new-password")),
        ], className="g-2"),
        dbc.Button(t("admin_users.create"), id="admin-users-create", color="primary", className="mt-2"),
        html.Div(id="admin-users-new-message", className="mt-2"),
    ]), className="mb-3")
    edit_user = dbc.Card(dbc.CardBody([
        html.H5(t("admin_users.edit")),
        dbc.Row([
            _field(t("admin_users.user"), dcc.Dropdown(id="admin-users-pick", options=user_options(),
                                                       placeholder=choose)),
            _field(t("admin_users.role"), dcc.Dropdown(id="admin-users-role", options=roles, placeholder=choose)),
            _field(t("admin_users.partner"), dcc.Dropdown(id="admin-users-partner", options=partners,
                                                          placeholder=choose)),
        ], className="g-2"),
        html.Div([
            dbc.Button(t("admin_users.save_role"), id="admin-users-save-role", color="primary", className="me-2"),
            dbc.Button(t("admin_users.disable"), id="admin-users-disable", color="warning", className="me-2"),
            dbc.Button(t("admin_users.enable"), id="admin-users-enable", color="success", className="me-2"),
            dbc.Button(t("admin_users.reset"), id="admin-users-reset", color="secondary", outline=True),
        ], className="mt-2"),
        html.Div(id="admin-users-edit-message", className="mt-2"),
    ]), className="mb-3")
    return html.Div([
        html.H3(t("admin_users.title")),
        dbc.Row([dbc.Col(new_user, lg=12), dbc.Col(edit_user, lg=12)]),
        html.H5(t("admin_users.users")),
        typed_grid("admin-users", USER_SPEC, user_records()),
        html.H5(t("admin_users.audit", n=fmt_number(AUDIT_LIMIT)), className="mt-4"),
        typed_grid("admin-audit", AUDIT_SPEC, audit_records()),
    ], id="admin-users", className="admin-users")


# ---------------------------------------------------------------- callbacks
# only role partner has a partner: the dropdown is cleared and disabled for other roles (pure UI, no data)
for _form in ("new-", ""):
    clientside_callback(
        """function(role, partner) { return role === 'partner' ? [false, partner] : [true, null]; }""",
        Output(f"admin-users-{_form}partner", "disabled"),
        Output(f"admin-users-{_form}partner", "value", allow_duplicate=True),
        Input(f"admin-users-{_form}role", "value"),
        State(f"admin-users-{_form}partner", "value"),
        prevent_initial_call="initial_duplicate",
    )
def _refreshed() -> tuple:
    return user_records(), audit_records(), user_options()


@dash.callback(
    Output("admin-users-new-message", "children"),
    Output(grid_id("admin-users"), "rowData", allow_duplicate=True),
    Output(grid_id("admin-audit"), "rowData", allow_duplicate=True),
    Output("admin-users-pick", "options", allow_duplicate=True),
    Output("admin-users-new-password", "value"),
    Input("admin-users-create", "n_clicks"),
    State("admin-users-new-login", "value"),
    State("admin-users-new-name", "value"),
    State("admin-users-new-role", "value"),
    State("admin-users-new-partner", "value"),
    State("admin-users-new-password", "value"),
    prevent_initial_call=True,
)
@authorized(roles=ADMIN)
def add_user(n_clicks: Any, login: Any, name: Any, role: Any, partner_id: Any, password: Any) -> tuple:
    """Create a user after validation; the initial password is never echoed back."""
    if not isinstance(n_clicks, int) or n_clicks < 1:
        raise PreventUpdate
    login = normalize_login(login if isinstance(login, str) else "")
    partner_id = partner_id if isinstance(partner_id, str) and partner_id else None
    name = name.strip() or None if isinstance(name, str) else None
    password = password if isinstance(password, str) else ""
    engine = current_engine()
    try:
        if not login:
            raise AdminInputError("login_required")
        with engine.connect() as conn:
            check_role_partner(conn, role if isinstance(role, str) else None, partner_id)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AdminInputError("short_password", n=MIN_PASSWORD_LENGTH)
        if get_user(engine, login) is not None:
            raise AdminInputError("login_taken", login=login)
        create_user(engine, login, password, role, partner_id=partner_id, name=name)
    except AdminInputError as error:
        return dbc.Alert(_message(error), color="warning"), dash.no_update, dash.no_update, dash.no_update, \
            dash.no_update
    except UserError as error:
        return dbc.Alert(t("admin_users.err.refused", reason=str(error)), color="warning"), dash.no_update, \
            dash.no_update, dash.no_update, dash.no_update
    audit("user_create", f"login={login} role={role} partner={partner_id or '-'}")
    return (dbc.Alert(t("admin_users.created", login=login), color="success"), *_refreshed(), "")


@dash.callback(
    Output("admin-users-role", "value"),
    Output("admin-users-partner", "value", allow_duplicate=True),
    Input("admin-users-pick", "value"),
    prevent_initial_call=True,
)
@authorized(roles=ADMIN)
def show_user(login: Any) -> tuple:
    """Fill the role and partner of the chosen user."""
    record = get_user(current_engine(), login) if isinstance(login, str) and login else None
    if record is None:
        return None, None
    return record.role, record.partner_id


@dash.callback(
    Output("admin-users-edit-message", "children"),
    Output(grid_id("admin-users"), "rowData", allow_duplicate=True),
    Output(grid_id("admin-audit"), "rowData", allow_duplicate=True),
    Output("admin-users-pick", "options", allow_duplicate=True),
    Input("admin-users-save-role", "n_clicks"),
    Input("admin-users-disable", "n_clicks"),
    Input("admin-users-enable", "n_clicks"),
    Input("admin-users-reset", "n_clicks"),
    State("admin-users-pick", "value"),
    State("admin-users-role", "value"),
    State("admin-users-partner", "value"),
    prevent_initial_call=True,
)
@authorized(roles=ADMIN)
def change_user(_save: Any, _disable: Any, _enable: Any, _reset: Any, login: Any, role: Any, partner_id: Any,
                scope: Scope) -> tuple:
    """Role/partner, disable, enable or password reset of the chosen user (audited)."""
    action = ctx.triggered_id
    if action not in ("admin-users-save-role", "admin-users-disable", "admin-users-enable", "admin-users-reset"):
        raise PreventUpdate
    if not isinstance(login, str) or not login:
        return dbc.Alert(t("admin_users.pick_user"), color="warning"), dash.no_update, dash.no_update, \
            dash.no_update
    engine = current_engine()
    partner_id = partner_id if isinstance(partner_id, str) and partner_id else None
    try:
        if get_user(engine, login) is None:
            raise AdminInputError("unknown_user", login=login)
        if action == "admin-users-save-role":
            set_role(engine, login, role if isinstance(role, str) else "", partner_id)
            audit("user_role", f"login={login} role={role} partner={partner_id or '-'}")
            message = dbc.Alert(t("admin_users.role_saved", login=login, role=t(f"role.{role}")), color="success")
        elif action in ("admin-users-disable", "admin-users-enable"):
            active = action == "admin-users-enable"
            set_user_active(engine, login, active, scope.login)
            audit("user_enable" if active else "user_disable", f"login={login}")
            message = dbc.Alert(t("admin_users.enabled" if active else "admin_users.disabled", login=login),
                                color="success")
        else:
            password = generate_password()
            set_password(engine, login, password)
            audit("user_password_reset", f"login={login}")
            message = dbc.Alert([t("admin_users.one_time", login=login),
                                 html.Code(password, id="admin-users-one-time", className="fs-5")], color="info")
    except AdminInputError as error:
        return dbc.Alert(_message(error), color="warning"), dash.no_update, dash.no_update, dash.no_update
    except UserError as error:
        return dbc.Alert(t("admin_users.err.refused", reason=str(error)), color="warning"), dash.no_update, \
            dash.no_update, dash.no_update
    return (message, *_refreshed())
