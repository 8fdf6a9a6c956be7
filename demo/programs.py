"""Demo data of the partner programmes: PSM deposits (003), KKV (001), 1cfresh contracts and leads (002)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo import texts
from demo.clock import DATA_END, DATA_START, DAY, HOUR, NAT, TODAY, days, hours, to_utc_series, uniform_times
from demo.generator import COMPLAINT_PARTNER_ID, OVERDUE_REPORT_PARTNER_ID, Scale, ids

#: seed 003: price of one PSM ticket, UAH.
PSM_TICKET_PRICE_UAH = 180


def deposits(rng: np.random.Generator, partners: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
    """Prepaid UAH deposits of PSM partners: one payment per 2 months sized to the coming tickets.

    Amount = 180 UAH × ⌈expected tickets × U(1.0, 1.3) / 10⌉ × 10 (seed 003: prepaid, 180 грн a ticket);
    about a quarter of the partners skip the last payment, so some balances run low.
    """
    psm = tickets[tickets["service"] == "psm"]
    created = psm["created_at"].dt.tz_localize(None)
    bucket = (created.dt.year - 2023) * 6 + (created.dt.month - 1) // 2
    counts = psm.groupby([psm["partner_id"], bucket]).size().rename("tickets").reset_index()
    counts.columns = ["partner_id", "bucket", "tickets"]
    n = len(counts)
    start = pd.to_datetime(dict(year=2023 + counts["bucket"] // 6, month=(counts["bucket"] % 6) * 2 + 1, day=1))
    paid_at = start.to_numpy() - days(rng.uniform(1, 6, n)) + hours(rng.uniform(9, 18, n))
    paid_at = np.maximum(paid_at, DATA_START + hours(rng.uniform(9, 18, n)))
    amount = np.ceil(counts["tickets"].to_numpy() * rng.uniform(1.0, 1.3, n) / 10) * 10 * PSM_TICKET_PRICE_UAH
    last = counts.groupby("partner_id")["bucket"].transform("max").to_numpy() == counts["bucket"].to_numpy()
    skip_last = pd.Series(rng.random(len(partners)) < 0.25, index=partners["partner_id"]).loc[counts["partner_id"]].to_numpy()
    keep = ~(last & skip_last) & (paid_at < DATA_END)
    return pd.DataFrame({"partner_id": counts["partner_id"].to_numpy(dtype=object)[keep],
                         "paid_at": to_utc_series(paid_at[keep]), "amount": amount[keep].astype(float),
                         "currency": "UAH"}).sort_values(["partner_id", "paid_at"], ignore_index=True)


def _kkv_holders(partners: pd.DataFrame) -> np.ndarray:
    return np.flatnonzero(partners["kkv_level"].isin(["basic", "extended"]).to_numpy())


def kkv_points(rng: np.random.Generator, partners: pd.DataFrame) -> pd.DataFrame:
    """KKV points of basic/extended holders (seed 001 §6.1: sales, projects, marketing)."""
    holders = _kkv_holders(partners)
    per = 4 + rng.poisson(np.where(partners["kkv_level"].to_numpy()[holders] == "extended", 14, 6))
    p = np.repeat(holders, per)
    n = len(p)
    source = rng.choice(np.array(["sales", "projects", "marketing"], dtype=object), n, p=[0.5, 0.3, 0.2])
    points = np.select([source == "sales", source == "projects"],
                       [rng.integers(10, 101, n), rng.integers(20, 51, n)], rng.integers(5, 31, n))
    earned = uniform_times(rng, DATA_START, DATA_END, n)
    return pd.DataFrame({"partner_id": partners["partner_id"].to_numpy(dtype=object)[p],
                         "earned_at": to_utc_series(earned), "source": source,
                         "points": points.astype(np.int64)}).sort_values(["partner_id", "earned_at"], ignore_index=True)


def enterprise_reports(rng: np.random.Generator, partners: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """Progress reports on enterprise projects of KKV holders, every 30–60 days (seed 001 §5.5: ≤ 2 months).

    Every fourth enterprise project (and the first one of :data:`OVERDUE_REPORT_PARTNER_ID`) stopped
    reporting 70–200 days before today (2026-11-23): overdue; the others reported within
    the last 40 days of the data window.
    """
    holder_ids = partners["partner_id"].to_numpy(dtype=object)[_kkv_holders(partners)]
    first = projects[(projects["version"] == 1) & projects["partner_id"].isin(holder_ids)
                     & (projects["category"] != "other")]
    pick = rng.random(len(first)) < 0.15
    pick |= (first["partner_id"] == OVERDUE_REPORT_PARTNER_ID).to_numpy() & ~pick.any()
    ent = first[pick]
    m = len(ent)
    start = np.maximum(ent["submitted_at"].dt.tz_localize(None).to_numpy() - days(rng.uniform(60, 240, m)),
                       DATA_START + days(rng.uniform(0, 30, m)))
    overdue = np.arange(m) % 4 == 0
    demo_first = np.flatnonzero((ent["partner_id"] == OVERDUE_REPORT_PARTNER_ID).to_numpy())[:1]
    overdue[demo_first] = True
    stop = np.where(overdue, TODAY - days(rng.uniform(70, 200, m)), DATA_END - days(rng.uniform(1, 40, m)))
    stop = np.maximum(stop, start)
    step = rng.uniform(30, 60, m)
    count = np.minimum(np.floor((stop - start) / DAY / step).astype(np.int64) + 1, 40)
    row = np.repeat(np.arange(m), count)
    k = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    reported = start[row] + days(k * step[row]) + hours(rng.uniform(0, 8, len(row)))
    reported = np.minimum(reported, DATA_END - HOUR)
    progress = (k + 1) / count[row]
    done = ~overdue[row] & (progress == 1.0) & (count[row] >= 5)
    stage_idx = np.minimum((progress * (len(texts.REPORT_STAGES) - 1)).astype(int), len(texts.REPORT_STAGES) - 2)
    stage = np.where(done, "completed", np.asarray(texts.REPORT_STAGES, dtype=object)[stage_idx])
    return pd.DataFrame({"project_id": ent["project_id"].to_numpy(dtype=object)[row],
                         "reported_at": to_utc_series(reported), "stage": stage.astype(object),
                         "comment": texts.pick(rng, texts.REPORT_COMMENTS, len(row))})


def _quarter(values: np.ndarray) -> np.ndarray:
    month = values.astype("M8[M]").astype(np.int64)
    return np.where(np.isnat(values), -1, month // 3)


def saas_and_leads(rng: np.random.Generator, sc: Scale, partners: pd.DataFrame,
                   clients: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ITSaaS contracts of network competence centres and the 1cfresh leads of the quarterly TOP-10 (seed 002).

    TOP-10 of quarter q = the ten partners with most net new contracts in q − 1 (new − churned, without
    prof_promo contracts and other-promotion leads); each quarter's leads are shared equally among them.
    Converted leads become contracts with ``lead_id``.
    """
    pid = partners["partner_id"].to_numpy(dtype=object)
    ncc = np.flatnonzero(partners["network_competence_center"].to_numpy())
    w = partners["_activity"].to_numpy()[ncc].copy()
    w[pid[ncc] == COMPLAINT_PARTNER_ID] *= 4.0
    n = sc.saas_contracts
    owner = ncc[rng.choice(len(ncc), n, p=w / w.sum())]
    started = uniform_times(rng, DATA_START, DATA_END, n)
    promo = rng.choice(np.array(["none", "prof_promo", "other_promo"], dtype=object), n, p=[0.78, 0.12, 0.10])
    its = np.where(promo == "prof_promo", "prof", rng.choice(np.array(["prof", "base"], dtype=object), n, p=[0.3, 0.7]))
    churn = rng.random(n) < 0.28
    q_end = (started.astype("M8[M]") - (started.astype("M8[M]").astype(np.int64) % 3) + 3).astype("M8[ns]")
    same_quarter = churn & (rng.random(n) < 0.2)  # seed 002: churn after the trial, often within the quarter
    ended = np.where(same_quarter, started + ((q_end - started) * rng.random(n)).astype("m8[ns]"),
                     started + days(rng.exponential(240.0, n) + 14.0))
    ended = np.where(churn & (ended < DATA_END), ended, NAT)
    base = pd.DataFrame({"partner": owner, "started": started, "ended": ended, "promo": promo, "its": its,
                         "lead": None})

    # TOP-10 per quarter from the previous quarter's net new contracts
    countable = base["promo"] == "none"
    new = pd.DataFrame({"partner": owner[countable], "q": _quarter(started[countable]) + 1, "d": 1})
    gone = pd.DataFrame({"partner": owner[countable & ~np.isnat(ended)],
                         "q": _quarter(ended[countable & ~np.isnat(ended)]) + 1, "d": -1})
    net = pd.concat([new, gone]).groupby(["q", "partner"])["d"].sum().reset_index()
    net = net.sort_values(["q", "d", "partner"], ascending=[True, False, True])
    top = net.groupby("q").head(10)
    first_q, last_q = _quarter(np.array([DATA_START + 95 * DAY]))[0], _quarter(np.array([DATA_END - DAY]))[0]
    lead_parts = []
    for q in range(first_q, last_q + 1):  # one iteration per quarter
        winners = top.loc[top["q"] == q, "partner"].to_numpy()
        if len(winners) == 0:
            continue
        k = sc.leads_per_quarter
        q_start = np.datetime64(3 * int(q), "M").astype("M8[ns]")
        q_stop = min(np.datetime64(3 * int(q) + 3, "M").astype("M8[ns]"), DATA_END)
        lead_parts.append(pd.DataFrame({"partner": winners[np.arange(k) % len(winners)],
                                        "registered": uniform_times(rng, q_start, q_stop, k)}))
    leads = pd.concat(lead_parts, ignore_index=True).sort_values("registered", ignore_index=True)
    m = len(leads)
    reg = leads["registered"].to_numpy()
    welcome = reg + hours(rng.lognormal(np.log(4.0), 1.1, m))
    welcome = np.where(rng.random(m) < 0.06, NAT, welcome)
    reply = reg + hours(rng.lognormal(np.log(2.0), 1.0, m))
    converted = np.where(rng.random(m) < 0.3, reg + days(rng.uniform(14, 30, m)), NAT)
    complaint_rate = np.where(pid[leads["partner"].to_numpy()] == COMPLAINT_PARTNER_ID, 0.35, 0.03)
    welcome, reply, converted = (np.where(x >= DATA_END, NAT, x) for x in (welcome, reply, converted))
    lead_id = ids("L", np.arange(1, m + 1), 6)
    leads_frame = pd.DataFrame({
        "lead_id": lead_id, "registered_at": to_utc_series(reg), "partner_id": pid[leads["partner"].to_numpy()],
        "welcome_call_at": to_utc_series(welcome), "first_reply_at": to_utc_series(reply),
        "converted_at": to_utc_series(converted), "complaint": rng.random(m) < complaint_rate,
    })

    conv = ~np.isnat(converted)
    from_leads = pd.DataFrame({"partner": leads["partner"].to_numpy()[conv], "started": converted[conv],
                               "ended": NAT, "promo": "none", "its": "base", "lead": lead_id[conv]})
    contracts = pd.concat([base, from_leads], ignore_index=True).sort_values("started", ignore_index=True)
    c = len(contracts)
    c_owner = contracts["partner"].to_numpy()
    # a quarter of the contracts belong to a known client of the partner
    first_client = pd.Series(np.arange(len(clients)), index=clients["partner_id"].to_numpy()).groupby(level=0).min()
    client_idx = first_client.reindex(pid[c_owner]).to_numpy()
    client_id = np.where(rng.random(c) < 0.25, clients["client_id"].to_numpy(dtype=object)[client_idx], None)
    ended_c = contracts["ended"].to_numpy(dtype="M8[ns]")
    saas = pd.DataFrame({
        "contract_id": ids("SC", np.arange(1, c + 1), 6),
        "partner_id": pid[c_owner],
        "started_at": to_utc_series(contracts["started"].to_numpy(dtype="M8[ns]")),
        "client_id": client_id.astype(object),
        "its_level": contracts["its"].to_numpy(dtype=object),
        "promo": contracts["promo"].to_numpy(dtype=object),
        "lead_id": contracts["lead"].to_numpy(dtype=object),
        "ended_at": to_utc_series(ended_c),
        "churn_reason": np.where(np.isnat(ended_c), None, texts.pick(rng, texts.CHURN_REASONS, c)).astype(object),
    })
    return saas, leads_frame
