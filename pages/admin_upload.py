"""Admin: upload input files (drag and drop, several at once), the per-file ingest report, quarantined rows
(browsable, downloadable as CSV) and the ingest history (SPEC §3, §8).

Files go through `loaders.ingest.ingest_files` as `cli.py ingest` does (rejected rows to the quarantine,
whole-file problems as one plain message), but as a Dash background callback (SPEC §11): the web callback
authorizes and stages the upload, a worker process (DiskcacheManager embedded, Celery in production) loads
it in one transaction with a progress bar and a cancel button, and a cancelled or failed upload writes
nothing (`jobs.upload`). The browser checks the total
size before sending (a clear message instead of an HTTP 413); the server checks it again.
"""
from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, clientside_callback, dcc, html
from dash.exceptions import PreventUpdate
from flask import current_app

from auth import Scope, audit, authorized, current_config, current_engine
from components.format import fmt_number
from components.labels import code_labels
from components.loader_words import column_word, file_name, loader_message, loader_messages
from components.grid import grid_id
from components.grid_columns import grid_records, typed_grid
from components.i18n import current_language, register_strings, t
from config import Config
from jobs.upload import UploadRefused, run_staged, stage, staged_language
from jobs.warm import warm_after_load
from loaders.ingest import FileReport
from loaders.schemas import LOAD_ORDER
from store.admin_queries import (
    QUARANTINE_GRID_LIMIT,
    ingest_history,
    quarantine_csv,
    quarantine_rows,
    quarantine_runs,
)

log = logging.getLogger(__name__)
ADMIN = ("admin",)
AUTO_KIND = "auto"
REPORTED_ERRORS = 5  # per file on the page; the quarantine grid and CSV have every row
# base64 makes an upload 4/3 larger: the files of one upload must fit in the request limit (MAX_CONTENT_LENGTH)
BASE64_OVERHEAD = 4 / 3
REQUEST_MARGIN = 256 * 1024

dash.register_page(__name__, path="/admin/upload", name="admin-upload", label_key="admin_upload.nav", order=90)

