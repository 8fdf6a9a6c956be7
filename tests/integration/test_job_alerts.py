"""Admin alerts (SPEC §11): a consistency mismatch and a failed job each reach the admins once; a failed slot
is run again on the next tick."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, insert, select, update

from auth.users import create_user
from config import Config
from jobs.registry import jobs
from jobs.runner import run_due, run_now
from store.models import JobRun, OutboxMessage, Partner, Project, Survey, SurveyRollup, User
from store.rollups import refresh_survey_rollup

UTC = dt.UTC


def _admin(engine: Engine) -> None:
    admin = create_user(engine, "root", "admin-secret-1", "admin")
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == admin.id).values(email="root@vendor.example"))


def _alerts(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(OutboxMessage.kind, OutboxMessage.body)
                                               .order_by(OutboxMessage.id)).all()]


def _surveys(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(Partner), [{"partner_id": p, "name": p, "city": "Омск", "country": "RU"}
                                       for p in ("P1", "P2")])
        conn.execute(insert(Project), [
            {"project_id": "PR1", "version": 1, "partner_id": "P1", "submitted_at": dt.datetime(2026, 5, 1, tzinfo=UTC)},
            {"project_id": "PR2", "version": 1, "partner_id": "P2", "submitted_at": dt.datetime(2026, 5, 1, tzinfo=UTC)}])
        conn.execute(insert(Survey), [
            {"survey_id": f"S{i}", "project_id": f"PR{1 + i % 2}", "surveyed_at": dt.datetime(2026, 6, 1, tzinfo=UTC),
             "q_design": 4 + i % 2, "q_recommend_partner": 5, "recommend_scale": 5} for i in range(6)])
        refresh_survey_rollup(conn)


def test_a_rollup_that_differs_from_its_recomputation_alerts_the_admins(engine, monkeypatch):
    _admin(engine)
    _surveys(engine)
    monkeypatch.setenv("QUALITY_NOW", "2026-11-30T03:20:00+03:00")
    config = Config(database_url="unused")
    clean = run_now(engine, config, "consistency_nightly")
    assert clean.outcome == "ok" and "equal a recomputation for 2 sampled partners" in clean.detail
    assert _alerts(engine) == []
    with engine.begin() as conn:  # a stored count drifts from the surveys
        conn.execute(update(SurveyRollup).where(SurveyRollup.partner_id == "P2", SurveyRollup.question == "q_design")
                     .values(answers=SurveyRollup.answers + 1))
    drifted = run_due(engine, config, ["consistency_nightly"])
    assert [r.outcome for r in drifted] == ["ok"] and "MISMATCH" in drifted[0].detail
    alerts = _alerts(engine)
    assert [kind for kind, _body in alerts] == ["consistency"]
    assert "у 1 партнёра: P2" in alerts[0][1]


def test_survey_scores_that_differ_from_the_recomputed_counts_alert_too(engine, monkeypatch):
    """survey_score_rollup is checked against scores summed from the recomputed answer counts: a drifted score
    (survey_rollup itself intact) is found for its partner alone."""
    from jobs.consistency import survey_rollup_mismatches
    from store.models import SurveyScoreRollup

    _surveys(engine)
    assert survey_rollup_mismatches(engine, ["P1", "P2"]) == []
    with engine.begin() as conn:
        changed = conn.execute(update(SurveyScoreRollup).where(SurveyScoreRollup.partner_id == "P1",
                                                               SurveyScoreRollup.metric == "nps_partner")
                               .values(promoters_top2=SurveyScoreRollup.promoters_top2 - 1)).rowcount
    assert changed == 1
    assert survey_rollup_mismatches(engine, ["P1", "P2"]) == ["P1"]


def test_comparison_cells_that_differ_from_the_recomputed_counts_alert_too(engine):
    """survey_question_rollup (the anonymized comparison's cells) is checked the same way: one drifted total of
    one question is found for its partner alone."""
    from jobs.consistency import survey_rollup_mismatches
    from store.models import SurveyQuestionRollup

    _surveys(engine)
    assert survey_rollup_mismatches(engine, ["P1", "P2"]) == []
    with engine.begin() as conn:
        changed = conn.execute(update(SurveyQuestionRollup).where(SurveyQuestionRollup.partner_id == "P2",
                                                                  SurveyQuestionRollup.question == "q_design")
                               .values(total=SurveyQuestionRollup.total + 1)).rowcount
    assert changed >= 1
    assert survey_rollup_mismatches(engine, ["P1", "P2"]) == ["P2"]


def test_a_failed_job_alerts_the_admins_once_and_runs_again_on_the_next_tick(engine, monkeypatch):
    _admin(engine)
    monkeypatch.setenv("QUALITY_NOW", "2026-11-30T01:00:00+03:00")
    config = Config(database_url="unused")
    job = jobs()["kkv_daily"]
    calls = []

    def broken(*_args):
        calls.append(1)
        raise RuntimeError("calendar service unreachable")

    object.__setattr__(job, "run", broken)  # the registry holds frozen Job records
    try:
        assert [r.outcome for r in run_due(engine, config, ["kkv_daily"])] == ["failed"]
        assert [r.outcome for r in run_due(engine, config, ["kkv_daily"])] == ["failed"]  # retried, not skipped
    finally:
        from jobs.programs import kkv_daily

        object.__setattr__(job, "run", kkv_daily)
    assert len(calls) == 2
    alerts = _alerts(engine)
    assert [kind for kind, _body in alerts] == ["job_failed"]  # one alert per failed slot
    assert "kkv_daily" in alerts[0][1] and "calendar service unreachable" in alerts[0][1]
    assert [r.outcome for r in run_due(engine, config, ["kkv_daily"])] == ["ok"]
    with engine.connect() as conn:
        assert conn.execute(select(JobRun.slot, JobRun.outcome)).all() == [("2026-11-29T21:45Z", "ok")]


def test_a_slot_left_running_by_a_dead_process_is_run_again_after_six_hours(engine, monkeypatch):
    with engine.begin() as conn:
        conn.execute(insert(JobRun).values(job="kkv_daily", slot="2026-11-29T21:45Z", outcome="running",
                                           started_at=dt.datetime(2026, 11, 29, 21, 45, tzinfo=UTC)))
    config = Config(database_url="unused")
    monkeypatch.setenv("QUALITY_NOW", "2026-11-30T02:00:00+03:00")  # 2 h 15 min later: maybe still running
    assert run_due(engine, config, ["kkv_daily"]) == []
    monkeypatch.setenv("QUALITY_NOW", "2026-11-30T07:00:00+03:00")  # 7 h 15 min later: its process is gone
    assert [(r.slot, r.outcome) for r in run_due(engine, config, ["kkv_daily"])] == [("2026-11-29T21:45Z", "ok")]
