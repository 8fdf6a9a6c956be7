"""Demo tickets, ticket pauses and worklog (seeds 003 and 004), fully vectorized.

Working-hour durations are turned into calendar durations with a coarse rule (a 9-hour working day,
5 working days a week); the exact working time is the job of ``metrics.calendar``. The order of the
timestamps is what the data guarantees: created ≤ accepted ≤ (requirements ≤ spec ≤ implemented ≤
deployed =) resolved ≤ closed, and pauses lie between acceptance and resolution.
"""

from __future__ import annotations

import holidays
import numpy as np
import pandas as pd

from demo import geo
from demo.clock import (
    DATA_END, DATA_START, DAY, HOUR, NAT, RU_WORKING_SATURDAYS, days, hours, local_to_utc, to_utc_series,
    utc_to_local,
)
from demo.generator import SPECIAL_TICKETS_CLIENT_ID, Scale, ids

#: IDs of the hand-made tickets (client :data:`demo.generator.SPECIAL_TICKETS_CLIENT_ID`, Moscow time).
SPECIAL_TICKET_IDS: dict[str, str] = {
    "working_saturday_span": "T0000001",      # Fri 2024-04-26 16:30 → resolved on working Sat 2024-04-27
    "created_on_working_saturday": "T0000002",  # created Sat 2024-04-27 10:15
    "new_year_rework_bp": "T0000003",         # rework over the 2025 New Year holidays with a «БП» pause
    "new_year_2026_span": "T0000004",         # 2025-12-30 → 2026-01-12
    "still_paused": "T0000005",               # paused waiting_client, never resumed
    "open_unaccepted": "T0000006",            # created 2026-11-15 17:50, not yet accepted
}
#: Start of the last 2-week period of seed 004 and the 3 periods before it (local dates, Moscow).
DETERIORATION_PERIOD_STARTS: tuple[str, ...] = ("2026-09-21", "2026-10-05", "2026-10-19", "2026-11-02")

_CHANNELS = np.array(["onebox", "cabinet", "email", "phone"], dtype=object)
_KINDS = np.array(["incident", "enhancement", "consultation"], dtype=object)
_TYPES = np.array(["simple", "complex", "bug", "rework"], dtype=object)
_REASONS = np.array(["waiting_production", "waiting_client", "other"], dtype=object)
_COLUMNS = ("client", "created", "accepted", "due", "resolved", "closed", "req", "spec", "impl", "deployed",
            "psm", "channel", "kind", "type", "priority", "line", "assignee", "subtasks", "estimate")


def working_to_calendar(work_hours: np.ndarray, local_hour: np.ndarray, round_clock: np.ndarray) -> np.ndarray:
    """Approximate calendar duration of ``work_hours`` working hours.

    Under 9 h: same day, or +15 h overnight when the work crosses 18:00; 9 h and more:
    ``h × (24·7)/(9·5)`` (9-hour days, 5-day weeks). A 24×7 calendar (``round_clock``) counts as is.
    """
    h = np.asarray(work_hours, dtype=float)
    short = h + 15.0 * ((local_hour + h) > 18.0)
    cal = np.where(round_clock, h, np.where(h < 9.0, short, h * 24.0 * 7.0 / 45.0))
    return hours(cal)


def _draw(rng: np.random.Generator, values: np.ndarray, probs: list[float], n: int) -> np.ndarray:
    return values[rng.choice(len(values), n, p=probs)]


def _daily_weights() -> tuple[np.ndarray, np.ndarray]:
    """Seasonality of ticket creation: trend, Q4 high, summer and New Year low, weekends low."""
    day = np.arange(DATA_START.astype("M8[D]"), DATA_END.astype("M8[D]"))
    weekday = (day.astype(np.int64) + 3) % 7
    ru = holidays.country_holidays("RU", years=range(2023, 2027))
    holiday = np.isin(day, np.array(list(ru.keys()), dtype="M8[D]"))
    working_saturday = np.isin(day, np.array(RU_WORKING_SATURDAYS, dtype="M8[D]"))
    non_working = ((weekday >= 5) | holiday) & ~working_saturday
    month = day.astype("M8[M]").astype(np.int64) % 12 + 1
    season = np.select([month >= 10, (month >= 6) & (month <= 8)], [1.25, 0.75], 1.0)
    trend = 1.0 + 0.6 * np.linspace(0.0, 1.0, len(day))
    w = trend * season * np.where(non_working, 0.12, 1.0)
    return day.astype("M8[ns]"), w / w.sum()


