"""Writes of the programmes' workflows (SPEC §12): meeting actions and meeting snapshots, TOP-10
exclusions and approvals, KKV renewals and expiry, churn reasons.

Each write function takes an open transaction (`engine.begin()`), the acting login and `now`, checks the
rules of `metrics.workflows`, writes, and appends its audit row in the same transaction
(`record_audit`), so a refused write leaves nothing behind and a done write is never unaudited.
Authorization (may this login touch this client/partner?) is the caller's job and is done from the
logged-in user's scope before calling (SPEC §8); functions that act on an existing row return its
owner (client or partner) so the caller can check it first.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update

from metrics.calendar import WorkCalendar
from metrics.workflows import (
    CHURN_REASONS,
    GENERAL_FINDING,
    MAX_COMMENT,
    OPEN_STATUSES,
    TOP10_EXCLUSION_REASONS,
    WorkflowError,
    check_renewal_request,
    clean_text,
    expired_levels,
    renewed_until,
    review_due,
    validate_action,
)
from store import clock
from store.frames import read_frame
from store.models import (
    AuditLog,
    ChurnReason,
    Client,
    KkvLevelChange,
    KkvRenewal,
    MeetingAction,
    MeetingSnapshot,
    Partner,
    SaasContract,
    Top10Approval,
    Top10Exclusion,
)
from store.settings import DEFAULT_CALENDAR, calendar_definitions

SYSTEM_LOGIN = "system"
QUARTER_LENGTH = 6  # "2026Q3"


def record_audit(conn: Connection, login: str | None, action: str, detail: str | None, ip: str | None = None,
                 at: dt.datetime | None = None) -> None:
    """Append one audit row inside the caller's transaction."""
    conn.execute(insert(AuditLog).values(at=at or clock.now_datetime(), login=login, action=action,
                                         detail=detail, ip=ip))


def _stamp(now: pd.Timestamp | dt.datetime | None) -> dt.datetime:
    return (clock.now() if now is None else pd.Timestamp(now)).tz_convert("UTC").to_pydatetime()


# ---------------------------------------------------------------- meeting actions (seed 004)

def meeting_action(conn: Connection, action_id: object) -> dict | None:
    """One stored action (None for an unknown or malformed id)."""
    if isinstance(action_id, bool) or not isinstance(action_id, int) or not 0 < action_id < 2**31:
        return None
    return _action_dict(conn, action_id)


def _action_dict(conn: Connection, action_id: int) -> dict | None:
    row = conn.execute(select(*MeetingAction.__table__.columns).where(MeetingAction.id == action_id)).mappings().first()
    return None if row is None else dict(row)


def _finding(finding: object, findings: dict[str, str]) -> tuple[str, str | None]:
    """The finding key and its wording: one of the brief's `findings` (key → label) or general."""
    if finding in (None, "", GENERAL_FINDING):
        return GENERAL_FINDING, None
    if not isinstance(finding, str) or finding not in findings:
        raise WorkflowError("finding_unknown")
    return finding, findings[finding]


def add_meeting_action(conn: Connection, login: str, client_id: str, fields: dict, findings: dict[str, str],
                       now: pd.Timestamp | None = None, ip: str | None = None) -> int:
    """Store a new action of `client_id` (already authorized) for a finding of its current brief."""
    stamp = _stamp(now)
    clean = validate_action(fields, stamp.date(), is_new=True)
    finding, label = _finding(fields.get("finding"), findings)
    if conn.scalar(select(Client.client_id).where(Client.client_id == client_id)) is None:
        raise WorkflowError("client_unknown")
    action_id = conn.execute(insert(MeetingAction).values(
        client_id=client_id, finding=finding, finding_label=label, created_by=login, created_at=stamp,
        updated_by=login, updated_at=stamp, version=1, **clean)).inserted_primary_key[0]
    record_audit(conn, login, "meeting_action_add",
                 f"client={client_id} action={action_id} finding={finding} status={clean['status']}", ip, stamp)
    return int(action_id)


