"""PDF and XLSX exports of the meeting brief (SPEC §6: title, period, KPI table with deltas, flags,
charts, breached tickets).

Both take the dict of :func:`reports.meeting.meeting_brief` and return the file's bytes; nothing
here reads the database. Russian by default, English with ``lang="en"``.
"""
from __future__ import annotations

import io
import subprocess
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd
import xlsxwriter
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from metrics.dynamics import DECIMALS, UNIT_TEXT, format_number

# ---------------------------------------------------------------- texts

TEXTS: dict[str, dict[str, str]] = {
    "title": {"ru": "Встреча с клиентом: {name}", "en": "Client meeting: {name}"},
    "period": {"ru": "Отчётный период: {current}; сравнение с периодами {previous}",
               "en": "Period: {current}; compared with {previous}"},
    "client": {"ru": "Клиент {client_id}, пользователей: {users}, сервис-менеджер: {manager}",
               "en": "Client {client_id}, users: {users}, service manager: {manager}"},
    "generated": {"ru": "Сформировано {at} UTC; время обращений — в часовом поясе клиента ({tz})",
                  "en": "Generated {at} UTC; ticket times in the client's time zone ({tz})"},
    "flags": {"ru": "Отрицательная динамика", "en": "Negative dynamics"},
    "no_flags": {"ru": "Отрицательной динамики нет: все показатели в пределах обычного.",
                 "en": "No negative dynamics: every metric is within its usual range."},
    "why": {"ru": "Почему", "en": "Why"},
    "action": {"ru": "Предлагаем", "en": "We propose"},
    "kpis": {"ru": "Показатели", "en": "Metrics"},
    "metric": {"ru": "Показатель", "en": "Metric"},
    "unit": {"ru": "Ед.", "en": "Unit"},
    "current": {"ru": "Сейчас", "en": "Current"},
    "previous": {"ru": "Ранее (среднее)", "en": "Before (mean)"},
    "delta": {"ru": "Δ", "en": "Δ"},
    "no_data": {"ru": "нет данных", "en": "no data"},
    "more": {"ru": "Ещё {n}: {titles}", "en": "{n} more: {titles}"},
    "theme": {"ru": "Тема", "en": "Theme"},
    "details": {"ru": "Связанные изменения", "en": "Related changes"},
    "impact": {"ru": "Влияние", "en": "Impact"},
    "trend": {"ru": "Динамика", "en": "Trend"},
    "flag": {"ru": "Сигнал", "en": "Flag"},
    "hours": {"ru": "Часы: разработка и поддержка", "en": "Hours: development and support"},
    "by_period": {"ru": "По периодам", "en": "By period"},
    "by_priority": {"ru": "Текущий период по приоритетам", "en": "Current period by priority"},
    "development": {"ru": "Разработка", "en": "Development"},
    "support": {"ru": "Поддержка", "en": "Support"},
    "total": {"ru": "Всего", "en": "Total"},
    "share": {"ru": "Доля разработки, %", "en": "Development share, %"},
    "share_note": {"ru": "над столбцами — доля разработки", "en": "above the bars: development share"},
    "priority": {"ru": "Приоритет", "en": "Priority"},
    "period_col": {"ru": "Период", "en": "Period"},
    "tickets": {"ru": "Обращения с нарушением SLA и под угрозой", "en": "Breached and at-risk tickets"},
    "no_tickets": {"ru": "Нарушений SLA и обращений под угрозой нет.", "en": "No breached or at-risk tickets."},
    "ticket": {"ru": "Обращение", "en": "Ticket"},
    "kind": {"ru": "Вид", "en": "Kind"},
    "created": {"ru": "Создано", "en": "Created"},
    "deadline": {"ru": "Срок", "en": "Deadline"},
    "state": {"ru": "Состояние", "en": "State"},
    "rule": {"ru": "Правило срока", "en": "Target rule"},
    "worked": {"ru": "Отработано, ч", "en": "Worked, h"},
    "explanation": {"ru": "Объяснение", "en": "Explanation"},
    "sentence": {"ru": "Что изменилось", "en": "What changed"},
    "state.breached": {"ru": "нарушен", "en": "breached"},
    "state.at_risk": {"ru": "под угрозой", "en": "at risk"},
    "kind.incident": {"ru": "инцидент", "en": "incident"},
    "kind.enhancement": {"ru": "доработка", "en": "enhancement"},
    "kind.consultation": {"ru": "консультация", "en": "consultation"},
    "actions": {"ru": "Действия: открытые", "en": "Actions: open"},
    "no_actions": {"ru": "Открытых действий нет.", "en": "No open actions."},
    "last_meeting": {"ru": "Действия, согласованные на прошлой встрече ({day})",
                     "en": "Actions agreed at the last meeting ({day})"},
    "no_last_meeting": {"ru": "Прошлая встреча не зафиксирована.", "en": "No earlier meeting was recorded."},
    "finding": {"ru": "Находка", "en": "Finding"},
    "action_title": {"ru": "Действие", "en": "Action"},
    "owner": {"ru": "Ответственный", "en": "Owner"},
    "due": {"ru": "Срок", "en": "Due"},
    "status": {"ru": "Статус", "en": "Status"},
    "status_then": {"ru": "Статус тогда", "en": "Status then"},
    "status_now": {"ru": "Статус сейчас", "en": "Status now"},
    "comment": {"ru": "Комментарий", "en": "Comment"},
    "general": {"ru": "Общее", "en": "General"},
    "status.planned": {"ru": "запланировано", "en": "planned"},
    "status.in_progress": {"ru": "в работе", "en": "in progress"},
    "status.done": {"ru": "выполнено", "en": "done"},
    "status.dropped": {"ru": "отменено", "en": "dropped"},
}


