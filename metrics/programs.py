"""Partner programme rules (SPEC §7): one import point for seeds 000–003."""
from metrics.kkv import kkv_points_by_source, kkv_public_list, kkv_status, overdue_progress_reports
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
    "kkv_points_by_source",
    "kkv_public_list",
    "kkv_status",
    "overdue_progress_reports",
    "competence_history",
    "competence_on",
    "monitor_status",
    "near_threshold",
    "points_balance",
    "points_ledger",
    "submitted_versions",
]