def update_meeting_action(conn: Connection, login: str, action_id: int, version: object, fields: dict,
                          now: pd.Timestamp | None = None, ip: str | None = None) -> None:
    """Change an action (already authorized via its client) when nobody changed it since `version`."""
    stamp = _stamp(now)
    current = _action_dict(conn, action_id)
    if current is None:
        raise WorkflowError("action_unknown")
    if isinstance(version, bool) or not isinstance(version, int) or version != current["version"]:
        raise WorkflowError("stale")
    clean = validate_action(fields, stamp.date(), is_new=False)
    done = conn.execute(update(MeetingAction).where(MeetingAction.id == action_id,
                                                    MeetingAction.version == version)
                        .values(updated_by=login, updated_at=stamp, version=version + 1, **clean))
    if done.rowcount != 1:  # changed between our read and our write
        raise WorkflowError("stale")
    changed = sorted(k for k, v in clean.items() if current[k] != v)
    record_audit(conn, login, "meeting_action_update",
                 f"client={current['client_id']} action={action_id} changed={','.join(changed) or '-'} "
                 f"status={clean['status']}", ip, stamp)


ACTION_COLUMNS = [MeetingAction.id, MeetingAction.client_id, MeetingAction.finding, MeetingAction.finding_label,
                  MeetingAction.title, MeetingAction.owner, MeetingAction.due_date, MeetingAction.status,
                  MeetingAction.comment, MeetingAction.created_by, MeetingAction.created_at,
                  MeetingAction.updated_by, MeetingAction.updated_at, MeetingAction.version]


def meeting_actions(conn: Connection, client_id: str) -> pd.DataFrame:
    """Every action of a client, open ones first, then by due date."""
    frame = read_frame(conn, select(*ACTION_COLUMNS).where(MeetingAction.client_id == client_id)
                       .order_by(MeetingAction.due_date, MeetingAction.id))
    frame["open"] = frame["status"].isin(OPEN_STATUSES)
    return frame.sort_values(["open", "due_date", "id"], ascending=[False, True, True], kind="stable") \
        .reset_index(drop=True)


def _jsonable_actions(actions: pd.DataFrame) -> list[dict]:
    keep = ["id", "finding", "finding_label", "title", "owner", "due_date", "status", "comment"]
    frame = actions[keep].assign(due_date=pd.to_datetime(actions["due_date"]).dt.strftime("%Y-%m-%d"))
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def record_meeting_snapshot(conn: Connection, login: str, client_id: str, period_end: dt.date, trigger: str,
                            flags: list[dict], now: pd.Timestamp | None = None, ip: str | None = None) -> int:
    """Freeze what was flagged (the brief's findings) and agreed (the client's actions) at this meeting.

    `trigger` is ``fixed`` («зафиксировать встречу») or the export format (``pdf``/``xlsx``).
    """
    stamp = _stamp(now)
    flagged = [{"finding": f"{f.get('metric_id')}:{f.get('key')}", "label_ru": f.get("label_ru"),
                "label_en": f.get("label_en"), "sentence_ru": f.get("sentence_ru"),
                "sentence_en": f.get("sentence_en"), "action_ru": f.get("action_ru"),
                "action_en": f.get("action_en")} for f in flags]
    actions = _jsonable_actions(meeting_actions(conn, client_id))
    snapshot_id = conn.execute(insert(MeetingSnapshot).values(
        client_id=client_id, period_end=period_end, trigger=trigger, login=login, created_at=stamp,
        flags=flagged, actions=actions)).inserted_primary_key[0]
    record_audit(conn, login, "meeting_snapshot",
                 f"client={client_id} snapshot={snapshot_id} trigger={trigger} period_end={period_end} "
                 f"flags={len(flagged)} actions={len(actions)}", ip, stamp)
    return int(snapshot_id)


def meeting_snapshots(conn: Connection, client_id: str) -> pd.DataFrame:
    """The client's meeting history, newest first: id, period_end, trigger, login, created_at, counts."""
    frame = read_frame(conn, select(MeetingSnapshot.id, MeetingSnapshot.period_end, MeetingSnapshot.trigger,
                                    MeetingSnapshot.login, MeetingSnapshot.created_at, MeetingSnapshot.flags,
                                    MeetingSnapshot.actions)
                       .where(MeetingSnapshot.client_id == client_id)
                       .order_by(MeetingSnapshot.created_at.desc(), MeetingSnapshot.id.desc()))
    frame["flag_count"] = frame["flags"].map(len).astype("int64")
    frame["action_count"] = frame["actions"].map(len).astype("int64")
    return frame