def text(key: str, lang: str, **values: object) -> str:
    """The export string ``key`` in ``lang`` (Russian when the language is unknown)."""
    entry = TEXTS[key]
    value = entry.get(lang, entry["ru"])
    return value.format(**values) if values else value


def number(value: float | None, unit: str, lang: str) -> str:
    """A metric value with the unit's decimals (``1 234,5`` in Russian), ``—`` when missing."""
    if value is None:
        return "—"
    return format_number(value, DECIMALS.get(unit, 1), lang)


def delta_text(value: float | None, lang: str) -> str:
    """``+300`` / ``−12`` (whole percent), ``—`` when missing."""
    if value is None:
        return "—"
    sign = "+" if value >= 0 else "−"
    return sign + format_number(abs(value), 0, lang)


def kpi_change_text(row: dict, lang: str) -> str:
    """The KPI row's change as the page shows it: «+60 п.п.», «−12 %», «нет данных» (SPEC §6)."""
    if row.get("status") == "no_data":
        return text("no_data", lang)
    return row.get(f"change_{lang}") or delta_text(row.get("delta_pct"), lang)


def unit_text(unit: str, lang: str) -> str:
    ru, en = UNIT_TEXT.get(unit, (unit, unit))
    return ru if lang == "ru" else en


def date_text(iso: str | None, tz: str = "UTC") -> str:
    """``27.04.2024 10:15`` in ``tz`` (the client's calendar zone) from an ISO 8601 string."""
    if not iso:
        return "—"
    stamp = pd.Timestamp(iso)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(tz)
    return f"{stamp:%d.%m.%Y %H:%M}"


def _label(row: dict, lang: str) -> str:
    return row.get(f"label_{lang}") or row.get("label_ru") or row.get("metric_id", "")


# ---------------------------------------------------------------- PDF

RED = colors.HexColor("#c0392b")
GREEN = colors.HexColor("#1e8449")
GREY = colors.HexColor("#7f8c8d")
BLUE = colors.HexColor("#2e86c1")
ORANGE = colors.HexColor("#e67e22")
HEADER_BG = colors.HexColor("#eaf2f8")
FLAG_BG = colors.HexColor("#fdedec")
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian fonts-dejavu-core
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
)


class FontNotFound(RuntimeError):
    """No Cyrillic-capable TrueType font (DejaVu Sans) was found on this machine."""


def find_font(file_name: str) -> Path:
    """Path of a DejaVu TrueType file: the usual font folders, then ``fc-match``."""
    for folder in FONT_DIRS:
        if (folder / file_name).is_file():
            return folder / file_name
    family = "DejaVu Sans:bold" if "Bold" in file_name else "DejaVu Sans"
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True,
                               timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        found = ""
    if found and Path(found).name == file_name:
        return Path(found)
    raise FontNotFound(f"{file_name} not found: install the Debian package fonts-dejavu-core")