register_strings({
    "admin_upload.nav": {"ru": "Загрузка файлов", "en": "File upload"},
    "admin_upload.title": {"ru": "Загрузка файлов", "en": "File upload"},
    "admin_upload.intro": {
        "ru": "CSV (UTF-8 или Windows-1251, разделитель «,» или «;») или XLSX. Вид данных определяется по имени "
              "файла (tickets.csv, обращения_май.xlsx) или по заголовку. Повторная загрузка того же файла "
              "ничего не дублирует.",
        "en": "CSV (UTF-8 or Windows-1251, “,” or “;” delimited) or XLSX. The kind comes from the file name "
              "(tickets.csv, tickets_2024-05.xlsx) or from the header. Loading a file again duplicates nothing.",
    },
    "admin_upload.drop": {"ru": "Перетащите файлы сюда или ", "en": "Drop files here or "},
    "admin_upload.choose": {"ru": "выберите на диске", "en": "choose them"},
    "admin_upload.limit": {"ru": "до {mb} МБ за одну загрузку", "en": "up to {mb} MB per upload"},
    "admin_upload.kind": {"ru": "Вид данных", "en": "Kind of data"},
    "admin_upload.kind_auto": {"ru": "определить автоматически", "en": "detect automatically"},
    "admin_upload.busy": {"ru": "Файлы загружаются и проверяются…", "en": "Uploading and checking the files…"},
    "admin_upload.too_big": {
        "ru": "Слишком большая загрузка: {size} МБ при ограничении {limit} МБ. Загрузите файлы по частям "
              "или через командную строку: python cli.py ingest ПАПКА.",
        "en": "The upload is too large: {size} MB, the limit is {limit} MB. Upload the files in parts "
              "or use the command line: python cli.py ingest FOLDER.",
    },
    "admin_upload.unreadable": {
        "ru": "{file}: не удалось прочитать переданные данные, загрузите файл ещё раз.",
        "en": "{file}: the uploaded data could not be read, please upload the file again.",
    },
    "admin_upload.crashed": {
        "ru": "Непредвиденная ошибка при загрузке; она записана в журнал. Ничего не записано: загрузите файлы ещё раз.",
        "en": "Unexpected error while loading; it was logged. Nothing was written: please upload the files again.",
    },
    "admin_upload.refused_job": {"ru": "Загрузка не выполнена: у этой учётной записи больше нет права загружать файлы "
                                       "или загрузка уже обработана.",
                                 "en": "Not loaded: this account may no longer load files, or the upload was "
                                       "already processed."},
    "admin_upload.cancel": {"ru": "Отменить загрузку", "en": "Cancel the upload"},
    "admin_upload.progress_of": {"ru": " из {total}", "en": " of {total}"},
    "admin_upload.stage.queued": {"ru": "В очереди…", "en": "Queued…"},
    "admin_upload.stage.reading": {"ru": "Чтение и проверка строк ({kind}): {rows}{of_total}",
                                   "en": "Reading and checking rows ({kind}): {rows}{of_total}"},
    "admin_upload.stage.committing": {"ru": "Запись в базу и пересчёт сводных данных: {rows} строк",
                                      "en": "Writing to the database and refreshing rollups: {rows} rows"},
    "admin_upload.stage.done": {"ru": "Готово", "en": "Done"},
    "admin_upload.cancel_note": {"ru": "При отмене ничего не будет записано.",
                                 "en": "If cancelled, nothing is written."},
    "admin_upload.report": {"ru": "Результат загрузки", "en": "Upload report"},
    "admin_upload.file": {"ru": "Файл", "en": "File"},
    "admin_upload.rows": {"ru": "Строк", "en": "Rows"},
    "admin_upload.accepted": {"ru": "Принято", "en": "Accepted"},
    "admin_upload.rejected": {"ru": "Отклонено", "en": "Rejected"},
    "admin_upload.status": {"ru": "Статус", "en": "Status"},
    "admin_upload.message": {"ru": "Сообщение", "en": "Message"},
    "admin_upload.row_error": {"ru": "строка {row}, {column} = «{value}»: {reason}",
                               "en": "row {row}, {column} = “{value}”: {reason}"},
    "admin_upload.row_error_empty": {"ru": "строка {row}, {column}: {reason}", "en": "row {row}, {column}: {reason}"},
    "admin_upload.more_errors": {"ru": "… и ещё {n} — см. карантин ниже", "en": "… and {n} more — see the quarantine below"},
    "admin_upload.ignored": {"ru": "Неизвестные колонки пропущены: {columns}", "en": "Unknown columns ignored: {columns}"},
    "admin_upload.status.ok": {"ru": "загружен", "en": "loaded"},
    "admin_upload.status.partial": {"ru": "загружен частично", "en": "partly loaded"},
    "admin_upload.status.refused": {"ru": "отклонён целиком", "en": "refused"},
    "admin_upload.status.running": {"ru": "выполняется", "en": "running"},
    "admin_upload.quarantine": {"ru": "Карантин: отклонённые строки", "en": "Quarantine: rejected rows"},
    "admin_upload.quarantine_run": {"ru": "Загрузка", "en": "Upload run"},
    "admin_upload.quarantine_all": {"ru": "все загрузки", "en": "all runs"},
    "admin_upload.quarantine_shown": {
        "ru": "Показаны первые {n} строк; полный список — в CSV.",
        "en": "The first {n} rows are shown; the CSV has all of them.",
    },
    "admin_upload.quarantine_csv": {"ru": "Скачать все отклонённые строки (CSV)", "en": "Download all rejected rows (CSV)"},
    "admin_upload.history": {"ru": "История загрузок", "en": "Upload history"},
    "admin_upload.run_label": {"ru": "№{id} · {path} · {when} · строк в карантине: {n}",
                               "en": "#{id} · {path} · {when} · quarantined rows: {n}"},
    "col.ingest_id": {"ru": "№ загрузки", "en": "Run"},
    "col.path": {"ru": "Файл", "en": "File"},
    "col.kind": {"ru": "Вид данных", "en": "Kind"},
    "col.row": {"ru": "Строка", "en": "Row"},
    "col.column": {"ru": "Колонка", "en": "Column"},
    "col.value": {"ru": "Значение", "en": "Value"},
    "col.reason": {"ru": "Причина", "en": "Reason"},
    "col.created_at": {"ru": "Создано", "en": "Created"},
    "col.started_at": {"ru": "Начало", "en": "Started"},
    "col.status": {"ru": "Статус", "en": "Status"},
    "col.rows": {"ru": "Строк", "en": "Rows"},
    "col.accepted": {"ru": "Принято", "en": "Accepted"},
    "col.rejected": {"ru": "Отклонено", "en": "Rejected"},
    "col.seconds": {"ru": "Секунд", "en": "Seconds"},
    "admin_upload.who": {"ru": "Кто", "en": "Who"},
    "col.message": {"ru": "Сообщение", "en": "Message"},
    "col.id": {"ru": "№", "en": "#"},
})

