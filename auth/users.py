"""Users of the product: roles, creation, passwords, activation, demo logins (SPEC §8)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Engine, func, insert, select, update

from auth.passwords import hash_password
from auth.sessions import end_user_sessions
from store.models import Partner, User
from store import clock

ROLES: tuple[str, ...] = ("partner", "service_manager", "management", "admin")
MIN_PASSWORD_LENGTH = 8
DEMO_PASSWORD = "demo"
DEMO_MAIL_DOMAIN = "@demo.invalid"
# demo login -> role; one login per role, password DEMO_PASSWORD (demo mode only)
DEMO_LOGINS: dict[str, str] = {
    "partner": "partner",
    "manager": "service_manager",
    "management": "management",
    "admin": "admin",
}
DEMO_NAMES: dict[str, str] = {
    "partner": "Демо-партнёр",
    "manager": "Демо-менеджер",
    "management": "Демо-руководитель",
    "admin": "Демо-администратор",
}
_LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")


class UserError(ValueError):
    """A user operation refused for a reason the operator can fix (message is shown as is)."""


@dataclass(frozen=True)
class UserRecord:
    """One row of the `users` table as a plain value."""

    id: int
    login: str
    role: str
    partner_id: str | None
    name: str | None
    active: bool
    password_hash: str
    created_at: dt.datetime | None
    locked_until: dt.datetime | None

    @property
    def display_name(self) -> str:
        return self.name or self.login


def normalize_login(login: str) -> str:
    """Logins are case-insensitive: stored lower-case, without surrounding spaces."""
    return (login or "").strip().lower()


def _record(row) -> UserRecord:
    return UserRecord(
        id=row.id, login=row.login, role=row.role, partner_id=row.partner_id, name=row.name,
        active=bool(row.active), password_hash=row.password_hash, created_at=row.created_at,
        locked_until=row.locked_until,
    )


def get_user(engine: Engine, login: str) -> UserRecord | None:
    """The user with this login (case-insensitive), or None."""
    with engine.connect() as conn:
        row = conn.execute(select(User).where(User.login == normalize_login(login))).first()
    return _record(row) if row else None


def get_user_by_id(engine: Engine, user_id: int) -> UserRecord | None:
    with engine.connect() as conn:
        row = conn.execute(select(User).where(User.id == user_id)).first()
    return _record(row) if row else None


def list_users(engine: Engine) -> list[UserRecord]:
    """All users ordered by login."""
    with engine.connect() as conn:
        return [_record(r) for r in conn.execute(select(User).order_by(User.login))]


def partner_exists(engine: Engine, partner_id: str) -> bool:
    with engine.connect() as conn:
        return bool(conn.scalar(select(func.count()).select_from(Partner).where(Partner.partner_id == partner_id)))


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")


def create_user(
    engine: Engine,
    login: str,
    password: str,
    role: str,
    partner_id: str | None = None,
    name: str | None = None,
    *,
    check_partner: bool = True,
    weak_password_ok: bool = False,
) -> UserRecord:
    """Create a user; validates login, role, password length and (role partner) the partner id.

    Raises
    ------
    UserError
        invalid login or role, short password, missing/unknown partner, login already taken.
    """
    login = normalize_login(login)
    if not _LOGIN_RE.match(login):
        raise UserError(f"invalid login {login!r}: 2-64 characters a-z 0-9 . _ @ -")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    if role == "partner":
        if not partner_id:
            raise UserError("role partner needs --partner ID")
        if check_partner and not partner_exists(engine, partner_id):
            raise UserError(f"partner {partner_id!r} does not exist (load partners first)")
    elif partner_id:
        raise UserError(f"--partner is only for role partner, not {role}")
    if not weak_password_ok:
        _check_password(password)
    if get_user(engine, login) is not None:
        raise UserError(f"user {login!r} already exists")
    with engine.begin() as conn:
        conn.execute(
            insert(User).values(
                login=login, password_hash=hash_password(password), role=role, partner_id=partner_id,
                name=name, active=True, created_at=clock.now_datetime(), failed_logins=0,
            )
        )
    return get_user(engine, login)


def _update(engine: Engine, login: str, *, end_sessions: bool = False, **values) -> None:
    with engine.begin() as conn:
        changed = conn.execute(update(User).where(User.login == normalize_login(login)).values(**values)).rowcount
    if not changed:
        raise UserError(f"no user {normalize_login(login)!r}")
    if end_sessions:
        end_user_sessions(engine, get_user(engine, login).id)


def set_password(engine: Engine, login: str, password: str) -> None:
    """Replace the password; the user's stored sessions are deleted (and any other ends at its next
    request: the session's user id embeds a fingerprint of the hash)."""
    _check_password(password)
    _update(engine, login, end_sessions=True, password_hash=hash_password(password), failed_logins=0,
            locked_until=None)


def set_active(engine: Engine, login: str, active: bool) -> None:
    """Enable or disable a login; a disabled user's stored sessions are deleted."""
    _update(engine, login, end_sessions=not active, active=active)


def demo_partner_id() -> str:
    """The partner the demo `partner` login belongs to (the demo generator's, else P0001)."""
    try:
        from demo import DEMO_PARTNER_ID
    except ImportError:
        return "P0001"
    return DEMO_PARTNER_ID


def ensure_demo_users(engine: Engine) -> list[str]:
    """Create the missing demo logins (one per role, password ``demo``); returns those created.

    Only for demo mode: `create_app` calls it when ``config.demo`` is true and never otherwise.
    """
    created = []
    for login, role in DEMO_LOGINS.items():
        if get_user(engine, login) is None:
            create_user(
                engine, login, DEMO_PASSWORD, role,
                partner_id=demo_partner_id() if role == "partner" else None,
                name=DEMO_NAMES[login], check_partner=False, weak_password_ok=True,
            )
            created.append(login)
    with engine.begin() as conn:  # demo mail goes to the outbox viewer, never out (SPEC §11)
        conn.execute(update(User).where(User.login.in_(list(DEMO_LOGINS)), User.email.is_(None))
                     .values(email=User.login + DEMO_MAIL_DOMAIN))
    return created
