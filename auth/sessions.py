"""Sessions kept on the server, so that log-out and a password change really end them (SPEC §8).

The cookie carries only a random token; the session's data lives in a store under the token's
SHA-256: the `sessions` table in the embedded default (`DatabaseSessionStore`), Redis in
production (`RedisSessionStore`). Deleting the record ends the session: a cookie copied before
log-out no longer opens anything. `rotate` gives the session a fresh token (at log-in against
fixation, at log-out), `end_user_sessions` deletes every session of a user (password change,
disabled login).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any, Protocol

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import Engine, delete, select
from werkzeug.datastructures import CallbackDict

from store import clock
from store.models import UserSession

USER_KEY = "_user_id"  # where Flask-Login keeps "<user id>:<fingerprint>"


def digest(token: str) -> str:
    """The stored key of a session token (a leaked table or Redis dump holds no live cookie)."""
    return hashlib.sha256(token.encode()).hexdigest()


def user_id_of(data: dict) -> int | None:
    raw = str(data.get(USER_KEY) or "").partition(":")[0]
    return int(raw) if raw.isdigit() else None


class SessionStore(Protocol):
    """Where session data lives, by the digest of the cookie's token."""

    def load(self, sid: str) -> dict | None: ...

    def save(self, sid: str, data: dict, lifetime: dt.timedelta) -> None: ...

    def update(self, sid: str, written: dict, removed: set[str], lifetime: dt.timedelta) -> bool: ...

    def delete(self, sid: str) -> None: ...

    def delete_user(self, user_id: int) -> None: ...


class DatabaseSessionStore:
    """Sessions in the `sessions` table (embedded default); expired rows are purged at log-in."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def load(self, sid: str) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(UserSession.data, UserSession.expires_at).where(UserSession.sid == sid)).first()
        if row is None or _utc(row.expires_at) <= clock.now_datetime():
            return None
        return json.loads(row.data)

    def save(self, sid: str, data: dict, lifetime: dt.timedelta) -> None:
        now = clock.now_datetime()
        values = dict(user_id=user_id_of(data), data=json.dumps(data), expires_at=now + lifetime)
        with self.engine.begin() as conn:
            updated = conn.execute(UserSession.__table__.update().where(UserSession.sid == sid).values(**values))
            if not updated.rowcount:
                conn.execute(UserSession.__table__.insert().values(sid=sid, created_at=now, **values))

    def update(self, sid: str, written: dict, removed: set[str], lifetime: dt.timedelta) -> bool:
        """Apply one request's changes to the stored session (row locked on PostgreSQL); False when the record
        is gone (ended meanwhile: log-out, password change, expiry) — it is not brought back."""
        with self.engine.begin() as conn:
            stmt = select(UserSession.data).where(UserSession.sid == sid)
            if conn.dialect.name == "postgresql":
                stmt = stmt.with_for_update()
            row = conn.execute(stmt).first()
            if row is None:
                return False
            data = _applied(json.loads(row.data), written, removed)
            conn.execute(UserSession.__table__.update().where(UserSession.sid == sid).values(
                user_id=user_id_of(data), data=json.dumps(data), expires_at=clock.now_datetime() + lifetime))
        return True

    def delete(self, sid: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(UserSession).where(UserSession.sid == sid))

    def delete_user(self, user_id: int) -> None:
        end_user_sessions(self.engine, user_id)

    def purge_expired(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(UserSession).where(UserSession.expires_at <= clock.now_datetime()))


class RedisSessionStore:
    """Sessions in Redis (production): one key per session with its lifetime as TTL, and a set per
    user so that all of a user's sessions can be ended at once."""

    def __init__(self, client: Any, prefix: str = "pqm:session:"):
        self.client = client
        self.prefix = prefix

    def load(self, sid: str) -> dict | None:
        raw = self.client.get(self.prefix + sid)
        return json.loads(raw) if raw else None

    def save(self, sid: str, data: dict, lifetime: dt.timedelta) -> None:
        pipe = self.client.pipeline()
        pipe.set(self.prefix + sid, json.dumps(data), ex=lifetime)
        user_id = user_id_of(data)
        if user_id is not None:
            pipe.sadd(f"{self.prefix}user:{user_id}", sid)
            pipe.expire(f"{self.prefix}user:{user_id}", lifetime)
        pipe.execute()

    def update(self, sid: str, written: dict, removed: set[str], lifetime: dt.timedelta) -> bool:
        """Apply one request's changes to the stored session (WATCH: retried when another request wrote it
        meanwhile); False when the key is gone (ended meanwhile) — it is not brought back."""
        key = self.prefix + sid

        def apply(pipe: Any) -> bool:
            raw = pipe.get(key)
            if not raw:
                return False
            data = _applied(json.loads(raw), written, removed)
            pipe.multi()
            pipe.set(key, json.dumps(data), ex=lifetime)
            user_id = user_id_of(data)
            if user_id is not None:  # the user's set of sessions lives as long as its newest session
                pipe.sadd(f"{self.prefix}user:{user_id}", sid)
                pipe.expire(f"{self.prefix}user:{user_id}", lifetime)
            return True

        return bool(self.client.transaction(apply, key, value_from_callable=True))

    def delete(self, sid: str) -> None:
        self.client.delete(self.prefix + sid)

    def delete_user(self, user_id: int) -> None:
        key = f"{self.prefix}user:{user_id}"
        sids = [s.decode() if isinstance(s, bytes) else s for s in self.client.smembers(key)]
        self.client.delete(key, *(self.prefix + s for s in sids))


