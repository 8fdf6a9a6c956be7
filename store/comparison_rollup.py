"""`comparison_rollup`: every partner's anonymized comparison for the page windows, refreshed at ingest (SPEC §8, §9).

`metrics.privacy.comparison_groups_all` evaluates all partners of a country in one vectorized pass, at the
cost of evaluating one. Doing that once per ingest (per country × page window × NPS scheme) means the
partner page reads its eight stored rows instead of re-evaluating the whole country on every cold visit
(11 s on the `large` data). Rows are keyed by the window id of the day they were computed for; when the
quarter turns without a new ingest, the page finds no rows for the new window and evaluates live.

A stored row holds the group's answer count as the floor of the band the page shows (`answers_from`: 30, 50,
100; 0 when withheld), never the exact count: only the band ever leaves the server, and the exact count of a
country-level group moves with every answer in the country, so a daily survey file rewrote 32 k of Russia's
71 k rows at `large` for figures no one sees (a band moves rarely).

The level each partner's comparison of a window is first stored at is frozen in `comparison_decisions`
(with one audit row per window and scheme that froze any): every later evaluation of that window,
stored or live, shows it at that level or withholds it (issue 18: new data moved a window shown for a
region down to a city, and region minus city isolated one partner). The live evaluation only reads
the decisions (it runs inside the page's read-only connection); they are written at ingest.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence

import pandas as pd
from sqlalchemy import Connection, Select, delete, insert, select

from metrics.privacy import (
    SUPPRESSION_QUARTERS,
    WINDOWS,
    PreparedComparison,
    answer_band_floor,
    comparison_metrics,
    parse_window,
    prepare_comparison,
    window_id,
)
from metrics.survey import Scheme
from store import partner_queries as q
from store.bulk import analyze, insert_dataframe, local_work_mem, replace_frame, row_digest
from store.frames import read_frame, read_frame_bulk
from store.models import AuditLog, ComparisonDecision, ComparisonRollup, Partner, SurveyRollup
from store import clock

STORED_SCHEMES: tuple[Scheme, ...] = ("top1",)  # the scheme the pages use; top2 is evaluated on demand
RESULT_COLUMNS = ["withheld", "level", "group_name", "group_name_en", "value", "n_partners", "answers_from",
                  "reason_ru", "reason_en"]


def comparison_table(conn: Connection, country: str, window: str, scheme: Scheme = "top1",
                     viewers: Sequence[str] | None = None) -> pd.DataFrame:
    """`partner_id, metric` and the `metrics.privacy` result columns for every partner of `country`
    (or only `viewers`) and every compared metric, in window `window` ("2026Q3" / "ttm:2026Q3"),
    at the levels already frozen for that window (every partner's: what the others are shown decides
    secondary suppression)."""
    counts, places = comparison_inputs(conn, [country], [window])
    return comparison_frame(places, counts, window, scheme, viewers, frozen_levels(conn, window, scheme))


def comparison_inputs(conn: Connection, countries: Collection[str],
                      windows: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Answer counts per partner × quarter of `countries` and their partners' places, for `windows`.

    The privacy reference window is the 12 months to the latest surveyed quarter and secondary suppression
    looks at the two years to it (`metrics.privacy.suppression_quarters`): the counts cover those quarters
    and the windows'.
    """
    quarters = comparison_quarters(conn, windows)
    return (q.comparison_counts(conn, quarters, compared_questions(), countries=countries),
            q.partner_places(conn, countries))


def compared_questions() -> list[str]:
    """The questions of the compared metrics (the counts a comparison reads)."""
    return [question for _, question in comparison_metrics()]


def comparison_quarters(conn: Connection, windows: Sequence[str]) -> list[str]:
    """The quarters whose counts a comparison of `windows` reads: the windows' and the suppression quarters."""
    recent = q.survey_quarters(conn)[-SUPPRESSION_QUARTERS:]
    return sorted(set(recent).union(*(parse_window(window).quarters for window in windows)))


