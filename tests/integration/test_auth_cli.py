"""`cli.py users`: add (password from stdin), list, disable, passwd; errors exit 2 (SPEC §10)."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import insert, select

from auth.passwords import verify_password
from auth.users import get_user
from cli import main
from commands.common import configured_engine
from store.models import AuditLog, Partner


class Stdin(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.fixture()
def engine(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("QUALITY_MODE", "production")
    engine = configured_engine()
    with engine.begin() as conn:
        conn.execute(insert(Partner).values(partner_id="P0001", name="Альфа", city="Омск"))
    return engine


def users(argv: list[str], monkeypatch, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", Stdin(stdin))
    return main(["users", *argv])


def test_add_reads_the_password_from_stdin_and_hashes_it(engine, monkeypatch):
    assert users(["add", "Olga", "--role", "partner", "--partner", "P0001", "--name", "Ольга"],
                 monkeypatch, "s3cret-pass\n") == 0
    user = get_user(engine, "olga")
    assert (user.role, user.partner_id, user.name) == ("partner", "P0001", "Ольга")
    assert verify_password(user.password_hash, "s3cret-pass")


def test_add_is_audited_as_an_admin_change(engine, monkeypatch):
    users(["add", "boss", "--role", "management"], monkeypatch, "s3cret-pass\n")
    with engine.connect() as conn:
        assert conn.execute(select(AuditLog.login, AuditLog.action, AuditLog.detail)).all() == [
            ("cli", "user_add", "boss role=management partner=None")]


@pytest.mark.parametrize("argv, message", [
    (["add", "x1", "--role", "boss"], "unknown role 'boss'"),
    (["add", "x1", "--role", "partner"], "role partner needs --partner ID"),
    (["add", "x1", "--role", "partner", "--partner", "P404"], "partner 'P404' does not exist"),
    (["add", "x1", "--role", "admin", "--partner", "P0001"], "--partner is only for role partner"),
    (["disable", "ghost"], "no user 'ghost'"),
])
def test_invalid_requests_exit_2_with_a_clear_message(engine, monkeypatch, capsys, argv, message):
    assert users(argv, monkeypatch, "s3cret-pass\n") == 2
    assert message in capsys.readouterr().err


def test_short_password_is_refused(engine, monkeypatch, capsys):
    assert users(["add", "x1", "--role", "admin"], monkeypatch, "short\n") == 2
    assert "at least 8 characters" in capsys.readouterr().err


def test_duplicate_login_is_refused(engine, monkeypatch):
    assert users(["add", "ann", "--role", "admin"], monkeypatch, "s3cret-pass\n") == 0
    assert users(["add", "ANN", "--role", "admin"], monkeypatch, "s3cret-pass\n") == 2


def test_list_json_shows_users_without_password_hashes(engine, monkeypatch, capsys):
    users(["add", "ann", "--role", "service_manager"], monkeypatch, "s3cret-pass\n")
    capsys.readouterr()
    assert users(["list", "--json"], monkeypatch) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["login"], r["role"], r["active"]) for r in rows] == [("ann", "service_manager", True)]
    assert "password_hash" not in rows[0]


def test_disable_and_passwd(engine, monkeypatch):
    users(["add", "ann", "--role", "admin"], monkeypatch, "s3cret-pass\n")
    assert users(["disable", "ann"], monkeypatch) == 0
    assert get_user(engine, "ann").active is False
    assert users(["passwd", "ann"], monkeypatch, "another-pass\n") == 0
    assert verify_password(get_user(engine, "ann").password_hash, "another-pass")


def test_production_database_has_no_demo_logins(engine, monkeypatch, capsys):
    assert users(["list", "--json"], monkeypatch) == 0
    assert json.loads(capsys.readouterr().out) == []