@lru_cache(maxsize=1)
def register_fonts() -> tuple[str, str]:
    """Register DejaVu Sans (regular, bold) with reportlab once; its built-in fonts lack Cyrillic."""
    pdfmetrics.registerFont(TTFont(FONT, str(find_font("DejaVuSans.ttf"))))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(find_font("DejaVuSans-Bold.ttf"))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    return FONT, FONT_BOLD


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12, alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=12, leading=16,
                             spaceBefore=10, spaceAfter=4),
        "body": base,
        "muted": ParagraphStyle("muted", parent=base, textColor=GREY, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9),
        "flag": ParagraphStyle("flag", parent=base, fontName=FONT_BOLD, fontSize=10, leading=13),
        "header": ParagraphStyle("header", parent=base, fontName=FONT_BOLD, fontSize=7.5, leading=9),
    }


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sparkline(values: Sequence[float | None], width: float = 22 * mm, height: float = 6 * mm,
              colour: colors.Color = BLUE) -> Drawing:
    """A small line of the values (missing points skipped), the last point marked."""
    drawing = Drawing(width, height)
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if not points:
        return drawing
    low, high = min(v for _, v in points), max(v for _, v in points)
    span = (high - low) or 1.0
    step = width / max(len(values) - 1, 1)
    xy = [(i * step, 1 + (height - 2) * ((v - low) / span if high > low else 0.5)) for i, v in points]
    if len(xy) > 1:
        drawing.add(PolyLine([c for p in xy for c in p], strokeColor=colour, strokeWidth=1))
    last_x, last_y = xy[-1]
    drawing.add(PolyLine([last_x - 1, last_y, last_x + 1, last_y], strokeColor=colour, strokeWidth=3))
    return drawing


def _hours_chart(brief: dict, lang: str) -> Drawing:
    """Stacked columns: development and support hours per period (seed 004's 20 % → 80 % shift)."""
    rows = brief["hours"]["by_period"]
    drawing = Drawing(170 * mm, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, 110 * mm, 46 * mm
    chart.data = [[r["development"] for r in rows], [r["support"] for r in rows]]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [r["label"] for r in rows]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = ORANGE
    chart.bars[1].fillColor = BLUE
    chart.barWidth = 10
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 128 * mm, 50 * mm
    legend.fontName, legend.fontSize = FONT, 8
    legend.colorNamePairs = [(ORANGE, text("development", lang)), (BLUE, text("support", lang))]
    drawing.add(legend)
    for i, r in enumerate(rows):
        share = r.get("development_share")
        if share is None:
            continue
        x = chart.x + chart.width * (i + 0.5) / len(rows)
        drawing.add(String(x, chart.y + chart.height + 2, f"{format_number(share, 0, lang)} %",
                           fontName=FONT_BOLD, fontSize=7, textAnchor="middle"))
    drawing.add(String(128 * mm, 32 * mm, text("share_note", lang), fontName=FONT, fontSize=7, fillColor=GREY))
    return drawing


def _table(data: list[list], widths: Sequence[float], extra: Sequence[tuple] = (), numeric_from: int = 1) -> Table:
    """A table with a bold header row; columns from ``numeric_from`` on are right-aligned."""
    styles = _styles()
    data = [[Paragraph(_escape(str(h)), styles["header"]) for h in data[0]], *data[1:]]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d5d8dc")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
        *extra,
    ]))
    return table


def _kpi_table(brief: dict, lang: str, styles: dict) -> Table:
    header = [text(k, lang) for k in ("metric", "unit", "current", "previous", "delta", "trend")]
    data, extra = [header], []
    for i, row in enumerate(brief["kpis"], start=1):
        colour = {"worse": RED, "better": GREEN}.get(row["status"], colors.black)
        label = _escape(_label(row, lang))
        if row["flagged"]:
            label = f"<b>⚠ {label}</b>"
            extra.append(("BACKGROUND", (0, i), (-1, i), FLAG_BG))
        data.append([Paragraph(label, styles["cell"]), unit_text(row["unit"], lang),
                     number(row["current"], row["unit"], lang), number(row["previous_mean"], row["unit"], lang),
                     kpi_change_text(row, lang), sparkline(row["trend"], colour=colour)])
        extra.append(("TEXTCOLOR", (4, i), (4, i), colour))
    return _table(data, [72 * mm, 20 * mm, 18 * mm, 22 * mm, 16 * mm, 30 * mm], extra, numeric_from=2)


