"""Background upload (SPEC §11): one transaction for the whole upload, so a cancelled (killed) or failed job
writes nothing; a staged upload runs only for an admin who still may load files. Both backends."""
from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest
from sqlalchemy import Engine, func, select, update

from auth.users import create_user
from jobs.upload import UploadRefused, run_staged, stage
from store.models import AuditLog, Client, IngestRun, Partner, QuarantineRow, User

PARTNERS = "partner_id,name,city\nP1,Альфа,Омск\nP2,Бета,Томск\n"


def _clients(rows: int) -> str:
    lines = "".join(f"C{i:06d},Клиент {i},P{1 + i % 2},Омск\n" for i in range(rows))
    return "client_id,name,partner_id,city\n" + lines


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {model.__tablename__: conn.scalar(select(func.count()).select_from(model))
                for model in (Partner, Client, IngestRun, QuarantineRow, AuditLog)}


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _staged(engine: Engine, tmp_path, files: dict[str, str], login: str = "root") -> str:
    return stage(tmp_path, [(name, body.encode()) for name, body in files.items()], [], None, login, _url(engine))


@pytest.fixture()
def admin(engine) -> str:
    create_user(engine, "root", "admin-secret-1", "admin")
    return "root"


def _worker(root: str, token: str, reading, _unused) -> None:
    """The background process: load, and stop (as if still busy) once the second file is being read."""
    def progress(stage_name: str, rows: int, _total, kind: str) -> None:
        if stage_name == "reading" and kind == "clients" and rows > 0:
            reading.set()
            time.sleep(600)

    run_staged(root, token, progress)


def test_a_cancelled_upload_leaves_the_database_unchanged(engine, admin, tmp_path):
    token = _staged(engine, tmp_path, {"partners.csv": PARTNERS, "clients.csv": _clients(60_000)})
    before = _counts(engine)
    context = multiprocessing.get_context("fork")  # DiskcacheManager runs jobs in forked processes too
    reading = context.Event()
    worker = context.Process(target=_worker, args=(str(tmp_path), token, reading, None))
    worker.start()
    assert reading.wait(timeout=180), "the upload never reached the second file"
    os.kill(worker.pid, signal.SIGKILL)  # what the cancel button does (psutil kill / Celery revoke terminate)
    worker.join(timeout=30)
    assert worker.exitcode == -signal.SIGKILL
    # partners.csv was completely loaded and clients.csv half-way when the job died: nothing of either remains
    assert _counts(engine) == before
    token = _staged(engine, tmp_path, {"partners.csv": PARTNERS})  # the database is not left locked
    result = run_staged(tmp_path, token)
    assert [r.status for r in result.reports] == ["ok"] and _counts(engine)["partners"] == 2


def test_a_failed_upload_writes_nothing(engine, admin, tmp_path):
    token = _staged(engine, tmp_path, {"partners.csv": PARTNERS, "clients.csv": _clients(10)})
    before = _counts(engine)

    def failing(stage_name: str, rows: int, _total, kind: str) -> None:
        if kind == "clients":
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        run_staged(tmp_path, token, failing)
    assert _counts(engine) == before
    assert not (tmp_path / token).exists()  # the staged files are removed either way


def test_a_refused_file_rolls_back_alone_and_the_rest_is_committed(engine, admin, tmp_path):
    token = _staged(engine, tmp_path, {"partners.csv": PARTNERS, "mystery.csv": "foo,bar\n1,2\n"})
    result = run_staged(tmp_path, token)
    assert sorted((r.path, r.status) for r in result.reports) == [("mystery.csv", "refused"), ("partners.csv", "ok")]
    counts = _counts(engine)
    assert (counts["partners"], counts["ingest_runs"]) == (2, 2)


def test_a_staged_upload_of_an_admin_demoted_meanwhile_loads_nothing(engine, admin, tmp_path):
    token = _staged(engine, tmp_path, {"partners.csv": PARTNERS})
    with engine.begin() as conn:
        conn.execute(update(User).where(User.login == admin).values(role="management"))
    with pytest.raises(UploadRefused):
        run_staged(tmp_path, token)
    assert _counts(engine)["partners"] == 0
    with pytest.raises(UploadRefused):
        run_staged(tmp_path, "../../etc")  # only a token of 32 hex digits names a staged upload


def test_progress_reports_rows_of_the_expected_total_then_the_commit(engine, admin, tmp_path):
    token = _staged(engine, tmp_path, {"partners.csv": PARTNERS, "clients.csv": _clients(120_000)})
    seen: list[tuple[str, int, int | None]] = []
    run_staged(tmp_path, token, lambda stage_name, rows, total, _kind: seen.append((stage_name, rows, total)))
    assert seen[0] == ("reading", 0, 120_002)
    assert [rows for name, rows, _ in seen if name == "reading"] == [0, 2, 50_002, 100_002, 120_002]
    assert seen[-1] == ("committing", 120_002, 120_002)
