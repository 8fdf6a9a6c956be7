"""One colour language for every page (assets/colours.md, CSS variables in assets/colours.css).

Scores 1–5 run red → green; a status has one colour wherever it is shown (met / at risk / breached;
assigned / kept / revoked); changes diverge: gains green, losses red; series without meaning are blue/grey.
"""
from __future__ import annotations

from typing import Any

from components.i18n import STRINGS, t

# ColorBrewer RdYlGn, 5 classes (colour-blind safer than pure red/green; text stays readable on 3)
SCORE = {1: "#d73027", 2: "#fc8d59", 3: "#fee08b", 4: "#91cf60", 5: "#1a9850"}
GOOD, WARN, BAD, NEUTRAL, MUTED = "#1a9850", "#f39c12", "#d73027", "#2e86c1", "#9e9e9e"
STATUS = {
    "met": GOOD, "at_risk": WARN, "breached": BAD, "open": NEUTRAL,  # SLA of a ticket
    "assigned": GOOD, "kept": NEUTRAL, "revoked": BAD, "none": MUTED,  # Quality Program competence
    "ok": GOOD, "partial": WARN, "refused": BAD,  # a loaded file
}
GAIN, LOSS = GOOD, BAD  # diverging changes
SERIES = ("#2e86c1", "#e67e22", "#8e44ad", "#16a085", "#c0392b", "#7f8c8d", "#d35400", "#2c3e50")
# the word groups whose values are statuses (the page shows the word, the colour follows the code)
STATUS_GROUPS = ("sla", "state", "pq.status", "quality.status", "admin_upload.status")
STATUS_COLUMNS = frozenset({"state", "sla_state", "status", "decision"})


def status_cell_rules() -> dict[str, str]:
    """ag-grid `cellClassRules` colouring a status column by its word in the user's language."""
    rules: dict[str, list[str]] = {}
    for group in STATUS_GROUPS:
        for code in STATUS:
            key = f"{group}.{code}"
            if key in STRINGS:
                word = t(key).replace("'", "\\'")
                rules.setdefault(f"status-{code.replace('_', '-')}", []).append(f"x === '{word}'")
    return {css: " || ".join(tests) for css, tests in rules.items()}


def with_status_colours(column: dict[str, Any]) -> dict[str, Any]:
    """`column` with its status words coloured when it is a status column."""
    if column.get("field") not in STATUS_COLUMNS or "cellClassRules" in column:
        return column
    return {**column, "cellClassRules": status_cell_rules()}
