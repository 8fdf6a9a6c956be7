"""Admin «Задания» (SPEC §11): each scheduled job's last run, duration, outcome, next run, and «Запустить сейчас».

«Запустить сейчас» starts the job in a background thread of the web process and returns at once (a web
worker is never blocked by a job); the table refreshes itself every few seconds while the page is open.
"""
from __future__ import annotations

import threading
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, ctx, dcc, html
from dash.exceptions import PreventUpdate

from auth import Scope, audit, authorized, current_engine
from auth.context import current_config
from components.format import fmt_datetime, fmt_number
from components.i18n import register_strings, t

ADMIN = ("admin",)
RUN_BUTTON = "admin-jobs-run"
REFRESH_MS = 5_000

dash.register_page(__name__, path="/admin/jobs", name="admin-jobs", label_key="admin_jobs.nav", order=93)

register_strings({
    "admin_jobs.nav": {"ru": "Задания", "en": "Jobs"},
    "admin_jobs.title": {"ru": "Задания по расписанию", "en": "Scheduled jobs"},
    "admin_jobs.hint": {
        "ru": "Время — московское. Каждое задание идемпотентно: повторный запуск ничего не дублирует; "
              "пропущенные сроки выполняются при старте планировщика.",
        "en": "Times are Moscow time. Every job is idempotent: running it again duplicates nothing; "
              "missed slots run when the scheduler starts."},
    "admin_jobs.job": {"ru": "Задание", "en": "Job"},
    "admin_jobs.last": {"ru": "Последний запуск", "en": "Last run"},
    "admin_jobs.duration": {"ru": "Длительность, с", "en": "Duration, s"},
    "admin_jobs.outcome": {"ru": "Результат", "en": "Outcome"},
    "admin_jobs.next": {"ru": "Следующий запуск", "en": "Next run"},
    "admin_jobs.detail": {"ru": "Подробности", "en": "Detail"},
    "admin_jobs.run": {"ru": "Запустить сейчас", "en": "Run now"},
    "admin_jobs.outcome.ok": {"ru": "успешно", "en": "ok"},
    "admin_jobs.outcome.failed": {"ru": "ошибка", "en": "failed"},
    "admin_jobs.outcome.running": {"ru": "выполняется", "en": "running"},
    "admin_jobs.outcome.skipped": {"ru": "уже выполняется другим процессом", "en": "already running elsewhere"},
    "admin_jobs.never": {"ru": "не запускалось", "en": "never ran"},
    "admin_jobs.started": {"ru": "Задание «{job}» запущено; результат появится в таблице.",
                           "en": "Job “{job}” started; its outcome will appear in the table."},
    "job.quality_program_monthly": {"ru": "Программа качества: решение 1-го числа (00:30)",
                                    "en": "Quality Program: decision on the 1st (00:30)"},
    "job.kkv_daily": {"ru": "ККВ: сроки действия и продления (ежедневно 00:45)",
                      "en": "KKV: expiry and renewal states (daily 00:45)"},
    "job.digests_daily": {"ru": "Уведомления: ежедневные сводки (08:00)", "en": "Notifications: daily digests (08:00)"},
    "job.consistency_nightly": {"ru": "Проверка сводных данных (ночью 03:15)",
                                "en": "Rollup consistency check (nightly 03:15)"},
    "job.outbox_send": {"ru": "Отправка писем (каждую минуту)", "en": "Mail delivery (every minute)"},
})


def _outcome_badge(outcome: str | None) -> Any:
    if not outcome:
        return html.Span(t("admin_jobs.never"), className="text-muted")
    color = {"ok": "success", "failed": "danger", "running": "info"}.get(outcome, "secondary")
    return dbc.Badge(t(f"admin_jobs.outcome.{outcome}"), color=color)


def jobs_table() -> dbc.Table:
    from jobs.runner import job_table

    header = html.Thead(html.Tr([html.Th(t(f"admin_jobs.{k}")) for k in
                                 ("job", "last", "duration", "outcome", "next", "detail")] + [html.Th("")]))
    rows = []
    for job in job_table(current_engine()):
        detail = (job["detail"] or "").splitlines()[0] if job["detail"] else ""
        rows.append(html.Tr([
            html.Td([html.Div(t(f"job.{job['name']}")), html.Small(job["name"], className="text-muted")]),
            html.Td(fmt_datetime(job["last_run"]) if job["last_run"] else "—"),
            html.Td(fmt_number(job["duration_s"], 1) if job["duration_s"] is not None else "—", className="text-end"),
            html.Td(_outcome_badge(job["outcome"])),
            html.Td(fmt_datetime(job["next_run"])),
            html.Td(html.Small(detail[:300])),
            html.Td(dbc.Button(t("admin_jobs.run"), id={"type": RUN_BUTTON, "job": job["name"]}, size="sm",
                               color="primary", outline=True)),
        ]))
    return dbc.Table([header, html.Tbody(rows)], bordered=False, hover=True, responsive=True, size="sm",
                     id="admin-jobs-table")


@authorized(roles=ADMIN)
def layout(scope: Scope, **_query: str) -> html.Div:
    return html.Div([
        html.H3(t("admin_jobs.title")),
        html.P(t("admin_jobs.hint"), className="text-muted"),
        html.Div(id="admin-jobs-message"),
        html.Div(jobs_table(), id="admin-jobs-body"),
        dcc.Interval(id="admin-jobs-refresh", interval=REFRESH_MS),
    ], id="admin-jobs")


@dash.callback(
    Output("admin-jobs-message", "children"),
    Input({"type": RUN_BUTTON, "job": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
@authorized(roles=ADMIN)
def run_job(clicks: list[Any], scope: Scope) -> Any:
    """Start the clicked job now (admin only; the job name must be a registered one) and return at once."""
    from jobs.registry import jobs
    from jobs.runner import run_now

    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(isinstance(c, int) and c > 0 for c in clicks or []):
        raise PreventUpdate
    name = trigger.get("job")
    if name not in jobs():
        raise PreventUpdate
    audit("job_run", name)
    worker = threading.Thread(target=run_now, args=(current_engine(), current_config(), name),
                              name=f"job-{name}", daemon=True)
    worker.start()
    return dbc.Alert(t("admin_jobs.started", job=t(f"job.{name}")), color="info", duration=8000)


@dash.callback(
    Output("admin-jobs-body", "children"),
    Input("admin-jobs-refresh", "n_intervals"),
    prevent_initial_call=True,
)
@authorized(roles=ADMIN)
def refresh_table(_n: Any) -> Any:
    """The job table again (last runs change as jobs finish)."""
    return jobs_table()
