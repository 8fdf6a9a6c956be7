"""Notification digests (SPEC §11): what each user is told, in the user's language, with a link to the page.

* partner users, daily: tickets that breached or are at risk, deposit runway < 14 days, Quality Program
  competence at risk (held, margin ≤ 1 project or share < 55 %), points expiring within 30 days, KKV
  level expiring within 30 days (no renewal requests are stored, so every expiring level counts);
* service managers: each client's biweekly brief (PDF) two working days (RU) before the meeting, and new
  negative-dynamics flags. No meeting dates exist in the data: the meeting is every other Monday counted
  from `MEETING_ANCHOR` (Monday 08.01.2024);
* admins: failed jobs (`alert_failed_job`), calendars without next-year data, consistency mismatches.

A digest reports each finding once: a message's `items` are its findings' keys, and a later digest of the
same kind leaves out keys already reported to that user; (user, kind, event) is unique in the outbox.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import holidays
import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, select

from components.format import fmt_date, fmt_datetime, fmt_number
from components.i18n import register_strings, t
from config import Config
from store import clock, outbox
from store.models import CalendarRow, Client, KkvState

PARTNER_KINDS = ("tickets", "deposit", "competence", "points", "kkv")
MANAGER_KINDS = ("brief", "dynamics")
ADMIN_KINDS = ("job_failed", "calendar", "consistency")
KINDS_BY_ROLE = {"partner": PARTNER_KINDS, "service_manager": MANAGER_KINDS, "admin": ADMIN_KINDS}
RUNWAY_DAYS = 14  # SPEC §11: deposit runway below 14 days
EXPIRY_DAYS = 30
MEETING_ANCHOR = dt.date(2024, 1, 8)  # a Monday; meetings every 14 days (seed 004: biweekly)
BRIEF_LEAD_WORKING_DAYS = 2
KIND_LINKS = {"tickets": "/quality", "deposit": "/quality", "competence": "/quality", "points": "/quality",
              "kkv": "/programs/kkv", "brief": "/meeting", "dynamics": "/meeting", "job_failed": "/admin/jobs",
              "calendar": "/admin/settings", "consistency": "/admin/jobs"}

register_strings({
    "mail.kind.tickets": {"ru": "Заявки: нарушение и риск SLA", "en": "Tickets: SLA breached or at risk"},
    "mail.kind.deposit": {"ru": "Депозит заканчивается", "en": "Deposit running out"},
    "mail.kind.competence": {"ru": "Компетенция под угрозой", "en": "Competence at risk"},
    "mail.kind.points": {"ru": "Истекающие баллы", "en": "Points expiring"},
    "mail.kind.kkv": {"ru": "Истекает уровень ККВ", "en": "KKV level expiring"},
    "mail.kind.brief": {"ru": "Сводка к встрече с клиентом (PDF)", "en": "Client meeting brief (PDF)"},
    "mail.kind.dynamics": {"ru": "Новая негативная динамика клиента", "en": "New negative dynamics of a client"},
    "mail.kind.job_failed": {"ru": "Сбой задания", "en": "Job failed"},
    "mail.kind.calendar": {"ru": "Календарь без данных на следующий год", "en": "Calendar without next year's data"},
    "mail.kind.consistency": {"ru": "Расхождение сводных данных", "en": "Rollup mismatch"},
    "mail.greeting": {"ru": "Здравствуйте!", "en": "Hello,"},
    "mail.footer": {"ru": "Отключить уведомления этого вида можно на странице «Уведомления».",
                    "en": "You can switch this kind of notification off on the Notifications page."},
    "mail.state.breached": {"ru": "срок SLA нарушен", "en": "SLA breached"},
    "mail.state.at_risk": {"ru": "под угрозой нарушения SLA", "en": "SLA at risk"},
    "mail.ticket": {"ru": "Заявка {ticket} ({client}): {state}, срок {deadline}",
                    "en": "Ticket {ticket} ({client}): {state}, deadline {deadline}"},
    "mail.deposit": {"ru": "Депозит скоро закончится (осталось дней: {days}), остаток {balance} {currency}.",
                     "en": "The deposit runs out soon (days left: {days}), balance {balance} {currency}."},
    "mail.competence": {"ru": "Компетенция на {month}: покрыто {covered} из {keys} ключей ({share}), запас {margin}.",
                        "en": "Competence on {month}: {covered} of {keys} keys covered ({share}), margin {margin}."},
    "mail.points": {"ru": "Проект {project} (версия {version}): баллы ({points}) истекают {expires}.",
                    "en": "Project {project} (version {version}): points ({points}) expire on {expires}."},
    "mail.kkv": {"ru": "Уровень ККВ «{level}» действует до {until}; запрос на продление — до {due}.",
                 "en": "KKV level “{level}” is valid until {until}; renewal request due by {due}."},
    "mail.brief": {"ru": "Встреча с клиентом {client} — {meeting}. Сводка за {period} во вложении.",
                   "en": "Meeting with {client} on {meeting}. The brief for {period} is attached."},
    "mail.dynamics": {"ru": "Клиент {client}, период {period}: {sentence}",
                      "en": "Client {client}, period {period}: {sentence}"},
    "mail.job_failed": {"ru": "Задание {job} (срок {slot}) завершилось ошибкой:\n{detail}",
                        "en": "Job {job} (slot {slot}) failed:\n{detail}"},
    "mail.calendar": {"ru": "Календарь «{name}» ({country}): нет праздников на {year} год. Загрузите производственный календарь.",
                      "en": "Calendar “{name}” ({country}): no holidays for {year}. Import the official calendar."},
    "mail.consistency": {"ru": ("Проверка {slot}: сводные данные расходятся с пересчётом у {n} партнёра: {partners}.",
                                "Проверка {slot}: сводные данные расходятся с пересчётом у {n} партнёров: {partners}.",
                                "Проверка {slot}: сводные данные расходятся с пересчётом у {n} партнёров: {partners}."),
                         "en": ("Check {slot}: stored rollups differ from a recomputation for {n} partner: {partners}.",
                                "Check {slot}: stored rollups differ from a recomputation for {n} partners: {partners}.")},
})


@dataclass(frozen=True)
class Finding:
    """One thing worth telling: a stable key (reported once) and its line in ru and en."""

    key: str
    text: dict[str, str]


def line_in_languages(key: str, **values: object) -> dict[str, str]:
    return {lang: t(key, lang, **values) for lang in ("ru", "en")}


# ---------------------------------------------------------------- partner findings
def partner_findings(conn: Connection, partner_id: str, now: pd.Timestamp) -> dict[str, list[Finding]]:
    """The partner's findings per kind on `now` (reads what the «Моё качество» page reads)."""
    from reports.partner import competence_at_risk, competence_section, deposit_section, project_section
    from store import partner_queries as q

    found: dict[str, list[Finding]] = {kind: [] for kind in PARTNER_KINDS}
    tickets = q.partner_tickets(conn, partner_id)
    if len(tickets):
        deadline = tickets["deadline"].fillna(tickets["due_at"])
        open_ = tickets["resolved_at"].isna() & tickets["closed_at"].isna()
        recent = deadline >= now - pd.Timedelta(days=7)
        attention = tickets[tickets["sla_state"].isin(["breached", "at_risk"]) & (open_ | recent)]
        for row, due in zip(attention.itertuples(index=False), deadline[attention.index]):
            found["tickets"].append(Finding(f"{row.ticket_id}:{row.sla_state}", {
                lang: t("mail.ticket", lang, ticket=row.ticket_id, client=row.client_name or "—",
                        state=t(f"mail.state.{row.sla_state}", lang), deadline=fmt_datetime(due))
                for lang in ("ru", "en")}))
        deposit = deposit_section(partner_id, q.partner_deposits(conn, partner_id), tickets, now)
        runway = deposit.get("runway_days")
        if deposit.get("topped_up") and runway is not None and runway < RUNWAY_DAYS:
            found["deposit"].append(Finding(f"runway:{deposit.get('last_topup_at')}", line_in_languages(
                "mail.deposit", days=fmt_number(runway, 0), balance=fmt_number(deposit["balance"], 2),
                currency=deposit["currency"])))
    competence = competence_section(conn, partner_id, now)
    margin, share = competence.get("margin"), competence.get("share")
    if competence_at_risk(competence["held"], margin, share):  # the partner page's rule (SPEC §11)
        found["competence"].append(Finding(f"competence:{str(competence['month'])[:10]}", line_in_languages(
            "mail.competence", month=fmt_date(competence["month"]), covered=competence["covered"],
            keys=competence["keys"], share=f"{fmt_number(100 * (share or 0), 1)} %", margin=margin)))
    projects = pd.DataFrame(project_section(conn, partner_id, q.partner_surveys(conn, partner_id), now)["projects"])
    if len(projects):
        expires = pd.to_datetime(projects["expires_at"], utc=True)
        soon = projects[projects["points_live"].eq(True) & (expires <= now + pd.Timedelta(days=EXPIRY_DAYS))]
        for row, until in zip(soon.itertuples(index=False), expires[soon.index]):
            found["points"].append(Finding(f"{row.project_id}:{row.version}:{until.date()}", line_in_languages(
                "mail.points", project=row.project_id, version=row.version, points=fmt_number(row.points, 1),
                expires=fmt_date(until))))
    kkv = conn.execute(select(KkvState).where(KkvState.partner_id == partner_id, KkvState.status == "expiring")).first()
    if kkv is not None:
        until = pd.Timestamp(kkv.valid_until)
        found["kkv"].append(Finding(f"kkv:{until.date()}", line_in_languages(
            "mail.kkv", level=kkv.kkv_level, until=fmt_date(until), due=fmt_date(until - pd.Timedelta(days=14)))))
    return found


