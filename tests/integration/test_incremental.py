"""Incremental maintenance (issue 14): after delta files, every derived table equals its full rebuild.

The small demo (tickets cut to 3,000) is loaded without some held-out rows; then delta files are loaded
one by one through the real ingest path: new and changed tickets (moved to another partner, client,
service, type and time), pauses, worklog, projects handed to another partner, and new surveys and
surveys moved to another project, license keys handed to another partner or bought at another time, and
monitor test results changed. Each delta refreshes only the keys it touched (`store.incremental`).
The derived tables must then equal what `store.derived.rebuild_all` (the full rebuild) makes of the same
inputs after every delta, on SQLite and PostgreSQL, for several random deltas; and a survey delta refreshes
the comparisons of only the countries whose comparison counts it changed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from demo import generate, write_csv
from loaders.ingest import ingest_files
from store import comparison_rollup, incremental
from store.derived import rebuild_all
from store.models import (
    ComparisonRollup,
    CompetenceHistoryRow,
    SlaRollup,
    StoredCount,
    SupportChargeRollup,
    SupportSpeedRollup,
    SupportSpeedValue,
    SupportWorkRollup,
    SurveyRollup,
    SurveyQuestionRollup,
    SurveyScoreRollup,
    TicketSla,
)

# each delta run is long and its module fixture cheap: pytest-xdist may run two at once (tests/conftest.py)
XDIST_SPREAD = True

NOW = "2026-11-30T09:00:00+03:00"
TICKETS = 3_000
BASE_KINDS = ("partners", "clients", "staff", "projects", "monitor_tests", "license_keys", "surveys", "tickets",
              "ticket_pauses", "worklog")
DERIVED = {  # table -> columns that are not derived values (bookkeeping)
    TicketSla: ["computed_at"], SurveyRollup: [], SlaRollup: [], SupportSpeedRollup: ["id"],
    SupportSpeedValue: [], SupportChargeRollup: [], SupportWorkRollup: [], ComparisonRollup: [],
    CompetenceHistoryRow: [], SurveyScoreRollup: [], SurveyQuestionRollup: [], StoredCount: [],
}
COMPARED = ("csat:q_dev_quality", "nps:q_recommend_partner")
TICKET_TIMES = ["created_at", "accepted_at", "due_at", "resolved_at", "closed_at", "requirements_at", "spec_at",
                "implemented_at", "deployed_at"]


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    frames = generate("small", seed=42)
    tickets = frames["tickets"].iloc[:TICKETS].reset_index(drop=True)
    ids = set(tickets["ticket_id"])
    return {**frames, "tickets": tickets,
            "ticket_pauses": frames["ticket_pauses"][frames["ticket_pauses"]["ticket_id"].isin(ids)],
            "worklog": frames["worklog"][frames["worklog"]["ticket_id"].isin(ids)]}


def split(demo: dict[str, pd.DataFrame], seed: int) -> tuple[dict[str, pd.DataFrame], list[dict[str, pd.DataFrame]]]:
    """The base files and the delta files (in load order) of one random delta."""
    rng = np.random.default_rng(seed)
    base = {kind: demo[kind] for kind in BASE_KINDS}
    held = {kind: rng.random(len(demo[kind])) < share
            for kind, share in (("tickets", 0.05), ("ticket_pauses", 0.1), ("worklog", 0.05), ("surveys", 0.08),
                                ("license_keys", 0.05), ("monitor_tests", 0.03))}
    for kind, mask in held.items():
        base[kind] = demo[kind][~mask]

    def changed(kind: str, n: int) -> pd.DataFrame:
        return base[kind].iloc[rng.choice(len(base[kind]), n, replace=False)].copy()

    partners = demo["partners"]["partner_id"].to_numpy()
    tickets = changed("tickets", 60)
    tickets["partner_id"] = rng.choice(partners, len(tickets))
    tickets["client_id"] = rng.choice(demo["clients"]["client_id"].to_numpy(), len(tickets))
    tickets["service"] = rng.choice(["psm", "classic", "PSM "], len(tickets))
    tickets["type"] = rng.choice(demo["tickets"]["type"].dropna().unique(), len(tickets))
    shift = pd.to_timedelta(rng.integers(-90, 90, len(tickets)), unit="D")
    for column in TICKET_TIMES:
        tickets[column] = tickets[column] + shift
    worklog = demo["worklog"][held["worklog"]]
    versions = changed("projects", 25)  # single versions handed to another partner, recategorized
    versions["partner_id"] = rng.choice(partners, len(versions))
    versions["category"] = rng.choice(demo["projects"]["category"].dropna().unique(), len(versions))
    moved = rng.choice(base["projects"]["project_id"].unique(), 10, replace=False)  # whole projects moved
    whole = base["projects"][base["projects"]["project_id"].isin(moved)].copy()
    whole["partner_id"] = whole["project_id"].map(dict(zip(moved, rng.choice(partners, len(moved)))))
    projects = pd.concat([whole, versions]).drop_duplicates(["project_id", "version"], keep="last")
    keys = changed("license_keys", 40)  # handed to another partner, bought or activated at another time
    keys["partner_id"] = rng.choice(partners, len(keys))
    for column in ("purchased_at", "activated_at"):
        keys[column] = keys[column] + pd.to_timedelta(rng.integers(-60, 60, len(keys)), unit="D")
    tests = changed("monitor_tests", 60)  # results changed: versions become submitted or stop being submitted
    tests["result"] = rng.choice(["passed", "failed", "manual"], len(tests))
    tests["comment"] = rng.choice([None, "проверено вручную"], len(tests))
    surveys = changed("surveys", 30)
    surveys["project_id"] = rng.choice(demo["projects"]["project_id"].unique(), len(surveys))
    surveys["version"] = np.nan  # attributed to the version submitted by then
    surveys["q_recommend_partner"] = rng.integers(1, 6, len(surveys))
    deltas = [
        {"tickets": pd.concat([demo["tickets"][held["tickets"]], tickets])},
        {"ticket_pauses": demo["ticket_pauses"][held["ticket_pauses"]]},
        {"worklog": pd.concat([worklog, worklog.head(20).assign(hours=1.5)]).drop_duplicates(
            ["ticket_id", "staff", "work_date", "work_type"], keep="last")},
        {"projects": projects},
        {"license_keys": pd.concat([demo["license_keys"][held["license_keys"]], keys])},
        {"monitor_tests": pd.concat([demo["monitor_tests"][held["monitor_tests"]], tests])},
        {"surveys": pd.concat([demo["surveys"][held["surveys"]], surveys])},
    ]
    return base, deltas


def derived_tables(conn) -> dict[str, pd.DataFrame]:
    out = {}
    for model, ignored in DERIVED.items():
        result = conn.execute(select(model))
        frame = pd.DataFrame(result.all(), columns=list(result.keys())).drop(columns=ignored)
        out[model.__tablename__] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return out


def assert_equal_to_full_rebuild(engine, after: str) -> None:
    """The stored derived tables equal those the full rebuild (`store.derived.rebuild_all`) makes, rolled back."""
    with engine.connect() as conn:
        incremental = derived_tables(conn)
        rebuild_all(conn)
        rebuilt = derived_tables(conn)
        conn.rollback()
    assert len(incremental["sla_rollup"]) and len(incremental["comparison_rollup"])
    for name, frame in rebuilt.items():
        pd.testing.assert_frame_equal(incremental[name], frame, check_dtype=False, rtol=1e-9, obj=f"{name} after {after}")


def load(engine, demo: dict[str, pd.DataFrame], frames: dict[str, pd.DataFrame], folder) -> list:
    """Load `frames` as the demo's CSV files (the other frames only give the time zones of the offsets)."""
    written = write_csv({**demo, **frames}, folder)
    reports = ingest_files(engine, [path for path in written if path.stem in frames])
    assert all(not r.refused for r in reports), [r.errors for r in reports if r.refused]
    return reports


