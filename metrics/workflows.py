"""Pure rules of the programmes' workflows (SPEC §12): what a valid entry is, when a request is due.

No database and no Dash here: `store.workflows` calls these before writing, pages show the
`WorkflowError` they raise as a plain sentence (`code` names the message, `values` fill it).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from metrics.calendar import WorkCalendar

# seed 004: an agreed action moves planned → in progress → done, or is dropped with a reason
ACTION_STATUSES: tuple[str, ...] = ("planned", "in_progress", "done", "dropped")
OPEN_STATUSES: tuple[str, ...] = ("planned", "in_progress")
GENERAL_FINDING = "general"
MAX_TITLE = 500
MAX_OWNER = 120
MAX_COMMENT = 2000
MAX_DUE_YEARS = 2

# seed 002: «Фирма „1С“ оставляет за собой право … исключить партнера из списка в следующих случаях»
TOP10_EXCLUSION_REASONS: tuple[str, ...] = ("no_precontract_work", "no_service_desk", "regular_complaints",
                                            "regulation_breach")

# seed 001 §4.4: the renewal request is sent «не позднее чем за 14 календарных дней до окончания срока»
RENEWAL_LEAD_DAYS = 14
# seed 001 §4.9: «Срок рассмотрения заявки на подтверждение компетенции составляет 7 (семь) рабочих дней»
RENEWAL_REVIEW_WORKING_DAYS = 7
# seed 001 §4.9: a successful renewal prolongs the competence by one year
RENEWAL_YEARS = 1
KKV_LEVELS: tuple[str, ...] = ("basic", "extended")
# seed 001 §4.10: failing the extended level moves the partner to basic; failing basic annuls it
DOWNGRADE: dict[str, str] = {"extended": "basic", "basic": "none"}

# seed 002: churn reasons a partner picks for a client who left after the trial
CHURN_REASONS: tuple[str, ...] = ("price", "went_to_competitor", "no_longer_needed", "functionality",
                                  "service_quality", "business_closed", "other")


class WorkflowError(ValueError):
    """A refused write: `code` names the user message, `values` fill it."""

    def __init__(self, code: str, **values: Any):
        super().__init__(code)
        self.code = code
        self.values = values


def clean_text(value: object, limit: int, required: bool, code: str) -> str | None:
    """A stripped string of at most `limit` characters; None when empty and not `required`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise WorkflowError(f"{code}_required")
        return None
    if not isinstance(value, str):
        raise WorkflowError(f"{code}_invalid")
    text = value.strip()
    if len(text) > limit:
        raise WorkflowError(f"{code}_too_long", n=limit)
    return text