FINDINGS_SHOWN = 5  # as on the meeting page: the top findings in full, the rest by title


def _flag_blocks(brief: dict, lang: str, styles: dict) -> list:
    """The findings by impact (the page's cards): title, change, related changes, why, proposal."""
    found = brief.get("findings") or []
    if not found:
        return [Paragraph(text("no_flags", lang), styles["body"])]
    blocks = []
    for finding in found[:FINDINGS_SHOWN]:
        rows = [[Paragraph("⚠ " + _escape(finding[f"title_{lang}"]), styles["flag"])],
                [Paragraph(_escape(finding[f"sentence_{lang}"]), styles["body"])],
                *[[Paragraph("• " + _escape(d), styles["body"])] for d in finding[f"details_{lang}"]],
                [Paragraph(f"<b>{text('why', lang)}:</b> {_escape(finding[f'explanation_{lang}'])}", styles["body"])],
                [Paragraph(f"<b>{text('action', lang)}:</b> {_escape(finding[f'action_{lang}'])}", styles["body"])]]
        box = Table(rows, colWidths=[178 * mm])
        box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), FLAG_BG),
                                 ("LINEBEFORE", (0, 0), (0, -1), 3, RED),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 8)]))
        blocks += [KeepTogether(box), Spacer(1, 3 * mm)]
    rest = found[FINDINGS_SHOWN:]
    if rest:
        titles = "; ".join(f[f"title_{lang}"] for f in rest)
        blocks.append(Paragraph(_escape(text("more", lang, n=len(rest), titles=titles)), styles["body"]))
    return blocks


def _ticket_rows(brief: dict, lang: str) -> list[list[str]]:
    tz = brief.get("timezone") or "UTC"
    header = [text(k, lang) for k in ("ticket", "kind", "priority", "created", "deadline", "rule", "state",
                                      "worked")]
    return [header] + [[t["ticket_id"], text(f"kind.{t['kind']}", lang) if t.get("kind") in
                        ("incident", "enhancement", "consultation") else (t.get("kind") or "—"),
                        "—" if t["priority"] is None else str(t["priority"]),
                        date_text(t["created_at"], tz), date_text(t["deadline"], tz), t.get("rule") or "—",
                        text(f"state.{t['state']}", lang), format_number(t["worked_hours"], 1, lang)]
                       for t in brief["tickets"]]


def _hours_rows(brief: dict, lang: str) -> list[list[str]]:
    header = [text(k, lang) for k in ("period_col", "development", "support", "total", "share")]
    return [header] + [[r["label"], format_number(r["development"], 1, lang), format_number(r["support"], 1, lang),
                        format_number(r["total"], 1, lang), number(r["development_share"], "%", lang)]
                       for r in brief["hours"]["by_period"]]


def _priority_rows(brief: dict, lang: str) -> list[list[str]]:
    header = [text(k, lang) for k in ("priority", "development", "support", "total")]
    return [header] + [[str(r["priority"]), format_number(r["development"], 1, lang),
                        format_number(r["support"], 1, lang), format_number(r["total"], 1, lang)]
                       for r in brief["hours"]["by_priority"]]


def day_text(iso: str | None) -> str:
    """``27.04.2024`` from an ISO date (``—`` when missing)."""
    return "—" if not iso else f"{pd.Timestamp(iso):%d.%m.%Y}"


def _status(value: str | None, lang: str) -> str:
    return text(f"status.{value}", lang) if f"status.{value}" in TEXTS else (value or "—")


def action_rows(actions: list[dict], lang: str, then_and_now: bool = False) -> list[list[str]]:
    """Header + one row per action: finding, action, owner, due date, status (then → now), comment."""
    status = [text("status_then", lang), text("status_now", lang)] if then_and_now else [text("status", lang)]
    header = [text("finding", lang), text("action_title", lang), text("owner", lang), text("due", lang), *status,
              text("comment", lang)]
    rows = []
    for a in actions:
        states = [_status(a["status"], lang)] + ([_status(a.get("status_now"), lang)] if then_and_now else [])
        rows.append([a.get("finding_label") or text("general", lang), a["title"], a["owner"], day_text(a["due_date"]),
                     *states, a.get("comment") or ""])
    return [header, *rows]