# ---------------------------------------------------------------- service managers
def next_meeting(today: dt.date) -> dt.date:
    """The next meeting day after `today`: every other Monday from `MEETING_ANCHOR`."""
    periods = (today - MEETING_ANCHOR).days // 14 + 1
    return MEETING_ANCHOR + dt.timedelta(days=14 * max(periods, 0))


def brief_send_day(meeting: dt.date) -> dt.date:
    """`BRIEF_LEAD_WORKING_DAYS` Russian working days before the meeting (public holidays skipped)."""
    days_off = sorted(holidays.country_holidays("RU", years=[meeting.year - 1, meeting.year]))
    return np.busday_offset(np.datetime64(meeting), -BRIEF_LEAD_WORKING_DAYS, roll="backward",
                            holidays=[np.datetime64(d) for d in days_off]).astype(dt.date)


def manager_clients(conn: Connection, login: str) -> pd.DataFrame:
    rows = conn.execute(select(Client.client_id, Client.name).where(Client.service_manager == login)
                        .order_by(Client.client_id)).all()
    return pd.DataFrame(rows, columns=["client_id", "name"])


# ---------------------------------------------------------------- admins
def stale_calendars(conn: Connection, year: int) -> list[dict]:
    """Stored calendars whose country has no public holidays for `year` in the `holidays` package and no own ones."""
    stale = []
    for name, definition in conn.execute(select(CalendarRow.name, CalendarRow.definition)).all():
        country = (definition or {}).get("country")
        own = [d for d in (definition or {}).get("extra_holidays", []) if str(d).startswith(str(year))]
        if country and not own and not len(holidays.country_holidays(country, years=year)):
            stale.append({"name": name, "country": country})
    return stale


