"""Shared pieces of the subcommands: the configured engine, progress output."""
from __future__ import annotations

import sys
import time

from sqlalchemy import Engine

from config import Config
from store.db import engine_for, migrate


def configured_engine(config: Config | None = None) -> Engine:
    """The engine of DATABASE_URL with the schema migrated to head."""
    config = config or Config.from_env()
    engine = engine_for(config.database_url)
    migrate(engine)
    return engine


class Progress:
    """Rows/s progress on a terminal (stderr); silent when quiet or not a TTY."""

    def __init__(self, label: str, quiet: bool = False):
        self.label = label
        self.enabled = not quiet and sys.stderr.isatty()
        self.started = time.perf_counter()

    def update(self, rows: int, total: int | None = None, note: str = "") -> None:
        if not self.enabled:
            return
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        of_total = f"/{total:,}" if total else ""
        sys.stderr.write(f"\r{self.label}: {rows:,}{of_total} rows, {rows / elapsed:,.0f} rows/s {note}   ")
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
