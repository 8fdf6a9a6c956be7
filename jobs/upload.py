"""Upload + ingest as background work (SPEC §11): staged by the web process, loaded by a worker, all or nothing.

1. `stage` (the web callback, after it authorized the admin): the decoded files and a manifest (login, kind,
   database) go to ``UPLOAD_DIR/<token>/``; the random token is all the browser gets back.
2. `run_staged` (the background callback, in a DiskcacheManager process or a Celery worker): the token
   must name a staged upload whose login is still an active admin; every file is loaded inside ONE
   transaction (`loaders.ingest.ingest_files(connection=…)`, a SAVEPOINT per file so a refused file
   rolls back alone) and committed only at the end. Cancelling kills the worker process before that
   commit, a failure rolls it back: either way nothing is written. Progress is reported per chunk.
With workers on several machines, ``UPLOAD_DIR`` must be a shared directory.
"""
from __future__ import annotations

import json
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from loaders.ingest import FileReport, ingest_files
from loaders.read import TABLE_SUFFIXES
from store.db import write_engine
from store.models import User

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
UPLOAD_CHUNK_ROWS = 50_000  # smaller chunks than the CLI: the progress bar moves every 50,000 rows
Progress = Callable[[str, int, int | None, str], None]  # stage, rows done, rows expected, file name
STAGES = ("queued", "reading", "committing", "done")


class UploadRefused(RuntimeError):
    """The staged upload is missing, malformed, or its admin is no longer allowed to load files."""


@dataclass
class UploadResult:
    reports: list[FileReport]
    unreadable: list[str]
    login: str


def expected_rows(name: str, data: bytes) -> int | None:
    """Data rows of a CSV (line count less the header; quoted line breaks make it an estimate); None for XLSX."""
    if Path(name).suffix.lower() in (".xlsx", ".xlsm"):
        return None
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    return max(lines - 1, 0)


def stage(root: Path, files: list[tuple[str, bytes]], unreadable: list[str], kind: str | None, login: str,
          database_url: str, lang: str = "ru") -> str:
    """Write an authorized upload for a worker; returns its token."""
    token = secrets.token_hex(16)
    folder = Path(root) / token
    folder.mkdir(parents=True, mode=0o700)
    entries = []
    for index, (name, data) in enumerate(files):
        suffix = Path(name).suffix.lower()
        stored = f"{index:03d}{suffix if suffix in TABLE_SUFFIXES else '.bin'}"
        (folder / stored).write_bytes(data)
        entries.append({"name": name, "stored": stored, "rows": expected_rows(name, data)})
    manifest = {"login": login, "kind": kind, "database_url": database_url, "files": entries,
                "unreadable": unreadable, "lang": lang}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    return token


def _manifest(root: Path, token: object) -> tuple[Path, dict]:
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        raise UploadRefused("malformed upload token")
    folder = Path(root) / token
    try:
        return folder, json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        raise UploadRefused("no such staged upload") from None


def staged_language(root: Path, token: object) -> str:
    """The language of the admin who staged the upload (progress texts), Russian when unknown."""
    try:
        return _manifest(root, token)[1].get("lang") or "ru"
    except UploadRefused:
        return "ru"


def run_staged(root: Path, token: object, progress: Progress | None = None) -> UploadResult:
    """Load a staged upload in one transaction (see the module docstring); the staging folder is removed."""
    folder, manifest = _manifest(root, token)
    try:
        engine = write_engine(manifest["database_url"])
        try:
            with engine.connect() as conn:
                allowed = conn.execute(select(User.id).where(User.login == manifest["login"], User.role == "admin",
                                                            User.active.is_(True))).first()
            if allowed is None:
                raise UploadRefused(f"{manifest['login']} may not load files")
            files = manifest["files"]
            total = sum(f["rows"] for f in files) if all(f["rows"] is not None for f in files) else None
            items = [(f["name"], (folder / f["stored"]).read_bytes()) for f in files]

            def on_rows(rows: int, _total: object, kind: str) -> None:
                if progress:
                    progress("reading", rows, total, kind)

            if progress:
                progress("reading", 0, total, "")
            with engine.connect() as conn:
                transaction = conn.begin()
                reports = ingest_files(engine, items, kind=manifest["kind"], login=manifest["login"],
                                       progress=on_rows, chunk_rows=UPLOAD_CHUNK_ROWS, connection=conn) \
                    if items else []
                if progress:
                    progress("committing", sum(r.rows for r in reports), total, "")
                transaction.commit()
            from auth.audit import audit

            audit("ingest_upload", "; ".join(f"{r.path}: {r.status} {r.accepted}/{r.rows}" for r in reports)
                  + "".join(f"; {name}: unreadable" for name in manifest["unreadable"]),
                  login=manifest["login"], engine=engine)
        finally:
            engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return UploadResult(reports, list(manifest["unreadable"]), manifest["login"])