def _action_blocks(brief: dict, lang: str, styles: dict) -> list:
    """Open actions and the last meeting's actions (seed 004: what we already planned)."""
    section = brief.get("actions")
    if section is None:
        return []
    def table(rows: list[list[str]], widths: list[float]) -> Table:
        wrapped = [[Paragraph(_escape(str(v)), styles["cell"]) for v in row] for row in rows[1:]]
        return _table([rows[0], *wrapped], widths, numeric_from=len(widths))

    blocks: list = [Paragraph(text("actions", lang), styles["h2"])]
    blocks.append(table(action_rows(section["open"], lang), [34 * mm, 50 * mm, 26 * mm, 20 * mm, 22 * mm, 28 * mm])
                  if section["open"] else Paragraph(text("no_actions", lang), styles["body"]))
    last = section.get("last_meeting")
    if last is None:
        blocks.append(Paragraph(text("no_last_meeting", lang), styles["muted"]))
    else:
        blocks += [Paragraph(text("last_meeting", lang, day=day_text(last["period_end"])), styles["h2"]),
                   table(action_rows(last["actions"], lang, then_and_now=True),
                         [30 * mm, 44 * mm, 24 * mm, 18 * mm, 20 * mm, 20 * mm, 24 * mm]) if last["actions"]
                   else Paragraph(text("no_actions", lang), styles["body"])]
    return blocks


def _intro(brief: dict, lang: str) -> tuple[str, str, str]:
    client, periods = brief["client"], brief["periods"]
    title = text("title", lang, name=client.get("name") or client["client_id"])
    period = text("period", lang, current=brief["period"]["label"],
                  previous=", ".join(p["label"] for p in periods[:-1]) or "—")
    about = text("client", lang, client_id=client["client_id"],
                 users="—" if client.get("users") is None else client["users"],
                 manager=client.get("service_manager") or "—")
    return title, period, about


def brief_pdf(brief: dict, lang: str = "ru") -> bytes:
    """The meeting brief as an A4 PDF: title, period, flags with explanation and proposed action,
    KPI table (deltas coloured red when worse, green when better; sparklines per period), hours
    chart and tables, breached and at-risk tickets. Fonts: DejaVu Sans (Cyrillic)."""
    register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    title, period, about = _intro(brief, lang)
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=14 * mm, bottomMargin=14 * mm, title=title,
                            author="Partner Quality Monitor")
    story = [Paragraph(_escape(title), styles["title"]), Paragraph(_escape(period), styles["body"]),
             Paragraph(_escape(about), styles["muted"]),
             Paragraph(text("generated", lang, at=date_text(brief.get("generated_at")),
                                      tz=brief.get("timezone") or "UTC"), styles["muted"]),
             Paragraph(text("flags", lang), styles["h2"]), *_flag_blocks(brief, lang, styles),
             *_action_blocks(brief, lang, styles),
             Paragraph(text("kpis", lang), styles["h2"]), _kpi_table(brief, lang, styles),
             KeepTogether([Paragraph(text("hours", lang), styles["h2"]), _hours_chart(brief, lang)]),
             _table(_hours_rows(brief, lang), [40 * mm, 28 * mm, 28 * mm, 28 * mm, 34 * mm]), Spacer(1, 3 * mm),
             Paragraph(text("by_priority", lang), styles["body"]),
             _table(_priority_rows(brief, lang), [40 * mm, 28 * mm, 28 * mm, 28 * mm])]
    tickets = _table(_ticket_rows(brief, lang),
                     [20 * mm, 20 * mm, 13 * mm, 24 * mm, 24 * mm, 36 * mm, 22 * mm, 18 * mm],
                     [("ALIGN", (2, 1), (2, -1), "CENTER")], numeric_from=7) if brief["tickets"] \
        else Paragraph(text("no_tickets", lang), styles["body"])
    story.append(KeepTogether([Paragraph(text("tickets", lang), styles["h2"]), tickets]))
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 7)
    canvas.setFillColor(GREY)
    canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, str(doc.page))
    canvas.drawString(15 * mm, 8 * mm, "Partner Quality Monitor")
    canvas.restoreState()


