"""Is a 2xx Dash callback answer a failure? Shared by `tools.loadtest` and the Locust users (stdlib only:
`tools/locustfile.py` runs in Locust's own environment and imports this module from its folder)."""
from __future__ import annotations

ERROR_TOAST = "shell-error"  # components.shell.ERROR_TOAST: the app caught a callback exception
ERROR_ALERT_CLASS = '"callback-error'  # class of components.alerts.error_alert in a callback's JSON answer


def callback_failure(response) -> str | None:
    """Why a 2xx callback answer (a `requests` response) is still a failure, or None.

    Failures the app turns into friendly messages: the error toast opened (`on_callback_error`)
    or an output holding `components.alerts.error_alert` (class ``callback-error``).
    """
    if response.status_code == 204 or "json" not in response.headers.get("content-type", ""):
        return None
    side = (response.json() or {}).get("sideUpdate") or {}
    if side.get(ERROR_TOAST, {}).get("is_open"):
        return f"error toast: {side[ERROR_TOAST].get('children')}"
    if ERROR_ALERT_CLASS in response.text:
        return "error alert in the callback output"
    return None
