"""Per-app objects (engine, config, cache) kept on the Flask server, reachable from any request."""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from sqlalchemy import Engine

from config import Config

EXTENSION = "quality"


def attach(server: Flask, *, engine: Engine, config: Config) -> None:
    """Store the engine and config of this app instance on its Flask server."""
    server.extensions[EXTENSION] = {"engine": engine, "config": config}


def _state(server: Flask | None = None) -> dict[str, Any]:
    return (server or current_app).extensions[EXTENSION]


def current_engine() -> Engine:
    """The SQLAlchemy engine of the app serving the current request."""
    return _state()["engine"]


def current_config() -> Config:
    """The Config of the app serving the current request."""
    return _state()["config"]