def _pick_staff(rng: np.random.Generator, staff_line: np.ndarray, line: np.ndarray, at_least: bool = False) -> np.ndarray:
    """Random staff index of ``line`` (or of any line ≥ it); staff are sorted by line."""
    start = np.searchsorted(staff_line, line, side="left")
    stop = np.full(len(line), len(staff_line)) if at_least else np.searchsorted(staff_line, line, side="right")
    return start + (rng.random(len(line)) * (stop - start)).astype(np.int64)


# --------------------------------------------------------------------------- random tickets

def _random_tickets(rng: np.random.Generator, n: int, clients: pd.DataFrame, client_psm: np.ndarray,
                    staff_line: np.ndarray, det_idx: np.ndarray) -> dict[str, np.ndarray]:
    day, w = _daily_weights()
    users = clients["users"].to_numpy().astype(float)
    cw = users ** 0.8
    client = rng.choice(len(clients), n, p=cw / cw.sum())
    created_day = day[rng.choice(len(day), n, p=w)]
    # seed 004: the deteriorating clients' last months are hand-made, not random
    det_window = np.datetime64(DETERIORATION_PERIOD_STARTS[0], "ns") - 60 * DAY
    busy = np.isin(client, det_idx) & (created_day >= det_window)
    other = np.setdiff1d(np.arange(len(clients)), det_idx)
    client[busy] = other[rng.integers(0, len(other), int(busy.sum()))]

    calendar = clients["calendar"].to_numpy(dtype=object)[client]
    round_clock = calendar == "24x7"
    office = rng.random(n) < 0.92
    tod = np.where(office & ~round_clock, 9.0 + rng.beta(2.0, 2.2, n) * 9.0, rng.uniform(0.0, 24.0, n))
    tz = pd.Series(calendar).map(geo.CALENDAR_TIMEZONES).to_numpy(dtype=object)
    created = local_to_utc(created_day + hours(tod), tz)

    psm = client_psm[client] & (rng.random(n) < 0.9)
    kind = _draw(rng, _KINDS, [0.55, 0.2, 0.25], n)
    inc, enh = kind == "incident", kind == "enhancement"
    ttype = np.where(inc, _draw(rng, _TYPES[:3], [0.55, 0.2, 0.25], n),
                     np.where(enh, _draw(rng, _TYPES[[1, 3]], [0.25, 0.75], n),
                              _draw(rng, _TYPES[:2], [0.85, 0.15], n))).astype(object)
    bug, complex_, rework = ttype == "bug", ttype == "complex", ttype == "rework"
    priority = np.select(
        [bug, inc, enh],
        [rng.choice([1, 2], n, p=[0.8, 0.2]), rng.choice([1, 2, 3], n, p=[0.08, 0.32, 0.6]),
         rng.choice([1, 2, 3], n, p=[0.05, 0.3, 0.65])],
        rng.choice([2, 3], n, p=[0.2, 0.8])).astype(np.int64)
    line = np.select(
        [bug, inc, enh],
        [rng.choice([2, 3], n), rng.choice([1, 2, 3], n, p=[0.5, 0.35, 0.15]), rng.choice([2, 3], n, p=[0.4, 0.6])],
        rng.choice([1, 2], n, p=[0.85, 0.15])).astype(np.int64)
    # seed 003: the phone is for critical errors only
    channel = np.where(priority == 1, _draw(rng, _CHANNELS, [0.3, 0.25, 0.15, 0.3], n),
                       _draw(rng, _CHANNELS[:3], [0.4, 0.35, 0.25], n)).astype(object)
    subtasks = np.where(complex_, np.minimum(2 + rng.poisson(1.5, n), 8), np.nan)
    estimate = np.where(rework, np.clip(np.round(rng.lognormal(np.log(10.0), 0.7, n) * 2) / 2, 1.0, 80.0), np.nan)

    # durations in working hours; seed 003: PSM resolves 60–70 % faster than the classic line
    speed = np.where(psm, 1.0, 2.9)
    reaction = rng.lognormal(np.log(np.where(psm, 0.25, 0.6)), 0.7)
    base = np.select([complex_, bug, rework], [0.9 * np.nan_to_num(subtasks) + 1.0, 1.5, np.nan_to_num(estimate) * 1.2], 3.0)
    base = base * np.where(kind == "consultation", 0.6, 1.0) * np.select([priority == 1, priority == 2], [0.5, 0.8], 1.0)
    resolution = rng.lognormal(np.log(base * speed), 0.6)

    def cal(h: np.ndarray) -> np.ndarray:
        return working_to_calendar(h, tod, round_clock)

    accepted = created + cal(reaction)
    req = np.where(enh, accepted + cal(rng.lognormal(np.log(6.0), 0.6, n)), NAT)
    spec = np.where(enh, req + cal(rng.lognormal(np.log(10.0), 0.6, n)), NAT)
    impl = np.where(enh, spec + cal(resolution), NAT)
    deployed = np.where(enh, impl + cal(rng.lognormal(np.log(12.0), 0.7, n)), NAT)
    resolved = np.where(enh, deployed, accepted + cal(resolution))
    closed = resolved + days(np.minimum(rng.lognormal(0.0, 0.8, n), 14.0))
    due = np.where(rework, accepted + cal(np.nan_to_num(estimate) * 1.5 + 16.0), NAT)
    return {"client": client, "created": created, "accepted": accepted, "due": due, "resolved": resolved,
            "closed": closed, "req": req, "spec": spec, "impl": impl, "deployed": deployed, "psm": psm,
            "channel": channel, "kind": kind, "type": ttype, "priority": priority, "line": line,
            "assignee": _pick_staff(rng, staff_line, line), "subtasks": subtasks, "estimate": estimate}


