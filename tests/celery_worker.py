"""A real Celery worker process (`celery -A jobs.worker worker`) over Redis for the tests of SPEC §11.

Each worker uses its own Redis database (a random index 8–15) and is stopped by its process id.
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def celery_worker(database_url: str, upload_dir: Path, log: Path, **env: str) -> Iterator[str]:
    """Start a worker over `database_url`; yields its REDIS_URL once it is ready; stops it on exit."""
    redis_url = f"redis://127.0.0.1:6379/{random.randint(8, 15)}"
    environment = {**os.environ, "QUALITY_MODE": "production", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                   "UPLOAD_DIR": str(upload_dir), "SECRET_KEY": "x" * 32, "QUALITY_SCHEDULER": "0", **env}
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "jobs.worker", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while "ready." not in log.read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield redis_url
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=30)