def meeting_snapshot(conn: Connection, snapshot_id: object) -> dict | None:
    """One snapshot (None for an unknown or malformed id); the caller checks its client."""
    if isinstance(snapshot_id, bool) or not isinstance(snapshot_id, int) or not 0 < snapshot_id < 2**31:
        return None
    row = conn.execute(select(*MeetingSnapshot.__table__.columns)
                       .where(MeetingSnapshot.id == snapshot_id)).mappings().first()
    return None if row is None else dict(row)


def meeting_actions_section(conn: Connection, client_id: str) -> dict:
    """What the meeting page and the brief show about actions: the open ones, the last meeting's
    actions (as frozen then, with their status now) and the history of past meetings."""
    actions = meeting_actions(conn, client_id)
    history = meeting_snapshots(conn, client_id)
    last = None
    if len(history):
        first = history.iloc[0]
        now_status = dict(zip(actions["id"], actions["status"]))
        last = {"id": int(first["id"]), "period_end": pd.Timestamp(first["period_end"]).date().isoformat(),
                "created_at": pd.Timestamp(first["created_at"]).isoformat(), "login": first["login"],
                "actions": [{**a, "status_now": now_status.get(a["id"], a["status"])} for a in first["actions"]]}
    return {
        "open": _jsonable_actions(actions[actions["open"]]),
        "all": _jsonable_actions(actions),
        "last_meeting": last,
        "history": [{"id": int(r.id), "period_end": pd.Timestamp(r.period_end).date().isoformat(), "trigger": r.trigger,
                     "login": r.login, "created_at": pd.Timestamp(r.created_at).isoformat(),
                     "flag_count": int(r.flag_count), "action_count": int(r.action_count)}
                    for r in history.itertuples(index=False)],
    }


# ---------------------------------------------------------------- TOP-10 decisions (seed 002)

def _quarter(quarter: object) -> str:
    if not isinstance(quarter, str) or len(quarter) != QUARTER_LENGTH or quarter[4] != "Q" \
            or not quarter[:4].isdigit() or quarter[5] not in "1234":
        raise WorkflowError("quarter_invalid")
    return quarter


def top10_approval(conn: Connection, quarter: str) -> dict | None:
    """The fixed TOP-10 of `quarter` (login, approved_at, ranking) or None while it is live."""
    row = conn.execute(select(*Top10Approval.__table__.columns).where(Top10Approval.quarter == quarter)) \
        .mappings().first()
    return None if row is None else dict(row)


def top10_exclusions(conn: Connection, quarter: str | None = None, partner_id: str | None = None) -> pd.DataFrame:
    """Exclusions (quarter, partner_id, reason, comment, login, created_at), newest quarter first."""
    stmt = select(*Top10Exclusion.__table__.columns).order_by(Top10Exclusion.quarter.desc(),
                                                              Top10Exclusion.partner_id)
    if quarter is not None:
        stmt = stmt.where(Top10Exclusion.quarter == quarter)
    if partner_id is not None:
        stmt = stmt.where(Top10Exclusion.partner_id == partner_id)
    return read_frame(conn, stmt)


def _refuse_if_fixed(conn: Connection, quarter: str) -> None:
    approval = top10_approval(conn, quarter)
    if approval is not None:
        raise WorkflowError("top10_fixed", quarter=quarter, login=approval["login"],
                            at=pd.Timestamp(approval["approved_at"]))


