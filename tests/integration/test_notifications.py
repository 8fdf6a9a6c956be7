"""Notifications (SPEC §11) against a real local SMTP server (aiosmtpd on 127.0.0.1), on both backends.

A partner whose KKV level expires in 20 days gets one «Истекает уровень ККВ» e-mail: delayed (not lost)
while the server is down, delivered exactly once after it is back; an opted-out user gets nothing.
"""
from __future__ import annotations

import datetime as dt
import email
import json
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, insert, select, update

import cli
from auth.users import create_user
from config import Config
from jobs.runner import run_now
from store.models import OutboxMessage, Partner, User
from store.outbox import set_opted_out

T0 = "2026-11-30T08:00:00+03:00"


class Inbox:
    """aiosmtpd handler keeping every accepted message."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


class MailServer:
    """aiosmtpd on a fixed 127.0.0.1 port that can be stopped (an outage) and started again."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = MailServer()
    server.start()
    yield server
    server.stop()


def _partner_users(engine: Engine) -> tuple[int, int]:
    """Partner P1 with a KKV level expiring in 20 days; two of its users with e-mail (one reads English)."""
    with engine.begin() as conn:
        conn.execute(insert(Partner).values(partner_id="P1", name="ООО «Ромашка»", city="Москва", country="RU",
                                            kkv_level="basic", kkv_valid_until=dt.date(2026, 12, 20)))
    first = create_user(engine, "anna", "long-password-1", "partner", partner_id="P1")
    second = create_user(engine, "boris", "long-password-2", "partner", partner_id="P1")
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == first.id).values(email="anna@partner.example"))
        conn.execute(update(User).where(User.id == second.id).values(email="boris@partner.example", lang="en"))
    return first.id, second.id


def _run(engine: Engine, config: Config, monkeypatch, name: str, now: str):
    monkeypatch.setenv("QUALITY_NOW", now)
    result = run_now(engine, config, name)
    assert result.outcome == "ok", result.detail
    return result


def _outbox(engine: Engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(OutboxMessage.recipient, OutboxMessage.kind, OutboxMessage.status,
                                   OutboxMessage.attempts).order_by(OutboxMessage.id)).all()


def test_smtp_outage_delays_the_digest_which_is_then_delivered_exactly_once(engine, smtp, monkeypatch):
    controller, inbox, url = smtp, smtp.inbox, smtp.url
    _anna, boris = _partner_users(engine)
    with engine.begin() as conn:
        set_opted_out(conn, boris, ["kkv"])
    config = Config(database_url="unused", smtp_url=url, base_url="https://quality.example")
    _run(engine, config, monkeypatch, "kkv_daily", T0)

    controller.stop()  # the mail server is down during the digest
    _run(engine, config, monkeypatch, "digests_daily", T0)
    assert _outbox(engine) == [("anna@partner.example", "kkv", "queued", 1)]
    assert inbox.messages == []

    controller.start()  # back, but the retry waits for its backoff (1 minute)
    _run(engine, config, monkeypatch, "outbox_send", "2026-11-30T08:00:30+03:00")
    assert inbox.messages == []
    _run(engine, config, monkeypatch, "outbox_send", "2026-11-30T08:01:30+03:00")
    assert [m["To"] for m in inbox.messages] == ["anna@partner.example"]
    assert _outbox(engine) == [("anna@partner.example", "kkv", "sent", 2)]

    # later senders and the next days' digests never repeat the same expiry
    _run(engine, config, monkeypatch, "outbox_send", "2026-11-30T08:05:00+03:00")
    _run(engine, config, monkeypatch, "kkv_daily", "2026-12-01T08:00:00+03:00")
    _run(engine, config, monkeypatch, "digests_daily", "2026-12-01T08:00:00+03:00")
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    body = mail.get_payload(decode=True).decode() if not mail.is_multipart() else mail.get_body().get_content()
    assert "Истекает уровень ККВ" in str(email.header.make_header(email.header.decode_header(mail["Subject"])))
    assert "20.12.2026" in body and "https://quality.example/programs/kkv" in body


def test_an_opted_out_user_receives_nothing_and_the_other_user_reads_english(engine, smtp, monkeypatch):
    inbox, url = smtp.inbox, smtp.url
    anna, _boris = _partner_users(engine)
    with engine.begin() as conn:
        set_opted_out(conn, anna, ["kkv"])
    config = Config(database_url="unused", smtp_url=url)
    _run(engine, config, monkeypatch, "kkv_daily", T0)
    _run(engine, config, monkeypatch, "digests_daily", T0)
    assert [m["To"] for m in inbox.messages] == ["boris@partner.example"]
    assert inbox.messages[0]["Subject"].endswith("KKV level expiring")
    assert [row.recipient for row in _outbox(engine)] == ["boris@partner.example"]


def test_without_smtp_url_mail_stays_in_the_outbox_listed_by_the_cli(engine, monkeypatch, capsys):
    _partner_users(engine)
    config = Config(database_url="unused")
    _run(engine, config, monkeypatch, "kkv_daily", T0)
    _run(engine, config, monkeypatch, "digests_daily", T0)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("QUALITY_NOW", T0)
    capsys.readouterr()
    assert cli.main(["outbox", "--json"]) == 0, capsys.readouterr().err
    rows = json.loads(capsys.readouterr().out)
    assert sorted((r["recipient"], r["kind"], r["status"], r["attempts"]) for r in rows) == [
        ("anna@partner.example", "kkv", "queued", 0), ("boris@partner.example", "kkv", "queued", 0)]
    assert {r["subject"] for r in rows} == {"Монитор качества партнёров: Истекает уровень ККВ",
                                            "Partner Quality Monitor: KKV level expiring"}


def test_a_manager_gets_each_clients_brief_as_pdf_two_working_days_before_the_meeting(engine, smtp, monkeypatch):
    from store.models import Client

    with engine.begin() as conn:
        conn.execute(insert(Partner).values(partner_id="P1", name="Альфа", city="Омск", country="RU"))
        conn.execute(insert(Client).values(client_id="C1", name="ООО «Ромашка»", partner_id="P1",
                                           service_manager="mgr"))
    manager = create_user(engine, "mgr", "long-password-3", "service_manager")
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == manager.id).values(email="mgr@vendor.example"))
    config = Config(database_url="unused", smtp_url=smtp.url)
    # meetings: every other Monday from 08.01.2024 -> Monday 07.12.2026; two working days before: Thursday 03.12
    _run(engine, config, monkeypatch, "digests_daily", "2026-12-02T08:00:00+03:00")
    assert smtp.inbox.messages == []
    _run(engine, config, monkeypatch, "digests_daily", "2026-12-03T08:00:00+03:00")
    _run(engine, config, monkeypatch, "digests_daily", "2026-12-04T08:00:00+03:00")  # once per meeting
    assert [m["To"] for m in smtp.inbox.messages] == ["mgr@vendor.example"]
    attachments = [part for part in smtp.inbox.messages[0].walk() if part.get_filename()]
    assert [a.get_filename() for a in attachments] == ["brief_C1_2026-12-07.pdf"]
    assert attachments[0].get_payload(decode=True).startswith(b"%PDF")