def parse_date(value: object, code: str = "due") -> dt.date:
    """A ``YYYY-MM-DD`` (or ISO datetime) string or a date as a date; `WorkflowError` otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise WorkflowError(f"{code}_required")
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise WorkflowError(f"{code}_invalid") from None


def validate_action(fields: Mapping[str, object], today: dt.date, is_new: bool) -> dict:
    """The cleaned fields of a meeting action (title, owner, due_date, status, comment).

    Rules: title and owner required; the due date a real date, not in the past for a new action and
    at most two years ahead; status one of `ACTION_STATUSES`; a dropped action says why (comment).
    """
    title = clean_text(fields.get("title"), MAX_TITLE, True, "title")
    owner = clean_text(fields.get("owner"), MAX_OWNER, True, "owner")
    due = parse_date(fields.get("due_date"))
    if is_new and due < today:
        raise WorkflowError("due_past")
    if due > today + dt.timedelta(days=366 * MAX_DUE_YEARS):
        raise WorkflowError("due_far", years=MAX_DUE_YEARS)
    status = fields.get("status")
    if status not in ACTION_STATUSES:
        raise WorkflowError("status_invalid")
    comment = clean_text(fields.get("comment"), MAX_COMMENT, status == "dropped", "comment")
    return {"title": title, "owner": owner, "due_date": due, "status": status, "comment": comment}


def finding_key(flag: Mapping[str, object]) -> str:
    """The stable key of a meeting finding: ``metric_id:key`` of its flag."""
    return f"{flag.get('metric_id')}:{flag.get('key')}"


# ---------------------------------------------------------------- KKV renewals (seed 001)

def renewal_request_deadline(valid_until: dt.date) -> dt.date:
    """The last day a renewal request is accepted: `RENEWAL_LEAD_DAYS` calendar days before expiry."""
    return valid_until - dt.timedelta(days=RENEWAL_LEAD_DAYS)


def check_renewal_request(level: str | None, valid_until: dt.date | None, today: dt.date) -> None:
    """Refuse a request without a KKV level, after expiry or later than 14 days before it (seed 001 §4.4)."""
    if level not in KKV_LEVELS or valid_until is None:
        raise WorkflowError("kkv_no_level")
    if today > valid_until:
        raise WorkflowError("kkv_expired", date=valid_until)
    if today > renewal_request_deadline(valid_until):
        raise WorkflowError("kkv_too_late", date=renewal_request_deadline(valid_until), days=RENEWAL_LEAD_DAYS)


def review_due(requested_at: pd.Timestamp, calendar: WorkCalendar,
               working_days: int = RENEWAL_REVIEW_WORKING_DAYS) -> dt.date:
    """The day the review is due: the `working_days`-th working day of `calendar` after the request.

    The request day itself does not count (a request on a Friday with 7 working days is due on the
    Tuesday after next; holidays and moved working days of the vendor's country are honoured).
    """
    local = pd.Timestamp(requested_at).tz_convert(calendar.timezone)
    first = local.normalize().tz_localize(None) + pd.Timedelta(days=1)
    days = pd.date_range(first, periods=working_days * 3 + 40, freq="D")  # naive = the calendar's local time
    worked = calendar.working_seconds(pd.Series(days), pd.Series(days + pd.Timedelta(days=1)))
    working = days[np.asarray(worked) > 0]
    return working[working_days - 1].date()


def renewed_until(valid_until: dt.date) -> dt.date:
    """The new expiry after an approved renewal: one year after the old one (seed 001 §4.9)."""
    try:
        return valid_until.replace(year=valid_until.year + RENEWAL_YEARS)
    except ValueError:  # 29 February
        return valid_until.replace(year=valid_until.year + RENEWAL_YEARS, day=28)


def expired_levels(partners: pd.DataFrame, approved: pd.Series, today: dt.date) -> pd.DataFrame:
    """Partners whose KKV level ran out without an approved renewal, with the level they fall to.

    Parameters
    ----------
    partners
        `partner_id, kkv_level, kkv_valid_until` (dates).
    approved
        partner_id → `valid_until` of its latest approved renewal request.
    today
        The day evaluated: a level valid until D is expired from D + 1.

    Returns
    -------
    DataFrame
        `partner_id, old_level, new_level, old_valid_until, new_valid_until` — extended falls to basic
        (seed 001 §4.10), valid one year from the old expiry (our reading: the basic level of a partner
        who held extended is not in question) or straight to none when that year is over too; basic is
        annulled (level none, no date).
    """
    valid = pd.to_datetime(partners["kkv_valid_until"])
    leveled = partners["kkv_level"].isin(KKV_LEVELS) & valid.notna()
    expired = leveled & (valid < pd.Timestamp(today))
    approved_until = pd.to_datetime(pd.Series(approved, dtype="object"), errors="coerce")
    renewed = (partners["partner_id"].map(approved_until).eq(valid) if len(approved_until)  # pandas maps an
               else pd.Series(False, index=partners.index))  # empty mapper through float64
    due = partners[expired & ~renewed]
    old_until = pd.to_datetime(due["kkv_valid_until"]).dt.date
    # extended falls to basic for a year from its expiry; when that year is over too (a job catching up
    # after downtime), it falls through to none in the same run, so a second run changes nothing
    basic_until = pd.Series([renewed_until(d) for d in old_until], index=due.index, dtype=object)
    still_basic = (due["kkv_level"] == "extended") & (pd.to_datetime(basic_until) >= pd.Timestamp(today))
    new_level = due["kkv_level"].map(DOWNGRADE).where(still_basic | (due["kkv_level"] == "basic"), "none")
    new_until = basic_until.where(still_basic, None)
    return pd.DataFrame({"partner_id": due["partner_id"].to_numpy(), "old_level": due["kkv_level"].to_numpy(),
                         "new_level": new_level.to_numpy(), "old_valid_until": old_until.to_numpy(),
                         "new_valid_until": new_until.to_numpy()})