def exclude_from_top10(conn: Connection, login: str, quarter: object, partner_id: object, reason: object,
                       comment: object, now: pd.Timestamp | None = None, ip: str | None = None) -> None:
    """Exclude a partner from a live quarter's TOP-10 with a seed 002 reason (replaces an earlier one)."""
    stamp = _stamp(now)
    quarter = _quarter(quarter)
    _refuse_if_fixed(conn, quarter)
    if not isinstance(partner_id, str) or conn.scalar(
            select(Partner.partner_id).where(Partner.partner_id == partner_id)) is None:
        raise WorkflowError("partner_unknown")
    if reason not in TOP10_EXCLUSION_REASONS:
        raise WorkflowError("reason_invalid")
    text = clean_text(comment, MAX_COMMENT, False, "comment")
    conn.execute(delete(Top10Exclusion).where(Top10Exclusion.quarter == quarter,
                                              Top10Exclusion.partner_id == partner_id))
    conn.execute(insert(Top10Exclusion).values(quarter=quarter, partner_id=partner_id, reason=reason,
                                               comment=text, login=login, created_at=stamp))
    record_audit(conn, login, "top10_exclude", f"quarter={quarter} partner={partner_id} reason={reason}", ip, stamp)


def lift_top10_exclusion(conn: Connection, login: str, quarter: object, partner_id: object,
                         now: pd.Timestamp | None = None, ip: str | None = None) -> None:
    """Take back an exclusion of a live quarter."""
    stamp = _stamp(now)
    quarter = _quarter(quarter)
    _refuse_if_fixed(conn, quarter)
    done = conn.execute(delete(Top10Exclusion).where(Top10Exclusion.quarter == quarter,
                                                     Top10Exclusion.partner_id == partner_id))
    if done.rowcount != 1:
        raise WorkflowError("exclusion_unknown")
    record_audit(conn, login, "top10_include", f"quarter={quarter} partner={partner_id}", ip, stamp)


def approve_top10(conn: Connection, login: str, quarter: object, ranking: list[dict],
                  now: pd.Timestamp | None = None, ip: str | None = None) -> None:
    """Fix («утвердить») a quarter's TOP-10 and lead quotas as computed now; refused when already fixed."""
    stamp = _stamp(now)
    quarter = _quarter(quarter)
    _refuse_if_fixed(conn, quarter)
    if not ranking:
        raise WorkflowError("top10_empty")
    conn.execute(insert(Top10Approval).values(quarter=quarter, login=login, approved_at=stamp, ranking=ranking))
    record_audit(conn, login, "top10_approve",
                 f"quarter={quarter} partners={','.join(str(r.get('partner_id')) for r in ranking)}", ip, stamp)


# ---------------------------------------------------------------- KKV renewals (seed 001)

def kkv_renewals(conn: Connection, partner_id: str | None = None) -> pd.DataFrame:
    """Renewal requests, newest first (one partner's when `partner_id` is given)."""
    stmt = select(*KkvRenewal.__table__.columns).order_by(KkvRenewal.requested_at.desc(), KkvRenewal.id.desc())
    if partner_id is not None:
        stmt = stmt.where(KkvRenewal.partner_id == partner_id)
    return read_frame(conn, stmt)


def vendor_calendar(conn: Connection, country: str | None) -> WorkCalendar:
    """The working calendar of the vendor's office for a partner's country (seed 001: 1С-Битрикс
    Казахстан reviews Kazakh partners in Kazakh working days); the default calendar otherwise."""
    definitions = calendar_definitions(conn)
    return WorkCalendar.from_dict(definitions.get(country or DEFAULT_CALENDAR) or definitions[DEFAULT_CALENDAR])


