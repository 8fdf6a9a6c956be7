"""Deterministic demo data for every input kind of SPEC §3.

``generate(scale, seed)`` returns one DataFrame per kind, columns exactly as SPEC §3, timestamps
tz-aware UTC (``work_date`` and ``kkv_valid_until`` are dates: naive ``datetime64[ns]`` at midnight).
Data window 2023-01-01 .. 2026-11-15; "today" is 2026-11-23. Everything is vectorized numpy: the
only Python loops run over a handful of groups (calendars, quarters, designed cases), never per row.

Rules built into the data (constants below name the rows that exercise them):

1. Privacy groups (SPEC §8): Новосибирск has exactly 20 partners (:data:`CITY_20`, incl. the demo
   partner), Томск exactly 4 (:data:`CITY_4`), Омск exactly 1 (:data:`CITY_1`); all three are in
   «Сибирский ФО», so the city → region fallback is visible. ``region`` = federal district for RU,
   oblast for KZ/UA (see :mod:`demo.geo`). A few KZ (Asia/Almaty) and UA (Europe/Kyiv) partners.
2. Demo partner :data:`DEMO_PARTNER_ID` (login ``partner``): most projects, surveys, tickets,
   a PSM deposit, network competence centre, a project transferred to it.
3. Quality Program competence on :data:`~demo.clock.COMPETENCE_DATE` (seed 000): keys purchased in
   [2025-09-01, 2026-09-01) and activated; :data:`QP_ABOVE_PARTNER_ID` covers 13/25 keys (52 %),
   :data:`QP_EXACT_PARTNER_ID` 10/20 (50 %, held), :data:`QP_BELOW_PARTNER_ID` 12/25 (48 %);
   :data:`ZERO_KEYS_PARTNER_IDS` have no keys at all. Non-activated and out-of-window keys exist too.
4. Monitor tests: passed / failed / manual (every manual test has a comment); re-submitted versions
   2, 3 (and 4); projects transferred to another partner (``transferred_from``), including one into
   the demo partner.
5. Surveys: mostly 4–5, ~4 % empty answers per question, Russian comments on about a third.
6. Tickets: psm (60–70 % faster resolution, seed 003) and classic service, four channels (phone only for
   priority 1), kinds and types (complex with subtasks, rework with estimate and due_at), priority and
   line, assignee of that line, consistent times (created ≤ accepted ≤ resolved ≤ closed), open tickets
   at the end of the window, enhancement stage timestamps, seasonality (New Year holidays and summer low,
   Q4 high, weekends low, working Saturdays normal). :data:`SPECIAL_TICKET_IDS` span the working Saturday
   2024-04-27 and the New Year holidays.
7. Pauses: waiting_production («БП», seed 003) mostly on rework/bug, waiting_client, other; some still
   paused at the end of the window (``resumed_at`` empty).
8. Seed 004: :data:`DETERIORATING_CLIENT_ID` (managed by login ``manager``) — in the last 2 weeks before
   2026-11-15 development hours jump from ~20 % to ~80 % with priority 1–2 development, while incident
   resolution on lines 2–3 grows ~4× vs the 3 previous 2-week periods. Medium/large have more such clients
   (:func:`deteriorating_client_ids`).
9. Worklog (support / development hours), staff on lines 1–3, UAH deposits of PSM partners
   (180 UAH per ticket), KKV points, enterprise progress reports (some overdue > 2 months,
   :data:`OVERDUE_REPORT_PARTNER_ID`), partners whose KKV expires within 14 days of today
   (:data:`KKV_EXPIRING_PARTNER_IDS`), ITSaaS contracts (prof_promo, other_promo, churn with reasons,
   churn within the starting quarter), leads of the quarterly TOP-10 with welcome calls, first replies,
   conversion and complaints (:data:`COMPLAINT_PARTNER_ID`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo import geo, texts
from demo.clock import (
    DATA_END, DATA_START, DAY, HOUR, days, hours, to_utc_series, uniform_times,
)


@dataclass(frozen=True)
class Scale:
    """Row counts of one demo scale (``project_versions`` … ``worklog`` are exact)."""

    partners: int
    cities: int
    clients: int
    project_versions: int
    surveys: int
    tickets: int
    pauses: int
    worklog: int
    staff: int
    managers: int
    saas_contracts: int
    leads_per_quarter: int
    deteriorating_clients: int


SCALES: dict[str, Scale] = {
    "small": Scale(60, 16, 400, 3_000, 2_500, 20_000, 5_000, 40_000, 30, 8, 1_200, 40, 1),
    "medium": Scale(600, 120, 4_000, 30_000, 25_000, 200_000, 50_000, 400_000, 120, 40, 12_000, 200, 3),
    "large": Scale(5_000, 300, 50_000, 200_000, 150_000, 2_000_000, 500_000, 4_000_000, 600, 300,
                   60_000, 1_000, 5),
}

DEMO_PARTNER_ID = "P0001"
CITY_20, CITY_4, CITY_1 = "Новосибирск", "Томск", "Омск"
QP_ABOVE_PARTNER_ID, QP_BELOW_PARTNER_ID, QP_EXACT_PARTNER_ID = "P0002", "P0003", "P0004"
ZERO_KEYS_PARTNER_IDS: tuple[str, ...] = ("P0005", "P0030")
KKV_EXPIRING_PARTNER_IDS: tuple[str, ...] = ("P0026", "P0027")
OVERDUE_REPORT_PARTNER_ID = "P0026"
COMPLAINT_PARTNER_ID = "P0007"
DETERIORATING_CLIENT_ID = "C00001"
#: Client of the hand-made tickets around the working Saturday and the New Year holidays.
SPECIAL_TICKETS_CLIENT_ID = "C00002"
DEMO_MANAGER_LOGIN = "manager"
#: Clients managed by the demo login ``manager`` (includes the deteriorating one).
DEMO_MANAGER_CLIENT_IDS: tuple[str, ...] = ("C00001", "C00002", "C00003", "C00011", "C00021", "C00031")
#: Fixed cities of the first partners: 20 in Новосибирск, 1 in Омск, 4 in Томск, then KZ and UA.
_FIXED_CITIES: tuple[str, ...] = (CITY_20,) * 20 + (CITY_1,) + (CITY_4,) * 4 + ("Алматы", "Астана", "Киев", "Харьков")
#: (partner, keys in the competence window, keys covered by a submitted project) — seed 000, 50 % rule.
QP_DESIGNED: tuple[tuple[str, int, int], ...] = ((QP_ABOVE_PARTNER_ID, 25, 13), (QP_BELOW_PARTNER_ID, 25, 12),
                                                 (QP_EXACT_PARTNER_ID, 20, 10))
_HEAD_CITIES: tuple[str, ...] = ("Москва", "Санкт-Петербург", "Екатеринбург", "Казань", "Краснодар",
                                 "Нижний Новгород", "Самара", "Ростов-на-Дону", "Алматы", "Астана", "Киев", "Харьков")


def deteriorating_client_ids(scale: str) -> tuple[str, ...]:
    """IDs of the seed-004 deteriorating clients of a scale (the first is :data:`DETERIORATING_CLIENT_ID`)."""
    n = SCALES[scale].deteriorating_clients
    return tuple(f"C{1 + 10 * i:05d}" for i in range(n))


def ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Format integer ``numbers`` as string IDs, e.g. ``ids("P", [1], 4) -> ["P0001"]``."""
    return (prefix + pd.Series(np.asarray(numbers)).astype(str).str.zfill(width)).to_numpy(dtype=object)