# ---------------------------------------------------------------- XLSX

SHEETS: tuple[str, ...] = ("KPI", "Flags", "Actions", "Tickets", "Hours")
PP = {"ru": "п.п.", "en": "pp"}  # shares change in percentage points (SPEC §6)


def brief_xlsx(brief: dict, lang: str = "ru") -> bytes:
    """The meeting brief as an XLSX workbook: sheets KPI (values per period, deltas coloured),
    Flags, Tickets and Hours (tables and a native stacked column chart of development vs support)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True})
    fmt = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "header": book.add_format({"bold": True, "bg_color": "#EAF2F8", "border": 1, "text_wrap": True,
                                   "valign": "top"}),
        "text": book.add_format({"text_wrap": True, "valign": "top"}),
        "number": book.add_format({"num_format": "#,##0.00"}),
        "hours": book.add_format({"num_format": "#,##0.0"}),
        "percent": book.add_format({"num_format": "0"}),
        "worse": book.add_format({"font_color": "#C0392B", "bold": True, "num_format": "+0;-0;0"}),
        **{f"{status}_{unit}": book.add_format({**style, "num_format": number_format})
           for status, style in (("worse", {"font_color": "#C0392B", "bold": True}),
                                 ("better", {"font_color": "#1E8449"}), ("plain", {}))
           for unit, number_format in (("pct", '+0" %";-0" %";0" %"'),
                                       ("pp", f'+0" {PP[lang]}";-0" {PP[lang]}";0" {PP[lang]}"'))},
        "flagged": book.add_format({"bg_color": "#FDEDEC", "text_wrap": True}),
        "date": book.add_format({"num_format": "dd.mm.yyyy hh:mm"}),
    }
    _kpi_sheet(book.add_worksheet("KPI"), brief, lang, fmt)
    _flags_sheet(book.add_worksheet("Flags"), brief, lang, fmt)
    _actions_sheet(book.add_worksheet("Actions"), brief, lang, fmt)
    _tickets_sheet(book.add_worksheet("Tickets"), brief, lang, fmt)
    _hours_sheet(book, book.add_worksheet("Hours"), brief, lang, fmt)
    book.close()
    return buffer.getvalue()


def _kpi_sheet(sheet, brief: dict, lang: str, fmt: dict) -> None:
    title, period, _ = _intro(brief, lang)
    sheet.write(0, 0, title, fmt["title"])
    sheet.write(1, 0, period)
    labels = [p["label"] for p in brief["periods"]]
    header = [text("metric", lang), text("unit", lang), *labels, text("previous", lang), text("delta", lang),
              text("flag", lang)]
    sheet.write_row(3, 0, header, fmt["header"])
    for i, row in enumerate(brief["kpis"], start=4):
        sheet.write(i, 0, _label(row, lang), fmt["flagged"] if row["flagged"] else fmt["text"])
        sheet.write(i, 1, unit_text(row["unit"], lang))
        for j, value in enumerate(row["trend"]):
            if value is not None:
                sheet.write_number(i, 2 + j, value, fmt["number"])
        col = 2 + len(labels)
        if row["previous_mean"] is not None:
            sheet.write_number(i, col, row["previous_mean"], fmt["number"])
        change = row.get("delta_pp") if row["unit"] == "%" else row.get("delta_pct")
        if row["status"] == "no_data":
            sheet.write(i, col + 1, text("no_data", lang))
        elif change is not None:
            unit = "pp" if row["unit"] == "%" else "pct"
            sheet.write_number(i, col + 1, change, fmt[f"{row['status'] if row['status'] in ('worse', 'better') else 'plain'}_{unit}"])
        if row["flagged"]:
            sheet.write(i, col + 2, "⚠")
    sheet.set_column(0, 0, 55)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 4 + len(labels), 14)
    sheet.freeze_panes(4, 1)
    if brief["kpis"]:
        sheet.autofilter(3, 0, 3 + len(brief["kpis"]), len(header) - 1)


def _flags_sheet(sheet, brief: dict, lang: str, fmt: dict) -> None:
    """One row per finding, by impact: theme, what changed, related changes, why, proposal."""
    header = [text("theme", lang), text("sentence", lang), text("details", lang), text("explanation", lang),
              text("action", lang), text("impact", lang)]
    sheet.write_row(0, 0, header, fmt["header"])
    found = brief.get("findings") or []
    for i, finding in enumerate(found, start=1):
        sheet.write_row(i, 0, [finding[f"title_{lang}"], finding[f"sentence_{lang}"],
                               "\n".join(finding[f"details_{lang}"]), finding[f"explanation_{lang}"],
                               finding[f"action_{lang}"]], fmt["text"])
        sheet.write_number(i, 5, finding["impact"], fmt["number"])
    if not found:
        sheet.write(1, 0, text("no_flags", lang))
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 4, 50)
    sheet.set_column(5, 5, 10)


def _actions_sheet(sheet, brief: dict, lang: str, fmt: dict) -> None:
    """Open actions, then the last meeting's actions with their status then and now."""
    section = brief.get("actions") or {"open": [], "last_meeting": None}
    sheet.write(0, 0, text("actions", lang), fmt["title"])
    row = 1
    rows = action_rows(section["open"], lang)
    sheet.write_row(row, 0, rows[0], fmt["header"])
    for values in rows[1:]:
        row += 1
        sheet.write_row(row, 0, values, fmt["text"])
    if not section["open"]:
        row += 1
        sheet.write(row, 0, text("no_actions", lang))
    row += 2
    last = section.get("last_meeting")
    if last is None:
        sheet.write(row, 0, text("no_last_meeting", lang))
    else:
        sheet.write(row, 0, text("last_meeting", lang, day=day_text(last["period_end"])), fmt["title"])
        rows = action_rows(last["actions"], lang, then_and_now=True)
        sheet.write_row(row + 1, 0, rows[0], fmt["header"])
        for i, values in enumerate(rows[1:], start=row + 2):
            sheet.write_row(i, 0, values, fmt["text"])
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 45)
    sheet.set_column(2, 6, 16)


