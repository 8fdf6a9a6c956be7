"""Warm after a load (issue 14): the first view of each page after a load is served from the cache.

The small demo (SQLite) behind an app; every demo role opens its pages as a browser does (the routing
callback, then the page's main callbacks with the inputs the page opens with). A view computed on that visit
writes a new entry into the scoped cache; a view the load warmed is only read.
"""
from __future__ import annotations

import shutil
import threading

import pytest

from benchmarks.pages import payload
from components.cache import current_cache
from metrics.deposit import PRICE_PER_TICKET
from jobs.warm import warm_after_load, warm_views
from tests.integration.admin_app import call
from tests.integration.callback_harness import logged_in_client, make_app
from tests.integration.demo_backends import demo_sqlite_file
from tests.integration.test_admin_upload import UPLOAD_OUTPUTS
from tools.loadtest import routing_payload

NOW = "2026-11-30T09:00:00+03:00"
TRENDS_FIRST_VIEW = [  # the filters /trends opens with: region by quarter, no place picked, no dates
    {"output": "trends-charts.children",
     "inputs": [{"id": "trends-dimension", "property": "value", "value": "region"},
                {"id": "trends-grain", "property": "value", "value": "quarter"},
                {"id": "trends-country", "property": "value", "value": []},
                {"id": "trends-region", "property": "value", "value": []},
                {"id": "trends-dates", "property": "start_date", "value": None},
                {"id": "trends-dates", "property": "end_date", "value": None}]},
    {"output": "trends-competence.children",
     "inputs": [{"id": "trends-country", "property": "value", "value": []},
                {"id": "trends-region", "property": "value", "value": []},
                {"id": "trends-dates", "property": "start_date", "value": None},
                {"id": "trends-dates", "property": "end_date", "value": None}]},
]
QUALITY_FIRST_VIEW = [{"output": "quality-body.children",
                       "inputs": [{"id": "quality-partner", "property": "value", "value": None},
                                  {"id": "quality-window", "property": "value", "value": "ttm"}]}]
PQ_FIRST_VIEW = [{"output": "pq-body.children",
                  "inputs": [{"id": "pq-month", "property": "value", "value": None},
                             {"id": "pq-run-message", "property": "children", "value": None}]}]
SUPPORT_FIRST_VIEW = [{"output": "pu-body.children",
                       "inputs": [{"id": "pu-price", "property": "value", "value": PRICE_PER_TICKET}]}]


def meeting_first_view(layout: dict) -> list[dict]:
    """The brief callback with the client and day the /meeting layout opens with (the client needing attention most)."""
    client, day = _prop_in(layout, "meeting-client", "value"), _prop_in(layout, "meeting-period-end", "date")
    assert client is not None and day is not None, "the meeting page opened without a client"
    return [{"output": "meeting-content.children",
             "inputs": [{"id": "meeting-client", "property": "value", "value": client},
                        {"id": "meeting-period-end", "property": "date", "value": day}]}]


def saas_first_view(layout: dict) -> list[dict]:
    """The quarter view with the quarter the /programs/saas layout opens with (the last complete one)."""
    quarter = _prop_in(layout, "ps-quarter", "value")
    assert quarter is not None, "the lead distribution page opened without a quarter"
    return [{"output": "ps-body.children",
             "inputs": [{"id": "ps-quarter", "property": "value", "value": quarter},
                        {"id": "ps-leads", "property": "value", "value": None},
                        {"id": "ps-save-message", "property": "children", "value": None},
                        {"id": "ps-decision-message", "property": "children", "value": None}]}]


