"""Configuration from the environment (12-factor): one place that reads os.environ."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'instance' / 'quality.db'}"


@dataclass(frozen=True)
class Config:
    """Settings of one app instance; `Config.from_env()` is the production entry point."""

    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    mode: str = "demo"  # demo | production
    redis_url: str = "redis://127.0.0.1:6379/0"
    session_minutes: int = 480
    max_upload_mb: int = 200
    testing: bool = False
    smtp_url: str = ""  # SPEC §11: smtp://[user:password@]host[:port][?starttls=1] or smtps://…; empty = keep mail in the outbox
    mail_from: str = "quality-monitor@localhost"
    base_url: str = "http://127.0.0.1:8050"  # links in e-mails
    upload_dir: str = str(ROOT / "instance" / "uploads")  # staged uploads; shared by web and workers (SPEC §11)
    background_dir: str = str(ROOT / "instance" / "background")  # DiskcacheManager of the embedded default
    scheduler: bool = True  # `python app.py` runs the in-process job scheduler (QUALITY_SCHEDULER=0: not)
    secure_cookies: bool | None = None  # None: HTTPS-only cookies in production mode
    proxy_count: int = 0  # reverse proxies in front of the app whose X-Forwarded-* headers are trusted
    login_rate_per_address: str = "60 per minute"  # failed log-ins (Flask-Limiter)
    login_rate_per_login: str = "20 per minute"

    @property
    def demo(self) -> bool:
        return self.mode == "demo"

    @property
    def https_only(self) -> bool:
        """Cookies (and HSTS) for HTTPS only: production mode unless SECURE_COOKIES=0 (a local test)."""
        return (not self.demo) if self.secure_cookies is None else self.secure_cookies

    @classmethod
    def from_env(cls, **overrides) -> "Config":
        env = os.environ
        values = dict(
            database_url=normalize_database_url(env.get("DATABASE_URL", DEFAULT_DATABASE_URL)),
            secret_key=env.get("SECRET_KEY") or _instance_secret(),
            mode=env.get("QUALITY_MODE", "demo"),
            redis_url=env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            session_minutes=int(env.get("SESSION_MINUTES", "480")),
            max_upload_mb=int(env.get("MAX_UPLOAD_MB", "200")),
            smtp_url=env.get("SMTP_URL", ""),
            mail_from=env.get("MAIL_FROM", "quality-monitor@localhost"),
            base_url=env.get("BASE_URL", "http://127.0.0.1:8050").rstrip("/"),
            upload_dir=env.get("UPLOAD_DIR", str(ROOT / "instance" / "uploads")),
            background_dir=env.get("BACKGROUND_DIR", str(ROOT / "instance" / "background")),
            scheduler=env.get("QUALITY_SCHEDULER", "1").lower() not in ("0", "false", "no"),
            proxy_count=int(env.get("PROXY_COUNT", "0")),
            secure_cookies={"1": True, "0": False}.get(env.get("SECURE_COOKIES", "")),
        )
        values.update(overrides)
        if values["mode"] not in ("demo", "production"):
            raise ValueError(f"QUALITY_MODE must be demo or production, not {values['mode']!r}")
        return cls(**values)


def normalize_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short form."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret() -> str:
    """A secret key kept in instance/ so sessions survive restarts of the demo server."""
    path = ROOT / "instance" / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()
