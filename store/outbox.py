"""The outbox (SPEC §11): every e-mail is a row until the SMTP server accepts it.

* `enqueue` inserts a message unless the recipient switched its kind off or the same (user, kind, event)
  exists (INSERT … ON CONFLICT DO NOTHING on both backends): nothing is queued twice.
* `claim_due` hands each due message to exactly one sender (UPDATE queued → sending, row by row);
  `mark_sent` / `mark_retry` end the attempt; a retry waits ``BACKOFF_BASE · 2^(attempts−1)`` (capped),
  after ``MAX_ATTEMPTS`` the message is `failed` and stays visible. A sender that died mid-send leaves
  `sending` rows; they are queued again after ``STALE_SENDING``.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from store import clock
from store.frames import read_frame
from store.models import NotificationOptOut, OutboxMessage, User

MAX_ATTEMPTS = 10
BACKOFF_BASE = pd.Timedelta(minutes=1)
BACKOFF_CAP = pd.Timedelta(hours=6)
STALE_SENDING = pd.Timedelta(minutes=15)
LISTED_COLUMNS = ["id", "recipient", "kind", "subject", "status", "attempts", "created_at", "sent_at",
                  "next_attempt_at", "last_error"]


def backoff(attempts: int) -> pd.Timedelta:
    """Wait before the next try after `attempts` failed tries: 1, 2, 4, … minutes, at most 6 hours."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


def recipient_address(login: str, email: str | None) -> str | None:
    """The user's e-mail: the `email` column, else the login when it is an address; None = cannot be mailed."""
    if email and "@" in email:
        return email.strip()
    return login if "@" in login else None


def opted_out(conn: Connection, user_id: int) -> set[str]:
    """Kinds the user switched off."""
    return set(conn.scalars(select(NotificationOptOut.kind).where(NotificationOptOut.user_id == user_id)))


def set_opted_out(conn: Connection, user_id: int, kinds: Iterable[str]) -> None:
    """Replace the user's switched-off kinds with `kinds`."""
    conn.execute(delete(NotificationOptOut).where(NotificationOptOut.user_id == user_id))
    rows = [{"user_id": user_id, "kind": k} for k in sorted(set(kinds))]
    if rows:
        conn.execute(insert(NotificationOptOut), rows)


def previous_items(conn: Connection, user_id: int, kind: str) -> set[str]:
    """Finding keys already reported to the user in messages of `kind` (a digest reports each finding once)."""
    reported: set[str] = set()
    for items in conn.scalars(select(OutboxMessage.items).where(OutboxMessage.user_id == user_id,
                                                                OutboxMessage.kind == kind)):
        reported.update(items or ())
    return reported


def enqueue(conn: Connection, *, user_id: int, recipient: str, lang: str, kind: str, event: str, subject: str,
            body: str, link: str | None = None, items: list[str] | None = None,
            attachment: tuple[str, bytes] | None = None) -> bool:
    """Queue one message; False when the user opted out of `kind` or (user, kind, event) is already queued."""
    if kind in opted_out(conn, user_id):
        return False
    now = clock.now_datetime()
    values = {"user_id": user_id, "recipient": recipient, "lang": lang, "kind": kind, "event": event[:200],
                  "subject": subject[:300], "body": body, "link": link, "items": items,
                  "attachment_name": attachment[0] if attachment else None,
                  "attachment": attachment[1] if attachment else None,
                  "status": "queued", "attempts": 0, "next_attempt_at": now, "created_at": now}
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(OutboxMessage).values(**values).on_conflict_do_nothing(
        index_elements=["user_id", "kind", "event"])
    return conn.execute(stmt).rowcount == 1


def claim_due(engine: Engine, limit: int = 100) -> list[OutboxMessage]:
    """Due messages claimed by this sender (status → sending), oldest first; each one goes to one sender only."""
    now = clock.now_datetime()
    stale = (clock.now() - STALE_SENDING).to_pydatetime()
    with engine.begin() as conn:
        conn.execute(update(OutboxMessage).where(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at < stale)
                     .values(status="queued"))
        ids = list(conn.scalars(select(OutboxMessage.id)
                                .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
                                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)))
    claimed: list[OutboxMessage] = []
    for message_id in ids:
        with engine.begin() as conn:
            won = conn.execute(update(OutboxMessage)
                               .where(OutboxMessage.id == message_id, OutboxMessage.status == "queued")
                               .values(status="sending", next_attempt_at=now)).rowcount == 1
            if won:
                row = conn.execute(select(OutboxMessage).where(OutboxMessage.id == message_id)).one()
                claimed.append(row)
    return claimed


def mark_sent(engine: Engine, message_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                     .values(status="sent", attempts=OutboxMessage.attempts + 1, sent_at=clock.now_datetime(),
                             last_error=None))


def mark_retry(engine: Engine, message_id: int, attempts_before: int, error: str) -> str:
    """Record a failed try; the new status (queued again with backoff, or failed after MAX_ATTEMPTS)."""
    attempts = attempts_before + 1
    status = "failed" if attempts >= MAX_ATTEMPTS else "queued"
    with engine.begin() as conn:
        conn.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                     .values(status=status, attempts=attempts, last_error=error[:2000],
                             next_attempt_at=(clock.now() + backoff(attempts)).to_pydatetime()))
    return status


def outbox_frame(conn: Connection, limit: int | None = None) -> pd.DataFrame:
    """Messages newest first (no bodies or attachments): `LISTED_COLUMNS`."""
    stmt = select(*[OutboxMessage.__table__.c[c] for c in LISTED_COLUMNS]).order_by(OutboxMessage.id.desc())
    return read_frame(conn, stmt.limit(limit) if limit else stmt)


def message_body(conn: Connection, message_id: int) -> dict | None:
    """Subject, body, link and attachment name of one message (the admin outbox viewer)."""
    row = conn.execute(select(OutboxMessage.subject, OutboxMessage.body, OutboxMessage.link,
                              OutboxMessage.attachment_name, OutboxMessage.recipient)
                       .where(OutboxMessage.id == message_id)).one_or_none()
    return None if row is None else row._asdict()


def recipients(conn: Connection, roles: Iterable[str]) -> pd.DataFrame:
    """Active users of `roles` who can be mailed: `id, login, role, partner_id, lang, address`."""
    users = read_frame(conn, select(User.id, User.login, User.role, User.partner_id, User.lang, User.email)
                       .where(User.active.is_(True), User.role.in_(list(roles))).order_by(User.id))
    users["address"] = [recipient_address(login, email) for login, email in zip(users["login"], users["email"])]
    users["lang"] = users["lang"].fillna("ru").where(users["lang"].isin(["ru", "en"]), "ru")
    return users[users["address"].notna()].drop(columns="email").reset_index(drop=True)



def notification_settings(conn: Connection, login: str) -> dict | None:
    """The logged-in user's own settings: `id, role, email, lang, opted_out` (None for an unknown login)."""
    row = conn.execute(select(User.id, User.login, User.role, User.email, User.lang).where(User.login == login)).first()
    if row is None:
        return None
    return {"id": row.id, "role": row.role, "email": recipient_address(row.login, row.email) or "",
            "lang": row.lang or "ru", "opted_out": opted_out(conn, row.id)}


def save_notification_settings(conn: Connection, login: str, email: str | None, lang: str,
                               switched_off: Iterable[str]) -> None:
    """Save the user's own address, language and switched-off kinds (the caller validated them)."""
    user_id = conn.scalar(select(User.id).where(User.login == login))
    conn.execute(update(User).where(User.id == user_id).values(email=email, lang=lang))
    set_opted_out(conn, user_id, switched_off)