def comparison_frame(places: pd.DataFrame, counts: pd.DataFrame, window: str, scheme: Scheme = "top1",
                     viewers: Sequence[str] | None = None, frozen: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every metric's comparison; `frozen` (``partner_id, metric, level``) pins the levels already shown."""
    return comparison_frames(places, counts, [window], scheme, viewers, {window: frozen})[window]


def comparison_frames(places: pd.DataFrame, counts: pd.DataFrame, windows: Sequence[str], scheme: Scheme = "top1",
                      viewers: Sequence[str] | None = None,
                      frozen: dict[str, pd.DataFrame | None] | None = None) -> dict[str, pd.DataFrame]:
    """`comparison_frame` of several windows (one level choice and suppression per metric serves them all)."""
    return evaluate_frames(prepare_frames(places, counts, windows, scheme), windows, viewers, frozen)


def prepare_frames(places: pd.DataFrame, counts: pd.DataFrame, windows: Sequence[str],
                   scheme: Scheme = "top1") -> PreparedComparison:
    """Every compared metric of `windows` prepared for `evaluate_frames` (what the frozen levels do not change)."""
    metrics = [metric for metric, _ in comparison_metrics()]
    return prepare_comparison(places, None, metrics, windows, scheme=scheme, counts=counts)


def evaluate_frames(prepared: PreparedComparison, windows: Sequence[str], viewers: Sequence[str] | None = None,
                    frozen: dict[str, pd.DataFrame | None] | None = None) -> dict[str, pd.DataFrame]:
    """`comparison_frames` of a prepared comparison: `frozen` (window -> ``partner_id, metric, level``)."""
    return {window: _banded(table) for window, table in evaluate_exact(prepared, windows, viewers, frozen).items()}


def evaluate_exact(prepared: PreparedComparison, windows: Sequence[str], viewers: Sequence[str] | None = None,
                   frozen: dict[str, pd.DataFrame | None] | None = None) -> dict[str, pd.DataFrame]:
    """`evaluate_frames` with the exact answer count of each group (`n_answers`) instead of its band's floor."""
    metrics = prepared.metrics
    frozen_by_metric: dict[str, dict[str, pd.Series]] = {metric: {} for metric in metrics}
    for window in windows:
        pin = (frozen or {}).get(window)
        if pin is None or not len(pin):
            continue
        # split once (a comparison per metric of 30 k text rows took 0.35 s of a `large` refresh)
        for metric, levels in pin.groupby("metric", sort=False):
            if metric in frozen_by_metric:
                frozen_by_metric[metric][window] = pd.Series(levels["level"].to_numpy(dtype=object),
                                                             index=levels["partner_id"].to_numpy())
    results = prepared.evaluate(windows, viewers=viewers, frozen=frozen_by_metric)
    return {window: pd.concat([results[metric][window].assign(metric=metric) for metric in metrics]).reset_index()
            for window in windows}


def _banded(table: pd.DataFrame) -> pd.DataFrame:
    """The result columns with the exact answer count replaced by its band's floor (`answers_from`)."""
    table["answers_from"] = answer_band_floor(table["n_answers"].to_numpy())
    return table[["partner_id", "metric", *RESULT_COLUMNS]]


def frozen_levels(conn: Connection, window: str, scheme: Scheme,
                  countries: Collection[str] | None = None) -> pd.DataFrame:
    """``partner_id, metric, level`` already decided for `window` and `scheme` (only those of the partners of
    `countries` if given)."""
    stmt = select(ComparisonDecision.partner_id, ComparisonDecision.metric, ComparisonDecision.level).where(
        ComparisonDecision.window_id == window, ComparisonDecision.scheme == scheme)
    if countries is not None:
        stmt = stmt.where(ComparisonDecision.partner_id.in_(_partners_of(countries)))
    # streamed (COPY on PostgreSQL): tens of thousands of decisions per window at `large`
    frame = read_frame_bulk(conn, stmt)
    return frame.astype("str") if len(frame) else pd.DataFrame(columns=["partner_id", "metric", "level"])


def freeze_levels(conn: Connection, table: pd.DataFrame, window: str, scheme: Scheme,
                  frozen: pd.DataFrame) -> pd.DataFrame:
    """Store the level of every comparison shown in `table` for the first time; audit how many.
    Returns those new decisions (``partner_id, metric, level``)."""
    shown = table[table["level"].notna()][["partner_id", "metric", "level"]]
    known = pd.MultiIndex.from_frame(frozen[["partner_id", "metric"]]) if len(frozen) else None
    new = shown if known is None else shown[~pd.MultiIndex.from_frame(shown[["partner_id", "metric"]]).isin(known)]
    if new.empty:
        return new.reset_index(drop=True)
    now = clock.now_datetime()
    conn.execute(insert(ComparisonDecision), new.assign(window_id=window, scheme=scheme, decided_at=now)
                 .to_dict("records"))
    conn.execute(insert(AuditLog).values(at=now, login=None, action="comparison_frozen",
                                         detail=f"window={window} frozen={len(new)}"))
    return new.reset_index(drop=True)


def refresh_comparison_rollup(conn: Connection, now: pd.Timestamp | None = None,
                              countries: Collection[str] | None = None) -> int:
    """Rebuild `comparison_rollup` for the page windows of `now` (default: today); returns rows written.

    `countries`: rebuild only the partners of these countries (a comparison group never crosses a country,
    so the others' rows cannot change). The countries are evaluated as one problem (`metrics.privacy`
    stacks them): a small country cost the fixed 0.7 s of a pass of its own at `large`.
    """
    now = clock.now() if now is None else pd.Timestamp(now)
    if countries is None:
        conn.execute(delete(ComparisonRollup))
    if conn.execute(select(SurveyRollup.partner_id).limit(1)).first() is None:
        if countries is not None:
            conn.execute(delete(ComparisonRollup).where(ComparisonRollup.partner_id.in_(_partners_of(countries))))
        return 0  # no answers yet (partners and projects load before surveys): the page shows "no data"
    stored = select(Partner.country).where(Partner.country.is_not(None)).distinct()
    if countries is not None:
        stored = stored.where(Partner.country.in_(list(countries)))
    evaluated = sorted(conn.execute(stored).scalars())
    if not evaluated:
        return 0
    keys = current_window_ids(now)
    with local_work_mem(conn):
        counts, places = comparison_inputs(conn, evaluated, keys)
    tables = []
    for scheme in STORED_SCHEMES:
        frozen = {key: frozen_levels(conn, key, scheme, countries=None if countries is None else evaluated)
                  for key in keys}
        prepared = prepare_frames(places, counts, keys, scheme)
        by_key = evaluate_frames(prepared, keys, frozen=frozen)
        newly = {key: new for key in keys if len(new := freeze_levels(conn, by_key[key], key, scheme, frozen[key]))}
        if newly:
            # stored as a later read evaluates it: with the levels just frozen (their reasons too); only the
            # suppression and the result frames depend on them
            decided = {key: pd.concat([frozen[key], new], ignore_index=True) for key, new in newly.items()}
            by_key.update(evaluate_frames(prepared, list(newly), frozen=decided))
        tables.extend(by_key[key].assign(window_id=key, scheme=scheme) for key in keys)
    table = pd.concat(tables, ignore_index=True)
    table["value"] = table["value"].astype(float)
    table["row_digest"] = row_digest(table[RESULT_COLUMNS])
    if countries is None:
        written = insert_dataframe(conn, ComparisonRollup.__table__, table)
        analyze(conn, ComparisonRollup.__table__)
        return written
    # a daily file changes part of the countries' rows: only those are written (`replace_frame`); as many
    # rows as before, so the statistics stay right
    return replace_frame(conn, ComparisonRollup.__table__, table,
                         ComparisonRollup.partner_id.in_(_partners_of(evaluated)), digest="row_digest")


def _partners_of(countries: Collection[str]) -> Select:
    return select(Partner.partner_id).where(Partner.country.in_(list(countries)))


def current_window_ids(now: pd.Timestamp) -> list[str]:
    """The ids of the page windows on the day `now` ("2026Q3", "ttm:2026Q3")."""
    return [window_id(window, now) for window in WINDOWS]


def stored_comparison(conn: Connection, partner_id: str, window: str, scheme: Scheme) -> pd.DataFrame:
    """The partner's stored rows for `window` and `scheme` (empty when not refreshed for that window)."""
    stmt = select(ComparisonRollup).where(ComparisonRollup.partner_id == partner_id,
                                          ComparisonRollup.window_id == window, ComparisonRollup.scheme == scheme)
    frame = read_frame(conn, stmt).drop(columns="row_digest")
    for column in ("reason_ru", "reason_en"):
        # as `comparison_groups_all` gives them: object dtype, None where there is no reason
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame
