"""Partner programme rules (SPEC §7): one import point for seeds 000–003.

* `metrics.quality_program` — Quality Program (seed 000): monitor, points, competence.
* `metrics.kkv` — enterprise implementations competence (seed 001).
* `metrics.saas` — 1cfresh lead distribution (seed 002).
* `metrics.deposit` — dedicated support service (seed 003).
"""

from metrics.deposit import (
    SpeedComparison,
    deposit_account,
    deposit_statement,
    psm_vs_classic,
    worked_time_per_ticket,
)
from metrics.kkv import (
    kkv_points_by_source,
    kkv_public_list,
    kkv_status,
    overdue_progress_reports,
)
from metrics.quality_program import (
    competence_history,
    competence_on,
    monitor_status,
    near_threshold,
    points_balance,
    points_ledger,
    submitted_versions,
)
from metrics.saas import (
    churn_reasons,
    distribute_leads,
    lead_funnel,
    net_new_contracts,
    top10,
)

__all__ = [
    "SpeedComparison",
    "churn_reasons",
    "competence_history",
    "competence_on",
    "deposit_account",
    "deposit_statement",
    "distribute_leads",
    "kkv_points_by_source",
    "kkv_public_list",
    "kkv_status",
    "lead_funnel",
    "monitor_status",
    "near_threshold",
    "net_new_contracts",
    "overdue_progress_reports",
    "points_balance",
    "points_ledger",
    "psm_vs_classic",
    "submitted_versions",
    "top10",
    "worked_time_per_ticket",
]
