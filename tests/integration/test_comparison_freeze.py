"""The level a comparison window was first shown at is frozen and audited (issue 18, finding 1).

Omsk (5 other partners) and Tomsk (1 partner) in Siberia. Before 2024Q2, one Omsk partner dominates
Omsk's 12 months, so the viewer's 2023Q4 comparison is shown for Siberia. 2024Q2's answers make Omsk
pass on its own: evaluated afresh the window would move to Omsk, and Siberia minus Omsk is Tomsk.
With the frozen decision it stays at Siberia (stored and live alike).
"""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import insert, select

from store.comparison_rollup import comparison_table, refresh_comparison_rollup
from store.rollups import refresh_survey_sums
from store.models import AuditLog, ComparisonDecision, ComparisonRollup, Partner, SurveyRollup
from tests.integration.partner_db import migrated_engine

NOW = pd.Timestamp("2024-02-15 10:00", tz="UTC")  # page windows: quarter 2023Q4, ttm:2023Q4
METRIC = "csat:q_design"
OMSK = [f"OMSK{i}" for i in range(5)]
BEFORE = {**{(p, "2023Q4"): 6 for p in OMSK}, ("TOMSK", "2023Q4"): 6, ("OMSK0", "2024Q1"): 100,
          ("TOMSK", "2024Q1"): 100, ("VIEWER", "2023Q4"): 3}
NEW_QUARTER = {(p, "2024Q2"): 40 for p in OMSK[1:]}


def _rollup(counts: dict) -> list[dict]:
    return [{"partner_id": p, "quarter": q, "question": "q_design", "scale": 5, "answer": 5, "category": "",
             "industry": "", "answers": n} for (p, q), n in counts.items()]


def _add_counts(conn, counts: dict) -> None:
    """Answer counts straight into `survey_rollup`, and the rollups summed from it (the comparison reads
    `survey_question_rollup`)."""
    conn.execute(insert(SurveyRollup), _rollup(counts))
    refresh_survey_sums(conn)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    with migrated_engine(request.param, tmp_path) as engine:
        places = [("VIEWER", "Омск"), *((p, "Омск") for p in OMSK), ("TOMSK", "Томск")]
        with engine.begin() as conn:
            conn.execute(insert(Partner), [{"partner_id": p, "name": p, "city": c, "region": "Сибирь",
                                            "country": "RU"} for p, c in places])
            _add_counts(conn, BEFORE)
        yield engine


def _stored_level(conn) -> str | None:
    return conn.scalar(select(ComparisonRollup.level).where(
        ComparisonRollup.partner_id == "VIEWER", ComparisonRollup.window_id == "2023Q4",
        ComparisonRollup.metric == METRIC))


def test_a_window_first_shown_for_the_region_stays_there_after_new_data(engine):
    with engine.begin() as conn:
        refresh_comparison_rollup(conn, now=NOW)
        assert _stored_level(conn) == "region"
        decided = conn.scalar(select(ComparisonDecision.level).where(
            ComparisonDecision.partner_id == "VIEWER", ComparisonDecision.window_id == "2023Q4",
            ComparisonDecision.metric == METRIC))
        assert decided == "region"
        assert "window=2023Q4 " in conn.scalar(select(AuditLog.detail).where(AuditLog.action == "comparison_frozen"))
    with engine.begin() as conn:
        _add_counts(conn, NEW_QUARTER)
        refresh_comparison_rollup(conn, now=NOW)
        assert _stored_level(conn) == "region"
        live = comparison_table(conn, "RU", "2023Q4", viewers=["VIEWER"]).set_index("metric")
        assert live.loc[METRIC, "level"] == "region"
        assert conn.scalar(select(ComparisonDecision.level).where(
            ComparisonDecision.partner_id == "VIEWER", ComparisonDecision.window_id == "2023Q4",
            ComparisonDecision.metric == METRIC)) == "region"


def test_without_a_stored_decision_the_new_data_would_show_the_city(engine):
    """The finding itself, on the stored path: the decisions table emptied, the window moves to Omsk."""
    with engine.begin() as conn:
        refresh_comparison_rollup(conn, now=NOW)
        _add_counts(conn, NEW_QUARTER)
        conn.execute(ComparisonDecision.__table__.delete())
        refresh_comparison_rollup(conn, now=NOW)
        assert _stored_level(conn) == "city"