def _prop_in(tree: object, component_id: str, prop: str) -> object:
    """The value of `prop` of the component `component_id` in a layout's JSON (None when absent)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and props.get("id") == component_id:
                return props.get(prop)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None


VISITS = {  # login -> (page path, main callbacks of its first view, or how the page's layout gives them)
    "partner": [("/", []), ("/quality", QUALITY_FIRST_VIEW)],
    "manager": [("/", []), ("/meeting", meeting_first_view)],
    "management": [("/", []), ("/trends", TRENDS_FIRST_VIEW), ("/programs/quality", PQ_FIRST_VIEW),
                   ("/programs/saas", saas_first_view)],
    "admin": [("/", []), ("/programs/quality", PQ_FIRST_VIEW), ("/programs/support", SUPPORT_FIRST_VIEW),
              ("/programs/saas", saas_first_view)],
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("warm")
    shutil.copyfile(demo_sqlite_file(tmp_path_factory), folder / "quality.db")
    return make_app(folder)


@pytest.fixture()
def computed(app, monkeypatch) -> list[str]:
    """The scoped-cache entries written from now on: one per view computed instead of read. «Now» stands still,
    so the warm and the visits fall in one minute of the live SLA state (the cache keys carry it)."""
    monkeypatch.setenv("QUALITY_NOW", NOW)
    with app.server.app_context():
        cache = current_cache()
    written: list[str] = []
    original = cache.set

    def set_and_record(key, *args, **kwargs):
        if str(key).startswith("scoped:"):
            written.append(key)
        return original(key, *args, **kwargs)

    monkeypatch.setattr(cache, "set", set_and_record)
    return written


def visit_first_views(app) -> list[str]:
    """Each demo login opens its pages once; returns what failed (non-200 answers)."""
    failures = []
    for login, pages in VISITS.items():
        client = logged_in_client(app, login)
        for path, callbacks in pages:
            routing = routing_payload(path)
            layout = client.post("/_dash-update-component", json=routing)
            if layout.status_code != 200:
                failures.append(f"{login} {path} {routing['output']}: {layout.status_code}")
                continue
            specs = callbacks(layout.get_json()) if callable(callbacks) else callbacks
            for body in [payload(spec) for spec in specs]:
                response = client.post("/_dash-update-component", json=body)
                if response.status_code != 200:
                    failures.append(f"{login} {path} {body['output']}: {response.status_code}")
    return failures


def test_after_a_load_each_page_first_view_is_read_from_the_cache(app, computed):
    warmed = warm_after_load(app.server)
    assert {"partner quality", "manager home", "management trends", "admin programs_support",
            "admin programs_saas"} <= set(warmed)
    computed.clear()
    assert visit_first_views(app) == []
    assert computed == []


def test_without_the_warm_the_first_views_after_a_load_are_computed(app, computed):
    # the control of the test above: a load that only makes the cache stale leaves the first visits cold
    from components.cache import invalidate_data_cache

    with app.server.app_context():
        invalidate_data_cache()
    assert visit_first_views(app) == []
    assert len(computed) >= len(VISITS)


def test_warm_covers_only_the_pages_of_each_users_role(app, monkeypatch):
    monkeypatch.setenv("QUALITY_NOW", NOW)
    warmed = warm_views(app.server, logins=["partner", "manager"])
    assert {key.split()[1] for key in warmed if key.startswith("partner ")} == {"home", "quality"}
    assert {key.split()[1] for key in warmed if key.startswith("manager ")} == {"home", "meeting"}


def test_an_uploads_result_warms_the_first_views_in_the_background(app, computed):
    client = logged_in_client(app, "admin")
    status, _ = call(client, app, UPLOAD_OUTPUTS, [("admin-upload-done", "data", {"reports": [], "unreadable": []})])
    assert status == 200
    warming = [t for t in threading.enumerate() if t.name == "warm-after-load"]
    assert warming
    for thread in warming:
        thread.join(timeout=120)
    computed.clear()
    assert visit_first_views(app) == []
    assert computed == []


def test_the_managers_home_recomputes_a_clients_findings_when_its_states_change_not_every_minute(app, monkeypatch):
    """The ranking's findings are keyed by the live-state fingerprint of each client's tickets, not by the minute:
    a visit a minute later (no ticket changed state) computes none; a visit after the next deadline of the demo
    manager's open tickets recomputes the findings of the clients whose tickets changed state, alone. (Before,
    every new minute recomputed every ranked client's findings.)"""
    import pandas as pd
    from sqlalchemy import func, select

    import reports.meeting as reports_meeting
    from auth import current_engine
    from components.cache import invalidate_data_cache
    from demo.generator import DEMO_MANAGER_CLIENT_IDS
    from store.models import Ticket, TicketSla

    computed: list[str] = []  # the clients whose findings a visit computed, and each batch's clients (the inputs read
    batches: list[list[str]] = []  # by reports.meeting: a page module may be re-executed by another app's creation,
    original = reports_meeting.meeting_inputs_by_client  # this one is not)

    def spied(conn, windows):
        batches.append(list(windows["client_id"]))
        computed.extend(windows["client_id"])
        return original(conn, windows)

    monkeypatch.setattr(reports_meeting, "meeting_inputs_by_client", spied)
    client = logged_in_client(app, "manager")

    def visit_home_at(instant: pd.Timestamp) -> None:
        monkeypatch.setenv("QUALITY_NOW", instant.isoformat())
        computed.clear()
        batches.clear()
        assert client.post("/_dash-update-component", json=routing_payload("/")).status_code == 200

    with app.server.app_context(), current_engine().connect() as conn:
        events = pd.DataFrame(conn.execute(  # the instants at which a ticket of the demo manager's clients changes state
            select(Ticket.client_id, Ticket.resolved_at, TicketSla.deadline, TicketSla.at_risk_from,
                   TicketSla.clock_stopped)
            .join_from(Ticket, TicketSla, TicketSla.ticket_id == Ticket.ticket_id)
            .where(Ticket.client_id.in_(DEMO_MANAGER_CLIENT_IDS))).all(),
            columns=["client_id", "resolved_at", "deadline", "at_risk_from", "clock_stopped"])
    for column in ("resolved_at", "deadline", "at_risk_from"):
        events[column] = pd.to_datetime(events[column], utc=True)
    running = events["clock_stopped"] != True  # noqa: E712 (None counts as running)

    def changed_between(t1: pd.Timestamp, t2: pd.Timestamp) -> set[str]:
        """Clients with a ticket resolved, turning at risk or breached between t1 and t2 (by the stored instants: a
        ticket is resolved from its instant on, at risk or breached only after its instant)."""
        def passed(column):
            return (events[column] >= t1) & (events[column] < t2)
        resolved = (events["resolved_at"] > t1) & (events["resolved_at"] <= t2)
        unresolved_then = events["resolved_at"].isna() | (events["resolved_at"] > t2)
        hit = resolved | (running & unresolved_then & (passed("deadline") | passed("at_risk_from")))
        return set(events.loc[hit, "client_id"])

    with app.server.app_context(), current_engine().connect() as conn:
        data_end = pd.Timestamp(conn.execute(select(func.max(Ticket.created_at))).scalar_one())
    data_end = data_end.tz_localize("UTC") if data_end.tzinfo is None else data_end
    # a deadline of a running open ticket after the data's last day; «now» from 2 hours before it to a minute after
    ahead = events.loc[running & events["resolved_at"].isna() & (events["deadline"] > data_end + pd.Timedelta(hours=3)),
                       "deadline"]
    assert len(ahead), "the demo manager's clients have no open ticket whose deadline is after the data's end"
    start, later = ahead.min() - pd.Timedelta(minutes=127), ahead.min() + pd.Timedelta(minutes=1)
    assert changed_between(start, start + pd.Timedelta(minutes=1)) == set()  # the demo data: a quiet minute
    changed = changed_between(start + pd.Timedelta(minutes=1), later)

    with app.server.app_context():  # entries other tests cached (a same fingerprint at another instant) would serve
        invalidate_data_cache()
    visit_home_at(start)
    ranked = set(computed)
    assert ranked and len(batches) == 1  # the first visit computes the ranked clients' findings, together
    visit_home_at(start + pd.Timedelta(minutes=1))
    assert computed == []  # a new minute, no state changed: nothing recomputed
    visit_home_at(later)
    assert computed and set(computed) == changed & ranked  # only the clients whose tickets changed state
    assert len(batches) == 1  # in one batch