# --------------------------------------------------------------------------- partners and clients

def _choose_cities(rng: np.random.Generator, n_cities: int) -> np.ndarray:
    fixed = {CITY_20, CITY_4, CITY_1}
    pool = geo.CITIES.loc[~geo.CITIES["city"].isin(fixed), "city"].to_numpy(dtype=object)
    head = np.asarray(_HEAD_CITIES, dtype=object)
    rest = rng.permutation(pool[~np.isin(pool, head)])
    return np.concatenate([head, rest])[: max(n_cities - 3, len(head))]


def _partners(rng: np.random.Generator, sc: Scale) -> pd.DataFrame:
    n = sc.partners
    pool = _choose_cities(rng, sc.cities)
    n_free = n - (len(_FIXED_CITIES) - 4)
    # every pool city gets one partner first (when there are enough), the rest follow a Zipf law
    first = pool[: min(n_free, len(pool))]
    zipf = 1.0 / np.arange(1, len(pool) + 1) ** 0.9
    rest = rng.choice(pool, size=n_free - len(first), p=zipf / zipf.sum())
    free_cities = np.concatenate([first, rest])
    free_cities[: 4] = np.asarray(_FIXED_CITIES[-4:], dtype=object)  # KZ and UA partners P0026..P0029
    city = np.concatenate([np.asarray(_FIXED_CITIES[:-4], dtype=object), free_cities])
    city_info = geo.CITIES.set_index("city").loc[city]

    combos = np.asarray([f"{p} «{w}»" for p in texts.PARTNER_PREFIXES for w in texts.PARTNER_WORDS], dtype=object)
    order = rng.permutation(len(combos))
    k = np.arange(n)
    name = combos[order[k % len(combos)]]
    name = np.where(k >= len(combos), name + " " + (k // len(combos) + 1).astype(str), name)

    country = city_info["country"].to_numpy(dtype=object)
    pid = ids("P", np.arange(1, n + 1), 4)
    ncc = (country == "RU") & (rng.random(n) < 0.3)
    ncc[[0, 6]] = True  # demo partner and the complaint partner are network competence centres (seed 002)
    level_draw = rng.random(n)
    kkv_p = np.where(country == "KZ", 0.7, 0.06)  # seed 001 is the KZ programme; a few RU holders too
    kkv_level = np.where(level_draw < kkv_p * 0.5, "extended", np.where(level_draw < kkv_p, "basic", "none"))
    kkv_level = kkv_level.astype(object)
    valid = (np.datetime64("2026-11-23", "ns") + days(rng.uniform(-90, 365, n))).astype("M8[D]").astype("M8[ns]")
    designed_kkv = {"P0026": ("extended", "2026-12-01"), "P0027": ("basic", "2026-12-05"),
                    "P0006": ("extended", "2027-06-30")}
    for p, (lvl, until) in designed_kkv.items():
        i = int(p[1:]) - 1
        if i < n:
            kkv_level[i], valid[i] = lvl, np.datetime64(until, "ns")
    valid = np.where(kkv_level == "none", np.datetime64("NaT", "ns"), valid)

    frame = pd.DataFrame({
        "partner_id": pid,
        "name": name,
        "city": city,
        "region": city_info["region"].to_numpy(dtype=object),
        "country": country,
        "network_competence_center": ncc,
        "kkv_level": kkv_level,
        "kkv_valid_until": pd.to_datetime(valid),
    })
    # internal attributes (dropped before returning): activity, PSM subscription, quality, QP propensity
    activity = rng.lognormal(0.0, 0.7, n)
    activity[0] *= 6.0  # demo partner has rich data
    activity[np.isin(kkv_level, ["basic", "extended"])] *= 2.0
    frame["_activity"] = activity
    psm = (country == "UA") | (rng.random(n) < 0.2)
    psm[0] = True
    frame["_psm"] = psm
    frame["_quality"] = rng.normal(0.0, 0.35, n) + np.where(np.arange(n) == 0, 0.15, 0.0)
    frame["_link_rate"] = rng.beta(5, 2.5, n)
    frame["_tz"] = city_info["timezone"].to_numpy(dtype=object)
    return frame


def _clients(rng: np.random.Generator, sc: Scale, partners: pd.DataFrame, det_ids: tuple[str, ...]) -> pd.DataFrame:
    n, n_p = sc.clients, len(partners)
    w = partners["_activity"].to_numpy()
    owner = np.concatenate([np.arange(n_p), rng.choice(n_p, n - n_p, p=w / w.sum())])
    owner.sort()  # clients numbered partner by partner, so C00001 belongs to P0001
    p_city = partners["city"].to_numpy(dtype=object)[owner]
    p_country = partners["country"].to_numpy(dtype=object)[owner]
    same_country_city = geo.CITIES.groupby("country")["city"].agg(list)
    other_city = p_city.copy()
    move = rng.random(n) < 0.15
    for country, cities in same_country_city.items():
        m = move & (p_country == country)
        other_city[m] = np.asarray(cities, dtype=object)[rng.integers(0, len(cities), int(m.sum()))]
    form = np.empty(n, dtype=object)
    for country, forms in texts.CLIENT_FORMS.items():
        m = p_country == country
        form[m] = texts.pick(rng, forms, int(m.sum()))
    word = texts.pick(rng, texts.CLIENT_WORDS, n)
    dup = pd.Series(form + word).groupby(form + word).cumcount().to_numpy()
    name = form + " «" + np.where(dup > 0, word + " " + (dup + 1).astype(str), word) + "»"

    cid = ids("C", np.arange(1, n + 1), 5)
    managers = ids("manager", np.arange(1, sc.managers + 1), 1)
    manager = np.where(rng.random(n) < 0.85, managers[rng.integers(0, sc.managers, n)], None).astype(object)
    manager[np.isin(cid, DEMO_MANAGER_CLIENT_IDS + det_ids)] = DEMO_MANAGER_LOGIN
    calendar = pd.Series(p_country).map(geo.COUNTRY_CALENDAR).to_numpy(dtype=object)
    calendar[rng.random(n) < 0.06] = "24x7"
    users = np.maximum(1, rng.lognormal(np.log(25), 1.0, n)).astype(np.int64)
    is_det = np.isin(cid, det_ids)
    calendar[is_det | (cid == SPECIAL_TICKETS_CLIENT_ID)] = "RU"  # seed 004 meetings are judged in working hours of the Russian calendar
    users[is_det] = 60
    return pd.DataFrame({
        "client_id": cid,
        "name": name,
        "partner_id": partners["partner_id"].to_numpy(dtype=object)[owner],
        "city": np.where(move, other_city, p_city),
        "users": users,
        "service_manager": manager,
        "calendar": calendar,
        "sla_policy": np.where(rng.random(n) < 0.15, "premium", "default").astype(object),
    })


# --------------------------------------------------------------------------- keys, projects, tests

def _designed_keys(rng: np.random.Generator, partners: pd.DataFrame) -> pd.DataFrame:
    """Hand-built keys of the Quality Program boundary partners (seed 000: 14..2 months, ≥ 50 %)."""
    parts = []
    win_start, win_end = np.datetime64("2025-09-01", "ns"), np.datetime64("2026-09-01", "ns")
    for pid, n_keys, covered in QP_DESIGNED:
        if pid not in set(partners["partner_id"]):
            continue
        purchased = np.sort(uniform_times(rng, win_start, win_end - 20 * DAY, n_keys))
        activated = purchased + days(rng.uniform(1, 15, n_keys))
        # first `covered` keys → submitted projects; two more → failed projects; the rest unlinked
        link = np.where(np.arange(n_keys) < covered, 1, np.where(np.arange(n_keys) < covered + 2, -1, 0))
        extra_purchased = np.concatenate([uniform_times(rng, win_start, win_end, 3),  # in window, never activated
                                          uniform_times(rng, np.datetime64("2024-01-10", "ns"),
                                                        np.datetime64("2025-06-01", "ns"), 4)])
        extra_activated = np.concatenate([np.full(3, np.datetime64("NaT", "ns")),
                                          extra_purchased[3:] + days(rng.uniform(1, 10, 4))])
        parts.append(pd.DataFrame({
            "partner": int(pid[1:]) - 1,
            "purchased_at": np.concatenate([purchased, extra_purchased]),
            "activated_at": np.concatenate([activated, extra_activated]),
            "link": np.concatenate([link, [0, 0, 0, 1, 1, 0, 0]]),
        }))
    return pd.concat(parts, ignore_index=True)


def _keys_and_projects(rng: np.random.Generator, sc: Scale, partners: pd.DataFrame,
                       clients: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    n_p = len(partners)
    designed = _designed_keys(rng, partners)
    designed_versions = int((designed["link"] != 0).sum())
    target = sc.project_versions - designed_versions

    # random keys: partners by activity, except the designed and zero-key partners
    w = partners["_activity"].to_numpy().copy()
    excluded = np.isin(partners["partner_id"], [d[0] for d in QP_DESIGNED] + list(ZERO_KEYS_PARTNER_IDS))
    w[excluded] = 0.0
    n_keys = int(target / 1.3 / 0.62 * 1.05)
    owner = rng.choice(n_p, n_keys, p=w / w.sum())
    purchased = uniform_times(rng, DATA_START, DATA_END - 5 * DAY, n_keys)
    activated = purchased + days(rng.exponential(12.0, n_keys) + 0.2)
    activated = np.where(rng.random(n_keys) < 0.08, np.datetime64("NaT", "ns"), activated)
    activated = np.where(activated >= DATA_END, np.datetime64("NaT", "ns"), activated)
    linked = ~np.isnat(activated) & (rng.random(n_keys) < partners["_link_rate"].to_numpy()[owner])
    keys = pd.concat([designed, pd.DataFrame({
        "partner": owner, "purchased_at": purchased, "activated_at": activated, "link": linked.astype(int)})],
        ignore_index=True)
    keys = keys.sort_values("purchased_at", kind="stable").reset_index(drop=True)
    keys["key"] = ids("LK", np.arange(1, len(keys) + 1), 7)

    # projects: one per linked key; version counts; designed ones have exactly one version
    is_designed_partner = np.isin(keys["partner"].to_numpy(), [int(d[0][1:]) - 1 for d in QP_DESIGNED])
    proj_keys = keys.index[keys["link"] != 0].to_numpy()
    designed_proj = is_designed_partner[proj_keys]
    n_proj = len(proj_keys)
    counts = np.where(designed_proj, 1, rng.choice([1, 2, 3, 4], n_proj, p=[0.72, 0.19, 0.07, 0.02]))
    # trim/extend random projects so the number of versions is exact
    rand_idx = np.flatnonzero(~designed_proj)
    cum = np.cumsum(counts[rand_idx])
    keep = cum <= target
    if cum[-1] > target:
        cut = int(keep.sum())
        if cut < len(rand_idx):
            counts[rand_idx[cut]] = target - (cum[cut - 1] if cut else 0)
            keep[cut] = counts[rand_idx[cut]] > 0
        counts[rand_idx[~keep]] = 0
    else:
        extra = rng.choice(rand_idx, target - cum[-1])
        counts += np.bincount(extra, minlength=n_proj)
    dropped = proj_keys[counts == 0]
    keys.loc[dropped, "link"] = 0
    proj_keys, counts, designed_proj = proj_keys[counts > 0], counts[counts > 0], designed_proj[counts > 0]
    n_proj = len(proj_keys)
    project_id = ids("PRJ", np.arange(1, n_proj + 1), 6)
    keys["project_id"] = None
    keys.loc[proj_keys, "project_id"] = project_id

    key_rows = keys.loc[proj_keys]
    owner_p = key_rows["partner"].to_numpy()
    act = key_rows["activated_at"].to_numpy()
    first = act + days(rng.gamma(2.0, 25.0, n_proj))
    first = np.where(designed_proj, act + days(rng.uniform(5, 40, n_proj)), first)
    late = first >= DATA_END - DAY
    first[late] = uniform_times(rng, act[late], DATA_END - DAY, int(late.sum()))

    # version rows
    proj_of_row = np.repeat(np.arange(n_proj), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    version = np.arange(len(proj_of_row)) - starts + 1
    gap = np.where(version == 1, 0.0, rng.uniform(90, 420, len(proj_of_row)))
    cum = np.cumsum(gap)
    cum_gap = cum - np.repeat(cum[np.cumsum(counts) - counts], counts)  # gap of version 1 is 0
    submitted = first[proj_of_row] + days(cum_gap)
    over = submitted >= DATA_END
    submitted[over] = uniform_times(rng, first[proj_of_row][over], DATA_END - HOUR, int(over.sum()))
    order = np.lexsort((submitted, proj_of_row))
    submitted = submitted[order]  # versions stay in date order within a project

    # transfers (seed 000: a transferred project may be submitted again by the new partner)
    multi = np.flatnonzero((counts >= 2) & ~designed_proj)
    transferred = multi[rng.random(len(multi)) < 0.08]
    into_demo = multi[(owner_p[multi] != 0) & ~np.isin(multi, transferred)][:1]
    transferred = np.concatenate([into_demo, transferred])
    new_owner = np.full(n_proj, -1)
    choices = rng.choice(n_p, len(transferred), p=w / w.sum())
    new_owner[transferred] = np.where(choices == owner_p[transferred], (choices + 1) % n_p, choices)
    if len(into_demo):
        new_owner[into_demo] = 0
    row_new = new_owner[proj_of_row]
    after_transfer = (row_new >= 0) & (version >= 2)
    row_partner = np.where(after_transfer, row_new, owner_p[proj_of_row])

    # client: a random client of the original partner
    c_partner = pd.Series(np.arange(len(clients)), index=clients["partner_id"].to_numpy())
    pid = partners["partner_id"].to_numpy(dtype=object)
    c_start = c_partner.groupby(level=0).min().reindex(pid).to_numpy()
    c_count = c_partner.groupby(level=0).size().reindex(pid).to_numpy()
    proj_client = c_start[owner_p] + (rng.random(n_proj) * c_count[owner_p]).astype(int)

    country = partners["country"].to_numpy(dtype=object)[owner_p]
    tld = pd.Series(country).map({"RU": "ru", "KZ": "kz", "UA": "com.ua"}).to_numpy(dtype=object)
    site = "https://www.site" + pd.Series(np.arange(1, n_proj + 1)).astype(str).to_numpy(dtype=object) + "." + tld
    phone_prefix = pd.Series(country).map({"RU": "+7 9", "KZ": "+7 70", "UA": "+380 6"}).to_numpy(dtype=object)
    digits = pd.Series(rng.integers(0, 10**9, n_proj)).astype(str).str.zfill(9)
    phone = phone_prefix + np.where(country == "RU", digits, digits.str[1:]).astype(object)
    category = rng.choice(np.array(["eshop", "corporate", "intranet", "crm", "other"], dtype=object), n_proj,
                          p=[0.35, 0.33, 0.11, 0.11, 0.10])
    projects = pd.DataFrame({
        "project_id": project_id[proj_of_row],
        "partner_id": pid[row_partner],
        "submitted_at": to_utc_series(submitted),
        "version": version.astype(np.int64),
        "client_id": clients["client_id"].to_numpy(dtype=object)[proj_client][proj_of_row],
        "site_url": site[proj_of_row],
        "category": category[proj_of_row],
        "industry": texts.pick(rng, texts.INDUSTRIES, n_proj)[proj_of_row],
        "license_key": keys.loc[proj_keys, "key"].to_numpy(dtype=object)[proj_of_row],
        "transferred_from": np.where(after_transfer, pid[owner_p[proj_of_row]], None).astype(object),
        "contact_name": texts.person_names(rng, n_proj)[proj_of_row],
        "contact_phone": phone[proj_of_row],
    })
    # submitted flag per version: designed keys decide; others follow the partner's quality
    link_of_proj = key_rows["link"].to_numpy()
    p_ok = np.clip(0.9 + 0.15 * partners["_quality"].to_numpy()[row_partner], 0.55, 0.99)
    ok = rng.random(len(projects)) < p_ok
    ok = np.where(designed_proj[proj_of_row], link_of_proj[proj_of_row] == 1, ok)
    projects["_submitted"] = ok

    license_keys = pd.DataFrame({
        "key": keys["key"].to_numpy(dtype=object),
        "partner_id": pid[keys["partner"].to_numpy()],
        "purchased_at": to_utc_series(keys["purchased_at"].to_numpy()),
        "activated_at": to_utc_series(keys["activated_at"].to_numpy()),
        "project_id": keys["project_id"].to_numpy(dtype=object),
    })
    return license_keys, projects, _monitor_tests(rng, projects)


def _monitor_tests(rng: np.random.Generator, projects: pd.DataFrame) -> pd.DataFrame:
    """Eight monitor tests per version; a version is submitted iff none failed (seed 000)."""
    n, t = len(projects), len(texts.MONITOR_TESTS)
    result = np.where(rng.random((n, t)) < 0.94, "passed", "manual").astype(object)
    not_ok = ~projects["_submitted"].to_numpy()
    failed = (rng.random((n, t)) < 0.12) & not_ok[:, None]
    failed[np.arange(n), rng.integers(0, t, n)] |= not_ok
    result[failed] = "failed"
    comment = np.where(result == "manual", texts.pick(rng, texts.MANUAL_COMMENTS, n * t).reshape(n, t), None)
    return pd.DataFrame({
        "project_id": np.repeat(projects["project_id"].to_numpy(dtype=object), t),
        "version": np.repeat(projects["version"].to_numpy(), t),
        "test": np.tile(np.asarray(texts.MONITOR_TESTS, dtype=object), n),
        "result": result.ravel(),
        "comment": comment.ravel().astype(object),
    })


# --------------------------------------------------------------------------- surveys

_QUESTIONS = ("q_business_goals", "q_design", "q_dev_quality", "q_managers", "q_budget", "q_speed",
              "q_recommend_partner", "q_platform_usability", "q_platform_features", "q_recommend_platform")


def _surveys(rng: np.random.Generator, sc: Scale, projects: pd.DataFrame, partners: pd.DataFrame) -> pd.DataFrame:
    submitted = projects["submitted_at"].dt.tz_localize(None).to_numpy()
    eligible = np.flatnonzero(projects["_submitted"].to_numpy() & (submitted < DATA_END - 7 * DAY))
    n = min(sc.surveys, len(eligible))
    chosen = np.sort(rng.choice(eligible, n, replace=False))
    sub = submitted[chosen]
    room = (DATA_END - sub) / DAY - 1.0
    surveyed = sub + days(np.minimum(7.0 + rng.uniform(0, 53, n), room))
    surveyed = surveyed.astype("M8[D]").astype("M8[ns]") + hours(rng.uniform(7, 15, n))  # 10:00–18:00 MSK

    p_idx = pd.Series(np.arange(len(partners)), index=partners["partner_id"]).loc[
        projects["partner_id"].to_numpy()[chosen]].to_numpy()
    partner_effect = partners["_quality"].to_numpy()[p_idx]
    respondent = rng.normal(0.0, 0.45, n)
    answers = {}
    for q in _QUESTIONS:
        platform = q.startswith("q_platform") or q == "q_recommend_platform"
        base = 4.3 if platform else (3.95 if q == "q_budget" else 4.35)
        latent = base + (0.0 if platform else partner_effect) + respondent * (0.5 if platform else 1.0)
        score = np.clip(np.rint(latent + rng.normal(0.0, 0.6, n)), 1, 5)
        empty = rng.random(n) < (0.1 if q == "q_budget" else 0.04)  # «Сложно сказать» left empty
        answers[q] = pd.array(np.where(empty, np.nan, score), dtype="Int64")
    mean = np.nanmean(np.column_stack([np.asarray(a, dtype=float) for a in answers.values()]), axis=1)
    pool = np.where(mean >= 4.2, 0, np.where(mean <= 3.2, 2, 1))
    texts_by_pool = [texts.pick(rng, t, n) for t in (texts.SURVEY_POSITIVE, texts.SURVEY_NEUTRAL, texts.SURVEY_NEGATIVE)]
    comment = np.choose(pool, texts_by_pool)
    comment = np.where(rng.random(n) < 0.35, comment, None).astype(object)
    frame = pd.DataFrame({
        "survey_id": ids("S", np.arange(1, n + 1), 7),
        "project_id": projects["project_id"].to_numpy(dtype=object)[chosen],
        "surveyed_at": to_utc_series(surveyed),
        "version": projects["version"].to_numpy()[chosen],
    })
    for q, a in answers.items():
        frame[q] = a
    frame["comment"] = comment
    return frame


def _staff(rng: np.random.Generator, sc: Scale) -> pd.DataFrame:
    n = sc.staff
    line = np.repeat([1, 2, 3], [n // 2, n * 3 // 10, n - n // 2 - n * 3 // 10]).astype(np.int64)
    return pd.DataFrame({"staff": ids("sup", np.arange(1, n + 1), 4), "line": line,
                         "name": texts.person_names(rng, n)})


# --------------------------------------------------------------------------- public API

def generate(scale: str = "small", seed: int = 42) -> dict[str, pd.DataFrame]:
    """Generate the demo data set.

    Parameters
    ----------
    scale : {"small", "medium", "large"}
        Row counts from :data:`SCALES` (large = SPEC §9).
    seed : int
        Seed of the numpy generator; the same seed gives identical frames.

    Returns
    -------
    dict[str, pandas.DataFrame]
        One frame per SPEC §3 kind, columns exactly as SPEC §3, timestamps tz-aware UTC.
    """
    from demo.programs import deposits, enterprise_reports, kkv_points, saas_and_leads
    from demo.tickets import tickets_pauses_worklog

    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    sc = SCALES[scale]
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(10)]
    det_ids = deteriorating_client_ids(scale)
    partners = _partners(streams[0], sc)
    clients = _clients(streams[1], sc, partners, det_ids)
    license_keys, projects, monitor_tests = _keys_and_projects(streams[2], sc, partners, clients)
    surveys = _surveys(streams[3], sc, projects, partners)
    staff = _staff(streams[4], sc)
    tickets, pauses, worklog = tickets_pauses_worklog(streams[5], sc, partners, clients, staff, det_ids)
    frames = {
        "partners": partners,
        "clients": clients,
        "projects": projects,
        "monitor_tests": monitor_tests,
        "license_keys": license_keys,
        "surveys": surveys,
        "tickets": tickets,
        "ticket_pauses": pauses,
        "worklog": worklog,
        "staff": staff,
        "deposits": deposits(streams[6], partners, tickets),
        "kkv_points": kkv_points(streams[7], partners),
        "enterprise_reports": enterprise_reports(streams[8], partners, projects),
    }
    frames["saas_contracts"], frames["leads"] = saas_and_leads(streams[9], sc, partners, clients)
    return {kind: f.drop(columns=[c for c in f.columns if c.startswith("_")]).reset_index(drop=True)
            for kind, f in frames.items()}


