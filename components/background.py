"""The Dash background callback manager (SPEC §11): Celery over Redis in production, diskcache embedded."""
from __future__ import annotations

from functools import lru_cache

from dash import CeleryManager, DiskcacheManager

from config import Config


@lru_cache(maxsize=4)
def _diskcache_manager(folder: str) -> DiskcacheManager:
    import diskcache

    return DiskcacheManager(diskcache.Cache(folder), expire=3600)


@lru_cache(maxsize=4)
def _celery_manager(redis_url: str) -> CeleryManager:
    from jobs.celery_app import celery_for

    return CeleryManager(celery_for(redis_url), expire=3600)


def background_manager(config: Config) -> DiskcacheManager | CeleryManager:
    """One manager per process and setting (a manager registers every background callback of every app)."""
    return _celery_manager(config.redis_url) if config.mode == "production" else _diskcache_manager(
        config.background_dir)