# --------------------------------------------------------------------------- hand-made tickets

def _msk(values: list[str | None]) -> np.ndarray:
    local = np.array([v if v else "NaT" for v in values], dtype="M8[ns]")
    return local - 3 * HOUR  # Europe/Moscow is UTC+3 all year since 2014


def _special_tickets(client: int, psm: bool, staff_line: np.ndarray,
                     rng: np.random.Generator) -> tuple[dict[str, np.ndarray], pd.DataFrame, pd.DataFrame]:
    """The six tickets of :data:`SPECIAL_TICKET_IDS` with their pauses and worklog."""
    n = 6
    line = np.array([1, 2, 3, 1, 1, 1])
    t = {
        "client": np.full(n, client),
        "created": _msk(["2024-04-26T16:30", "2024-04-27T10:15", "2024-12-28T11:00", "2025-12-30T15:00",
                         "2026-11-12T10:00", "2026-11-15T17:50"]),
        "accepted": _msk(["2024-04-26T16:45", "2024-04-27T10:40", "2024-12-28T11:20", "2025-12-30T15:30",
                          "2026-11-12T10:20", None]),
        "due": _msk([None, None, "2025-01-10T18:00", None, None, None]),
        "resolved": _msk(["2024-04-27T12:30", "2024-04-29T11:00", "2025-01-09T16:00", "2026-01-12T11:00", None, None]),
        "closed": _msk(["2024-04-29T10:00", "2024-04-29T15:00", "2025-01-10T10:00", "2026-01-12T16:00", None, None]),
        "req": _msk([None, None, "2024-12-28T12:00", None, None, None]),
        "spec": _msk([None, None, "2024-12-28T13:30", None, None, None]),
        "impl": _msk([None, None, "2025-01-09T12:00", None, None, None]),
        "deployed": _msk([None, None, "2025-01-09T16:00", None, None, None]),
        "psm": np.full(n, psm),
        "channel": np.array(["cabinet", "onebox", "email", "cabinet", "onebox", "email"], dtype=object),
        "kind": np.array(["incident", "incident", "enhancement", "incident", "incident", "incident"], dtype=object),
        "type": np.array(["simple", "complex", "rework", "simple", "simple", "simple"], dtype=object),
        "priority": np.array([2, 3, 2, 3, 3, 2]),
        "line": line,
        "assignee": _pick_staff(rng, staff_line, line),
        "subtasks": np.array([np.nan, 3, np.nan, np.nan, np.nan, np.nan]),
        "estimate": np.array([np.nan, np.nan, 16.0, np.nan, np.nan, np.nan]),
    }
    pauses = pd.DataFrame({"ticket": [2, 4], "paused_at": _msk(["2024-12-28T15:00", "2026-11-12T14:00"]),
                           "resumed_at": _msk(["2025-01-09T10:00", None]),
                           "reason": ["waiting_production", "waiting_client"]})
    work = pd.DataFrame({"ticket": [0, 1, 1, 2, 2, 3, 4], "staff": t["assignee"][[0, 1, 1, 2, 2, 3, 4]],
                         "hours": [0.75, 1.5, 1.25, 2.0, 14.0, 1.0, 0.5],
                         "work_date": np.array(["2024-04-27", "2024-04-27", "2024-04-29", "2024-12-28", "2025-01-09",
                                                "2026-01-12", "2026-11-12"], dtype="M8[ns]"),
                         "work_type": ["support", "support", "support", "support", "development", "support", "support"]})
    return t, pauses, work