def end_user_sessions(engine: Engine, user_id: int) -> None:
    """Delete every stored database session of `user_id` (password change, disabled login)."""
    with engine.begin() as conn:
        conn.execute(delete(UserSession).where(UserSession.user_id == user_id))


def _applied(stored: dict, written: dict, removed: set[str]) -> dict:
    """`stored` with one request's writes and removals: keys it did not touch keep what others stored."""
    data = {key: value for key, value in stored.items() if key not in removed}
    data.update(written)
    return data


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class ServerSession(CallbackDict, SessionMixin):
    """The session of one request: its data, and the token of the cookie it came with."""

    def __init__(self, data: dict | None = None, token: str | None = None, new: bool = False):
        def on_update(_self: Any) -> None:
            self.modified = True

        super().__init__(data or {}, on_update)
        self.token = token or secrets.token_urlsafe(32)
        self.new = new
        self.modified = False
        self.ended: list[str] = []  # tokens whose stored record is deleted at the end of the request
        self.loaded = json.loads(json.dumps(data or {}))  # as read: the end of the request writes only its changes

    def changes(self) -> tuple[dict, set[str]]:
        """(keys written with their values, keys removed) since the session was read."""
        current = dict(self)
        written = {key: value for key, value in current.items()
                   if key not in self.loaded or self.loaded[key] != value}
        return written, set(self.loaded) - set(current)


def rotate(session: ServerSession) -> None:
    """Give the session a new token and end the record of the old one (log-in, log-out)."""
    session.ended.append(session.token)
    session.token = secrets.token_urlsafe(32)
    session.modified = True


class ServerSessionInterface(SessionInterface):
    """Flask session interface over a `SessionStore`; the cookie holds the token only."""

    def __init__(self, store: SessionStore):
        self.store = store

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        token = request.cookies.get(self.get_cookie_name(app))
        if token and len(token) <= 128:
            data = self.store.load(digest(token))
            if data is not None:
                return ServerSession(data, token)
        return ServerSession(new=True)

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        for token in session.ended:
            self.store.delete(digest(token))
        if not session:
            if not session.new or session.ended:
                self.store.delete(digest(session.token))
                response.delete_cookie(name, domain=domain, path=path)
            return
        if not session.modified:
            return  # unchanged (or new and never written to: no record, no cookie)
        lifetime = app.permanent_session_lifetime
        if session.new or session.ended:  # a new token: nothing stored under it to keep
            self.store.save(digest(session.token), dict(session), lifetime)
        else:
            # only this request's changes: another request of the same browser may have written meanwhile (a
            # language switch during a slow callback), and a record ended meanwhile (log-out elsewhere, password
            # change) must stay ended
            written, removed = session.changes()
            if not self.store.update(digest(session.token), written, removed, lifetime):
                return
        response.vary.add("Cookie")
        response.set_cookie(
            name, session.token, expires=self.get_expiration_time(app, session), httponly=self.get_cookie_httponly(app),
            domain=domain, path=path, secure=self.get_cookie_secure(app), samesite=self.get_cookie_samesite(app),
        )


def session_store(config: Any, engine: Engine) -> SessionStore:
    """Redis in production mode, the database otherwise."""
    if config.mode == "production":
        import redis

        return RedisSessionStore(redis.Redis.from_url(config.redis_url))
    return DatabaseSessionStore(engine)
