"""Delivery of the outbox over SMTP (standard library `smtplib`): `SMTP_URL`, sender `MAIL_FROM`.

Each due message is claimed by one sender, sent, and marked sent only after the server accepted it; any
failure keeps it queued with exponential backoff (`store.outbox`). Without `SMTP_URL` nothing is sent:
the demo shows the outbox on the admin page «Исходящие письма» instead.
"""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import pandas as pd
from sqlalchemy import Engine, delete

from config import Config
from store import clock, outbox
from store.models import JobRun

SMTP_TIMEOUT_S = 20


def build_email(message, mail_from: str) -> EmailMessage:
    """The MIME message of an outbox row: plain-text body (with the page link) and the attachment, if any."""
    mail = EmailMessage()
    mail["From"] = mail_from
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Message-ID"] = f"<outbox-{message.id}-{message.event.replace(' ', '_')[:60]}@quality-monitor>"
    mail.set_content(message.body + (f"\n\n{message.link}\n" if message.link else ""))
    if message.attachment_name and message.attachment is not None:
        mail.add_attachment(bytes(message.attachment), maintype="application",
                            subtype="pdf" if message.attachment_name.endswith(".pdf") else "octet-stream",
                            filename=message.attachment_name)
    return mail


def smtp_connection(url: str) -> smtplib.SMTP:
    """An open, logged-in SMTP connection for ``smtp://[user:password@]host[:port][?starttls=1]`` or ``smtps://``."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, not {url!r}")
    host = parts.hostname or "127.0.0.1"
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, parts.port or 465, timeout=SMTP_TIMEOUT_S, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=SMTP_TIMEOUT_S)
        if parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true"):
            client.starttls(context=ssl.create_default_context())
    if parts.username:
        client.login(unquote(parts.username), unquote(parts.password or ""))
    return client


def send_due(engine: Engine, config: Config) -> dict[str, int]:
    """Send every due message once: {"sent", "retry", "failed"} counts (all zero without SMTP_URL)."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if not config.smtp_url:
        return counts
    messages = outbox.claim_due(engine)
    if not messages:
        return counts
    client = None
    try:
        client = smtp_connection(config.smtp_url)
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        for message in messages:
            counts["retry" if outbox.mark_retry(engine, message.id, message.attempts, f"connect: {exc}") == "queued"
                   else "failed"] += 1
        return counts
    try:
        for message in messages:
            try:
                client.send_message(build_email(message, config.mail_from))
            except (OSError, smtplib.SMTPException) as exc:
                counts["retry" if outbox.mark_retry(engine, message.id, message.attempts, str(exc)) == "queued"
                       else "failed"] += 1
                continue
            outbox.mark_sent(engine, message.id)
            counts["sent"] += 1
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return counts


def outbox_send(engine: Engine, slot: pd.Timestamp, config: Config) -> str:
    """The sender job (every minute): deliver due messages; keep one day of its own run rows."""
    counts = send_due(engine, config)
    with engine.begin() as conn:
        conn.execute(delete(JobRun).where(JobRun.job == "outbox_send",
                                          JobRun.started_at < (clock.now() - pd.Timedelta(days=1)).to_pydatetime()))
    if not config.smtp_url:
        return "SMTP_URL not set: messages stay in the outbox"
    return f"sent {counts['sent']}, retry later {counts['retry']}, given up {counts['failed']}"
