"""Write demo frames as the input files of SPEC §3 (``<kind>.csv``, UTF-8, comma).

Timestamps are ISO 8601 with the offset of a local zone (``2024-04-27T10:15:00+03:00``): tickets and
pauses in the zone of the client's calendar, partner-related kinds in the zone of the partner's country
(RU Europe/Moscow, KZ Asia/Almaty, UA Europe/Kyiv). Dates (``work_date``, ``kkv_valid_until``) are
``YYYY-MM-DD``; empty cells mean "no value" (open ticket, unanswered question, still paused).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from demo.clock import utc_to_local
from demo.geo import CALENDAR_TIMEZONES

COUNTRY_TIMEZONES: dict[str, str] = {"RU": "Europe/Moscow", "KZ": "Asia/Almaty", "UA": "Europe/Kyiv"}


def iso_with_offset(values: pd.Series, timezones: np.ndarray) -> np.ndarray:
    """Format tz-aware UTC ``values`` as local ISO 8601 strings with ``±HH:MM`` offsets; NaT → ``""``."""
    utc = values.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="M8[ns]")
    local = utc_to_local(utc, timezones)
    missing = np.isnat(utc)
    minutes = np.where(missing, 0, (local - utc).astype("m8[m]").astype(np.int64))
    labels = {m: f"{'+' if m >= 0 else '-'}{abs(m) // 60:02d}:{abs(m) % 60:02d}" for m in np.unique(minutes)}
    offset = pd.Series(minutes).map(labels).to_numpy(dtype=object)
    text = np.datetime_as_string(local.astype("M8[s]"), unit="s").astype(object)
    return np.where(missing, "", text + offset)


def _zones(frames: dict[str, pd.DataFrame]) -> dict[str, np.ndarray]:
    partner_tz = frames["partners"].set_index("partner_id")["country"].map(COUNTRY_TIMEZONES)
    client_tz = frames["clients"].set_index("client_id")["calendar"].map(CALENDAR_TIMEZONES)
    project_partner = frames["projects"].drop_duplicates("project_id").set_index("project_id")["partner_id"]
    ticket_client = frames["tickets"].set_index("ticket_id")["client_id"]

    def by(keys: pd.Series, table: pd.Series) -> np.ndarray:
        return keys.map(table).fillna("UTC").to_numpy(dtype=object)

    zones = {kind: by(frames[kind]["partner_id"], partner_tz)
             for kind in ("partners", "projects", "license_keys", "deposits", "kkv_points", "saas_contracts", "leads")}
    zones["tickets"] = by(frames["tickets"]["client_id"], client_tz)
    zones["ticket_pauses"] = by(frames["ticket_pauses"]["ticket_id"].map(ticket_client), client_tz)
    for kind in ("surveys", "enterprise_reports"):
        zones[kind] = by(frames[kind]["project_id"].map(project_partner), partner_tz)
    return zones


def write_csv(frames: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """Write every frame to ``out_dir/<kind>.csv`` and return the paths written.

    Parameters
    ----------
    frames : dict[str, pandas.DataFrame]
        Output of :func:`demo.generate` (tz-aware UTC timestamps).
    out_dir : str or Path
        Target folder, created when missing.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    zones = _zones(frames)
    paths = []
    for kind, frame in frames.items():
        text = frame.copy()
        for col in frame.columns:
            if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
                text[col] = iso_with_offset(frame[col], zones.get(kind, np.full(len(frame), "UTC", dtype=object)))
            elif pd.api.types.is_datetime64_dtype(frame[col]):
                text[col] = frame[col].dt.strftime("%Y-%m-%d").fillna("")
        path = out / f"{kind}.csv"
        text.to_csv(path, index=False, encoding="utf-8", na_rep="")
        paths.append(path)
    return paths