def alert_admins(engine: Engine, config: Config, kind: str, event: str, line: dict[str, str]) -> int:
    """Queue `line` for every admin (each admin once per event); the number queued."""
    with engine.begin() as conn:
        admins = outbox.recipients(conn, ["admin"])
        return sum(_queue(conn, config, user, kind, event, [line[user.lang]], [event]) for user in admins.itertuples())


def alert_failed_job(engine: Engine, job: str, slot: str, detail: str, config: Config) -> None:
    alert_admins(engine, config, "job_failed", f"{job}:{slot}",
                 line_in_languages("mail.job_failed", job=job, slot=slot, detail=detail.splitlines()[0] if detail else ""))


# ---------------------------------------------------------------- composing
def _queue(conn: Connection, config: Config, user, kind: str, event: str, lines: Iterable[str],
           items: list[str], attachment: tuple[str, bytes] | None = None) -> bool:
    lang = user.lang
    subject = f"{t('product', lang)}: {t(f'mail.kind.{kind}', lang)}"
    body = "\n".join([t("mail.greeting", lang), "", *lines, "", t("mail.footer", lang)])
    return outbox.enqueue(conn, user_id=int(user.id), recipient=user.address, lang=lang, kind=kind, event=event,
                          subject=subject, body=body, link=config.base_url + KIND_LINKS[kind], items=items,
                          attachment=attachment)