def request_kkv_renewal(conn: Connection, login: str, partner_id: str, calendar: WorkCalendar | None = None,
                        now: pd.Timestamp | None = None, ip: str | None = None) -> int:
    """A partner's renewal request for its current level (≥ 14 days before expiry, one open at a time);
    the review is due `RENEWAL_REVIEW_WORKING_DAYS` working days of the vendor's calendar later
    (`calendar`, default `vendor_calendar` of the partner's country)."""
    stamp = _stamp(now)
    partner = conn.execute(select(Partner.kkv_level, Partner.kkv_valid_until, Partner.country)
                           .where(Partner.partner_id == partner_id)).first()
    if partner is None:
        raise WorkflowError("partner_unknown")
    calendar = calendar or vendor_calendar(conn, partner.country)
    level = (partner.kkv_level or "").lower()
    check_renewal_request(level, partner.kkv_valid_until, stamp.date())
    pending = conn.scalar(select(KkvRenewal.id).where(KkvRenewal.partner_id == partner_id,
                                                      KkvRenewal.status == "pending"))
    if pending is not None:
        raise WorkflowError("kkv_pending")
    already = conn.scalar(select(KkvRenewal.id).where(KkvRenewal.partner_id == partner_id,
                                                      KkvRenewal.status == "approved",
                                                      KkvRenewal.valid_until == partner.kkv_valid_until))
    if already is not None:
        raise WorkflowError("kkv_already_renewed")
    due = review_due(pd.Timestamp(stamp), calendar)
    renewal_id = conn.execute(insert(KkvRenewal).values(
        partner_id=partner_id, level=level, valid_until=partner.kkv_valid_until, requested_by=login,
        requested_at=stamp, review_due=due, status="pending")).inserted_primary_key[0]
    record_audit(conn, login, "kkv_renewal_request",
                 f"partner={partner_id} renewal={renewal_id} level={level} valid_until={partner.kkv_valid_until} "
                 f"review_due={due}", ip, stamp)
    return int(renewal_id)


def review_kkv_renewal(conn: Connection, login: str, renewal_id: object, approve: bool, comment: object,
                       now: pd.Timestamp | None = None, ip: str | None = None) -> None:
    """Approve (the level is prolonged one year, seed 001 §4.9) or reject (comment required) a pending request."""
    stamp = _stamp(now)
    if isinstance(renewal_id, bool) or not isinstance(renewal_id, int):
        raise WorkflowError("renewal_unknown")
    renewal = conn.execute(select(*KkvRenewal.__table__.columns).where(KkvRenewal.id == renewal_id)) \
        .mappings().first()
    if renewal is None:
        raise WorkflowError("renewal_unknown")
    if renewal["status"] != "pending":
        raise WorkflowError("stale")
    text = clean_text(comment, MAX_COMMENT, not approve, "comment")
    status = "approved" if approve else "rejected"
    done = conn.execute(update(KkvRenewal).where(KkvRenewal.id == renewal_id, KkvRenewal.status == "pending")
                        .values(status=status, comment=text, reviewed_by=login, reviewed_at=stamp))
    if done.rowcount != 1:
        raise WorkflowError("stale")
    if approve:
        new_until = renewed_until(renewal["valid_until"])
        conn.execute(update(Partner).where(Partner.partner_id == renewal["partner_id"])
                     .values(kkv_valid_until=new_until))
        conn.execute(insert(KkvLevelChange).values(
            partner_id=renewal["partner_id"], changed_at=stamp, old_level=renewal["level"],
            new_level=renewal["level"], old_valid_until=renewal["valid_until"], new_valid_until=new_until,
            cause="renewal_approved", login=login))
    record_audit(conn, login, "kkv_renewal_approve" if approve else "kkv_renewal_reject",
                 f"partner={renewal['partner_id']} renewal={renewal_id} status={status}", ip, stamp)


def apply_kkv_expiry(engine: Engine, now: pd.Timestamp | None = None) -> pd.DataFrame:
    """The daily KKV job (SPEC §11): levels past their validity without an approved renewal fall
    extended → basic, basic → none (seed 001 §4.10). Idempotent; one transaction; every change
    audited as login ``system``. Returns the changes made."""
    stamp = _stamp(now)
    today = stamp.date()
    with engine.begin() as conn:
        partners = read_frame(conn, select(Partner.partner_id, Partner.kkv_level, Partner.kkv_valid_until)
                              .where(Partner.kkv_valid_until < today))
        partners["kkv_level"] = partners["kkv_level"].str.lower()
        approved = read_frame(conn, select(KkvRenewal.partner_id, KkvRenewal.valid_until)
                              .where(KkvRenewal.status == "approved").order_by(KkvRenewal.reviewed_at))
        latest = approved.drop_duplicates("partner_id", keep="last").set_index("partner_id")["valid_until"]
        changes = expired_levels(partners, latest, today)
        if changes.empty:
            return changes
        rows = [{k: (None if v is pd.NaT or v is None else v) for k, v in row.items()}
                for row in changes.astype(object).to_dict("records")]
        conn.execute(update(Partner).where(Partner.partner_id == bindparam("pid"))
                     .values(kkv_level=bindparam("level"), kkv_valid_until=bindparam("until")),
                     [{"pid": r["partner_id"], "level": r["new_level"], "until": r["new_valid_until"]} for r in rows])
        conn.execute(insert(KkvLevelChange), [{**r, "changed_at": stamp, "cause": "expired", "login": SYSTEM_LOGIN}
                                              for r in rows])
        conn.execute(insert(AuditLog), [{"at": stamp, "login": SYSTEM_LOGIN, "action": "kkv_expired", "ip": None,
                                         "detail": f"partner={r['partner_id']} {r['old_level']}->{r['new_level']} "
                                                   f"valid_until={r['old_valid_until']}"} for r in rows])
    return changes


