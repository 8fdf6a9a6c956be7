"""Every registered callback, posted by every role over the small demo: the expected access is written here.

Independent of the product's own access rules (`auth.guard._is_public_callback`, `components.nav.roles_for_page`,
`auth.authorized`): the table `ACCESS` below says which role may use which page, `CALLBACKS` which page each
callback of the server's registry (`app.callback_map`) belongs to. A callback missing from `CALLBACKS` fails
the test until it is listed. Every callback is posted with crafted values (wrong types, huge strings, other
partners' and clients' ids) in every input and state, and with its page's own layout values where one
input at a time carries another partner's or client's id. The answers must be:

- anonymous and not allowed: 401;
- logged in and not allowed: no update (204) or the "no access" alert, nothing else;
- allowed: 200/204 JSON, no traceback, no error toast or error alert (an exception inside the callback);
- for a partner and a service manager, outside the public directory: no id or name of a partner or client
  they may not see.
"""
from __future__ import annotations

import inspect
import json
import re
import shutil
from collections.abc import Iterator
from typing import Any

import dash
import pytest
from sqlalchemy import text
from werkzeug.test import TestResponse

from tests.integration.callback_harness import (
    _concrete_id,
    _is_all,
    _split_output,
    csrf_token,
    make_app,
)
from tests.integration.demo_backends import demo_sqlite_file

# each role's walk is long and the module fixture a copy of the session's demo: spread over the workers
XDIST_SPREAD = True

UPDATE = "/_dash-update-component"
ROLES = ("anonymous", "partner", "service_manager", "management", "admin")
LOGIN = {"partner": "partner", "service_manager": "manager", "management": "management", "admin": "admin"}
DEMO_PARTNER = "P0001"
DEMO_MANAGER = "manager"

# role × page: may the role use the page's callbacks?   (written here, on purpose not read from the product)
_TABLE = """
page            anonymous partner service_manager management admin
home            no        yes     yes             yes        yes
not_found       no        yes     yes             yes        yes
notifications   no        yes     yes             yes        yes
quality         no        yes     no              yes        yes
my_programmes   no        yes     no              no         no
meeting         no        no      yes             yes        yes
meeting_write   no        no      yes             no         yes
trends          no        no      no              yes        yes
programs        no        no      no              yes        yes
kkv_review      no        no      no              no         yes
admin           no        no      no              no         yes
grid            no        yes     yes             yes        yes
"""
ACCESS: dict[str, dict[str, bool]] = {
    row.split()[0]: {role: cell != "no" for role, cell in zip(ROLES, row.split()[1:], strict=True)}
    for row in _TABLE.strip().splitlines()[1:]
}