STATUS_COLOR = {"ok": "success", "partial": "warning", "refused": "danger", "running": "secondary"}


def upload_limit_bytes(config: Config) -> int:
    """Largest total of file bytes in one upload: the request limit less base64 growth and a margin."""
    return int((config.max_upload_mb * 1024 * 1024 - REQUEST_MARGIN) / BASE64_OVERHEAD)


def _mb(size: float) -> str:
    """Megabytes with two decimals below 10 MB (so that a size and a limit never print alike)."""
    megabytes = size / (1024 * 1024)
    return fmt_number(megabytes, 2 if megabytes < 10 else 1)


def decode_uploads(contents: list[str] | str | None, names: list[str] | str | None) -> tuple[list[tuple[str, bytes]],
                                                                                                 list[str]]:
    """``(name, bytes)`` of each dcc.Upload data URL, and the names whose data could not be decoded."""
    contents = [contents] if isinstance(contents, str) else list(contents or [])
    names = [names] if isinstance(names, str) else list(names or [])
    if len(names) != len(contents) or not all(isinstance(n, str) for n in names):
        names = [n if isinstance(n, str) else f"file-{i + 1}" for i, n in enumerate(names)]
        names += [f"file-{i + 1}" for i in range(len(names), len(contents))]
    files, broken = [], []
    for name, content in zip(names, contents):
        try:
            _header, _, data = str(content).partition(",")
            files.append((name, base64.b64decode(data, validate=True)))
        except (binascii.Error, ValueError):
            broken.append(name)
    return files, broken


# ---------------------------------------------------------------- frames for the grids
def history_records() -> list[dict]:
    with current_engine().connect() as conn:
        frame = ingest_history(conn)
    frame["status"] = frame["status"].map(lambda s: t(f"admin_upload.status.{s}"))
    frame["seconds"] = frame["seconds"].round(2)
    frame["path"] = frame["path"].map(file_name)
    frame["message"] = loader_messages(frame["message"])
    return grid_records(code_labels(frame))


def quarantine_records(run_id: int | None) -> list[dict]:
    with current_engine().connect() as conn:
        frame = quarantine_rows(conn, run_id)
    frame["path"] = frame["path"].map(file_name)
    frame["column"] = frame["column"].map(column_word)
    frame["reason"] = loader_messages(frame["reason"])
    return grid_records(code_labels(frame))


def run_options() -> list[dict]:
    with current_engine().connect() as conn:
        runs = quarantine_runs(conn)
    options = [{"label": t("admin_upload.quarantine_all"), "value": 0}]
    for run in runs.itertuples(index=False):
        when = run.started_at.tz_convert("Europe/Moscow").strftime("%d.%m.%Y %H:%M")
        options.append({"label": t("admin_upload.run_label", id=run.id, path=file_name(run.path), when=when,
                                   n=fmt_number(run.quarantined)), "value": int(run.id)})
    return options


HISTORY_SPEC = [("id", "number"), ("started_at", "datetime"), ("path", "text"), ("kind", "text"),
                ("status", "text"), ("rows", "number"), ("accepted", "number"), ("rejected", "number"),
                ("seconds", "number"), ("login", "text", "admin_upload.who"), ("message", "text")]
QUARANTINE_SPEC = [("ingest_id", "number"), ("path", "text"), ("kind", "text"), ("row", "number"),
                   ("column", "text"), ("value", "text"), ("reason", "text"), ("created_at", "datetime")]


