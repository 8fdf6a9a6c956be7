"""Locust users of the load test (`make loadtest`, driven by `tools.loadtest`): logged-in users of the four roles.

Runs inside Locust's own environment (requirements-loadtest.txt), so it imports nothing of the app: the
plan (pages, roles, callback bodies, log-in names, password) comes as JSON from the file named by
``LOADTEST_PLAN``, written by `tools.loadtest.write_plan` from the same page registry as the server.

Each user logs in through the real form (CSRF token read from the page), then visits the pages of its
role in turn, as a browser does: GET the page (HTML shell), POST the Dash routing callback that renders
its layout, POST the page's main callback (`BENCH_CALLBACK`). A 2xx callback answer that carries the
app's error toast or an error alert (an exception the app turned into a friendly message) is a failure.
Requests are named by endpoint, so Locust's statistics (``--csv``) are per page and callback.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

# tools/ is on Locust's path (the locustfile's folder)
from dash_answer import callback_failure
from locust import HttpUser, between, task

PLAN = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text(encoding="utf-8"))
CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


class PageVisitor(HttpUser):
    """One logged-in user of `role`: its pages in turn, 0.5–2 s of reading between pages."""

    abstract = True
    role = ""
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.pages = [t for t in PLAN["targets"] if self.role in t["roles"]]
        self.visit = 0
        login = PLAN["logins"][self.role]
        form = self.client.get("/login", name="GET /login")
        token = CSRF.search(form.text)
        with self.client.post("/login", name="POST /login", allow_redirects=False, catch_response=True,
                              data={"csrf_token": token.group(1) if token else "", "login": login,
                                    "password": PLAN["password"], "next": "/"}) as response:
            if response.status_code in (302, 303):
                response.success()
            else:
                response.failure(f"log-in as {login}: HTTP {response.status_code}")
                self.pages = []

    @task
    def open_next_page(self) -> None:
        if not self.pages:
            return
        page = self.pages[self.visit % len(self.pages)]
        self.visit += 1
        self.client.get(page["path"], name=f"GET {page['path']}")
        self._callback(f"POST layout {page['path']}", page["layout"])
        if page["callback"] and page["callback_role"] == self.role:
            self._callback(f"POST callback {page['name']}", page["callback"])

    def _callback(self, name: str, body: dict) -> None:
        with self.client.post("/_dash-update-component", json=body, name=name, catch_response=True) as response:
            if not 200 <= response.status_code < 300:
                response.failure(f"HTTP {response.status_code}")
                return
            problem = callback_failure(response)
            if problem:
                response.failure(problem)


class PartnerUser(PageVisitor):
    role = "partner"


class ServiceManagerUser(PageVisitor):
    role = "service_manager"


class ManagementUser(PageVisitor):
    role = "management"


class AdminUser(PageVisitor):
    role = "admin"