# every callback of the registry -> its page; clientside callbacks (no server function) by their output ids
ROUTER = "dash.dash.update"
CALLBACKS: dict[str, str] = {
    ROUTER: "router",
    "dash.dash.cancel_call": "admin",  # Dash's cancel of a background callback (the upload's)
    "clientside shell-collapse": "router",
    "pages.notifications.save": "notifications",
    "pages.partner_programmes.show": "my_programmes",
    "pages.partner_programmes.write": "my_programmes",
    "pages.quality.remember_in_url": "quality",
    "pages.meeting.remember_in_url": "meeting",
    "pages.trends.remember_in_url": "trends",
    "components.meeting_actions.show_actions": "meeting",
    "components.meeting_actions.form_options": "meeting_write",
    "components.meeting_actions.fill_form": "meeting_write",
    "components.meeting_actions.write": "meeting_write",
    "pages.programs_kkv.show_requests": "programs",
    "pages.programs_kkv.review_options": "kkv_review",
    "pages.programs_kkv.review": "kkv_review",
    "pages.programs_saas.decide": "programs",
    "pages.admin_jobs.refresh_table": "admin",
    "pages.admin_jobs.run_job": "admin",
    "pages.admin_outbox.show_message": "admin",
    "pages.admin_settings.load_official_calendar": "admin",
    "pages.admin_upload.load_staged_upload": "admin",
    "pages.admin_upload.show_upload_result": "admin",
    "pages.quality.render": "quality",
    "pages.meeting.search_client_options": "meeting",
    "pages.meeting.show_brief": "meeting",
    "pages.meeting.download_brief": "meeting",
    "pages.trends.show_trends": "trends",
    "pages.trends.show_movers": "trends",
    "pages.trends.show_competence": "trends",
    "pages.trends.drill_down": "trends",
    "pages.programs_quality.show_month": "programs",
    "pages.programs_quality.show_ledger": "programs",
    "pages.programs_quality.run_evaluation": "programs",
    "pages.programs_kkv.show_kkv": "programs",
    "pages.programs_saas.show_quarter": "programs",
    "pages.programs_saas.save_weight": "programs",
    "pages.programs_support.show_support": "programs",
    "pages.admin_upload.upload_files": "admin",
    "pages.admin_upload.show_quarantine": "admin",
    "pages.admin_upload.download_quarantine": "admin",
    "pages.admin_users.add_user": "admin",
    "pages.admin_users.show_user": "admin",
    "pages.admin_users.change_user": "admin",
    "pages.admin_settings.show_policy": "admin",
    "pages.admin_settings.store_policy": "admin",
    "pages.admin_settings.show_calendar": "admin",
    "pages.admin_settings.store_calendar": "admin",
    "pages.admin_settings.recompute_sla": "admin",
    "components.server_grid.serve_rows": "grid",
    "components.server_grid.download_csv": "grid",
    "components.grid.export_csv": "grid",
    "clientside admin-upload-payload admin-upload-size-message": "admin",
    "clientside admin-users-new-partner": "admin",
    "clientside admin-users-partner": "admin",
    "clientside _pages_dummy": "router",
}
# page paths the router is asked for, with the page they show
PATHS: dict[str, str] = {
    # the public directory is its own app under /directory/ (issue 18), with its own tests
    "/": "home", "/quality": "quality", "/meeting": "meeting", "/meeting/history": "meeting", "/trends": "trends",
    "/notifications": "notifications", "/my/programmes": "my_programmes", "/admin/jobs": "admin",
    "/admin/outbox": "admin",
    "/programs/quality": "programs", "/programs/kkv": "programs", "/programs/saas": "programs",
    "/programs/support": "programs", "/admin/upload": "admin", "/admin/users": "admin",
    "/admin/settings": "admin", "/no-such-page": "not_found",
}
GENERIC_VALUES: list[Any] = [None, "", -1, 10**15, True, "x" * 20_000, [], {}, "'; DROP TABLE users; --"]
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "KeyError(", "Error:")
ERROR_MARKERS = ("shell-error", "callback-error")  # the error toast and the error alert of an exception