# ---------------------------------------------------------------- report of an upload
def report_view(reports: list[FileReport], unreadable: list[str]) -> html.Div:
    """The per-file table: rows, accepted, rejected, status and the loader's message (first errors)."""
    numeric = ("rows", "accepted", "rejected")
    head = html.Thead(html.Tr([html.Th(t(f"admin_upload.{k}"), className="text-end" if k in numeric else None)
                               for k in ("file", "rows", "accepted", "rejected", "status", "message")]))
    body = []
    for report in reports:
        body.append(html.Tr([
            html.Td(file_name(report.path), className="text-break"),
            html.Td(fmt_number(report.rows), className="text-end"),
            html.Td(fmt_number(report.accepted), className="text-end"),
            html.Td(fmt_number(report.rejected), className="text-end"),
            html.Td(dbc.Badge(t(f"admin_upload.status.{report.status}"), color=STATUS_COLOR.get(report.status,
                                                                                                 "secondary"))),
            html.Td(_report_message(report)),
        ], className=f"upload-file upload-{report.status}"))
    for name in unreadable:
        body.append(html.Tr([html.Td(name), html.Td("—"), html.Td("—"), html.Td("—"),
                             html.Td(dbc.Badge(t("admin_upload.status.refused"), color="danger")),
                             html.Td(t("admin_upload.unreadable", file=name))], className="upload-file upload-refused"))
    return html.Div([html.H5(t("admin_upload.report")),
                     dbc.Table([head, html.Tbody(body)], bordered=False, hover=True, size="sm", responsive=True,
                               className="upload-report bg-white")])


def _report_message(report: FileReport) -> list:
    if report.refused:
        return [html.Span(loader_message(report.errors[0]["reason"]), className="text-danger")]
    lines: list = []
    for error in report.errors[:REPORTED_ERRORS]:
        column, reason = column_word(error["column"]), loader_message(error["reason"])
        lines.append(html.Div(t("admin_upload.row_error", row=error["row"], column=column,
                                value=error["value"], reason=reason) if error["value"] not in (None, "") else
                                t("admin_upload.row_error_empty", row=error["row"], column=column, reason=reason),
                              className="small"))
    if report.rejected > REPORTED_ERRORS and len(report.errors) > REPORTED_ERRORS:
        lines.append(html.Div(t("admin_upload.more_errors", n=fmt_number(len(report.errors) - REPORTED_ERRORS)),
                              className="small text-muted"))
    if report.summed:
        lines.append(html.Div(t("reason.summed", n=report.summed), className="small text-muted upload-summed"))
    if report.ignored_columns:
        lines.append(html.Div(t("admin_upload.ignored", columns=", ".join(report.ignored_columns)),
                              className="small text-muted"))
    return lines


# ---------------------------------------------------------------- layout
@authorized(roles=ADMIN)
def layout(scope: Scope, **_query: str) -> html.Div:
    limit = upload_limit_bytes(current_config())
    kinds = [{"label": t("admin_upload.kind_auto"), "value": AUTO_KIND}] + [{"label": t(f"kind.{k}"), "value": k}
                                                                          for k in LOAD_ORDER]
    upload = dcc.Upload(
        id="admin-upload-files",
        multiple=True,
        children=html.Div([t("admin_upload.drop"), html.A(t("admin_upload.choose"), className="link-primary"),
                           html.Div(t("admin_upload.limit", mb=_mb(limit)), className="small text-muted")]),
        className="upload-zone",
        style={"border": "2px dashed #b4bcc2", "borderRadius": ".5rem", "padding": "1.5rem", "textAlign": "center",
               "background": "#fff", "cursor": "pointer"},
    )
    busy = html.Div([
        html.Div([dbc.Spinner(size="sm", spinner_class_name="me-2"), t("admin_upload.busy"),
                  html.Span(t("admin_upload.cancel_note"), className="small text-muted ms-2")]),
        dbc.Progress(id="admin-upload-progress", value=0, label="", striped=True, animated=True, className="my-2",
                     style={"height": "1.25rem"}),
        html.Div(id="admin-upload-stage", className="small"),
        dbc.Button(t("admin_upload.cancel"), id="admin-upload-cancel", color="danger", outline=True, size="sm",
                   className="mt-1", disabled=True),
    ], id="admin-upload-busy", className="d-none")
    return html.Div([
        html.H3(t("admin_upload.title")),
        html.P(t("admin_upload.intro"), className="text-muted"),
        dbc.Row([
            dbc.Col([dbc.Label(t("admin_upload.kind"), html_for="admin-upload-kind"),
                     dcc.Dropdown(id="admin-upload-kind", options=kinds, value=AUTO_KIND, clearable=False)], md=3),
            dbc.Col(upload, md=9),
        ], className="mb-2 g-3 align-items-end"),
        dcc.Store(id="admin-upload-limit", data=limit),
        dcc.Store(id="admin-upload-payload"),
        dcc.Store(id="admin-upload-job"),
        dcc.Store(id="admin-upload-done"),
        dcc.Store(id="admin-upload-size-template", data=t("admin_upload.too_big")),
        html.Div(id="admin-upload-size-message"),
        busy,
        dcc.Loading(html.Div(id="admin-upload-report", className="my-3"), type="default"),
        html.H5(t("admin_upload.quarantine"), className="mt-4"),
        dbc.Row([
            dbc.Col(dcc.Dropdown(id="admin-upload-run", options=run_options(), value=0, clearable=False), md=8),
            dbc.Col(dbc.Button(t("admin_upload.quarantine_csv"), id="admin-upload-quarantine-csv", color="primary",
                               size="sm"), md=4, className="text-end"),
        ], className="mb-2 g-2 align-items-center"),
        html.Div(t("admin_upload.quarantine_shown", n=fmt_number(QUARANTINE_GRID_LIMIT)), className="small text-muted"),
        typed_grid("admin-quarantine", QUARANTINE_SPEC, quarantine_records(None), csv_filename="quarantine.csv"),
        dcc.Download(id="admin-upload-download"),
        html.H5(t("admin_upload.history"), className="mt-4"),
        typed_grid("admin-ingest-history", HISTORY_SPEC, history_records(), csv_filename="ingest_history.csv"),
    ], id="admin-upload", className="admin-upload")