def _queue_new(conn: Connection, config: Config, user, kind: str, event: str, findings: list[Finding]) -> bool:
    """Queue the findings not yet reported to the user in a message of this kind."""
    if not findings:
        return False
    reported = outbox.previous_items(conn, int(user.id), kind)
    new = [f for f in findings if f.key not in reported]
    if not new:
        return False
    return _queue(conn, config, user, kind, event, [f.text[user.lang] for f in new], [f.key for f in new])


def partner_digests(engine: Engine, config: Config, now: pd.Timestamp) -> int:
    queued = 0
    day = now.tz_convert("Europe/Moscow").date().isoformat()
    with engine.begin() as conn:
        users = outbox.recipients(conn, ["partner"])
        for partner_id, members in users[users["partner_id"].notna()].groupby("partner_id"):
            findings = partner_findings(conn, partner_id, now)
            for user in members.itertuples():
                for kind, found in findings.items():
                    queued += _queue_new(conn, config, user, kind, f"{kind}:{day}", found)
    return queued


def manager_messages(engine: Engine, config: Config, now: pd.Timestamp) -> int:
    from reports.export import brief_pdf
    from reports.meeting import meeting_brief

    today = now.tz_convert("Europe/Moscow").date()
    meeting = next_meeting(today)
    brief_due = brief_send_day(meeting) <= today
    queued = 0
    with engine.begin() as conn:
        for user in outbox.recipients(conn, ["service_manager"]).itertuples():
            for client in manager_clients(conn, user.login).itertuples():
                brief = meeting_brief(conn, client.client_id)
                period = brief["period"]
                label = period["label"]
                flags = [Finding(f"{client.client_id}:{period['last_day']}:{f['metric_id']}:{f['key']}",
                                 {lang: t("mail.dynamics", lang, client=client.name, period=label,
                                          sentence=f[f"sentence_{lang}"]) for lang in ("ru", "en")})
                         for f in brief["flags"]]
                queued += _queue_new(conn, config, user, "dynamics", f"dynamics:{client.client_id}:{today}", flags)
                if brief_due:
                    event = f"brief:{client.client_id}:{meeting}"
                    line = t("mail.brief", user.lang, client=client.name, meeting=fmt_date(meeting), period=label)
                    attachment = (f"brief_{client.client_id}_{meeting}.pdf", brief_pdf(brief, user.lang))
                    queued += _queue(conn, config, user, "brief", event, [line], [event], attachment)
    return queued


def admin_messages(engine: Engine, config: Config, now: pd.Timestamp) -> int:
    next_year = now.tz_convert("Europe/Moscow").year + 1
    with engine.connect() as conn:
        stale = stale_calendars(conn, next_year)
    return sum(alert_admins(engine, config, "calendar", f"calendar:{c['name']}:{next_year}",
                            line_in_languages("mail.calendar", name=c["name"], country=c["country"], year=next_year))
               for c in stale)


def digests_daily(engine: Engine, slot: pd.Timestamp, config: Config) -> str:
    """Queue today's digests for partners, managers and admins, then deliver what is due."""
    from jobs.mailer import send_due

    now = clock.now()
    partners = partner_digests(engine, config, now)
    managers = manager_messages(engine, config, now)
    admins = admin_messages(engine, config, now)
    sent = send_due(engine, config)
    return f"queued: partners {partners}, managers {managers}, admins {admins}; sent {sent['sent']}"
