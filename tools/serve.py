"""Production start-up, run once by gunicorn's master before the workers fork (see gunicorn.conf.py).

`prepare_production()` makes what every worker needs exist exactly once, so that N workers
starting together never race: the PostgreSQL database (created when missing), the schema at the
newest Alembic revision, the instance secret key; and it refuses to start when Redis, the shared
cache of production mode (SPEC §9), is unreachable, with a message saying what to do.
"""
from __future__ import annotations

import logging

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from config import Config
from store.db import make_engine, migrate

log = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """The server cannot start; the message says why and what to do."""


def ensure_database(database_url: str) -> bool:
    """Create the PostgreSQL database of `database_url` when it does not exist; True if created.

    Connects to the server's ``postgres`` maintenance database (CREATE DATABASE cannot run
    inside a transaction, hence AUTOCOMMIT). SQLite files are created by the engine itself.
    """
    url = make_url(database_url)
    if not url.drivername.startswith("postgresql") or not url.database:
        return False
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    finally:
        admin.dispose()
    return not exists


def redis_problem(redis_url: str, timeout_s: float = 2.0) -> str | None:
    """Why the Redis cache at `redis_url` cannot be used, or None when it answers PING."""
    import redis

    try:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
        client.ping()
        client.close()
    except (redis.RedisError, OSError, ValueError) as error:
        return f"{type(error).__name__}: {str(error).rstrip('.')}"
    return None


def count_users(engine: Engine) -> int:
    from store.models import User

    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(User)) or 0)


def prepare_production(config: Config | None = None) -> Config:
    """Check Redis, create the database if missing, migrate once; returns the configuration used.

    Raises
    ------
    StartupError
        production mode with Redis unreachable (the workers would fail on the first cached call).
    """
    config = config or Config.from_env()  # also writes instance/secret_key once when SECRET_KEY is unset
    if config.mode == "production":
        problem = redis_problem(config.redis_url)
        if problem:
            raise StartupError(
                f"Redis (the shared cache of production mode) is unreachable at {config.redis_url}: {problem}. "
                "Start it (`make redis`) or set REDIS_URL."
            )
    if ensure_database(config.database_url):
        log.warning("created database %s", make_url(config.database_url).database)
    engine = make_engine(config.database_url)
    try:
        migrate(engine)
        if config.mode == "production" and count_users(engine) == 0:
            log.warning("no users yet: production mode has no demo logins; add one with "
                        "`echo PASSWORD | DATABASE_URL=... python cli.py users add LOGIN --role admin`")
    finally:
        engine.dispose()  # no pooled connection may be inherited by the forked workers
    return config