@pytest.mark.parametrize("seed", [1, 2])
def test_delta_loads_leave_every_derived_table_equal_to_its_full_rebuild(engine, demo, tmp_path, monkeypatch, seed):
    monkeypatch.setenv("QUALITY_NOW", NOW)
    # two of the compared metrics (a CSAT and an NPS) keep the test quick: the comparison costs per metric,
    # and which partners' rows are refreshed does not depend on the metric
    metrics = [m for m in comparison_rollup.comparison_metrics() if m[0] in COMPARED]
    monkeypatch.setattr(comparison_rollup, "comparison_metrics", lambda: metrics)
    base, deltas = split(demo, seed)
    load(engine, demo, base, tmp_path / "base")
    for number, delta in enumerate(deltas):
        reports = load(engine, demo, delta, tmp_path / f"delta{number}")
        assert all("full_refresh" not in r.derived_stages for r in reports)  # the incremental path was taken
        assert_equal_to_full_rebuild(engine, after=f"the {next(iter(delta))} delta")


def test_a_survey_delta_refreshes_only_the_countries_whose_comparison_counts_changed(engine, demo, tmp_path,
                                                                                     monkeypatch):
    monkeypatch.setenv("QUALITY_NOW", NOW)
    metrics = [m for m in comparison_rollup.comparison_metrics() if m[0] in COMPARED]
    monkeypatch.setattr(comparison_rollup, "comparison_metrics", lambda: metrics)
    refreshed: list[set | None] = []
    refresh = incremental.refresh_comparison_rollup

    def recorded(conn, now=None, countries=None):
        refreshed.append(None if countries is None else set(countries))
        return refresh(conn, now=now, countries=countries)

    monkeypatch.setattr(incremental, "refresh_comparison_rollup", recorded)
    load(engine, demo, {kind: demo[kind] for kind in BASE_KINDS}, tmp_path / "base")
    surveys, projects, partners = demo["surveys"], demo["projects"], demo["partners"]
    country_of = projects["partner_id"].map(partners.set_index("partner_id")["country"])
    only_kz = (country_of == "KZ").groupby(projects["project_id"]).all()
    kz = surveys[surveys["project_id"].map(only_kz).fillna(False).astype(bool)]
    year = pd.to_datetime(surveys["surveyed_at"], utc=True).dt.year
    answered = lambda frame: frame.assign(q_dev_quality=np.where(frame["q_dev_quality"] == 5, 1, 5))  # noqa: E731
    deltas = {
        "the same surveys again": ([], surveys.sample(20, random_state=1)),
        "changed answers of 2023 (no comparison reads them)": ([], answered(surveys[year == 2023].head(20))),
        "changed answers of Kazakh partners in 2026": ([{"KZ"}], answered(kz[year.loc[kz.index] == 2026].head(10))),
    }
    assert len(deltas["changed answers of Kazakh partners in 2026"][1]) > 0
    for number, (name, (expected, rows)) in enumerate(deltas.items()):
        refreshed.clear()
        reports = load(engine, demo, {"surveys": rows}, tmp_path / f"delta{number}")
        assert all("full_refresh" not in r.derived_stages for r in reports)
        assert refreshed == expected, name
        assert_equal_to_full_rebuild(engine, after=name)
