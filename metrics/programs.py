"""Partner programme rules (SPEC §7): one import point for seeds 000–003."""
from metrics.kkv import kkv_points_by_source, kkv_public_list, kkv_status, overdue_progress_reports
from metrics.saas import churn_reasons, distribute_leads, lead_funnel, net_new_contracts, top10
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
    "churn_reasons",
    "distribute_leads",
    "lead_funnel",
    "net_new_contracts",
    "top10",
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