# ---------------------------------------------------------------- callbacks
# The browser checks the size first, so that a too-large upload gets a clear message instead of an HTTP 413.
clientside_callback(
    """
    function(contents, names, limit, tooBig) {
        if (!contents) { return [window.dash_clientside.no_update, window.dash_clientside.no_update]; }
        const list = Array.isArray(contents) ? contents : [contents];
        let bytes = 0;
        for (const c of list) { const data = c.split(',')[1] || ''; bytes += Math.floor(data.length * 3 / 4); }
        if (bytes > limit) {
            const mb = (x) => (x / 1048576).toFixed(x < 10485760 ? 2 : 1).replace('.', ',');
            const text = tooBig.replace('{size}', mb(bytes)).replace('{limit}', mb(limit));
            return [window.dash_clientside.no_update, text];
        }
        return [{contents: list, names: Array.isArray(names) ? names : [names]}, ''];
    }
    """,
    Output("admin-upload-payload", "data"),
    Output("admin-upload-size-message", "children"),
    Input("admin-upload-files", "contents"),
    State("admin-upload-files", "filename"),
    State("admin-upload-limit", "data"),
    State("admin-upload-size-template", "data"),
)


@dash.callback(
    Output("admin-upload-report", "children", allow_duplicate=True),
    Output("admin-upload-job", "data"),
    Input("admin-upload-payload", "data"),
    State("admin-upload-kind", "value"),
    prevent_initial_call=True,
)
@authorized(roles=ADMIN)
def upload_files(payload: Any, kind: Any, scope: Scope) -> tuple:
    """Authorize (from the session, SPEC §8), check the size and stage the files for the background load."""
    if not isinstance(payload, dict) or not payload.get("contents"):
        raise PreventUpdate
    files, unreadable = decode_uploads(payload.get("contents"), payload.get("names"))
    config = current_config()
    limit = upload_limit_bytes(config)
    total = sum(len(data) for _name, data in files)
    if total > limit:  # a crafted request that skipped the browser check
        return dbc.Alert(t("admin_upload.too_big", size=_mb(total), limit=_mb(limit)), color="warning"), dash.no_update
    token = stage(Path(config.upload_dir), files, unreadable, kind if kind in LOAD_ORDER else None, scope.login,
                  current_engine().url.render_as_string(hide_password=False), current_language())
    return None, token


