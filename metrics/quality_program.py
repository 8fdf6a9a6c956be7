"""Quality Program (seed 000): monitor submissions, points ledger, monthly competence.

Decisions the seed leaves open (each is also stated where it is coded):

* A new version of a project submitted by the *same* partner ends that partner's points for the
  previous version of the project at the moment of the new submission and starts a fresh year
  ("баллы действуют 1 год с момента такой сдачи"): a project carries at most one live award per
  partner, so re-submitting cannot stack points.
* A submission by *another* partner (a transferred project) never shortens the first partner's
  points ("Баллы первого партнера сохраняются").
* Competence coverage counts a key only when the key's project was submitted by the *same partner*
  that bought the key: the rule measures how many of "своих проектов" the partner itself submits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.program_dates import DateLike, month_starts, utc_series, utc_timestamp

PROJECT_KEY = ["project_id", "version"]
COMPETENCE_SHARE = 0.5  # seed 000: "не менее 50% своих проектов"
WINDOW_FROM_MONTHS = 14  # seed 000: keys bought "от 14ти до 2х месяцев назад"
WINDOW_TO_MONTHS = 2
POINTS_VALIDITY = pd.DateOffset(years=1)  # seed 000: "Баллы действуют 1 год"


def _project_versions(projects: pd.DataFrame) -> pd.DataFrame:
    """Projects with `version` defaulted to 1 (SPEC §3) and `submitted_at` in UTC."""
    out = projects.copy()
    version = out["version"] if "version" in out else pd.Series(1, index=out.index)
    out["version"] = pd.to_numeric(version).fillna(1).astype("int64")
    out["submitted_at"] = utc_series(out["submitted_at"])
    for optional in ("transferred_from", "license_key"):
        if optional not in out:
            out[optional] = pd.NA
    return out


def monitor_status(projects: pd.DataFrame, monitor_tests: pd.DataFrame) -> pd.DataFrame:
    """Monitor verdict for every project version.

    A version is submitted when it has at least one test and every test is ``passed`` or
    ``manual`` with a non-empty comment (seed 000: some tests may be passed "вручную" with a
    comment explaining why the automatic test cannot pass).

    Parameters
    ----------
    projects : DataFrame
        SPEC §3 `projects` rows.
    monitor_tests : DataFrame
        SPEC §3 `monitor_tests` rows (`project_id, version, test, result, comment`).

    Returns
    -------
    DataFrame
        The project rows plus `tests` (count), `failed`, `manual_without_comment`,
        `submitted` (bool) and `reason`: ``submitted``, ``no_tests``, ``failed_tests``,
        ``manual_without_comment`` or ``unknown_result``.
    """
    versions = _project_versions(projects)
    tests = monitor_tests.copy()
    tests["version"] = pd.to_numeric(tests["version"]).fillna(1).astype("int64")
    result = tests["result"].astype("string").str.strip().str.lower()
    comment = tests["comment"] if "comment" in tests else pd.Series(pd.NA, index=tests.index)
    has_comment = comment.astype("string").str.strip().fillna("").str.len() > 0
    tests["is_failed"] = result.eq("failed").fillna(False)
    tests["is_bare_manual"] = (result.eq("manual") & ~has_comment).fillna(False)
    tests["is_ok"] = (result.eq("passed") | (result.eq("manual") & has_comment)).fillna(False)
    per_version = tests.groupby(PROJECT_KEY).agg(
        tests=("test", "size"),
        failed=("is_failed", "sum"),
        manual_without_comment=("is_bare_manual", "sum"),
        ok=("is_ok", "sum"),
    )
    out = versions.merge(per_version, left_on=PROJECT_KEY, right_index=True, how="left")
    counts = ["tests", "failed", "manual_without_comment", "ok"]
    out[counts] = out[counts].fillna(0).astype("int64")
    out["submitted"] = (out["tests"] > 0) & (out["ok"] == out["tests"])
    out["reason"] = np.select(
        [out["submitted"], out["tests"] == 0, out["failed"] > 0, out["manual_without_comment"] > 0],
        ["submitted", "no_tests", "failed_tests", "manual_without_comment"],
        default="unknown_result",
    )
    return out.drop(columns="ok")


def submitted_versions(projects: pd.DataFrame, monitor_tests: pd.DataFrame) -> pd.DataFrame:
    """Project versions accepted by the quality monitor (see `monitor_status`).

    Returns
    -------
    DataFrame
        `project_id, version, partner_id, submitted_at, transferred_from, license_key, tests`;
        the submission date is the project version's `submitted_at` (UTC).
    """
    status = monitor_status(projects, monitor_tests)
    columns = [*PROJECT_KEY, "partner_id", "submitted_at", "transferred_from", "license_key", "tests"]
    return status.loc[status["submitted"], columns].reset_index(drop=True)


def points_ledger(
    projects: pd.DataFrame, submitted: pd.DataFrame, points_per_version: float = 1
) -> pd.DataFrame:
    """One award of Quality Program points per submitted project version.

    ``expires_at = min(earned_at + 1 year, next submission of the same project by the same
    partner)``. seed 000: points are valid 1 year; a re-submission (next version) restarts the
    year — the previous award of that partner for that project ends at the re-submission; a
    transferred project may be submitted again by the new partner, and the first partner's points
    stay until they expire.

    Parameters
    ----------
    projects : DataFrame
        SPEC §3 `projects` (source of `partner_id`, `submitted_at`, `transferred_from`).
    submitted : DataFrame
        Submitted versions, at least `project_id, version` (e.g. `submitted_versions`).
    points_per_version : float
        Points per submitted version (default 1).

    Returns
    -------
    DataFrame
        `partner_id, project_id, version, earned_at, expires_at, points, reason, end_reason`;
        `reason` is ``first_submission``, ``new_version`` or ``transfer`` (the partner's first
        submission of a project that came from another partner); `end_reason` is ``expired``
        (1 year passed) or ``superseded`` (a newer version of the same partner).
    """
    versions = _project_versions(projects)[[*PROJECT_KEY, "partner_id", "submitted_at", "transferred_from"]]
    keys = submitted[PROJECT_KEY].astype({"version": "int64"}).drop_duplicates()
    rows = keys.merge(versions, on=PROJECT_KEY, how="inner")
    rows = rows.sort_values(["project_id", "submitted_at", "version"], kind="stable").reset_index(drop=True)
    earned = rows["submitted_at"]
    one_year = earned + POINTS_VALIDITY
    by_partner_project = rows.groupby(["partner_id", "project_id"], sort=False)
    next_same_partner = by_partner_project["submitted_at"].shift(-1)
    superseded = next_same_partner.notna() & (next_same_partner < one_year)
    first_of_partner = by_partner_project.cumcount() == 0
    first_of_project = rows.groupby("project_id", sort=False).cumcount() == 0
    reason = np.select(
        [~first_of_partner, first_of_project & rows["transferred_from"].isna()],
        ["new_version", "first_submission"],
        default="transfer",
    )
    return pd.DataFrame(
        {
            "partner_id": rows["partner_id"],
            "project_id": rows["project_id"],
            "version": rows["version"],
            "earned_at": earned,
            "expires_at": one_year.where(~superseded, next_same_partner),
            "points": points_per_version,
            "reason": reason,
            "end_reason": np.where(superseded, "superseded", "expired"),
        }
    )


def points_balance(ledger: pd.DataFrame, at: DateLike) -> pd.DataFrame:
    """Live Quality Program points per partner at instant `at`.

    An award is live when ``earned_at <= at < expires_at``.

    Returns
    -------
    DataFrame
        `partner_id, points, next_expires_at` (earliest expiry among live awards, NaT if none),
        one row per partner of the ledger, partners without live points at 0.
    """
    moment = utc_timestamp(at)
    live = ledger[(ledger["earned_at"] <= moment) & (ledger["expires_at"] > moment)]
    totals = live.groupby("partner_id").agg(points=("points", "sum"), next_expires_at=("expires_at", "min"))
    partners = pd.Index(ledger["partner_id"].unique(), name="partner_id")
    out = totals.reindex(partners)
    out["points"] = out["points"].fillna(0)
    return out.reset_index()


@dataclass(frozen=True)
class _KeyTable:
    """License keys as int64 nanosecond arrays; a missing instant is `_NEVER` (never reached)."""

    partners: pd.Index
    partner_code: np.ndarray
    purchased: np.ndarray
    activated: np.ndarray
    covered_since: np.ndarray


_NEVER = np.iinfo("int64").max


def _nanoseconds(values: pd.Series) -> np.ndarray:
    return np.where(values.isna(), _NEVER, values.to_numpy(dtype="int64", na_value=0))


def _key_table(license_keys: pd.DataFrame, submitted: pd.DataFrame) -> _KeyTable:
    """Keys with `covered_since`: first submission of the key's project by the key's own partner.

    A key is linked to a project by `license_keys.project_id` or by `projects.license_key`.
    """
    keys = license_keys.copy()
    activated = keys["activated_at"] if "activated_at" in keys else pd.Series(pd.NaT, index=keys.index)
    if "project_id" not in keys:
        keys["project_id"] = pd.NA
    subs = submitted.assign(submitted_at=utc_series(submitted["submitted_at"]))
    by_project = subs.groupby(["partner_id", "project_id"])["submitted_at"].min()
    covered_since = pd.Series(
        by_project.reindex(pd.MultiIndex.from_arrays([keys["partner_id"], keys["project_id"]])).array,
        index=keys.index,
    )
    if "license_key" in subs and subs["license_key"].notna().any():
        by_key = (
            subs.dropna(subset=["license_key"]).groupby(["partner_id", "license_key"])["submitted_at"].min()
        )
        via_key = by_key.reindex(pd.MultiIndex.from_arrays([keys["partner_id"], keys["key"]])).array
        covered_since = pd.concat([covered_since, pd.Series(via_key, index=keys.index)], axis=1).min(axis=1)
    codes, partners = pd.factorize(keys["partner_id"], sort=True)
    return _KeyTable(
        partners=pd.Index(partners, name="partner_id"),
        partner_code=codes,
        purchased=_nanoseconds(utc_series(keys["purchased_at"])),
        activated=_nanoseconds(utc_series(activated)),
        covered_since=_nanoseconds(utc_series(covered_since)),
    )


def _competence_month(keys: _KeyTable, d: pd.Timestamp) -> pd.DataFrame:
    """Competence decision of every partner on day `d`."""
    # seed 000: activated keys bought "за период от 14ти до 2х месяцев назад": [d-14m, d-2m)
    window_start = d - pd.DateOffset(months=WINDOW_FROM_MONTHS)
    window_end = d - pd.DateOffset(months=WINDOW_TO_MONTHS)
    counted = (
        (keys.purchased >= window_start.value)
        & (keys.purchased < window_end.value)
        & (keys.activated <= d.value)
    )
    covered = counted & (keys.covered_since < d.value)
    n_partners = len(keys.partners)
    out = pd.DataFrame(
        {
            "partner_id": keys.partners,
            "month": d,
            "keys": np.bincount(keys.partner_code[counted], minlength=n_partners),
            "covered": np.bincount(keys.partner_code[covered], minlength=n_partners),
        }
    )
    out["share"] = (out["covered"] / out["keys"].where(out["keys"] > 0)).astype("float64")
    # integer test of covered/keys >= 50 %, free of float rounding
    out["held"] = (out["keys"] > 0) & (2 * out["covered"] >= out["keys"])
    out["window_start"] = window_start
    out["window_end"] = window_end
    return out


def competence_on(d: DateLike, license_keys: pd.DataFrame, submitted: pd.DataFrame) -> pd.DataFrame:
    """Quality Program competence of every partner on day `d` (seed 000: decided on the 1st).

    keys = the partner's keys with ``purchased_at`` in [d − 14 months, d − 2 months) and
    ``activated_at <= d``; covered = those whose project the same partner submitted through the
    monitor before `d`; held iff ``keys > 0`` and ``covered / keys >= 50 %``.

    Returns
    -------
    DataFrame
        `partner_id, month, keys, covered, share` (NaN when keys = 0), `held`,
        `window_start, window_end`; one row per partner that owns any key.
    """
    return _competence_month(_key_table(license_keys, submitted), utc_timestamp(d))


def competence_history(
    license_keys: pd.DataFrame, submitted: pd.DataFrame, start: DateLike, end: DateLike
) -> pd.DataFrame:
    """Monthly competence decisions for every 1st of a month in [start, end].

    seed 000: "Присвоение/снятие компетенции производится автоматически 1го числа каждого месяца".
    `status` compares with the decision one month earlier (computed even before `start`):
    ``assigned`` (gained), ``kept``, ``revoked`` (lost) or ``none``.

    Returns
    -------
    DataFrame
        `competence_on` columns plus `status`, sorted by month then partner.
    """
    keys = _key_table(license_keys, submitted)
    months = month_starts(start, end)
    if months.empty:
        empty = _competence_month(keys, utc_timestamp(start)).iloc[:0]
        return empty.assign(status=pd.Series(dtype=str))
    previous = months[0] - pd.DateOffset(months=1)
    decisions = [_competence_month(keys, d) for d in months.insert(0, previous)]
    frames = []
    for before, now in zip(decisions, decisions[1:]):
        was = before["held"].to_numpy()
        held = now["held"].to_numpy()
        status = np.select([held & ~was, held & was, ~held & was], ["assigned", "kept", "revoked"], "none")
        frames.append(now.assign(status=status))
    return pd.concat(frames, ignore_index=True)


def near_threshold(history: pd.DataFrame, month: DateLike, band: float = 0.1) -> pd.DataFrame:
    """Partners whose coverage share in `month` is within `band` of the 50 % threshold.

    ``margin = covered − ceil(keys / 2)``: ≥ 0 is how many covered keys the partner may lose and
    still hold the competence; < 0 is how many more covered keys it needs.

    Returns
    -------
    DataFrame
        The history rows of that month with ``keys > 0`` and ``|share − 0.5| <= band``, plus
        `margin`, closest to the threshold first.
    """
    d = utc_timestamp(month)
    rows = history[(history["month"] == d) & (history["keys"] > 0)]
    distance = (rows["share"] - COMPETENCE_SHARE).abs()
    rows = rows.assign(margin=rows["covered"] - (rows["keys"] + 1) // 2, distance=distance)
    rows = rows[rows["distance"] <= band + 1e-12]
    return rows.sort_values(["distance", "partner_id"]).drop(columns="distance").reset_index(drop=True)