def test_the_admins_home_shows_a_load_by_another_process_without_counting_the_input_tables(app, monkeypatch, tmp_path):
    """The admin home's stored rows per kind are the counts the loads keep (`stored_counts`; counting the input
    tables took 0.4–0.8 s at `large`): no visit counts a table, and a file loaded by another process (`cli.py
    ingest`: no cache invalidation reaches this one) shows on the next visit."""
    import pandas as pd

    import store.stored_counts as stored_counts
    from auth import current_engine
    from loaders.ingest import ingest_files

    monkeypatch.setenv("QUALITY_NOW", NOW)
    counted = []
    original = stored_counts.counted_rows
    monkeypatch.setattr(stored_counts, "counted_rows", lambda conn: counted.append(1) or original(conn))
    client = logged_in_client(app, "admin")

    def staff_rows_shown() -> int:
        layout = client.post("/_dash-update-component", json=routing_payload("/"))
        assert layout.status_code == 200
        row = next(node for node in _nodes(layout.get_json())
                   if isinstance(node.get("props", {}).get("id"), dict) and node["props"]["id"].get("index") == "staff")
        return int(str(row["props"]["children"][1]["props"]["children"]).replace("\u00a0", "").replace(" ", ""))

    with app.server.app_context():
        engine = current_engine()
    with engine.connect() as conn:
        assert staff_rows_shown() == original(conn)["staff"] > 0
    path = tmp_path / "staff.csv"
    pd.DataFrame({"staff": ["WARM-NEW-1"], "line": [1], "name": ["Новый сотрудник"]}).to_csv(path, index=False)
    report = ingest_files(engine, [path], kind="staff")[0]
    assert report.accepted == 1, report.errors
    with engine.connect() as conn:
        assert staff_rows_shown() == original(conn)["staff"]
    assert counted == []


def _nodes(tree: object):
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
