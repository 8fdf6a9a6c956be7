"""`GET /api/partners`: the public partner list a client RFP can be restricted to (seeds 000, 001).

Query parameters: ``competence=quality`` (Quality Program holders only), ``city``, ``region``,
``kkv=basic|extended|any``, ``category``, ``industry``. Answer: ``{"month", "count", "partners":
[{id, name, city, region, country, badges}]}`` — badges only, never a quality figure (SPEC §1, §8).
Public: no log-in (`auth.guard.PUBLIC_PATHS`). With ``kkv`` the list is ordered by KKV points
(seed 001 §6.2), else by name.
"""
from __future__ import annotations

import pandas as pd
from flask import Blueprint, Flask, jsonify, request

from auth.context import current_engine
from store.program_queries import KKV_LEVEL_FILTERS, badge_month, directory_partners
from store import clock

bp = Blueprint("partners_api", __name__)
PATH = "/api/partners"
MAX_PARAM = 200


class BadRequest(ValueError):
    """A query parameter the API cannot use; the message is shown to the caller."""


def badges(frame: pd.DataFrame) -> pd.Series:
    """Badge list per partner: ``quality_program`` and ``kkv_basic`` / ``kkv_extended``."""
    quality = frame["quality_program"].map({True: ["quality_program"], False: []})
    kkv = frame["kkv_level"].map(lambda level: [] if level == "none" else [f"kkv_{level}"])
    return quality + kkv


def directory_query(args: dict[str, str]) -> dict:
    """Validated filters of `directory_partners` from query parameters (raises `BadRequest`)."""
    unknown = set(args) - {"competence", "city", "region", "kkv", "category", "industry"}
    if unknown:
        raise BadRequest(f"unknown parameter(s): {', '.join(sorted(unknown))}")
    if any(len(v) > MAX_PARAM for v in args.values()):
        raise BadRequest(f"parameter values are limited to {MAX_PARAM} characters")
    competence = args.get("competence") or None
    if competence not in (None, "quality"):
        raise BadRequest("competence must be 'quality'")
    kkv = args.get("kkv") or None
    if kkv not in (None, *KKV_LEVEL_FILTERS):
        raise BadRequest(f"kkv must be one of {', '.join(KKV_LEVEL_FILTERS)}")
    return {"city": args.get("city") or None, "region": args.get("region") or None,
            "quality_only": competence == "quality", "kkv": kkv,
            "category": args.get("category") or None, "industry": args.get("industry") or None}


@bp.get(PATH)
def partners():
    """The filtered public partner list as JSON (400 with a message for bad parameters)."""
    try:
        filters = directory_query(request.args.to_dict())
    except BadRequest as error:
        response = jsonify(error=str(error))
        response.status_code = 400
        return response
    today = clock.now()
    with current_engine().connect() as conn:
        frame = directory_partners(conn, today, **filters)
        month = badge_month(conn, today)
    if filters["kkv"]:
        frame = frame.sort_values(["kkv_points", "name"], ascending=[False, True], kind="stable")
    out = pd.DataFrame({"id": frame["partner_id"], "name": frame["name"], "city": frame["city"],
                        "region": frame["region"], "country": frame["country"], "badges": badges(frame)})
    records = out.astype(object).where(out.notna(), None).to_dict("records")
    return jsonify(month=month.isoformat() if month else None, count=len(records), partners=records)


def register_partner_api(server: Flask) -> None:
    """Add the route to `server` (public: the path is in `auth.guard.PUBLIC_PATHS`)."""
    server.register_blueprint(bp)