@dash.callback(
    Output("admin-upload-done", "data"),
    Input("admin-upload-job", "data"),
    background=True,
    interval=300,  # ms between progress polls: a 50,000-row step of a fast load lasts well under a second
    progress=[Output("admin-upload-progress", "value"), Output("admin-upload-progress", "label"),
              Output("admin-upload-stage", "children")],
    progress_default=[0, "", ""],
    running=[(Output("admin-upload-files", "disabled"), True, False),
             (Output("admin-upload-busy", "className"), "upload-busy my-2", "d-none"),
             (Output("admin-upload-cancel", "disabled"), False, True)],
    cancel=[Input("admin-upload-cancel", "n_clicks")],
    prevent_initial_call=True,
)
def load_staged_upload(set_progress: Callable, token: Any) -> dict:
    """The background load (worker process, no session): only a token staged by `upload_files` is loaded,
    and `jobs.upload.run_staged` checks that its admin may still load files. Returns plain data;
    `show_upload_result` draws it in the admin's language."""
    lang = staged_language(Path(Config.from_env().upload_dir), token)

    def progress(stage_name: str, rows: int, total: int | None, kind: str) -> None:
        percent = min(99, int(100 * rows / total)) if total else (0 if stage_name == "reading" else 99)
        of_total = t("admin_upload.progress_of", lang, total=fmt_number(total)) if total else ""
        set_progress((percent, f"{percent} %", t(f"admin_upload.stage.{stage_name}", lang, rows=fmt_number(rows),
                                                  of_total=of_total, kind=kind or "—")))

    try:
        result = run_staged(Path(Config.from_env().upload_dir), token, progress)
    except UploadRefused as exc:
        return {"error": "refused", "detail": str(exc)}
    except Exception:
        log.exception("background upload %s failed", token)
        return {"error": "crashed"}
    return {"reports": [asdict(r) for r in result.reports], "unreadable": result.unreadable}


@dash.callback(
    Output("admin-upload-report", "children"),
    Output(grid_id("admin-ingest-history"), "rowData"),
    Output("admin-upload-run", "options"),
    Output("admin-upload-run", "value"),
    Input("admin-upload-done", "data"),
    prevent_initial_call=True,
)
@authorized(roles=ADMIN)
def show_upload_result(done: Any) -> tuple:
    """The per-file report of a finished background load, the refreshed history and quarantine runs."""
    if not isinstance(done, dict):
        raise PreventUpdate
    # every cached view is stale now; the first views are computed again in the background (issue 14)
    warm_after_load(current_app._get_current_object(), background=True)
    if done.get("error"):
        key = "admin_upload.crashed" if done["error"] == "crashed" else "admin_upload.refused_job"
        return dbc.Alert(t(key), color="danger"), history_records(), run_options(), 0
    fields = set(FileReport.__dataclass_fields__)
    reports = [FileReport(**{k: v for k, v in r.items() if k in fields}) for r in done.get("reports") or []
               if isinstance(r, dict)]
    unreadable = [str(name) for name in done.get("unreadable") or []]
    options = run_options()  # newest first: with rejections in this upload, its last such file leads
    value = options[1]["value"] if any(r.rejected for r in reports) and len(options) > 1 else 0
    return report_view(reports, unreadable), history_records(), options, value


@dash.callback(
    Output(grid_id("admin-quarantine"), "rowData"),
    Input("admin-upload-run", "value"),
    prevent_initial_call=True,
)
@authorized(roles=ADMIN)
def show_quarantine(run_id: Any) -> list[dict]:
    """Quarantined rows of the chosen run (0 = all runs)."""
    return quarantine_records(_run_id(run_id))


@dash.callback(
    Output("admin-upload-download", "data"),
    Input("admin-upload-quarantine-csv", "n_clicks"),
    State("admin-upload-run", "value"),
    prevent_initial_call=True,
)
@authorized(roles=ADMIN)
def download_quarantine(n_clicks: Any, run_id: Any) -> dict:
    """Every quarantined row of the chosen run as CSV (audited export, SPEC §8)."""
    if not isinstance(n_clicks, int) or n_clicks < 1:
        raise PreventUpdate
    run = _run_id(run_id)
    with current_engine().connect() as conn:
        text = quarantine_csv(conn, run)
    audit("export", f"quarantine csv run={run if run is not None else 'all'}")
    name = f"quarantine_run_{run}.csv" if run is not None else "quarantine.csv"
    return dcc.send_string("\ufeff" + text, name, type="text/csv")


def _run_id(value: Any) -> int | None:
    """The run id from the dropdown (0/None = all runs); anything else the browser sends is refused."""
    if value in (None, 0):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PreventUpdate
    return value