def callback_key(output: str, entry: dict) -> str:
    if "callback" not in entry:
        ids = dict.fromkeys(i for i, _ in _split_output(output))
        return "clientside " + " ".join(ids)
    func = inspect.unwrap(entry["callback"])
    return f"{func.__module__}.{func.__name__}"


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict:
    """An app over a copy of the small demo, the registry after the first request, who owns what."""
    folder = tmp_path_factory.mktemp("callback-access")
    shutil.copyfile(demo_sqlite_file(tmp_path_factory), folder / "quality.db")
    app = make_app(folder)
    clients = {None: app.server.test_client()}
    for role, login_name in LOGIN.items():
        client = app.server.test_client()
        response = client.post("/login", data={"login": login_name, "password": "demo",
                                               "csrf_token": csrf_token(client), "next": "/"})
        assert response.status_code == 302, login_name
        clients[role] = client
    clients[None].get("/login")
    clients["admin"].get("/")  # the page router registers itself on the first request
    engine = app.server.extensions["quality"]["engine"]
    with engine.connect() as conn:
        partners = dict(conn.execute(text("SELECT partner_id, name FROM partners")).all())
        client_rows = conn.execute(text("SELECT client_id, name, partner_id, service_manager FROM clients")).all()
    visible_clients = {
        "partner": {c for c, _, p, _m in client_rows if p == DEMO_PARTNER},
        "service_manager": {c for c, _, _p, m in client_rows if m == DEMO_MANAGER},
    }
    visible_partners = {
        "partner": {DEMO_PARTNER},
        "service_manager": {p for c, _, p, m in client_rows if m == DEMO_MANAGER},
    }
    client_names = {c: n for c, n, _p, _m in client_rows}
    foreign: dict[str, tuple[list[str], list[str]]] = {}
    for role in ("partner", "service_manager"):
        allowed_names = [partners[p] for p in visible_partners[role]] + [
            client_names[c] for c in visible_clients[role]]
        names = [n for p, n in partners.items() if p not in visible_partners[role]] + [
            n for c, n in client_names.items() if c not in visible_clients[role]]
        names = [n for n in names if not any(n in own for own in allowed_names)]
        ids = [p for p in partners if p not in visible_partners[role]] + [
            c for c in client_names if c not in visible_clients[role]]
        foreign[role] = (ids, names)
    other_partner = next(p for p in sorted(partners) if p not in visible_partners["service_manager"] | {DEMO_PARTNER})
    other_client = next(c for c, _, p, m in sorted(client_rows) if p == other_partner and m != DEMO_MANAGER)
    return {"app": app, "clients": clients, "foreign": foreign, "other_ids": [other_partner, other_client]}


def _layout_values(world: dict) -> dict[str, Any]:
    """component id -> {property: value} from every page's layout as admin renders it."""
    if "layout_values" in world:
        return world["layout_values"]
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and isinstance(props.get("id"), str):
                found.setdefault(props["id"], props)
            for value in node.values():
                walk(value)

    for path in PATHS:
        walk(world["clients"]["admin"].post(UPDATE, json=_router_body(path)).get_json())
    world["layout_values"] = found
    return found


def _router_body(pathname: Any, search: Any = "") -> dict:
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"]}


def _body(output: str, entry: dict, values: list[Any]) -> dict:
    """A `/_dash-update-component` body for `entry` with values[i] in its i-th input/state."""
    outputs = [{"id": _concrete_id(i), "property": p} for i, p in _split_output(output)]
    deps = entry["inputs"] + entry.get("state", [])

    def fill(dep: dict, value: Any) -> Any:
        item = {"id": _concrete_id(dep["id"]), "property": dep["property"], "value": value}
        return [item] if _is_all(dep["id"]) else item

    filled = [fill(d, v) for d, v in zip(deps, values, strict=True)]
    first = filled[0] if filled else None
    first = first[0] if isinstance(first, list) else first
    changed = [] if first is None else [
        (json.dumps(first["id"], separators=(",", ":"), sort_keys=True) if isinstance(first["id"], dict)
         else first["id"]) + "." + first["property"]]
    n = len(entry["inputs"])
    return {"output": output, "outputs": outputs if output.startswith("..") else outputs[0],
            "inputs": filled[:n], "state": filled[n:], "changedPropIds": changed}


def crafted_bodies(world: dict, output: str, entry: dict) -> Iterator[tuple[str, dict]]:
    """(label, body): every crafted value in every input, then the layout's values with one foreign id."""
    deps = entry["inputs"] + entry.get("state", [])
    for value in GENERIC_VALUES + world["other_ids"] + [world["other_ids"], {"partner_id": world["other_ids"][0]}]:
        yield f"all={value!r:.40}", _body(output, entry, [value] * len(deps))
    layout = _layout_values(world)
    defaults = [layout.get(d["id"], {}).get(d["property"]) for d in deps]
    yield "layout", _body(output, entry, defaults)
    for i, dep in enumerate(deps):
        for value in world["other_ids"]:
            values = list(defaults)
            values[i] = [value] if isinstance(defaults[i], list) else value
            yield f"{dep['id']}.{dep['property']}={value}", _body(output, entry, values)


def _answer_text(response: TestResponse) -> str:
    raw = response.get_data(as_text=True)
    return json.dumps(json.loads(raw), ensure_ascii=False) if raw else ""


