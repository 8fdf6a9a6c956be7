"""Entry point of the production Celery worker: ``celery -A jobs.worker worker`` (`make worker`).

Builds the Dash app once (as the web processes do) so that its background callbacks are registered as
tasks of the Celery app, next to the scheduled jobs of `jobs.celery_app`.
"""
from __future__ import annotations

from app import create_app
from jobs.celery_app import CONFIG, celery_for

create_app(CONFIG)
app = celery_for(CONFIG.redis_url)
