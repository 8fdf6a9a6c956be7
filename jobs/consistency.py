"""The nightly consistency check (SPEC §11): stored rollups equal a recomputation, on a sample of partners.

The sample (`SAMPLE_PARTNERS`, drawn afresh each night from the slot) is recomputed with the very query
the rollup is built from (`store.rollups.survey_rollup_query`) and compared cell by cell with the stored
`survey_rollup` rows, and the scores summed from that recomputation (`store.rollups.survey_score_rows`) with the
stored `survey_score_rollup` rows, and the comparison cells (`survey_question_rows`) with `survey_question_rollup`;
any difference alerts the admins. The rows stored per input kind that the loads keep (`stored_counts`, read by
the admin's home) are compared with a count of each input table and set to it where they differ (the run's
detail names those kinds).
"""
from __future__ import annotations

import zlib

import pandas as pd
from sqlalchemy import Engine, select

from config import Config
from store.frames import read_frame
from store.models import Partner, SurveyQuestionRollup, SurveyRollup, SurveyScoreRollup
from store.stored_counts import recount_stored_rows, stored_row_counts
from store.rollups import (
    QUESTION_COLUMNS,
    QUESTION_SUMS,
    ROLLUP_DIMENSIONS,
    SCORE_COLUMNS,
    SCORE_SUMS,
    survey_question_rows,
    survey_rollup_query,
    survey_score_rows,
)

SAMPLE_PARTNERS = 50


def sample_partners(engine: Engine, seed: int, size: int = SAMPLE_PARTNERS) -> list[str]:
    with engine.connect() as conn:
        ids = pd.Series(list(conn.scalars(select(Partner.partner_id).order_by(Partner.partner_id))), dtype=object)
    return ids.sample(n=min(size, len(ids)), random_state=seed).tolist() if len(ids) else []


def survey_rollup_mismatches(engine: Engine, partner_ids: list[str]) -> list[str]:
    """Partners of `partner_ids` whose stored survey rollup or survey scores differ from a recomputation."""
    if not partner_ids:
        return []
    columns = [*ROLLUP_DIMENSIONS, "answers"]
    with engine.connect() as conn:
        fresh_query = survey_rollup_query(conn).subquery("fresh")
        fresh = read_frame(conn, select(fresh_query).where(fresh_query.c.partner_id.in_(partner_ids)))
        stored = read_frame(conn, select(*[SurveyRollup.__table__.c[c] for c in columns])
                            .where(SurveyRollup.partner_id.in_(partner_ids)))
        fresh_scores = read_frame(conn, survey_score_rows(fresh_query)
                                  .where(fresh_query.c.partner_id.in_(partner_ids)))
        stored_scores = read_frame(conn, select(*[SurveyScoreRollup.__table__.c[c] for c in SCORE_COLUMNS])
                                   .where(SurveyScoreRollup.partner_id.in_(partner_ids)))
        fresh_cells = read_frame(conn, survey_question_rows(fresh_query)
                                 .where(fresh_query.c.partner_id.in_(partner_ids)))
        stored_cells = read_frame(conn, select(*[SurveyQuestionRollup.__table__.c[c] for c in QUESTION_COLUMNS])
                                  .where(SurveyQuestionRollup.partner_id.in_(partner_ids)))
    return sorted(set(_differing(fresh, stored, list(ROLLUP_DIMENSIONS), ["answers"]))
                  | set(_differing(fresh_scores, stored_scores, SCORE_COLUMNS[:3], list(SCORE_SUMS)))
                  | set(_differing(fresh_cells, stored_cells, QUESTION_COLUMNS[:3], list(QUESTION_SUMS))))


def _differing(fresh: pd.DataFrame, stored: pd.DataFrame, keys: list[str], sums: list[str]) -> list[str]:
    """Partners with a cell present on one side only, or with a different sum."""
    both = fresh[keys + sums].merge(stored[keys + sums], on=keys, how="outer", suffixes=("_fresh", "_stored"))
    differ = pd.Series(False, index=both.index)
    for column in sums:
        differ |= (both[f"{column}_fresh"].fillna(-1).astype("int64")
                   != both[f"{column}_stored"].fillna(-1).astype("int64"))
    return both.loc[differ, "partner_id"].unique().tolist()


def stored_count_mismatches(engine: Engine) -> list[str]:
    """Input kinds whose kept row count (`stored_counts`) differs from a count of their table; all are set to the
    counts. PostgreSQL: the table is locked first, so a load that has added its rows to it is waited for (and then
    counted) and one that has not yet added them adds them after this count (which did not see its rows)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("LOCK TABLE stored_counts IN EXCLUSIVE MODE")
        kept = stored_row_counts(conn)
        counted = recount_stored_rows(conn)
    return [kind for kind in counted if kept[kind] != counted[kind]]


def consistency_nightly(engine: Engine, slot: pd.Timestamp, config: Config) -> str:
    from jobs.digests import alert_admins, line_in_languages

    drifted = stored_count_mismatches(engine)
    counts = (f"; stored row counts corrected for {', '.join(drifted)}" if drifted
              else "; stored row counts equal a count")
    sample = sample_partners(engine, zlib.crc32(slot.isoformat().encode()))
    mismatched = survey_rollup_mismatches(engine, sample)
    if mismatched:
        slot_text = slot.tz_convert("Europe/Moscow").strftime("%d.%m.%Y %H:%M")
        alert_admins(engine, config, "consistency", f"consistency:{slot.isoformat()}",
                     line_in_languages("mail.consistency", slot=slot_text, n=len(mismatched),
                           partners=", ".join(mismatched[:20])))
        return f"MISMATCH: survey rollups differ for {len(mismatched)} of {len(sample)} sampled partners: " \
               f"{', '.join(mismatched[:20])}" + counts
    return f"survey rollups equal a recomputation for {len(sample)} sampled partners" + counts