def kkv_level_changes(conn: Connection, partner_id: str | None = None) -> pd.DataFrame:
    """Level changes made by the workflows, newest first."""
    stmt = select(*KkvLevelChange.__table__.columns).order_by(KkvLevelChange.changed_at.desc(),
                                                              KkvLevelChange.id.desc())
    if partner_id is not None:
        stmt = stmt.where(KkvLevelChange.partner_id == partner_id)
    return read_frame(conn, stmt)


# ---------------------------------------------------------------- churn reasons (seed 002)

def churned_contracts(conn: Connection, partner_id: str | None = None) -> pd.DataFrame:
    """Ended 1cfresh contracts with the file's reason and the partner's own reason and comment."""
    stmt = (select(SaasContract.contract_id, SaasContract.partner_id, SaasContract.client_id,
                   SaasContract.started_at, SaasContract.ended_at, SaasContract.churn_reason.label("file_reason"),
                   ChurnReason.reason, ChurnReason.comment, ChurnReason.login, ChurnReason.updated_at)
            .outerjoin(ChurnReason, ChurnReason.contract_id == SaasContract.contract_id)
            .where(SaasContract.ended_at.is_not(None))
            .order_by(SaasContract.ended_at.desc(), SaasContract.contract_id))
    if partner_id is not None:
        stmt = stmt.where(SaasContract.partner_id == partner_id)
    return read_frame(conn, stmt)


def partner_churn_reasons(conn: Connection) -> pd.Series:
    """contract_id → the reason partners entered themselves, of ended contracts (what `churned_contracts` holds in
    ``reason``, without reading every ended contract: 0.29 s at `large`)."""
    stmt = (select(ChurnReason.contract_id, ChurnReason.reason)
            .join(SaasContract, SaasContract.contract_id == ChurnReason.contract_id)
            .where(SaasContract.ended_at.is_not(None), ChurnReason.reason.is_not(None)))
    rows = conn.execute(stmt).all()
    return pd.Series([r.reason for r in rows], index=pd.Index([r.contract_id for r in rows], name="contract_id"),
                     name="reason", dtype=object)


def set_churn_reason(conn: Connection, login: str, partner_id: str, contract_id: object, reason: object,
                     comment: object, now: pd.Timestamp | None = None, ip: str | None = None) -> None:
    """The partner's reason for one of ITS OWN churned contracts; another partner's contract is unknown."""
    stamp = _stamp(now)
    if not isinstance(contract_id, str):
        raise WorkflowError("contract_unknown")
    owner = conn.execute(select(SaasContract.partner_id, SaasContract.ended_at)
                         .where(SaasContract.contract_id == contract_id)).first()
    if owner is None or owner.partner_id != partner_id:
        raise WorkflowError("contract_unknown")
    if owner.ended_at is None:
        raise WorkflowError("contract_active")
    if reason not in CHURN_REASONS:
        raise WorkflowError("reason_invalid")
    text = clean_text(comment, MAX_COMMENT, reason == "other", "comment")
    conn.execute(delete(ChurnReason).where(ChurnReason.contract_id == contract_id))
    conn.execute(insert(ChurnReason).values(contract_id=contract_id, partner_id=partner_id, reason=reason,
                                            comment=text, login=login, updated_at=stamp))
    record_audit(conn, login, "churn_reason", f"partner={partner_id} contract={contract_id} reason={reason}",
                 ip, stamp)
