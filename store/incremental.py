"""Incremental maintenance of the derived tables: a load refreshes only the keys it touched (issue 14, SPEC §9).

A `LoadScope` follows one file's load inside its transaction. Before each chunk of rows is written it
records what the stored versions of those rows contributed (their old keys); after the last chunk,
`LoadScope.refresh` brings every derived table up to date for the touched keys only:

* tickets, ticket pauses: SLA values of the touched tickets; `sla_rollup` and `support_charge_rollup`
  are sums, so the touched tickets' old contribution is taken off and their new one added (per partner ×
  month cell); `support_speed_rollup` (medians, not sums) replaces the touched tickets' rows of
  `support_speed_values` and re-reads the median of each stratum (service × type × priority) they leave or
  enter from its middle rows;
  `support_work_rollup` the touched tickets' rows;
* worklog: `support_work_rollup` rows of the touched tickets;
* surveys, projects: `survey_rollup` is a count, so the touched projects' surveys' old contribution is
  taken off and their new one added (a survey's cell depends only on it and its project's versions);
  then `comparison_rollup` of the countries where that changed a comparison count (a partner × quarter ×
  question × answer cell in the quarters a comparison reads; a comparison group never crosses a country, so
  the other countries' inputs and rows stay); all countries when the latest surveyed quarters or the page
  windows changed (the privacy reference and suppression quarters move);
* license keys, projects, monitor tests: `competence_history` rows of the partners holding a touched key
  or project version, before and after the load (a partner's decisions read only its own keys and
  submitted versions); every partner's when the history's months moved (`refresh_competence_history`);
* anything else (clients, calendars, partners, ...), a first load into an empty table, or a file
  touching at least `FULL_REFRESH_SHARE` of the stored rows: the full rebuild of
  `store.derived.refresh_after_ingest`.

Incremental = full rebuild is the contract; tests/integration/test_incremental.py checks it on random
deltas on both backends.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, FromClause, Select, String, Table, column, func, select, table

from store import clock
from store import partner_queries as q
from metrics.privacy import SUPPRESSION_QUARTERS
from store.comparison_rollup import (
    compared_questions,
    comparison_quarters,
    current_window_ids,
    refresh_comparison_rollup,
)
from store.bulk import holds_more_than
from store.rollups import (
    QUESTION_COLUMNS,
    QUESTION_SUMS,
    ROLLUP_DIMENSIONS,
    SCORE_COLUMNS,
    SCORE_SUMS,
    survey_question_rows,
    survey_rollup_rows,
    survey_score_rows,
)
from store.models import (
    KIND_TABLES,
    LicenseKey,
    ComparisonRollup,
    Partner,
    Project,
    SlaRollup,
    SupportChargeRollup,
    Survey,
    SurveyQuestionRollup,
    SurveyRollup,
    SurveyScoreRollup,
)
from store.ticket_rollups import (
    CHARGE_ROLLUP_COLUMNS,
    SLA_ROLLUP_COLUMNS,
    charge_rollup_rows,
    refresh_support_speed_rollup,
    refresh_support_work_rollup,
    sla_rollup_rows,
)

FULL_REFRESH_SHARE = 0.5  # a file touching this share of the stored rows: one full rebuild is cheaper
TICKET_KINDS = frozenset({"tickets", "ticket_pauses"})
SURVEY_KINDS = frozenset({"surveys", "projects"})
COMPETENCE_KINDS = frozenset({"license_keys", "projects", "monitor_tests"})  # what competence decisions read
INCREMENTAL_KINDS = TICKET_KINDS | SURVEY_KINDS | COMPETENCE_KINDS | {"worklog"}
ID_COLUMN = {"surveys": "project_id", "projects": "project_id", "monitor_tests": "project_id", "license_keys": "key"}
TOUCHED = "_scope_touched"  # every id the load touched: ticket ids, project ids, or keys (`ID_COLUMN`)
BATCH = "_scope_batch"  # the ids of the chunk about to be written
PARTNERS = "_scope_partners"
LOOKUP = "_scope_lookup"


@dataclass(frozen=True)
class AdditiveRollup:
    """A rollup that is a sum: `rows(conn, source)` gives the contribution of `source`: the tickets or projects an id
    SELECT picks, or, for a rollup summed from survey answer counts, a table of those counts (`SURVEY_SUMMED`)."""

    table: Table
    columns: list[str]  # as `rows` returns them: group columns, then the summed ones
    sums: list[str]
    rows: Callable[[Connection, Select | FromClause | None], Select]

    @property
    def delta(self) -> str:
        return f"_delta_{self.table.name}"


ADDITIVE = (AdditiveRollup(SlaRollup.__table__, SLA_ROLLUP_COLUMNS, ["met", "breached"], sla_rollup_rows),
            AdditiveRollup(SupportChargeRollup.__table__, CHARGE_ROLLUP_COLUMNS, ["tickets"], charge_rollup_rows))
# answer counts of the touched projects' surveys (surveys and projects files): the cells a file changes, not
# every cell of the partners it touched (a 200-survey delta re-wrote 86 k cells of 148 partners at `medium`)
SURVEY_COUNTS = AdditiveRollup(SurveyRollup.__table__, [*ROLLUP_DIMENSIONS, "answers"], ["answers"],
                               survey_rollup_rows)
# scores per partner × quarter × metric: summed from the change of the survey counts (`survey_score_rows` of the
# SURVEY_COUNTS delta), so a load adds exactly what its cells changed
SURVEY_SCORES = AdditiveRollup(SurveyScoreRollup.__table__, SCORE_COLUMNS, list(SCORE_SUMS),
                               lambda _conn, counts: survey_score_rows(counts))
# a comparison's cells per partner × quarter × question, the same way
SURVEY_QUESTIONS = AdditiveRollup(SurveyQuestionRollup.__table__, QUESTION_COLUMNS, list(QUESTION_SUMS),
                                  lambda _conn, counts: survey_question_rows(counts))
SURVEY_SUMMED = (SURVEY_SCORES, SURVEY_QUESTIONS)  # summed from the change of SURVEY_COUNTS


class LoadScope:
    """The keys one file's load touches, and the refresh of the derived tables for those keys only."""

    def __init__(self, conn: Connection, kind: str):
        self.conn, self.kind = conn, kind
        self.timings: dict[str, float] = {}
        self.seen: set[str] = set()
        self.rows = 0
        self.old_partners: set[str] = set()
        self.full = kind not in INCREMENTAL_KINDS
        if self.full:
            return
        self.stored = KIND_TABLES[kind][0].__table__
        self.full = not holds_more_than(conn, self.stored, 0)  # a first load: nothing to keep, the full build is cheapest
        if self.full:
            return
        _create_id_table(conn, TOUCHED)
        _create_id_table(conn, BATCH)
        if kind in TICKET_KINDS:
            for rollup in ADDITIVE:
                _create_temp(conn, rollup.delta,
                             f'SELECT {_names(rollup.columns)} FROM "{rollup.table.name}" WHERE 1 = 0')
        if kind in SURVEY_KINDS:
            self.quarters = q.survey_quarters(conn)[-SUPPRESSION_QUARTERS:]
            for rollup in (SURVEY_COUNTS, *SURVEY_SUMMED):
                _create_temp(conn, rollup.delta,
                             f'SELECT {_names(rollup.columns)} FROM "{rollup.table.name}" WHERE 1 = 0')

    # -- before a chunk is written
    def before_write(self, rows: pd.DataFrame) -> None:
        """Record the old keys of the stored rows that `rows` (validated, about to be upserted) replace."""
        if self.full or rows.empty:
            return
        self.rows += len(rows)
        if not holds_more_than(self.conn, self.stored, self.rows / FULL_REFRESH_SHARE):
            self.full = True  # most rows touched: the full rebuild is cheaper than the bookkeeping
            return
        ids = set(rows[ID_COLUMN.get(self.kind, "ticket_id")].astype(str))
        if self.kind == "surveys":  # a survey moved to another project leaves its old project's partners
            _stage_ids(self.conn, LOOKUP, rows["survey_id"].astype(str).unique(), create=True)
            ids.update(self.conn.execute(select(Survey.project_id).distinct().where(
                Survey.survey_id.in_(_ids_of(LOOKUP)))).scalars())
        ids = sorted(ids - self.seen)
        if not ids:
            return
        self.seen.update(ids)
        _stage_ids(self.conn, BATCH, ids, replace=True)
        _stage_ids(self.conn, TOUCHED, ids)
        if self.kind in TICKET_KINDS:
            with self.stage("old_contributions"):
                for rollup in ADDITIVE:
                    _add_contribution(self.conn, rollup, _ids_of(BATCH), -1)
        if self.kind in SURVEY_KINDS:
            with self.stage("old_contributions"):
                _add_contribution(self.conn, SURVEY_COUNTS, _ids_of(BATCH), -1)
        if self.kind == "projects":
            self.old_partners.update(self.conn.execute(
                select(Project.partner_id).distinct().where(Project.project_id.in_(_ids_of(BATCH)))).scalars())
        if self.kind == "license_keys":  # a key handed to another partner leaves its old partner's decisions
            self.old_partners.update(self.conn.execute(
                select(LicenseKey.partner_id).distinct().where(LicenseKey.key.in_(_ids_of(BATCH)))).scalars())

    # -- after the last chunk
    def refresh(self, ticket_ids: list[str] | None) -> None:
        """Bring every derived table up to date for the touched keys (or all of them in full mode)."""
        from store.derived import refresh_after_ingest

        if self.full:
            with self.stage("full_refresh"):
                refresh_after_ingest(self.conn, {self.kind}, ticket_ids)
        elif self.seen:
            if self.conn.dialect.name == "postgresql":
                self.conn.exec_driver_sql("SET LOCAL jit = off")  # one-off statements: compiling costs more
            if self.kind in TICKET_KINDS:
                self._refresh_tickets()
            if self.kind in ("tickets", "worklog"):
                with self.stage("work_rollup"):
                    refresh_support_work_rollup(self.conn, _ids_of(TOUCHED))
            if self.kind in SURVEY_KINDS:
                self._refresh_surveys()
            if self.kind in COMPETENCE_KINDS:
                self._refresh_competence()
        _drop_temp(self.conn)

    def _refresh_tickets(self) -> None:
        from store.derived import materialize_sla

        with self.stage("sla"):
            materialize_sla(self.conn, ticket_ids=sorted(self.seen))
        with self.stage("sla_and_charge_rollups"):
            for rollup in ADDITIVE:
                _add_contribution(self.conn, rollup, _ids_of(TOUCHED), +1)
                _apply_delta(self.conn, rollup)
        with self.stage("speed_rollup"):
            refresh_support_speed_rollup(self.conn, _ids_of(TOUCHED))

    def _touched_partners(self) -> list[str]:
        """Partners holding a touched key or project version, before or after the load."""
        if self.kind == "license_keys":
            now = select(LicenseKey.partner_id).where(LicenseKey.key.in_(_ids_of(TOUCHED)))
        else:
            now = select(Project.partner_id).where(Project.project_id.in_(_ids_of(TOUCHED)))
        return sorted((self.old_partners | set(self.conn.execute(now.distinct()).scalars())) - {None})

    def _stage_partners(self) -> bool:
        """The touched partners in the `PARTNERS` id table (once); False when there are none."""
        if not hasattr(self, "partners"):
            self.partners = self._touched_partners()
            if self.partners:
                _stage_ids(self.conn, PARTNERS, self.partners, create=True)
        return bool(self.partners)

    def _refresh_competence(self) -> None:
        from store.rollups import refresh_competence_history

        with self.stage("competence_history"):
            if self._stage_partners():
                refresh_competence_history(self.conn, partners=_ids_of(PARTNERS))

    def _refresh_surveys(self) -> None:
        with self.stage("survey_rollup"):
            _add_contribution(self.conn, SURVEY_COUNTS, _ids_of(TOUCHED), +1)
            _apply_delta(self.conn, SURVEY_COUNTS)
        with self.stage("survey_score_rollup"):
            change = table(SURVEY_COUNTS.delta, *(column(c) for c in SURVEY_COUNTS.columns))
            for rollup in SURVEY_SUMMED:
                delta = table(rollup.delta, *(column(c) for c in rollup.columns))
                self.conn.execute(delta.insert().from_select(rollup.columns, rollup.rows(self.conn, change)))
                _apply_delta(self.conn, rollup)
        with self.stage("comparison_rollup"):
            now = clock.now()
            windows = current_window_ids(now)
            stored_windows = set(self.conn.execute(select(ComparisonRollup.window_id).distinct()).scalars())
            if q.survey_quarters(self.conn)[-SUPPRESSION_QUARTERS:] != self.quarters or stored_windows != set(windows):
                refresh_comparison_rollup(self.conn, now=now)  # the reference and suppression quarters moved
            elif countries := self._countries_with_new_counts(windows):
                refresh_comparison_rollup(self.conn, now=now, countries=countries)

    def _countries_with_new_counts(self, windows: list[str]) -> set[str]:
        """Countries holding a partner whose comparison counts the load changed (`comparison_counts` cells: partner ×
        quarter × question × scale × answer, in the quarters a comparison reads). The others' comparisons read
        the same counts, places and frozen levels as when they were stored, so their rows stay as they are."""
        delta = table(SURVEY_COUNTS.delta, *(column(c) for c in SURVEY_COUNTS.columns))
        cells = [delta.c[c] for c in ("partner_id", "quarter", "question", "scale", "answer")]
        changed = (select(delta.c.partner_id)
                   .where(delta.c.quarter.in_(comparison_quarters(self.conn, windows)),
                          delta.c.question.in_(compared_questions()))
                   .group_by(*cells).having(func.sum(delta.c.answers) != 0))
        return set(self.conn.execute(select(Partner.country).distinct().where(
            Partner.partner_id.in_(changed), Partner.country.is_not(None))).scalars())

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Adds the seconds of the block to `timings[name]` (the benchmark reports where a load's time goes)."""
        started = time.perf_counter()
        yield
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started


def _names(columns: Iterable[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def _ids_of(name: str) -> Select:
    return select(column("id", String)).select_from(table(name))


def _create_temp(conn: Connection, name: str, definition: str) -> None:
    """A temporary table `name` (`definition`: a column list in parentheses or ``SELECT ...``), dropped at commit
    on PostgreSQL and by `_drop_temp` on SQLite (where temporary tables live as long as the connection)."""
    conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')
    as_select = definition.startswith("SELECT")
    on_commit = " ON COMMIT DROP" if conn.dialect.name == "postgresql" else ""
    conn.exec_driver_sql(f'CREATE TEMP TABLE "{name}"{on_commit} AS {definition}' if as_select
                         else f'CREATE TEMP TABLE "{name}" {definition}{on_commit}')


def _drop_temp(conn: Connection) -> None:
    for name in (TOUCHED, BATCH, PARTNERS, LOOKUP, *(r.delta for r in (*ADDITIVE, SURVEY_COUNTS, *SURVEY_SUMMED))):
        conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')


def _create_id_table(conn: Connection, name: str) -> None:
    _create_temp(conn, name, "(id varchar(64) PRIMARY KEY)")


def _stage_ids(conn: Connection, name: str, ids: Iterable[str], replace: bool = False, create: bool = False) -> None:
    """Put `ids` into the temporary id table `name` (COPY on PostgreSQL), emptied first with `replace`."""
    if create:
        _create_id_table(conn, name)
    elif replace:
        conn.exec_driver_sql(f'DELETE FROM "{name}"')
    if conn.dialect.name == "postgresql":
        with conn.connection.dbapi_connection.cursor() as cursor:
            with cursor.copy(f'COPY "{name}" (id) FROM STDIN') as copy:
                for value in ids:
                    copy.write_row((value,))
            cursor.execute(f'ANALYZE "{name}"')
    else:
        conn.exec_driver_sql(f'INSERT OR IGNORE INTO "{name}" (id) VALUES (?)', [(i,) for i in ids])


def _add_contribution(conn: Connection, rollup: AdditiveRollup, ids: Select, sign: int) -> None:
    """Append the rollup rows of the tickets `ids` selects to the rollup's delta table, sums times `sign`."""
    sql = str(rollup.rows(conn, ids).compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    values = ", ".join(f'{sign} * q."{c}"' if c in rollup.sums else f'q."{c}"' for c in rollup.columns)
    conn.exec_driver_sql(f'INSERT INTO "{rollup.delta}" ({_names(rollup.columns)}) SELECT {values} FROM ({sql}) AS q')


def _apply_delta(conn: Connection, rollup: AdditiveRollup) -> None:
    """rollup += Σ delta per cell; cells whose sums all fall to zero are deleted (a rebuild has none)."""
    key = [c.name for c in rollup.table.primary_key.columns]
    group = [c for c in rollup.columns if c not in rollup.sums]
    summed = ", ".join(f'SUM("{c}")' for c in rollup.sums)
    nonzero = " OR ".join(f'SUM("{c}") <> 0' for c in rollup.sums)
    updates = ", ".join(f'"{c}" = "{rollup.table.name}"."{c}" + excluded."{c}"' for c in rollup.sums)
    conn.exec_driver_sql(
        f'INSERT INTO "{rollup.table.name}" ({_names(rollup.columns)}) '
        f'SELECT {_names(group)}, {summed} FROM "{rollup.delta}" WHERE 1 = 1 GROUP BY {_names(group)} '
        f"HAVING {nonzero} ON CONFLICT ({_names(key)}) DO UPDATE SET {updates}")
    zero = " AND ".join(f'"{c}" = 0' for c in rollup.sums)
    cells = f'({_names(key)}) IN (SELECT {_names(key)} FROM "{rollup.delta}")'  # only cells the load changed
    conn.exec_driver_sql(f'DELETE FROM "{rollup.table.name}" WHERE {zero} AND {cells}')
