"""Partner programme rules (SPEC §7): one import point for seeds 000–003."""
from metrics.quality_program import (
    competence_history,
    competence_on,
    monitor_status,
    near_threshold,
    points_balance,
    points_ledger,
    submitted_versions,
)

__all__ = [
    "competence_history",
    "competence_on",
    "monitor_status",
    "near_threshold",
    "points_balance",
    "points_ledger",
    "submitted_versions",
]
