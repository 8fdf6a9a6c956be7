"""The Trends query layer against a direct pandas computation on the small demo (SQLite + PostgreSQL).

The demo is loaded once per session through `commands.demo.load_demo` into a SQLite file
(`tests.integration.demo_backends.demo_sqlite_file`); the PostgreSQL variant copies its inputs and recomputes `survey_rollup` and
`sla_rollup` in PostgreSQL, so both dialects' SQL is exercised. References are computed from the raw tables with
`metrics.survey.score_table` and plain pandas, never through the rollup.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, select

from metrics.survey import quarter_label, score_table
from reports.trends import MAX_SERIES, OTHERS, metric_trend, survey_values, top_movers
from store.frames import read_frame
from store.models import Client, CompetenceHistoryRow, Partner, Project, Survey, Ticket, TicketSla
from store.rollups import refresh_survey_rollup
from tests.integration.demo_backends import demo_engine
from store.ticket_rollups import refresh_sla_rollup
from store.trend_queries import (
    SATISFACTION_QUESTIONS,
    Selection,
    TrendFilter,
    competence_changes,
    period_bounds,
    sla_trend_counts,
    survey_answer_counts,
    survey_rows,
    survey_trend_counts,
    ticket_rows,
)

COPIED = (Partner, Client, Project, Survey, Ticket, TicketSla, CompetenceHistoryRow)


def _refresh(conn) -> None:
    refresh_survey_rollup(conn)
    refresh_sla_rollup(conn)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request, tmp_path_factory) -> Engine:
    """The small demo on each backend."""
    yield from demo_engine(request, tmp_path_factory, "trends", COPIED, _refresh)


# ---------------------------------------------------------------- references from raw tables

def _attributed_surveys(conn) -> pd.DataFrame:
    """Surveys with the partner, category and industry of the project version they are about."""
    surveys = read_frame(conn, select(Survey))
    projects = read_frame(conn, select(Project.project_id, Project.version, Project.partner_id,
                                       Project.submitted_at, Project.category, Project.industry))
    pairs = surveys[["survey_id", "project_id", "surveyed_at"]].merge(projects, on="project_id")
    by_then = pairs[pairs["submitted_at"] <= pairs["surveyed_at"]].groupby("survey_id")["version"].max()
    first = projects.groupby("project_id")["version"].min()
    version = surveys["version"].astype("Float64")
    version = version.fillna(surveys["survey_id"].map(by_then)).fillna(surveys["project_id"].map(first))
    surveys = surveys.assign(version=version.astype("int64"))
    partners = read_frame(conn, select(Partner.partner_id, Partner.country, Partner.region, Partner.city))
    out = surveys.merge(projects.drop(columns="submitted_at"), on=["project_id", "version"]).merge(
        partners, on="partner_id", how="left")
    out[["category", "industry"]] = out[["category", "industry"]].fillna("")
    return out


def _pooled(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """score_table rows summed over questions: n, top (CSAT numerator), promoters, detractors."""
    table = table.assign(top=(table["csat"] * table["n"] / 100).round().astype("int64"))
    return table.groupby(by, as_index=False)[["n", "top", "promoters", "detractors"]].sum()


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys).reset_index(drop=True)


def test_csat_by_region_and_quarter_equals_score_table_of_raw_surveys(demo):
    with demo.connect() as conn:
        got = survey_trend_counts(conn, "csat", "region", "quarter")
        surveys = _attributed_surveys(conn)
    surveys["region"] = surveys["region"].fillna("")
    table = score_table(surveys, ["quarter", "region"], questions=SATISFACTION_QUESTIONS, scale="5")
    expected = _pooled(table, ["quarter", "region"]).rename(columns={"quarter": "period", "region": "group"})
    pd.testing.assert_frame_equal(_sorted(got, ["period", "group"]), _sorted(expected[got.columns], ["period", "group"]),
                                  check_dtype=False)


def test_nps_of_partners_by_month_with_a_date_range_equals_score_table(demo):
    flt = TrendFilter(start=dt.date(2024, 2, 10), end=dt.date(2024, 6, 3))
    with demo.connect() as conn:
        got = survey_trend_counts(conn, "nps_partner", "partner", "month", flt, scheme="top2")
        surveys = _attributed_surveys(conn)
    surveys["period"] = surveys["surveyed_at"].dt.tz_convert("UTC").dt.strftime("%Y-%m")
    surveys = surveys[surveys["period"].between("2024-02", "2024-06")]
    table = score_table(surveys, ["period", "partner_id"], scheme="top2", scale="5",
                        questions=["q_recommend_partner"])
    expected = _pooled(table, ["period", "partner_id"]).rename(columns={"partner_id": "group"})
    assert set(got["period"]) == {"2024-02", "2024-03", "2024-04", "2024-05", "2024-06"}
    pd.testing.assert_frame_equal(_sorted(got, ["period", "group"]), _sorted(expected[got.columns], ["period", "group"]),
                                  check_dtype=False)


def test_platform_nps_by_category_for_one_country_equals_score_table(demo):
    with demo.connect() as conn:
        got = survey_trend_counts(conn, "nps_platform", "category", "quarter", TrendFilter(countries=("KZ",)))
        surveys = _attributed_surveys(conn)
    surveys = surveys[surveys["country"] == "KZ"]
    table = score_table(surveys, ["quarter", "category"], scale="5", questions=["q_recommend_platform"])
    expected = _pooled(table, ["quarter", "category"]).rename(columns={"quarter": "period", "category": "group"})
    pd.testing.assert_frame_equal(_sorted(got, ["period", "group"]), _sorted(expected[got.columns], ["period", "group"]),
                                  check_dtype=False)


def _tickets(conn) -> pd.DataFrame:
    tickets = read_frame(conn, select(Ticket.ticket_id, Ticket.client_id, Ticket.partner_id, Ticket.created_at))
    sla = read_frame(conn, select(TicketSla.ticket_id, TicketSla.sla_state))
    clients = read_frame(conn, select(Client.client_id, Client.partner_id.label("client_partner")))
    partners = read_frame(conn, select(Partner.partner_id, Partner.country, Partner.region, Partner.city))
    out = tickets.merge(sla, on="ticket_id").merge(clients, on="client_id", how="left")
    out["partner_id"] = out["partner_id"].fillna(out["client_partner"])
    return out.merge(partners, on="partner_id", how="left")


def test_sla_compliance_counts_by_city_and_month_for_russia_equal_pandas(demo):
    flt = TrendFilter(countries=("RU",), start=dt.date(2024, 1, 15), end=dt.date(2024, 12, 31))
    with demo.connect() as conn:
        got = sla_trend_counts(conn, "city", "month", flt)
        tickets = _tickets(conn)
    tickets["period"] = tickets["created_at"].dt.strftime("%Y-%m")
    tickets = tickets[(tickets["country"] == "RU") & tickets["period"].between("2024-01", "2024-12")
                      & tickets["sla_state"].isin(["met", "breached"])]
    expected = (pd.crosstab([tickets["period"], tickets["city"]], tickets["sla_state"])
                .reset_index().rename(columns={"city": "group"}))
    assert got[["met", "breached"]].to_numpy().sum() > 1000
    pd.testing.assert_frame_equal(_sorted(got, ["period", "group"]),
                                  _sorted(expected[["period", "group", "met", "breached"]], ["period", "group"]),
                                  check_dtype=False, check_names=False)


@pytest.mark.parametrize("grain", ["quarter", "month"])
def test_the_whole_programmes_sla_counts_equal_pandas_over_every_ticket(demo, grain):
    """The whole programme is summed without joining a partner per row (the management home's first view):
    every counted ticket, those without a partner's place too, in each whole period of a date range."""
    flt = TrendFilter(start=dt.date(2023, 11, 20), end=dt.date(2025, 2, 3))
    with demo.connect() as conn:
        got = sla_trend_counts(conn, "total", grain, flt)
        tickets = _tickets(conn)
    months = tickets["created_at"].dt.strftime("%Y-%m")
    quarters = months.str[:4] + "Q" + ((months.str[5:7].astype(int) + 2) // 3).astype(str)
    tickets["period"] = months if grain == "month" else quarters
    first, last = ("2023-11", "2025-02") if grain == "month" else ("2023-10", "2025-03")  # whole quarters
    tickets = tickets[months.between(first, last) & tickets["sla_state"].isin(["met", "breached"])]
    expected = pd.crosstab(tickets["period"], tickets["sla_state"]).reset_index().assign(group="")
    assert got[["met", "breached"]].to_numpy().sum() > 1000 and set(got["group"]) == {""}
    pd.testing.assert_frame_equal(_sorted(got, ["period"]),
                                  _sorted(expected[["period", "group", "met", "breached"]], ["period"]),
                                  check_dtype=False, check_names=False)


def test_competence_changes_count_the_history_rows_per_month(demo):
    with demo.connect() as conn:
        got = competence_changes(conn, TrendFilter(regions=("Сибирский ФО",)))
        history = read_frame(conn, select(CompetenceHistoryRow.partner_id, CompetenceHistoryRow.month,
                                          CompetenceHistoryRow.status, CompetenceHistoryRow.held))
        partners = read_frame(conn, select(Partner.partner_id, Partner.region))
    history = history.merge(partners, on="partner_id")
    history = history[history["region"] == "Сибирский ФО"]
    expected = history.groupby("month").agg(assigned=("status", lambda s: int((s == "assigned").sum())),
                                            revoked=("status", lambda s: int((s == "revoked").sum())),
                                            held=("held", "sum")).reset_index()
    assert got["assigned"].sum() > 0 and got["revoked"].sum() > 0
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_survey_drill_rows_are_the_answers_behind_the_point(demo):
    with demo.connect() as conn:
        counts = survey_trend_counts(conn, "nps_partner", "region", "quarter")
        point = counts.sort_values("n").iloc[-1]
        rows, total = survey_rows(conn, "nps_partner", Selection("quarter", point["period"], "region",
                                                                  (point["group"],)))
    assert total == point["n"] == len(rows)
    assert (rows["region"] == point["group"]).all() and rows["q_recommend_partner"].notna().all()
    start, stop = period_bounds(point["period"], "quarter")
    assert rows["surveyed_at"].between(start, stop, inclusive="left").all()


def test_ticket_drill_rows_of_others_are_every_city_not_drawn(demo):
    with demo.connect() as conn:
        counts = sla_trend_counts(conn, "city", "quarter")
        shown = ("Новосибирск", "Москва")
        period = counts["period"].iloc[len(counts) // 2]
        rows, total = ticket_rows(conn, Selection("quarter", period, "city", shown, exclude=True))
    in_period = counts[(counts["period"] == period) & ~counts["group"].isin(shown)]
    assert total == len(rows) == (in_period["met"] + in_period["breached"]).sum()
    assert not rows["city"].isin(shown).any()


def test_trend_draws_at_most_six_series_and_folds_the_rest_into_others(demo):
    with demo.connect() as conn:
        table = metric_trend(conn, "csat", "partner", "quarter")
        counts = survey_trend_counts(conn, "csat", "partner", "quarter")
    assert table["group"].nunique() == MAX_SERIES == 6 and OTHERS in set(table["group"])
    kept = set(table["group"]) - {OTHERS}
    largest = counts.groupby("group")["n"].sum().sort_values(ascending=False)
    assert kept == set(largest.index[:MAX_SERIES - 1])
    assert table["n"].sum() == counts["n"].sum()
    assert table.loc[table["group"] != OTHERS, "label"].str.contains(r"\(").all()


def test_top_movers_rank_partners_with_enough_answers_in_both_quarters(demo):
    with demo.connect() as conn:
        movers = top_movers(conn, "csat", "2025Q2", min_answers=10)
        counts = survey_values(survey_trend_counts(conn, "csat", "partner", "quarter"), "csat")
    wide = counts[counts["period"].isin(["2025Q1", "2025Q2"]) & (counts["n"] >= 10)].pivot(
        index="group", columns="period", values="value").dropna()
    expected = (wide["2025Q2"] - wide["2025Q1"]).sort_values(ascending=False)
    assert movers.previous == "2025Q1" and len(movers.table) == len(expected) > 5
    np.testing.assert_allclose(movers.table["delta"], expected.to_numpy())
    assert (movers.table["n"] >= 10).all() and (movers.table["n_previous"] >= 10).all()
    assert movers.table["delta"].is_monotonic_decreasing


def test_sla_trend_is_empty_by_category_because_tickets_have_no_project(demo):
    with demo.connect() as conn:
        assert metric_trend(conn, "sla", "category").empty


def test_quarter_label_of_the_query_layer_is_the_metrics_label():
    stamps = pd.Series(pd.to_datetime(["2024-03-31 23:59:59", "2024-04-01 00:00:00"], utc=True))
    assert list(quarter_label(stamps)) == ["2024Q1", "2024Q2"]
    assert period_bounds("2024Q2", "quarter") == (pd.Timestamp("2024-04-01", tz="UTC"),
                                                   pd.Timestamp("2024-07-01", tz="UTC"))


def test_the_quality_program_page_reads_one_month_and_its_year_of_changes_with_the_full_summary(demo):
    """The Quality Program page reads the chosen month's rows, the year of assignments and revocations before it,
    and the monthly summary counted in the database, not every partner's row of every month: the same tables as
    from the whole history (`competence_summary`, `quality_overview`), for three months of the demo."""
    from reports.programs import competence_summary, competence_summary_from_counts, quality_overview
    from store.program_queries import competence_months, competence_rows, competence_status_counts

    with demo.connect() as conn:
        everything = competence_rows(conn)
        summary = competence_summary_from_counts(competence_status_counts(conn))
        months = [pd.Timestamp(m, tz="UTC") for m in competence_months(conn)]
        parts = {m: competence_rows(conn, m, changes_since=m - pd.DateOffset(years=1) + pd.Timedelta(days=1))
                 for m in (months[0], months[len(months) // 2], months[-1])}
    pd.testing.assert_frame_equal(summary, competence_summary(everything))
    assert summary["assigned"].sum() > 0 and summary["revoked"].sum() > 0
    for month, rows in parts.items():
        year = (everything["month"] > month - pd.DateOffset(years=1)) & (everything["month"] < month)
        expected = everything[(everything["month"] == month)
                              | (year & everything["status"].isin(["assigned", "revoked"]))].reset_index(drop=True)
        pd.testing.assert_frame_equal(rows, expected)
        full, read = quality_overview(everything, month), quality_overview(rows, month, summary=summary)
        for table in ("decisions", "summary", "near"):
            pd.testing.assert_frame_equal(read[table], full[table])
        in_year = full["changes"][full["changes"]["month"] > month - pd.DateOffset(years=1)]
        pd.testing.assert_frame_equal(read["changes"][read["changes"]["month"] <= month].reset_index(drop=True),
                                      in_year[in_year["month"] <= month].reset_index(drop=True))


@pytest.mark.parametrize("metric", ["csat", "nps_partner", "nps_platform"])
def test_quarterly_trends_from_the_score_rollup_equal_the_sums_of_every_answer_count(demo, metric):
    """By quarter and place or partner, trends read `survey_score_rollup` (a few rows per partner and quarter);
    the same counts as summed from `survey_rollup`'s answer values, for every scheme, place filter and window."""
    filters = [TrendFilter(), TrendFilter(regions=("Сибирский ФО",)),
               TrendFilter(start=dt.date(2025, 2, 10), end=dt.date(2026, 5, 1))]
    with demo.connect() as conn:
        for dimension in ("total", "country", "region", "city", "partner"):
            for scheme in ("top1", "top2"):
                for flt in filters:
                    scored = survey_trend_counts(conn, metric, dimension, "quarter", flt, scheme)
                    summed = survey_answer_counts(conn, metric, dimension, "quarter", flt, scheme)
                    pd.testing.assert_frame_equal(scored, summed)
        assert len(survey_trend_counts(conn, metric, "partner", "quarter")) > 20


def test_partner_labels_of_many_partners_are_those_of_the_partners_asked_for(engine, monkeypatch):
    """Past `LABELS_IN_LIMIT` ids the labels are every partner's, filtered: the same rows as the IN query."""
    import store.trend_queries as trend_queries
    from sqlalchemy import insert

    with engine.begin() as conn:
        conn.execute(insert(Partner), [{"partner_id": f"P{i}", "name": f"Партнёр {i}", "city": "Омск", "country": "RU",
                                        "region": "Сибирь"} for i in range(6)])
    wanted = ["P4", "P1", "P9"]
    with engine.connect() as conn:
        few = trend_queries.partner_labels(conn, wanted)
        monkeypatch.setattr(trend_queries, "LABELS_IN_LIMIT", 1)
        many = trend_queries.partner_labels(conn, wanted)
    assert sorted(many["partner_id"]) == sorted(few["partner_id"]) == ["P1", "P4"]
    pd.testing.assert_frame_equal(many.sort_values("partner_id").reset_index(drop=True),
                                  few.sort_values("partner_id").reset_index(drop=True))