def _denied(response: TestResponse) -> bool:
    if response.status_code in (204, 403):  # 403: the guard's registry says the role may not call it (issue 18)
        return True
    text_ = _answer_text(response)
    return response.status_code == 200 and "forbidden" in text_ and not any(
        m in text_ for m in ("rowData\": [{", "\"figure\""))


def check(world: dict, role: str, page: str, label: str, response: TestResponse) -> list[str]:
    """What is wrong with `response` for `role` on `page` (empty = fine)."""
    raw = response.get_data(as_text=True)
    where = f"{role} {page} {label}"
    if role == "anonymous" and not ACCESS[page]["anonymous"]:
        return [] if response.status_code == 401 else [f"{where}: {response.status_code} instead of 401"]
    if response.status_code == 403 and not ACCESS[page][role]:
        return []
    if response.status_code == 400 and label != "layout":
        return []  # a crafted value the guard refuses as a malformed request (issue 18), never a traceback
    if response.status_code not in (200, 204):
        return [f"{where}: status {response.status_code} {raw[:200]}"]
    problems = [f"{where}: traceback marker {m!r}" for m in TRACEBACK_MARKERS if m in raw]
    try:
        answer = _answer_text(response)
    except json.JSONDecodeError:
        return [f"{where}: not JSON {raw[:200]}"]
    problems += [f"{where}: error {m}" for m in ERROR_MARKERS if m in answer]
    if role != "anonymous" and not ACCESS[page][role] and not _denied(response):
        problems.append(f"{where}: answered a role without access: {answer[:300]}")
    if role in world["foreign"] and page != "directory":
        ids, names = world["foreign"][role]
        leaked = [i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?!\d)", answer)]
        leaked += [n for n in names if n in answer]
        if leaked:
            problems.append(f"{where}: other partners'/clients' data {leaked[:5]}")
    return problems


def test_every_registered_callback_is_listed(world):
    keys = {callback_key(output, entry) for output, entry in world["app"].callback_map.items()}
    assert keys - set(CALLBACKS) == set(), "new callbacks: add them to CALLBACKS with their page"
    assert set(CALLBACKS) - keys == set(), "listed callbacks no longer registered"
    assert set(PATHS.values()) | {"grid", "meeting_write", "kkv_review"} == set(ACCESS)
    registered = {page["path"] for page in dash.page_registry.values()} - {"/404"}
    assert registered <= set(PATHS), "a new page: add its path to PATHS"


@pytest.mark.parametrize("role", ROLES)
def test_every_callback_answers_each_role_as_the_table_says(world, role):
    client = world["clients"][None if role == "anonymous" else role]
    problems: list[str] = []
    for output, entry in world["app"].callback_map.items():
        key = callback_key(output, entry)
        page = CALLBACKS[key]
        if key.startswith("clientside") or page == "router":
            continue
        for label, body in crafted_bodies(world, output, entry):
            problems += check(world, role, page, label, client.post(UPDATE, json=body))
    assert problems == [], "\n".join(problems[:40])


@pytest.mark.parametrize("role", ROLES)
def test_page_router_renders_each_page_for_its_roles_only(world, role):
    client = world["clients"][None if role == "anonymous" else role]
    problems: list[str] = []
    for path, page in PATHS.items():
        response = client.post(UPDATE, json=_router_body(path))
        problems += check(world, role, page, path, response)
        if role != "anonymous" and ACCESS[page][role] and _denied(response):
            problems.append(f"{role} {path}: refused although the table allows it")
    for value in GENERIC_VALUES + world["other_ids"] + ["/quality?partner=" + world["other_ids"][0]]:
        for body in (_router_body(value), _router_body("/quality", value), _router_body("/meeting", value)):
            response = client.post(UPDATE, json=body)
            pathname = body["inputs"][0]["value"]
            page = PATHS.get(pathname, "not_found") if isinstance(pathname, str) else "not_found"
            problems += check(world, role, page, f"router {value!r:.40}", response)
    assert problems == [], "\n".join(problems[:40])
