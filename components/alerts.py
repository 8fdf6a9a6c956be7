"""Friendly alerts shown instead of data: no access (403) and a failed update."""
from __future__ import annotations

import dash_bootstrap_components as dbc

from components.i18n import t


def forbidden_alert() -> dbc.Alert:
    """The "no access for your role" alert returned by `auth.authorized` instead of data."""
    return dbc.Alert(t("forbidden"), color="warning", className="forbidden mb-0")


def error_alert(message: str | None = None) -> dbc.Alert:
    """A plain-language alert for an error the user can do nothing about but retry."""
    return dbc.Alert(message or t("error.callback"), color="danger", className="callback-error mb-0")
