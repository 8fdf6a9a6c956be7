"""`GET /api/partners`: the public partner list a client RFP can be restricted to (seeds 000, 001).

Query parameters: ``competence=quality`` (Quality Program holders only), ``city``, ``region``,
``kkv=basic|extended|any``, ``category``, ``industry``, ``ids`` (a client's shortlist: comma-separated
partner ids, at most `MAX_IDS`). Answer: ``{"month", "count", "partners": [{id, name, city, region,
country, badges}]}`` — badges only, never a quality figure (SPEC §1, §8). `GET /api/partners/shortlist.csv`
answers exactly the same list as CSV (seed 000: «клиент может ограничить список адресатов только
участниками „Программы качества“»). Public: no log-in (`auth.guard.ANONYMOUS_PATHS`). With ``kkv`` the
list is ordered by KKV points (seed 001 §6.2), else by name.
"""
from __future__ import annotations

import re

import pandas as pd
from flask import Blueprint, Flask, Response, jsonify, request

from auth.context import current_engine
from components.i18n import current_language
from store import clock
from store.program_queries import KKV_LEVEL_FILTERS, badge_month, directory_partners

bp = Blueprint("partners_api", __name__)
PATH = "/api/partners"
CSV_PATH = "/api/partners/shortlist.csv"
MAX_PARAM = 200
MAX_IDS = 200
PARTNER_ID = re.compile(r"^[\w.\-]{1,64}$")
CSV_HEADER = {"ru": ["Партнёр", "Город", "Регион", "Страна", "Знаки"], "en": ["Partner", "City", "Region", "Country",
                                                                         "Badges"]}
BADGE_TEXT = {"ru": {"quality_program": "Программа качества", "kkv_basic": "ККВ: базовый",
                      "kkv_extended": "ККВ: расширенный"},
              "en": {"quality_program": "Quality Program", "kkv_basic": "Enterprise: basic",
                     "kkv_extended": "Enterprise: extended"}}


class BadRequest(ValueError):
    """A query parameter the API cannot use; the message is shown to the caller."""


def badges(frame: pd.DataFrame) -> pd.Series:
    """Badge list per partner: ``quality_program`` and ``kkv_basic`` / ``kkv_extended``."""
    quality = frame["quality_program"].map({True: ["quality_program"], False: []})
    kkv = frame["kkv_level"].map(lambda level: [] if level == "none" else [f"kkv_{level}"])
    return quality + kkv


def directory_query(args: dict[str, str]) -> dict:
    """Validated filters of `directory_partners` from query parameters (raises `BadRequest`)."""
    unknown = set(args) - {"competence", "city", "region", "kkv", "category", "industry", "ids"}
    if unknown:
        raise BadRequest(f"unknown parameter(s): {', '.join(sorted(unknown))}")
    if any(len(v) > MAX_PARAM for k, v in args.items() if k != "ids"):
        raise BadRequest(f"parameter values are limited to {MAX_PARAM} characters")
    competence = args.get("competence") or None
    if competence not in (None, "quality"):
        raise BadRequest("competence must be 'quality'")
    kkv = args.get("kkv") or None
    if kkv not in (None, *KKV_LEVEL_FILTERS):
        raise BadRequest(f"kkv must be one of {', '.join(KKV_LEVEL_FILTERS)}")
    return {"city": args.get("city") or None, "region": args.get("region") or None,
            "quality_only": competence == "quality", "kkv": kkv,
            "category": args.get("category") or None, "industry": args.get("industry") or None,
            "ids": shortlist_ids(args.get("ids") or "")}


def shortlist_ids(text: str) -> list[str] | None:
    """The shortlist's partner ids from ``P1,P2`` (None when empty; `BadRequest` when malformed)."""
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        return None
    if len(ids) > MAX_IDS:
        raise BadRequest(f"a shortlist holds at most {MAX_IDS} partners")
    if not all(PARTNER_ID.match(i) for i in ids):
        raise BadRequest("ids must be partner ids separated by commas")
    return list(dict.fromkeys(ids))


def shortlist(conn, filters: dict, today) -> pd.DataFrame:
    """The directory rows of `filters` (badges only), restricted to the shortlist's ids when given;
    ordered by KKV points when a KKV level is asked for (seed 001 §6.2), else by name."""
    query = {k: v for k, v in filters.items() if k != "ids"}
    frame = directory_partners(conn, today, **query)
    if filters.get("ids"):
        frame = frame[frame["partner_id"].isin(filters["ids"])]
    if filters["kkv"]:
        frame = frame.sort_values(["kkv_points", "name"], ascending=[False, True], kind="stable")
    return frame.reset_index(drop=True)


def _request_filters() -> dict | Response:
    """The request's filters, or the 400 answer with a message for bad parameters."""
    try:
        return directory_query(request.args.to_dict())
    except BadRequest as error:
        response = jsonify(error=str(error))
        response.status_code = 400
        return response


@bp.get(PATH)
def partners():
    """The filtered public partner list as JSON (400 with a message for bad parameters)."""
    filters = _request_filters()
    if isinstance(filters, Response):
        return filters
    today = clock.now()
    with current_engine().connect() as conn:
        frame = shortlist(conn, filters, today)
        month = badge_month(conn, today)
    out = pd.DataFrame({"id": frame["partner_id"], "name": frame["name"], "city": frame["city"],
                        "region": frame["region"], "country": frame["country"], "badges": badges(frame)})
    records = out.astype(object).where(out.notna(), None).to_dict("records")
    return jsonify(month=month.isoformat() if month else None, count=len(records), partners=records)


@bp.get(CSV_PATH)
def partners_csv():
    """Exactly the list of `partners()` as a CSV file (UTF-8 with BOM for Excel, `;`-separated)."""
    filters = _request_filters()
    if isinstance(filters, Response):
        return filters
    with current_engine().connect() as conn:
        frame = shortlist(conn, filters, clock.now())
    lang = current_language()
    badge_lines = badges(frame).map(lambda codes: ", ".join(BADGE_TEXT[lang][c] for c in codes))
    out = pd.DataFrame({"name": frame["name"], "city": frame["city"], "region": frame["region"],
                        "country": frame["country"], "badges": badge_lines})
    out.columns = CSV_HEADER[lang]
    body = "\ufeff" + out.to_csv(index=False, sep=";", lineterminator="\r\n")
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=partners-shortlist.csv"})


def register_partner_api(server: Flask) -> None:
    """Add the route to `server` (public: the path is in `auth.guard.ANONYMOUS_PATHS`)."""
    server.register_blueprint(bp)