def _tickets_sheet(sheet, brief: dict, lang: str, fmt: dict) -> None:
    rows = _ticket_rows(brief, lang)
    sheet.write_row(0, 0, rows[0], fmt["header"])
    for i, ticket in enumerate(brief["tickets"], start=1):
        sheet.write_row(i, 0, rows[i][:7])
        sheet.write_number(i, 7, ticket["worked_hours"], fmt["hours"])
    if not brief["tickets"]:
        sheet.write(1, 0, text("no_tickets", lang))
    sheet.set_column(0, 7, 18)
    sheet.freeze_panes(1, 0)


def _hours_sheet(book, sheet, brief: dict, lang: str, fmt: dict) -> None:
    by_period = brief["hours"]["by_period"]
    sheet.write_row(0, 0, [text(k, lang) for k in ("period_col", "development", "support", "total", "share")],
                    fmt["header"])
    for i, row in enumerate(by_period, start=1):
        sheet.write(i, 0, row["label"])
        for j, key in enumerate(("development", "support", "total"), start=1):
            sheet.write_number(i, j, row[key], fmt["hours"])
        if row["development_share"] is not None:
            sheet.write_number(i, 4, row["development_share"], fmt["percent"])
    start = len(by_period) + 3
    sheet.write(start - 1, 0, text("by_priority", lang), fmt["header"])
    sheet.write_row(start, 0, [text(k, lang) for k in ("priority", "development", "support", "total")], fmt["header"])
    for i, row in enumerate(brief["hours"]["by_priority"], start=start + 1):
        sheet.write_number(i, 0, row["priority"])
        for j, key in enumerate(("development", "support", "total"), start=1):
            sheet.write_number(i, j, row[key], fmt["hours"])
    sheet.set_column(0, 4, 18)
    chart = book.add_chart({"type": "column", "subtype": "stacked"})
    last = len(by_period)
    for col, colour in ((1, "#E67E22"), (2, "#2E86C1")):
        chart.add_series({"name": ["Hours", 0, col], "categories": ["Hours", 1, 0, last, 0],
                          "values": ["Hours", 1, col, last, col], "fill": {"color": colour}})
    chart.set_title({"name": text("hours", lang)})
    chart.set_y_axis({"name": "ч" if lang == "ru" else "h"})
    chart.set_legend({"position": "bottom"})
    sheet.insert_chart(0, 6, chart, {"x_scale": 1.3, "y_scale": 1.2})