def _working_days(start: str, n_days: int = 14) -> np.ndarray:
    day = np.arange(np.datetime64(start, "D"), np.datetime64(start, "D") + n_days)
    ru = holidays.country_holidays("RU", years=[2026])
    weekday = (day.astype(np.int64) + 3) % 7
    return day[(weekday < 5) & ~np.isin(day, np.array(list(ru.keys()), dtype="M8[D]"))]


def _deteriorating(rng: np.random.Generator, client: int, psm: bool,
                   staff_line: np.ndarray) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Seed 004: dev share 20 % → 80 % with priority 1–2 development; lines 2–3 incidents 4× slower.

    Per 2-week period: 10 incidents (3 on line 1, 7 on lines 2–3) with 4 support hours each (40 h);
    previous periods 2 priority-3 enhancements × 5 h development (share 10/50 = 20 %), last period
    8 priority-1/2 enhancements × 20 h (160/200 = 80 %). Resolution of line 2–3 incidents: ~3 → ~12
    working hours.
    """
    rows, work = [], []
    for k, start in enumerate(DETERIORATION_PERIOD_STARTS):
        last = k == len(DETERIORATION_PERIOD_STARTS) - 1
        wd = _working_days(start)
        inc_line = np.array([1, 1, 1, 2, 2, 2, 2, 3, 3, 3])
        inc_prio = np.array([2, 3, 3, 2, 3, 2, 3, 2, 3, 3])
        n_enh = 8 if last else 2
        enh_prio = np.array([1, 2, 1, 2, 2, 1, 2, 2]) if last else np.array([3, 3])
        n = len(inc_line) + n_enh
        local_hour = rng.uniform(10.0, 15.0, n)
        day_idx = np.concatenate([rng.integers(0, 6, len(inc_line)), rng.integers(0, 2, n_enh)])
        created = wd[day_idx].astype("M8[ns]") + hours(local_hour) - 3 * HOUR
        inc_hours = np.where(inc_line == 1, 2.0, 12.0 if last else 3.0) * rng.uniform(0.8, 1.2, len(inc_line))
        enh = np.arange(n) >= len(inc_line)
        accepted = created + hours(0.3)
        res_hours = np.concatenate([inc_hours, np.full(n_enh, 30.0 if last else 6.0)])
        res_cal = working_to_calendar(res_hours, local_hour + 0.3, np.zeros(n, bool))
        req = np.where(enh, accepted + hours(2.0), NAT)
        spec = np.where(enh, req + hours(3.0), NAT)
        impl = np.where(enh, spec + res_cal, NAT)
        deployed = np.where(enh, impl + DAY, NAT)
        resolved = np.where(enh, deployed, accepted + res_cal)
        line = np.concatenate([inc_line, np.full(n_enh, 3)])
        rows.append({
            "client": np.full(n, client), "created": created, "accepted": accepted, "due": NAT + np.zeros(n, "m8[ns]"),
            "resolved": resolved, "closed": resolved + 4 * HOUR, "req": req, "spec": spec, "impl": impl,
            "deployed": deployed, "psm": np.full(n, psm),
            "channel": np.where(enh, "cabinet", "onebox").astype(object),
            "kind": np.where(enh, "enhancement", "incident").astype(object),
            "type": np.where(enh, "complex", "simple").astype(object),
            "priority": np.concatenate([inc_prio, enh_prio]), "line": line,
            "assignee": _pick_staff(rng, staff_line, line),
            "subtasks": np.where(enh, 4.0, np.nan), "estimate": np.full(n, np.nan),
        })
        # worklog: incidents 2 × 2 h support; enhancements 4 rows of development on the period's working days
        offset = sum(len(r["client"]) for r in rows[:-1])
        inc_t = np.repeat(np.arange(len(inc_line)), 2)
        enh_t = np.repeat(np.arange(len(inc_line), n), 4)
        dev_each = (20.0 if last else 5.0) * rng.uniform(0.9, 1.1, n_enh)
        inc_dates = np.minimum(wd[np.repeat(day_idx[: len(inc_line)], 2) + np.tile([0, 1], len(inc_line))], wd[-1])
        enh_dates = wd[np.minimum(np.repeat(day_idx[len(inc_line):], 4) + np.tile([0, 1, 2, 3], n_enh), len(wd) - 1)]
        work.append(pd.DataFrame({
            "ticket": offset + np.concatenate([inc_t, enh_t]),
            "hours": np.concatenate([np.full(len(inc_t), 2.0), np.repeat(np.round(dev_each) / 4, 4)]),
            "work_date": np.concatenate([inc_dates, enh_dates]).astype("M8[ns]"),
            "work_type": np.concatenate([np.full(len(inc_t), "support"), np.full(len(enh_t), "development")]),
        }))
    tickets = {c: np.concatenate([r[c] for r in rows]) for c in _COLUMNS}
    worklog = pd.concat(work, ignore_index=True)
    worklog["staff"] = tickets["assignee"][worklog["ticket"].to_numpy()]
    return tickets, worklog


# --------------------------------------------------------------------------- pauses and worklog

def _top_k_weighted(rng: np.random.Generator, candidates: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """Weighted sample without replacement (Efraimidis–Spirakis keys), vectorized."""
    k = min(k, len(candidates))
    if k <= 0:
        return candidates[:0]
    keys = np.log(rng.random(len(candidates))) / weights
    return candidates[np.argpartition(-keys, k - 1)[:k]]


def _pauses(rng: np.random.Generator, t: dict[str, np.ndarray], target: int, first_random: int) -> pd.DataFrame:
    """Insert ``target`` pauses into random tickets and shift their later timestamps (seed 003: «БП»)."""
    n = len(t["client"])
    enh = t["kind"] == "enhancement"
    a = np.where(enh, t["spec"], t["accepted"])
    b = np.where(enh, t["impl"], t["resolved"])
    idx = np.arange(first_random, n)
    w = np.select([t["type"] == "rework", t["type"] == "bug", t["type"] == "complex"], [4.0, 2.5, 2.0], 1.0)
    recent = idx[(a[idx] >= DATA_END - 4 * DAY) & (a[idx] < DATA_END - HOUR)]
    forced = _top_k_weighted(rng, recent, w[recent], max(3, target // 1000))
    old = idx[(b[idx] < DATA_END - 30 * DAY) & ~np.isin(idx, forced)]
    two = _top_k_weighted(rng, old, w[old], (target - len(forced)) // 5)
    rest = idx[(a[idx] < DATA_END - HOUR) & ~np.isin(idx, np.concatenate([forced, two]))]
    one = _top_k_weighted(rng, rest, w[rest], target - len(forced) - 2 * len(two))
    tk = np.concatenate([forced, one, two])
    m = len(tk)
    prod = np.isin(t["type"][tk], ["rework", "bug"])
    reason = np.where(prod, _draw(rng, _REASONS, [0.6, 0.3, 0.1], m), _draw(rng, _REASONS, [0.15, 0.7, 0.15], m))
    reason[: len(forced)] = "waiting_client"
    median = pd.Series(reason).map({"waiting_production": 20.0, "waiting_client": 30.0, "other": 6.0}).to_numpy()
    d1 = hours(np.minimum(rng.lognormal(np.log(median), 0.8), 480.0))
    d1[: len(forced)] = 40 * DAY  # still paused at the end of the window
    span = np.minimum(b[tk], DATA_END) - a[tk]
    p1 = a[tk] + (span * rng.uniform(0.1, 0.6, m)).astype("m8[ns]")
    r1 = p1 + d1
    is_two = np.arange(m) >= len(forced) + len(one)
    j = np.flatnonzero(is_two)
    reason2 = np.where(prod[j], _draw(rng, _REASONS, [0.6, 0.3, 0.1], len(j)), _draw(rng, _REASONS, [0.15, 0.7, 0.15], len(j)))
    d2 = hours(np.minimum(rng.lognormal(np.log(12.0), 0.8, len(j)), 240.0))
    p2 = a[tk[j]] + (span[j] * rng.uniform(0.65, 0.95, len(j))).astype("m8[ns]") + d1[j]
    shift = np.zeros(n, dtype="m8[ns]")
    shift[tk] = d1
    shift[tk[j]] += d2
    for col in ("resolved", "closed"):
        t[col] = t[col] + shift
    for col in ("impl", "deployed"):
        t[col] = np.where(enh, t[col] + shift, t[col])
    return pd.DataFrame({
        "ticket": np.concatenate([tk, tk[j]]),
        "paused_at": np.concatenate([p1, p2]),
        "resumed_at": np.concatenate([r1, p2 + d2]),
        "reason": np.concatenate([reason, reason2]),
    })


def _worklog(rng: np.random.Generator, t: dict[str, np.ndarray], target: int, first_random: int,
             staff_line: np.ndarray, tz: np.ndarray) -> pd.DataFrame:
    """``target`` rows of worked hours over the accepted random tickets, split 1..n rows per ticket."""
    idx = np.arange(first_random, len(t["client"]))
    idx = idx[~np.isnat(t["accepted"][idx])]
    subtasks = np.nan_to_num(t["subtasks"][idx])
    total = np.select([t["type"][idx] == "complex", t["type"][idx] == "bug", t["type"][idx] == "rework"],
                      [0.8 * subtasks, 1.5, np.nan_to_num(t["estimate"][idx])], 1.0)
    total = total * np.where(t["kind"][idx] == "consultation", 0.5, 1.0) * np.where(t["psm"][idx], 1.0, 1.3)
    total = total * rng.lognormal(0.0, 0.4, len(idx))
    if len(idx) >= target:
        base = np.sort(rng.choice(len(idx), target, replace=False))
        counts = np.bincount(base, minlength=len(idx))
    else:
        extra = rng.choice(len(idx), target - len(idx), p=total / total.sum())
        counts = 1 + np.bincount(extra, minlength=len(idx))
    row_t = np.repeat(np.arange(len(idx)), counts)
    share = rng.uniform(0.5, 1.5, len(row_t))
    share = share / np.bincount(row_t, weights=share)[row_t]
    hours_ = np.maximum(0.25, np.round(total[row_t] * share * 4) / 4)
    ticket = idx[row_t]
    dev = t["kind"][ticket] == "enhancement"
    work_type = np.where(dev, np.where(rng.random(len(row_t)) < 0.85, "development", "support"),
                         np.where(rng.random(len(row_t)) < 0.97, "support", "development")).astype(object)
    own = rng.random(len(row_t)) < 0.75
    staff = np.where(own, t["assignee"][ticket], _pick_staff(rng, staff_line, t["line"][ticket], at_least=True))
    start = t["accepted"][ticket]
    end = np.where(np.isnat(t["resolved"][ticket]), DATA_END - HOUR, t["resolved"][ticket])
    end = np.minimum(end, DATA_END - HOUR)
    at = start + ((end - start) * rng.random(len(row_t))).astype("m8[ns]")
    work_date = utc_to_local(at, tz[ticket]).astype("M8[D]").astype("M8[ns]")
    work_date = np.minimum(work_date, (DATA_END - DAY).astype("M8[D]").astype("M8[ns]"))
    return pd.DataFrame({"ticket": ticket, "staff": staff, "hours": hours_, "work_date": work_date,
                         "work_type": work_type})


# --------------------------------------------------------------------------- assembly

def tickets_pauses_worklog(rng: np.random.Generator, sc: Scale, partners: pd.DataFrame, clients: pd.DataFrame,
                           staff: pd.DataFrame, det_ids: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Build the ``tickets``, ``ticket_pauses`` and ``worklog`` frames of SPEC §3."""
    staff_line = staff["line"].to_numpy()
    cid = clients["client_id"].to_numpy(dtype=object)
    partner_psm = pd.Series(partners["_psm"].to_numpy(), index=partners["partner_id"])
    client_psm = partner_psm.loc[clients["partner_id"].to_numpy()].to_numpy()
    det_idx = np.flatnonzero(np.isin(cid, det_ids))
    special_client = int(np.flatnonzero(cid == SPECIAL_TICKETS_CLIENT_ID)[0])

    special, special_pauses, special_work = _special_tickets(special_client, bool(client_psm[special_client]),
                                                             staff_line, rng)
    parts, det_work = [special], []
    offset = len(special["client"])
    for c in det_idx:
        d, w = _deteriorating(rng, int(c), bool(client_psm[c]), staff_line)
        w["ticket"] += offset
        offset += len(d["client"])
        parts.append(d)
        det_work.append(w)
    n_random = sc.tickets - offset
    rand = _random_tickets(rng, n_random, clients, client_psm, staff_line, det_idx)
    order = np.argsort(rand["created"], kind="stable")
    parts.append({c: v[order] for c, v in rand.items()})
    t = {c: np.concatenate([p[c] for p in parts]) for c in _COLUMNS}

    pauses = pd.concat([special_pauses,
                        _pauses(rng, t, sc.pauses - len(special_pauses), offset)], ignore_index=True)
    # the end of the window: what has not happened by then is empty (open tickets, still paused)
    for col in ("accepted", "resolved", "closed", "req", "spec", "impl", "deployed"):
        t[col] = np.where(t[col] >= DATA_END, NAT, t[col])
    t["due"] = np.where(np.isnat(t["accepted"]), NAT, t["due"])
    # a few tickets stuck open for a long time
    stuck = np.flatnonzero((np.arange(len(t["client"])) >= offset) & (t["created"] < DATA_END - 60 * DAY))
    stuck = stuck[rng.random(len(stuck)) < 0.001]
    for col in ("resolved", "closed", "deployed"):
        t[col][stuck] = NAT
    pauses["resumed_at"] = np.where(pauses["resumed_at"].to_numpy() >= DATA_END, NAT, pauses["resumed_at"].to_numpy())

    tz = pd.Series(clients["calendar"].to_numpy(dtype=object)[t["client"]]).map(geo.CALENDAR_TIMEZONES).to_numpy(dtype=object)
    special_work["ticket"] = special_work["ticket"].astype(np.int64)
    fixed_work = pd.concat([special_work] + det_work, ignore_index=True)
    worklog = pd.concat([fixed_work, _worklog(rng, t, sc.worklog - len(fixed_work), offset, staff_line, tz)],
                        ignore_index=True)

    n = len(t["client"])
    tid = ids("T", np.arange(1, n + 1), 7)
    staff_ids = staff["staff"].to_numpy(dtype=object)
    tickets = pd.DataFrame({
        "ticket_id": tid,
        "client_id": cid[t["client"]],
        "created_at": to_utc_series(t["created"]),
        "partner_id": clients["partner_id"].to_numpy(dtype=object)[t["client"]],
        "service": np.where(t["psm"], "psm", "classic").astype(object),
        "channel": t["channel"],
        "kind": t["kind"],
        "type": t["type"],
        "priority": t["priority"].astype(np.int64),
        "line": t["line"].astype(np.int64),
        "assignee": np.where(np.isnat(t["accepted"]), None, staff_ids[t["assignee"]]).astype(object),
        "subtasks": pd.array(t["subtasks"], dtype="Int64"),
        "estimate_hours": t["estimate"].astype(float),
        "accepted_at": to_utc_series(t["accepted"]),
        "due_at": to_utc_series(t["due"]),
        "resolved_at": to_utc_series(t["resolved"]),
        "closed_at": to_utc_series(t["closed"]),
        "requirements_at": to_utc_series(t["req"]),
        "spec_at": to_utc_series(t["spec"]),
        "implemented_at": to_utc_series(t["impl"]),
        "deployed_at": to_utc_series(t["deployed"]),
    })
    ticket_pauses = pd.DataFrame({
        "ticket_id": tid[pauses["ticket"].to_numpy()],
        "paused_at": to_utc_series(pauses["paused_at"].to_numpy()),
        "resumed_at": to_utc_series(pauses["resumed_at"].to_numpy()),
        "reason": pauses["reason"].to_numpy(dtype=object),
    }).sort_values(["ticket_id", "paused_at"], ignore_index=True)
    worklog_frame = pd.DataFrame({
        "ticket_id": tid[worklog["ticket"].to_numpy()],
        "staff": staff_ids[worklog["staff"].to_numpy()],
        "hours": worklog["hours"].to_numpy(dtype=float),
        "work_date": worklog["work_date"].to_numpy(dtype="M8[ns]"),
        "work_type": worklog["work_type"].to_numpy(dtype=object),
    })
    return tickets, ticket_pauses, worklog_frame
