"""Anonymized comparison of a partner with its city / region / country (seed 000, SPEC §8).

seed 000: «Никакие данные о качестве проектов не будут опубликованы публично… Будет возможность
сравнить свои показатели со средними по городу/региону (если это не приведет к раскрытию данных)».

Rules of SPEC §8, applied to the group of *other* partners (the viewer is always excluded):

* level fallback city → region → country;
* a group is shown only with ≥ 5 other partners that have answers, ≥ 30 answers and no single
  partner holding more than 50 % of the answers;
* only fixed windows: a calendar quarter ``"2024Q2"`` or the trailing 12 months ending with a
  quarter ``"ttm:2024Q2"``; values rounded (CSAT and NPS to whole numbers, mean to 0.1).

Two further rules make the promise hold against subtraction of views (a partner can request every
window and every metric):

* **Quarter cells.** Sliding 12-month windows can be subtracted from each other down to single
  quarters (ttm:Q − ttm:Q−1 = quarter Q − quarter Q−4, and the chain ends where data starts), so a
  window is shown only if *every* quarter inside it with answers passes the three thresholds on its
  own. Then every published number is a sum of quarter cells that would be publishable alone.
* **One level per viewer and question.** If one window showed Omsk and another Siberia, subtracting
  would reveal "Siberia minus Omsk" (perhaps one partner in Tomsk). So the level is chosen once per
  (viewer, question): the lowest level whose group, over the reference window — the 12 months
  ending with the latest quarter in the data, taken as one aggregate — passes the three
  thresholds; every window of that question is then shown at that level or withheld.

Under these rules every number a partner can see about a question is a linear combination of
quarter cells of one fixed group of other partners, each cell passing the thresholds, so no
combination isolates a single partner. New data can change the level the reference check picks;
so the level a window was first shown at is frozen (`frozen`, stored with the rollup) and a later
load can only withhold that window, never show it at another level.

* **Secondary suppression** (issue 18, coalitions of two partners). An Omsk partner shown Siberia and
  a Novosibirsk partner shown Novosibirsk know both sums (adding back their own answers), so together
  they know Siberia − Novosibirsk − Omsk: perhaps three Tomsk partners. For every pair of levels shown
  together, in every quarter of the last two years (`suppression_quarters`, whatever the window asked),
  that complement must be empty or pass the three thresholds (`_complement_conflicts`); otherwise the
  finer group's viewers move up a level, or are withheld when their level is frozen.

Every partner of the country is evaluated even for one viewer (who is shown what decides the
suppression), and several windows and metrics are evaluated in one pass (`comparison_groups_metrics`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.survey import (
    QUESTIONS,
    RECOMMEND_QUESTIONS,
    SCALE_COLUMN,
    Scheme,
    infer_scale,
    promoter_detractor_masks,
    quarter_label,
    top_box_mask,
)

LEVELS: tuple[str, ...] = ("city", "region", "country")
MIN_PARTNERS = 5
MIN_ANSWERS = 30
MAX_PARTNER_SHARE = 0.5

COUNTRY_NAMES: dict[str, tuple[str, str]] = {
    "RU": ("Россия", "Russia"), "BY": ("Беларусь", "Belarus"), "KZ": ("Казахстан", "Kazakhstan"),
    "UA": ("Украина", "Ukraine"), "UZ": ("Узбекистан", "Uzbekistan"), "KG": ("Киргизия", "Kyrgyzstan"),
    "AM": ("Армения", "Armenia"), "GE": ("Грузия", "Georgia"), "AZ": ("Азербайджан", "Azerbaijan"),
    "MD": ("Молдова", "Moldova"),
}
_UNKNOWN = {"city": ("город не указан", "city not set"), "region": ("регион не указан", "region not set"),
            "country": ("страна не указана", "country not set")}
_FAILURES = {  # status -> (ru, en) with {g} = group name
    "partners": (f"меньше {MIN_PARTNERS} партнёров в группе «{{g}}»", f"fewer than {MIN_PARTNERS} partners in {{g}}"),
    "answers": (f"меньше {MIN_ANSWERS} ответов в группе «{{g}}»", f"fewer than {MIN_ANSWERS} answers in {{g}}"),
    "dominance": ("один партнёр даёт больше половины ответов в группе «{g}»",
                  "one partner holds more than half of the answers in {g}"),
    "empty": ("нет ответов в группе «{g}»", "no answers in {g}"),
    # secondary suppression: the group is shown to others with a larger group around it
    "complement": ("группа «{g}» не показана: вычтя её из более крупной группы, можно было бы узнать данные "
                   "других партнёров", "{g} not shown: subtracting it from a larger group would reveal "
                   "other partners' data"),
    # a level frozen when the window was first shown (the finer group passes today)
    "frozen": ("группа «{g}» не показана: уровень сравнения за этот период закреплён при первом показе",
               "{g} not shown: this window keeps the level it was first shown at"),
}
_SUMS = ["n", "total", "top", "promoters", "detractors"]
# the windows a page offers (fixed, SPEC §8) and what the partner page compares
WINDOWS: tuple[str, ...] = ("quarter", "ttm")
PROJECT_QUESTIONS = [c for c, question in QUESTIONS.items()
                     if question.about == "project" and c not in RECOMMEND_QUESTIONS]


@dataclass(frozen=True)
class Window:
    """A fixed comparison window: one quarter, or the 4 quarters of a trailing 12 months."""

    window_id: str
    quarters: tuple[str, ...]
    trailing: bool


def parse_window(window: str) -> Window:
    """Parse ``"2024Q2"`` or ``"ttm:2024Q2"``; anything else (free ranges, filters) → ValueError."""
    match = re.fullmatch(r"(ttm:)?(\d{4})Q([1-4])", window) if isinstance(window, str) else None
    if match is None:
        raise ValueError(f"unsupported comparison window {window!r}: use a quarter like '2024Q2' "
                         "or trailing 12 months like 'ttm:2024Q2'")
    end = pd.Period(f"{match[2]}Q{match[3]}", freq="Q")
    quarters = tuple(str(end - k) for k in (3, 2, 1, 0)) if match[1] else (str(end),)
    return Window(window, quarters, bool(match[1]))


SUPPRESSION_QUARTERS = 8  # the reference year and the year before it


def suppression_quarters(latest: str | None) -> tuple[str, ...]:
    """The quarters secondary suppression checks: the two years ending with the latest quarter in the data.

    The same for every window asked (a level that depended on the window would let one viewer subtract
    a region window from a city window), and they hold both windows a page offers (the last complete
    quarter and its trailing year), so callers pass counts of these quarters at least.
    """
    if latest is None:
        return ()
    end = pd.Period(latest, freq="Q")
    return tuple(str(end - k) for k in range(SUPPRESSION_QUARTERS - 1, -1, -1))


def window_id(window: str, as_of: pd.Timestamp) -> str:
    """The `metrics.privacy` window id of a page window, anchored on the last complete quarter before `as_of`.

    ``quarter`` = that quarter ("2026Q3"); ``ttm`` = the trailing 12 months ending with it ("ttm:2026Q3",
    four quarters). A quarter still in progress is left out of both: its few answers would be noisy, and
    metrics.privacy withholds a 12-month comparison while any quarter inside it is too thin — for weeks
    after every quarter starts. The running quarter still shows in the quarterly trend.

    Raises
    ------
    ValueError
        for any other window: free date ranges are not offered (SPEC §8, subtraction of views).
    """
    if window not in WINDOWS:
        raise ValueError(f"unknown window {window!r}: use one of {', '.join(WINDOWS)}")
    last_complete = str(pd.Timestamp(as_of).tz_convert("UTC").tz_localize(None).to_period("Q") - 1)
    return last_complete if window == "quarter" else f"ttm:{last_complete}"


def comparison_metrics() -> list[tuple[str, str]]:
    """(metric id, question): NPS of both recommend questions, CSAT of the six project questions."""
    return [*((f"nps:{c}", c) for c in RECOMMEND_QUESTIONS), *((f"csat:{c}", c) for c in PROJECT_QUESTIONS)]


# a shown answer count is a band, never the exact number: an exact count next to a rounded
# percentage gives back the numerator (issue 18: 45 % of shown figures did)
ANSWER_BANDS: tuple[tuple[int, str], ...] = ((100, "100+"), (50, "50–99"), (MIN_ANSWERS, f"{MIN_ANSWERS}–49"))


def answer_band(n: int) -> str:
    """The band an answer count is shown in: «30–49», «50–99», «100+» (below 30 nothing is shown: «<30»)."""
    return next((label for floor, label in ANSWER_BANDS if n >= floor), f"<{MIN_ANSWERS}")


def answer_band_floor(n: np.ndarray) -> np.ndarray:
    """The floor of each count's band (30, 50, 100; 0 below 30): ``answer_band(floor) == answer_band(n)``."""
    n = np.asarray(n)
    return np.select([n >= floor for floor, _ in ANSWER_BANDS], [floor for floor, _ in ANSWER_BANDS], 0)


def parse_metric(metric: str) -> tuple[str, str]:
    """``"csat:<question>"``, ``"mean:<question>"`` or ``"nps:<recommend question>"`` → (kind, question)."""
    kind, _, question = metric.partition(":") if isinstance(metric, str) else ("", "", "")
    allowed = RECOMMEND_QUESTIONS if kind == "nps" else tuple(QUESTIONS) if kind in ("csat", "mean") else ()
    if question not in allowed:
        raise ValueError(f"unsupported comparison metric {metric!r}")
    return kind, question


def _round_half_up(values: np.ndarray, decimals: int) -> np.ndarray:
    scale = 10.0**decimals
    return np.sign(values) * np.floor(np.abs(values) * scale + 0.5) / scale


def _partner_quarter_cells(answers: pd.DataFrame, question: str, scheme: Scheme) -> pd.DataFrame:
    """Per (partner_id, quarter): answered n, sum of values, top-box, promoters, detractors."""
    a = answers[answers[question].notna()]
    values = a[question].to_numpy(dtype=float)
    if question not in RECOMMEND_QUESTIONS:
        scale = "5"
    elif SCALE_COLUMN in a.columns:
        scale = a[SCALE_COLUMN].astype(str).to_numpy()
    else:
        scale = infer_scale(values)
    promoters, detractors = promoter_detractor_masks(values, scheme, scale)
    rows = pd.DataFrame({
        "partner_id": a["partner_id"].to_numpy(), "quarter": quarter_label(a["surveyed_at"]).to_numpy(),
        "n": 1, "total": values, "top": top_box_mask(values, scale), "promoters": promoters,
        "detractors": detractors,
    })
    return rows.groupby(["partner_id", "quarter"], as_index=False)[_SUMS].sum()


def cells_from_counts(counts: pd.DataFrame, question: str, scheme: Scheme = "top1") -> pd.DataFrame:
    """`_partner_quarter_cells` from answer counts (``partner_id, quarter, question, scale, answer, answers``,
    the shape of `survey_rollup`): each distinct answer value is classified once and weighted by its count,
    so a comparison never expands counts back into one row per answer.

    Or from answer sums per partner × quarter × question (``partner_id, quarter, question, answers, total, top,
    promoters_top1, detractors_top1, promoters_top2, detractors_top2``, the shape of `survey_question_rollup`,
    which sums the same classification in the database): the cells are those rows renamed."""
    if "answer" not in counts.columns:
        sums = counts[counts["question"] == question]
        return pd.DataFrame({
            "partner_id": sums["partner_id"].to_numpy(), "quarter": sums["quarter"].to_numpy(),
            "n": sums["answers"].to_numpy(dtype=np.int64), "total": sums["total"].to_numpy(dtype=float),
            "top": sums["top"].to_numpy(dtype=np.int64), "promoters": sums[f"promoters_{scheme}"].to_numpy(dtype=np.int64),
            "detractors": sums[f"detractors_{scheme}"].to_numpy(dtype=np.int64),
        })[["partner_id", "quarter", *_SUMS]]
    c = counts[counts["question"] == question]
    values = c["answer"].to_numpy(dtype=float)
    weight = c["answers"].to_numpy(dtype=np.int64)
    scale = c["scale"].astype(str).to_numpy() if question in RECOMMEND_QUESTIONS else "5"
    promoters, detractors = promoter_detractor_masks(values, scheme, scale)
    rows = pd.DataFrame({
        "partner_id": c["partner_id"].to_numpy(), "quarter": c["quarter"].to_numpy(),
        "n": weight, "total": values * weight, "top": top_box_mask(values, scale) * weight,
        "promoters": promoters * weight, "detractors": detractors * weight,
    })
    return rows.groupby(["partner_id", "quarter"], as_index=False)[_SUMS].sum()


def _group_quarter_cells(cells: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per (``group``, ``quarter``): sums, partners with answers, the two largest partner counts and the largest's
    partner.

    The cells sorted by group, quarter and count (largest first) make each group cell a run: its first two rows
    are the largest (numpy, not a pandas groupby with idxmax and a second groupby for the runner-up)."""
    group, quarter, n = cells["group"].to_numpy(dtype=float), cells["quarter"].to_numpy(), cells["n"].to_numpy()
    order = _sort_order(group, quarter, -n)
    starts = _run_starts(group[order], quarter[order])
    sizes = np.diff(np.append(starts, len(order)))
    agg = {"group": group[order][starts], "quarter": quarter[order][starts]}
    for column in _SUMS:
        values = cells[column].to_numpy()[order]
        agg[column] = np.add.reduceat(values, starts) if len(values) else values
    agg["n_partners"] = sizes
    agg["max1_n"] = n[order][starts]
    agg["max1_partner"] = cells["partner_id"].to_numpy()[order][starts]
    agg["max2_n"] = np.where(sizes > 1, n[order][np.minimum(starts + 1, len(order) - 1)], 0)
    return agg


def _viewer_cells(viewers: pd.DataFrame, group_cells: dict[str, np.ndarray], cells: pd.DataFrame,
                  quarters: tuple[int, ...]) -> dict[str, np.ndarray]:
    """Per (viewer, quarter), viewer-major and `quarters` in order: the viewer's group cell without the viewer
    (`_SUMS`, ``n_partners``) and its status.

    Arrays, not a frame: a viewer's quarters are then a row of ``values.reshape(viewers, quarters)``, so a window
    or the suppression quarters are a slice of columns (`_evaluate_window`), with no isin or groupby.

    Inside a prepared problem partner ids and group codes are dense integers (`prepare_comparison`) and quarters
    integer codes, so both cells are looked up by position in code × quarter arrays (`_dense_take`), not by a
    two-level index (a country of 35 k viewers × 9 quarters: 0.25 s of reindexing per level)."""
    n_quarters = len(quarters)
    partner = np.repeat(viewers["partner_id"].to_numpy(), n_quarters)
    group = np.repeat(viewers["group"].to_numpy(), n_quarters)
    quarter = np.tile(np.asarray(quarters), len(viewers))
    cell = _dense_take(group_cells["group"], group_cells["quarter"],
                       {c: np.asarray(group_cells[c], dtype=float) for c in [*_SUMS, "n_partners", "max1_n", "max2_n",
                                                                             "max1_partner"]},
                       group, quarter, quarters)
    own = _dense_take(cells["partner_id"].to_numpy(), cells["quarter"].to_numpy(),
                      {c: cells[c].to_numpy(dtype=float) for c in _SUMS}, partner, quarter, quarters)
    own = {column: np.nan_to_num(values, nan=0.0) for column, values in own.items()}
    grid = {column: np.nan_to_num(cell[column], nan=0.0) - own[column] for column in _SUMS}
    grid["n_partners"] = np.nan_to_num(cell["n_partners"], nan=0.0) - (own["n"] > 0)
    viewer_is_max = cell["max1_partner"] == partner
    max_other = np.where(viewer_is_max, np.nan_to_num(cell["max2_n"], nan=0.0), np.nan_to_num(cell["max1_n"], nan=0.0))
    n = grid["n"]
    grid["status"] = np.select(
        [n == 0, grid["n_partners"] < MIN_PARTNERS, n < MIN_ANSWERS, max_other > MAX_PARTNER_SHARE * n],
        ["empty", "partners", "answers", "dominance"], default="ok",
    )
    return grid


def _dense_take(codes: np.ndarray, at_quarters: np.ndarray, values: dict[str, np.ndarray], wanted: np.ndarray,
                wanted_quarters: np.ndarray, quarters: tuple[int, ...]) -> dict[str, np.ndarray]:
    """`values` of the rows keyed (`codes`, `at_quarters`) at the keys (`wanted`, `wanted_quarters`): NaN where no
    row has that key (as a reindex gives). Codes are non-negative integers (NaN: no group, never found); only
    quarters among `quarters` are looked up."""
    n_quarters = len(quarters)
    position = pd.Index(quarters)

    def slots(code: np.ndarray, quarter: np.ndarray) -> np.ndarray:
        code = np.asarray(code, dtype=float)
        q = position.get_indexer(quarter)
        ok = ~np.isnan(code) & (q >= 0)
        return np.where(ok, np.nan_to_num(code, nan=0.0).astype(np.int64) * n_quarters + q, -1)

    stored, asked = slots(codes, at_quarters), slots(wanted, wanted_quarters)
    size = int(max(stored.max(initial=-1), asked.max(initial=-1))) + 1
    out = {}
    for column, column_values in values.items():
        dense = np.full(size + 1, np.nan)  # the last slot stays NaN: where -1 (no key) points
        dense[stored[stored >= 0]] = column_values[stored >= 0]
        out[column] = dense[np.where(asked >= 0, asked, size)]
    return out


def _evaluate_window(state: _Level, window: Window) -> dict[str, np.ndarray]:
    """Per viewer: the window's sums without the viewer, status, the failing quarter (``fail_at``: its position in
    the window, −1 when none fails) and the partners with answers in the window, the viewer excluded.

    The window is a slice of the columns of the viewers × quarters grid (`_viewer_cells`); the first failing
    column is the earliest failing quarter. Partner ids and group codes are dense integers (`prepare_comparison`),
    so the partners per group are a bincount (pandas isin, drop_duplicates and groupby took 0.18 s of a
    `large` refresh)."""
    n_viewers = len(state.viewers)
    columns = np.flatnonzero(np.isin(np.asarray(state.quarters), window.quarters))
    grid = {column: values.reshape(n_viewers, len(state.quarters))[:, columns]
            for column, values in state.per_quarter.items() if column in (*_SUMS, "status")}
    result = {column: grid[column].sum(axis=1) for column in _SUMS}
    failing = np.isin(grid["status"], ("partners", "answers", "dominance"))
    fails = failing.any(axis=1)
    first = failing.argmax(axis=1)
    result["status"] = np.where(fails, grid["status"][np.arange(n_viewers), first],
                                np.where(result["n"] > 0, "ok", "empty"))
    result["fail_at"] = np.where(fails, first, -1)
    cells = state.cells
    answering = np.zeros(n_viewers, dtype=bool)
    answering[cells["partner_id"].to_numpy()[np.isin(cells["quarter"].to_numpy(), window.quarters)]] = True
    group = state.viewers["group"].to_numpy(dtype=float)
    known = ~np.isnan(group)
    code = np.where(known, group, 0).astype(np.int64)
    per_group = np.bincount(code[answering], minlength=code.max(initial=-1) + 1)
    result["n_partners"] = np.where(known, per_group[code], 0) - answering
    return result


def _evaluate_whole(viewers: pd.DataFrame, cells: pd.DataFrame, quarters: tuple[str, ...]) -> np.ndarray:
    """Per viewer (in order): status of the group over ``quarters`` taken as one aggregate (level choice)."""
    in_span = np.isin(cells["quarter"].to_numpy(), quarters)
    # a partner is in one group: its cells are summed by partner (a bincount, not a groupby)
    partners, first, at = np.unique(cells["partner_id"].to_numpy()[in_span], return_index=True, return_inverse=True)
    whole = pd.DataFrame({"partner_id": partners, "group": cells["group"].to_numpy()[in_span][first],
                          "quarter": _WHOLE, **{column: np.bincount(at, weights=cells[column].to_numpy()[in_span],
                                                                    minlength=len(partners)) for column in _SUMS}})
    return _viewer_cells(viewers, _group_quarter_cells(whole), whole, (_WHOLE,))["status"]


def _group_names(level: str, groups: pd.Series, labels: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Names of group codes (`labels`: code -> the group's value in the partners' table); a country's name is
    looked up once per group, not per viewer."""
    if level != "country":
        names = groups.map(labels).to_numpy(dtype=object)
        return names, names
    ru = labels.map(lambda code: COUNTRY_NAMES.get(code, (code, code))[0])
    en = labels.map(lambda code: COUNTRY_NAMES.get(code, (code, code))[1])
    return groups.map(ru).to_numpy(dtype=object), groups.map(en).to_numpy(dtype=object)


def _failure_text(status: np.ndarray, name_ru: np.ndarray, name_en: np.ndarray, level: str,
                  quarter: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Reason phrases per viewer ('' where status is ok; `quarter`: where given, the phrase names it)."""
    statuses, codes = np.unique(status, return_inverse=True)
    ru = np.full(len(codes), "", dtype=object)
    en = np.full(len(codes), "", dtype=object)
    for code, name in enumerate(statuses):
        rows = codes == code
        if name in _FAILURES:
            tmpl_ru, tmpl_en = _FAILURES[name]
            ru[rows] = _formatted(tmpl_ru, name_ru[rows])
            en[rows] = _formatted(tmpl_en, name_en[rows])
        elif name == "unknown":
            ru[rows], en[rows] = _UNKNOWN[level]
    if quarter is not None:
        q = np.asarray(quarter, dtype=object)
        dated = pd.notna(q) & (ru != "")
        ru[dated] = ru[dated] + " в " + q[dated].astype(str)
        en[dated] = en[dated] + " in " + q[dated].astype(str)
    return ru, en


def _formatted(template: str, groups: np.ndarray) -> np.ndarray:
    """``template.format(g=group)`` per row, formatted once per distinct group (a country's viewers share a few
    hundred groups: 366 k formats took 0.17 s of a `large` comparison)."""
    codes, uniques = pd.factorize(groups, use_na_sentinel=False)
    return np.array([template.format(g=g) for g in uniques], dtype=object)[codes]


def _value(kind: str, sums: Mapping[str, np.ndarray]) -> np.ndarray:
    n = np.asarray(sums["n"], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "mean":
            return _round_half_up(np.asarray(sums["total"], dtype=float) / n, 1)
        if kind == "csat":
            return _round_half_up(100.0 * np.asarray(sums["top"], dtype=float) / n, 0)
        return _round_half_up(100.0 * np.asarray(sums["promoters"] - sums["detractors"], dtype=float) / n, 0)


def _join(parts: list[np.ndarray]) -> np.ndarray:
    """'; '-join of the non-empty phrases per row (only rows with a phrase to add are touched)."""
    joined = np.array(parts[0], dtype=object)
    for text in parts[1:]:
        rows = text != ""
        head = joined[rows]
        joined[rows] = np.where(head != "", head + "; " + text[rows], text[rows])
    return joined


@dataclass
class _Level:
    """One level, independent of the window asked: the per-viewer reference check and texts, and every
    viewer's group cell per quarter (`per_quarter`, `_viewer_cells` rows, viewer-major)."""

    name: str
    cells: pd.DataFrame  # cells with the viewer's group at this level (`group`)
    viewers: pd.DataFrame  # partner_id, group
    quarters: tuple[int, ...]  # the quarters of `per_quarter`, in order
    per_quarter: dict[str, np.ndarray]
    texts: dict[str, np.ndarray]  # group_name(_en), ref_ok, ref_* per viewer
    quarter_ok: np.ndarray  # viewers × suppression quarters: the cell passes


def _level_state(level: str, geo: pd.DataFrame, cells: pd.DataFrame, reference: Window,
                 quarters: tuple[str, ...], all_quarters: tuple[str, ...], labels: pd.Series) -> _Level:
    # partner ids are positions in `geo` (`prepare_comparison`): a cell's group is taken, not merged
    level_cells = cells.assign(group=geo[level].to_numpy()[cells["partner_id"].to_numpy()])
    level_cells = level_cells[level_cells["group"].notna()]
    viewers = geo[["partner_id", level]].rename(columns={level: "group"})
    ref = _evaluate_whole(viewers, level_cells, reference.quarters)
    per_quarter = _viewer_cells(viewers, _group_quarter_cells(level_cells), level_cells, all_quarters)
    in_scope = np.isin(np.asarray(all_quarters), quarters)
    quarter_ok = per_quarter["status"].reshape(len(viewers), len(all_quarters))[:, in_scope] == "ok"
    known = viewers["group"].notna().to_numpy()
    # an empty reference group has no other partners: report it as "fewer than 5 partners"
    ref_status = np.where(known, np.where(ref == "empty", "partners", ref), "unknown")
    name_ru, name_en = _group_names(level, viewers["group"], labels)
    ref_ru, ref_en = _failure_text(ref_status, name_ru, name_en, level)
    texts = {"group_name": name_ru, "group_name_en": name_en, "ref_ok": ref_status == "ok",
             "ref_ru": ref_ru, "ref_en": ref_en}
    return _Level(level, level_cells, viewers, all_quarters, per_quarter, texts, quarter_ok)


def _level_window(state: _Level, window: Window) -> dict[str, np.ndarray]:
    """One level, one window: per viewer, the window's sums without the viewer, status and texts."""
    req = _evaluate_window(state, window)
    fail_at = req.pop("fail_at")
    if window.trailing:  # a failing quarter is named by its label (each label formatted once)
        failed_in = np.array([*map(_quarter_label, window.quarters), None], dtype=object)[fail_at]
    else:
        failed_in = np.full(len(fail_at), window.window_id, dtype=object)
    fail_ru, fail_en = _failure_text(req["status"], state.texts["group_name"], state.texts["group_name_en"],
                                     state.name, failed_in)
    return {**req, "fail_ru": fail_ru, "fail_en": fail_en, **state.texts}


_NO_GROUP = -1.0  # stands for a partner without a group at the finer level (never a shown group)
_WHOLE = -1  # the quarter code of a span taken as one aggregate (`_evaluate_whole`)


def _quarter_code(label: str) -> int:
    """"2026Q3" → 2026·4 + 2: integer codes in the quarters' order (`_quarter_label` inverts it)."""
    return int(label[:4]) * 4 + int(label[5]) - 1


def _quarter_label(code: float) -> str:
    return f"{int(code) // 4}Q{int(code) % 4 + 1}"


def _coded(window: Window) -> Window:
    """`window` with its quarters as `_quarter_code`s."""
    return Window(window.window_id, tuple(map(_quarter_code, window.quarters)), window.trailing)


@dataclass(frozen=True)
class _Nesting:
    """What the answers say about fine groups inside coarse groups, per quarter (independent of who sees what)."""

    in_both: pd.DataFrame  # P, F, quarter, n_pf, m_pf: answers and answering partners of P that are in F
    whole: pd.DataFrame  # P, quarter, n_p, m_p
    tops: pd.DataFrame  # P, F2, quarter, n: the four largest of the two largest partners of each F2 in P


def _nesting(answering: pd.DataFrame, fine: str, coarse: str) -> _Nesting:
    coarse_codes = answering[coarse].to_numpy(dtype=float)
    keep = ~np.isnan(coarse_codes)
    p, n = coarse_codes[keep], answering["n"].to_numpy()[keep]
    f = np.nan_to_num(answering[fine].to_numpy(dtype=float)[keep], nan=_NO_GROUP)
    q = answering["quarter"].to_numpy()[keep]
    # sorted by (P, F, quarter), largest answer count first: groups are runs (numpy, not pandas groupby: 0.2 s
    # per pair of levels at `large`)
    order = _sort_order(p, f, q, -n)
    p, f, q, n = p[order], f[order], q[order], n[order]
    pfq = _run_starts(p, f, q)
    in_both = _summed({"P": p, "F": f, "quarter": q}, n, "n_pf", "m_pf", pfq)
    whole = _summed({"P": p, "quarter": q}, n, "n_p", "m_p")
    # the two largest partners of C = P − F are among the two largest of each fine group of P, and
    # the four largest of those per (P, quarter) always hold them (at most two belong to F itself)
    two = _rank_in_runs(pfq, len(n)) < 2
    p2, f2, q2, n2 = p[two], f[two], q[two], n[two]
    order = _sort_order(p2, q2, -n2)
    p2, f2, q2, n2 = p2[order], f2[order], q2[order], n2[order]
    four = _rank_in_runs(_run_starts(p2, q2), len(n2)) < 4
    tops = pd.DataFrame({"P": p2[four], "F2": f2[four], "quarter": q2[four], "n": n2[four]})
    return _Nesting(in_both, whole, tops)


def _sort_order(*keys: np.ndarray) -> np.ndarray:
    """The stable order of rows sorted by whole-number `keys`, most significant first (``np.lexsort`` of the keys
    reversed): the keys are combined into one int64 and sorted once, 3× quicker than lexsort of three keys on
    the 230 k cells of a `large` level; lexsort itself when the combination would not fit."""
    if not len(keys[0]):
        return np.zeros(0, dtype=np.int64)
    lows = [key.min() for key in keys]
    spans = [int(key.max() - low) + 1 for key, low in zip(keys, lows)]
    if np.prod(spans, dtype=float) >= 2.0**62:
        return np.lexsort(keys[::-1])
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for key, low, span in zip(keys, lows, spans):
        combined = combined * span + (key - low).astype(np.int64)
    return np.argsort(combined, kind="stable")


def _run_starts(*keys: np.ndarray) -> np.ndarray:
    """Positions where a run of equal keys starts in arrays sorted by them."""
    if not len(keys[0]):
        return np.zeros(0, dtype=np.int64)
    changed = np.zeros(len(keys[0]), dtype=bool)
    changed[0] = True
    for key in keys:
        changed[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(changed)


def _rank_in_runs(starts: np.ndarray, size: int) -> np.ndarray:
    """Each position's rank inside its run (`_run_starts`)."""
    if not size:
        return np.zeros(0, dtype=np.int64)
    return np.arange(size) - np.repeat(starts, np.diff(np.append(starts, size)))


def _summed(keys: dict[str, np.ndarray], values: np.ndarray, sum_name: str, size_name: str,
            starts: np.ndarray | None = None) -> pd.DataFrame:
    """Per distinct key (`keys`: name -> array, no NaN): the sum of `values` and the number of rows (a groupby
    in numpy; `starts`: the runs when the arrays are already sorted by the keys)."""
    if starts is None:
        order = _sort_order(*keys.values())
        keys, values = {name: key[order] for name, key in keys.items()}, values[order]
        starts = _run_starts(*keys.values())
    frame = pd.DataFrame({name: key[starts] for name, key in keys.items()})
    frame[sum_name] = np.add.reduceat(values, starts) if len(values) else np.zeros(0, dtype=values.dtype)
    frame[size_name] = np.diff(np.append(starts, len(values)))
    return frame


def _complement_conflicts(nesting: _Nesting, fine: str, coarse: str, level_now: np.ndarray,
                          groups: dict[str, np.ndarray], quarter_ok: dict[str, np.ndarray], answered: np.ndarray,
                          fine_i: int, coarse_j: int, quarters: tuple[str, ...]) -> set:
    """Fine groups whose complement inside a shown coarser group fails the thresholds in some quarter.

    A fine group F (say a city) and a coarse group P containing partners of F (its region) are both
    *shown* in quarter q when some viewer at that level sees that quarter's cell. A viewer of P and a
    viewer of F pooling their pages know S(P) and S(F), so they learn C = P − F, minus the P viewer's
    own answers when that viewer lies in C. C must then be empty or pass the three thresholds: in full
    when a viewer of P lies in F or has no answers that quarter, and after removing any one partner when
    a viewer of P lies in C with answers. `answered`: viewers × quarters, the viewer has answers.
    """
    n_q = len(quarters)
    fine_at, coarse_at = level_now == fine_i, level_now == coarse_j
    if not fine_at.any() or not coarse_at.any():
        return set()
    # group codes are dense whole numbers (NaN: no group), so a (group, quarter) is the slot group · n_q + quarter
    # of a flat array and every lookup below is a take, not a merge (merges took 0.26 s of a `large` delta's 13 checks)
    n_fine = int(np.nanmax(groups[fine], initial=-1)) + 1
    n_coarse = int(np.nanmax(groups[coarse], initial=-1)) + 1
    # the (group, quarter) cells shown to some viewer, marked from the viewers × quarters grids
    viewer, at_q = np.nonzero(quarter_ok[fine][fine_at])
    if not len(viewer):
        return set()
    shown_fine = np.zeros(n_fine * n_q, dtype=bool)
    shown_fine[groups[fine][fine_at][viewer].astype(np.int64) * n_q + at_q] = True
    viewer, at_q = np.nonzero(quarter_ok[coarse][coarse_at])
    if not len(viewer):
        return set()
    p, f = groups[coarse][coarse_at][viewer].astype(np.int64), groups[fine][coarse_at][viewer]
    viewer_answered = answered[coarse_at][viewer, at_q]
    viewers_p = np.bincount(p * n_q + at_q, minlength=n_coarse * n_q)
    answering_p = np.bincount(p * n_q + at_q, weights=viewer_answered, minlength=n_coarse * n_q)
    both = nesting.in_both
    cand_f = both["F"].to_numpy()
    fine_slot = _slots(np.where(cand_f >= 0, cand_f, 0), both["quarter"], quarters)
    coarse_slot = _slots(both["P"], both["quarter"], quarters)
    keep = (cand_f >= 0) & shown_fine[fine_slot] & (viewers_p[coarse_slot] > 0)
    if not keep.any():
        return set()
    cand_f, coarse_slot = cand_f[keep], coarse_slot[keep]
    whole = nesting.whole
    whole_slot = _slots(whole["P"], whole["quarter"], quarters)
    n_p, m_p = np.zeros(n_coarse * n_q), np.zeros(n_coarse * n_q, dtype=np.int64)
    n_p[whole_slot], m_p[whole_slot] = whole["n_p"].to_numpy(), whole["m_p"].to_numpy()
    n = n_p[coarse_slot] - both["n_pf"].to_numpy()[keep]
    m = m_p[coarse_slot] - both["m_pf"].to_numpy()[keep]
    max1, max2 = _largest_outside(nesting.tops, cand_f, coarse_slot, n_coarse, quarters)
    # the coarse viewers inside each candidate's fine group (viewers without a fine group are in none)
    in_f = ~np.isnan(f)
    in_f[in_f] = shown_fine[f[in_f].astype(np.int64) * n_q + at_q[in_f]]
    viewers_in_f, answering_in_f = _totals_at(
        (p[in_f] * n_fine + f[in_f].astype(np.int64)) * n_q + at_q[in_f], viewer_answered[in_f],
        (coarse_slot // n_q * n_fine + cand_f.astype(np.int64)) * n_q + coarse_slot % n_q)
    passes = (m >= MIN_PARTNERS) & (n >= MIN_ANSWERS) & (max1 <= MAX_PARTNER_SHARE * n)
    passes_minus_one = ((m - 1 >= MIN_PARTNERS) & (n - max1 >= MIN_ANSWERS)
                        & (max1 <= MAX_PARTNER_SHARE * (n - max2)) & (max2 <= MAX_PARTNER_SHARE * (n - max1)))
    in_c = viewers_p[coarse_slot] - viewers_in_f
    answering_in_c = answering_p[coarse_slot] - answering_in_f
    # a viewer of P in F, or one in C without answers that quarter, learns all of C
    learns_all = (viewers_in_f > 0) | (in_c - answering_in_c > 0)
    safe = (m == 0) | ((~learns_all | passes) & ((answering_in_c == 0) | (m <= 1) | passes_minus_one))
    return set(cand_f[~safe].tolist())


def _slots(groups: pd.Series | np.ndarray, at_quarters: pd.Series, quarters: tuple[int, ...]) -> np.ndarray:
    """The slot ``group · len(quarters) + position of the quarter`` of each row (groups whole numbers, quarters
    among `quarters`, ascending)."""
    position = np.searchsorted(np.asarray(quarters), np.asarray(at_quarters))
    return np.asarray(groups).astype(np.int64) * len(quarters) + position


def _totals_at(keys: np.ndarray, weights: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How many of `keys` (non-negative integers) equal each of `wanted`, and the sum of their `weights` (0 where
    none do)."""
    slots, at = np.unique(keys, return_inverse=True)
    counts = np.append(np.bincount(at, minlength=len(slots)), 0)  # the last slot: keys not found
    sums = np.append(np.bincount(at, weights=weights, minlength=len(slots)), 0.0)
    found = np.searchsorted(slots, wanted)
    found = np.where(np.append(slots, -1)[found] == wanted, found, len(slots))
    return counts[found], sums[found]


def _largest_outside(tops: pd.DataFrame, fine: np.ndarray, coarse_slot: np.ndarray, n_coarse: int,
                     quarters: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The two largest partner answer counts of each candidate's coarse group and quarter (`coarse_slot`) outside
    its fine group (0 where none): the largest of the four kept per coarse group and quarter (`_Nesting.tops`,
    largest first) whose fine group is another."""
    n_q = len(quarters)
    slot = _slots(tops["P"], tops["quarter"], quarters)
    rank = _rank_in_runs(_run_starts(slot), len(slot))
    counts = np.zeros((n_coarse * n_q, 4))
    groups = np.full((n_coarse * n_q, 4), np.nan)
    counts[slot, rank], groups[slot, rank] = tops["n"].to_numpy(), tops["F2"].to_numpy()
    outside = np.where(groups[coarse_slot] != fine[:, None], counts[coarse_slot], 0.0)
    largest = -np.sort(-outside, axis=1)
    return largest[:, 0], largest[:, 1]


@dataclass
class _Answered:
    """What secondary suppression reads of one problem, built once for all its decisions."""

    groups: dict[str, np.ndarray]  # per level, each viewer's group code (float: NaN is no group)
    answered: np.ndarray  # viewers × quarters: the viewer has answers
    answering: pd.DataFrame  # partner_id, quarter, n and the partner's groups, answers in the quarters
    nestings: dict[tuple[int, int], _Nesting]  # built when a pair of levels is first shown together


def _answered(geo: pd.DataFrame, cells: pd.DataFrame, quarters: tuple[str, ...]) -> _Answered:
    answering = cells[(cells["n"] > 0) & cells["quarter"].isin(quarters)][["partner_id", "quarter", "n"]]
    grid = pd.MultiIndex.from_arrays([np.repeat(geo["partner_id"].to_numpy(), len(quarters)),
                                      np.tile(np.asarray(quarters), len(geo))])
    answered = grid.isin(pd.MultiIndex.from_frame(answering[["partner_id", "quarter"]]))
    return _Answered({level: geo[level].to_numpy(dtype=float) for level in LEVELS},
                     answered.reshape(len(geo), len(quarters)), answering.merge(geo, on="partner_id"), {})


def _secondary_suppression(inputs: _Answered, quarters: tuple[str, ...], quarter_ok: dict[str, np.ndarray],
                           ref_ok: np.ndarray, chosen: np.ndarray, has_level: np.ndarray,
                           fixed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Move viewers of a fine group up a level while showing it beside a coarser group would let two viewers
    compute a group below the thresholds (`_complement_conflicts`); a viewer whose level is frozen is
    withheld instead. Repeats until no pair of shown levels conflicts (levels only move up, so it ends).

    Returns chosen level, has_level, blocked (frozen and withheld) and suppressed (viewers × levels given up).
    """
    chosen, has_level = chosen.copy(), has_level.copy()
    n_viewers = len(chosen)
    blocked = np.zeros(n_viewers, dtype=bool)
    suppressed = np.zeros((n_viewers, len(LEVELS)), dtype=bool)
    groups, answered, nestings = inputs.groups, inputs.answered, inputs.nestings
    pairs = ((0, 1), (0, 2), (1, 2))
    for _ in range(n_viewers * len(LEVELS) + 1):
        level_now = np.where(has_level & ~blocked, chosen, -1)
        moved = False
        for i, j in pairs:
            if not ((level_now == i).any() and (level_now == j).any()):
                continue
            if (i, j) not in nestings:
                nestings[i, j] = _nesting(inputs.answering, LEVELS[i], LEVELS[j])
            conflicts = _complement_conflicts(nestings[i, j], LEVELS[i], LEVELS[j], level_now, groups, quarter_ok,
                                              answered, i, j, quarters)
            if not conflicts:
                continue
            members = (level_now == i) & pd.Series(groups[LEVELS[i]]).isin(conflicts).to_numpy()
            suppressed[members, i] = True
            blocked |= members & fixed
            movable = members & ~fixed
            higher = ref_ok[:, i + 1:] & ~suppressed[:, i + 1:]
            can_move = higher.any(axis=1)
            chosen = np.where(movable & can_move, i + 1 + higher.argmax(axis=1), chosen)
            has_level = np.where(movable & ~can_move, False, has_level)
            moved = True
            break  # re-read the shown levels before the next pair
        if not moved:
            break
    return chosen, has_level, blocked, suppressed


def comparison_groups_all(
    partners: pd.DataFrame,
    answers: pd.DataFrame,
    metric: str,
    window: str,
    viewers: pd.Series | list | None = None,
    scheme: Scheme = "top1",
    counts: pd.DataFrame | None = None,
    frozen: pd.Series | None = None,
) -> pd.DataFrame:
    """Comparison result for every viewing partner at once (vectorized).

    Parameters
    ----------
    partners
        ``partner_id, city, region, country``.
    answers
        ``partner_id, surveyed_at`` (UTC) and the question columns (1–5, NaN = no answer).
    metric
        ``"csat:<q>"``, ``"mean:<q>"``, ``"nps:q_recommend_partner"`` or ``"nps:q_recommend_platform"``.
    window
        ``"2024Q2"`` or ``"ttm:2024Q2"`` (ValueError otherwise).
    viewers
        Partner ids to evaluate (default: all partners).
    counts
        Instead of `answers` (pass None): answer counts per partner × quarter (`cells_from_counts`).
    frozen
        ``partner_id -> level`` decided when this window was first shown to the partner (stored by
        `store.comparison_rollup`): the comparison is shown at that level or withheld, never at
        another one, so new data cannot move a shown window to a finer group (issue 18).

    Returns
    -------
    DataFrame
        Indexed by ``partner_id``: ``withheld``, ``level``, ``group_name``, ``group_name_en``,
        ``value`` (CSAT %/NPS points whole, mean 0.1), ``n_partners``, ``n_answers``,
        ``reason_ru``, ``reason_en`` (why a level was skipped or the comparison withheld).
    """
    return comparison_groups_windows(partners, answers, metric, [window], viewers, scheme, counts,
                                     None if frozen is None else {window: frozen})[window]


def comparison_groups_windows(
    partners: pd.DataFrame,
    answers: pd.DataFrame,
    metric: str,
    windows: Sequence[str],
    viewers: pd.Series | list | None = None,
    scheme: Scheme = "top1",
    counts: pd.DataFrame | None = None,
    frozen: Mapping[str, pd.Series] | None = None,
) -> dict[str, pd.DataFrame]:
    """`comparison_groups_all` of several windows at once (`frozen`: window -> its frozen levels).

    The level choice and secondary suppression do not depend on the window, so they are computed once.
    """
    return comparison_groups_metrics(partners, answers, [metric], windows, viewers, scheme, counts,
                                     None if frozen is None else {metric: frozen})[metric]


def comparison_groups_metrics(
    partners: pd.DataFrame,
    answers: pd.DataFrame,
    metrics: Sequence[str],
    windows: Sequence[str],
    viewers: pd.Series | list | None = None,
    scheme: Scheme = "top1",
    counts: pd.DataFrame | None = None,
    frozen: Mapping[str, Mapping[str, pd.Series]] | None = None,
) -> dict[str, dict[str, pd.DataFrame]]:
    """`comparison_groups_windows` of several metrics: ``{metric: {window: result}}``
    (`frozen`: metric -> window -> its frozen levels).

    Metrics never share a group, so metrics whose data ends with the same quarter (the same reference and
    suppression quarters) are evaluated as one problem: each metric's partners and groups get their own
    range of integer codes. That costs one pass instead of one per metric (the fixed cost of a pass dominates a country).
    """
    prepared = prepare_comparison(partners, answers, metrics, windows, scheme, counts)
    return prepared.evaluate(windows, viewers, frozen)


@dataclass
class _Block:
    """One metric for some partners of a stacked problem: rows ``offset … offset + len(positions)`` of the problem
    are the partners at `positions` of the comparison's `geo` (ascending); `local` maps a `geo` position to its
    row in the block (−1: not in it)."""

    metric: str
    positions: np.ndarray
    offset: int
    local: np.ndarray


@dataclass
class _Problem:
    """One stacked problem (blocks whose data ends with the same quarter): integer ids and group codes."""

    blocks: list[_Block]
    kinds: np.ndarray
    prepared: _Prepared


@dataclass
class PreparedComparison:
    """Everything of an evaluation that does not depend on the frozen levels (`prepare_comparison`).

    Freezing the levels of the comparisons a load shows for the first time changes what the next
    evaluation decides, so `store.comparison_rollup` evaluates again with them: `evaluate` re-runs only
    secondary suppression and the result frames, not the level states, cells and window sums.
    """

    metrics: list[str]
    windows: list[str]
    geo: pd.DataFrame  # partner_id, city, region, country (one row per partner)
    problems: list[_Problem]

    def evaluate(self, windows: Sequence[str] | None = None, viewers: pd.Series | list | None = None,
                 frozen: Mapping[str, Mapping[str, pd.Series]] | None = None) -> dict[str, dict[str, pd.DataFrame]]:
        """``{metric: {window: result}}`` for `windows` (default: all prepared) at the `frozen` levels."""
        windows = self.windows if windows is None else list(windows)
        unknown = set(windows) - set(self.windows)
        if unknown:
            raise ValueError(f"windows not prepared: {', '.join(sorted(unknown))}")
        geo, ids = self.geo, pd.Index(self.geo["partner_id"])
        if viewers is not None:
            wanted = pd.Index(pd.Series(viewers).drop_duplicates())
            if not wanted.isin(geo["partner_id"]).all():
                raise ValueError("unknown viewing partner")
        pieces: dict[str, dict[str, list[pd.DataFrame]]] = {m: {w: [] for w in windows} for m in self.metrics}
        for problem in self.problems:
            pins = {}
            for window in windows:
                pinned = []
                for block in problem.blocks:
                    levels = None if frozen is None else frozen.get(block.metric, {}).get(window)
                    if levels is not None and len(levels):
                        at = ids.get_indexer(levels.index)
                        row = np.where(at >= 0, block.local[at], -1)
                        pinned.append(pd.Series(levels.to_numpy(dtype=object)[row >= 0],
                                                index=block.offset + row[row >= 0], dtype=object))
                pins[window] = pd.concat(pinned) if pinned else None
            by_window = _decide(problem.prepared, windows, problem.kinds, pins)
            for block in problem.blocks:
                rows = slice(block.offset, block.offset + len(block.positions))
                index = pd.Index(geo["partner_id"].to_numpy()[block.positions], name="partner_id")
                for window, frame in by_window.items():
                    pieces[block.metric][window].append(frame.iloc[rows].set_axis(index))
        results: dict[str, dict[str, pd.DataFrame]] = {}
        for metric, by_window in pieces.items():
            results[metric] = {}
            for window, parts in by_window.items():
                # one block holds every partner in order unless countries' data of the metric end differently
                result = parts[0] if len(parts) == 1 else pd.concat(parts).reindex(ids.rename("partner_id"))
                results[metric][window] = result if viewers is None else result[result.index.isin(wanted)]
        return results


def prepare_comparison(
    partners: pd.DataFrame,
    answers: pd.DataFrame | None,
    metrics: Sequence[str],
    windows: Sequence[str],
    scheme: Scheme = "top1",
    counts: pd.DataFrame | None = None,
) -> PreparedComparison:
    """The frozen-independent part of `comparison_groups_metrics` (cells, level states, window sums,
    the unfrozen level choice), to evaluate at several sets of frozen levels.

    `partners` may span several countries: a group never crosses a country (a city or region is a group within
    its country), and each country's reference and suppression quarters end with its own latest surveyed quarter
    of the metric, so the countries are evaluated as one problem at the fixed cost of one (`store.comparison_rollup`
    refreshes every country a load touched in one pass).
    """
    parsed = {metric: parse_metric(metric) for metric in metrics}
    wins = [parse_window(window) for window in windows]
    geo = partners[["partner_id", *LEVELS]].drop_duplicates("partner_id").reset_index(drop=True)
    # every partner is evaluated, even for one viewer: what others are shown decides secondary suppression
    cells = {metric: _partner_quarter_cells(answers, question, scheme) if counts is None
             else cells_from_counts(counts, question, scheme) for metric, (_, question) in parsed.items()}
    # ids and groups become integer codes (grouping on them is several times quicker than on text), and
    # each block of a stacked problem gets its own range of codes
    n_geo = len(geo)
    ids = pd.Index(geo["partner_id"])
    country, _ = pd.factorize(geo["country"], use_na_sentinel=False)
    factorized = {level: _group_codes(geo[level], country, level) for level in LEVELS}
    by_latest: dict[str | None, list[tuple[str, np.ndarray]]] = {}
    for metric in metrics:
        at = ids.get_indexer(cells[metric]["partner_id"])
        cells[metric] = cells[metric][at >= 0].assign(partner_id=at[at >= 0])  # positions in `geo`
        # the latest quarter with data of the metric, per country, then per partner (None: no data)
        latest = pd.Series(cells[metric]["quarter"].to_numpy(), dtype=object).groupby(
            country[cells[metric]["partner_id"].to_numpy()]).max()
        of_partner = latest.reindex(country).to_numpy(dtype=object)
        for quarter in pd.unique(of_partner) if n_geo else [None]:  # no partners: one empty block
            positions = np.flatnonzero(of_partner == quarter) if pd.notna(quarter) else np.flatnonzero(pd.isna(of_partner))
            by_latest.setdefault(None if pd.isna(quarter) else quarter, []).append((metric, positions))
    problems = []
    for latest, group in by_latest.items():
        blocks, offset = [], 0
        for metric, positions in group:
            local = np.full(n_geo, -1, dtype=np.int64)
            local[positions] = np.arange(len(positions))
            blocks.append(_Block(metric, positions, offset, local))
            offset += len(positions)
        stacked_geo = pd.DataFrame({"partner_id": np.arange(offset)})
        labels = {}
        for level, (codes, uniques) in factorized.items():
            block_codes = [np.where(codes[b.positions] >= 0, i * len(uniques) + codes[b.positions], -1)
                           for i, b in enumerate(blocks)]
            stacked = np.concatenate(block_codes)
            stacked_geo[level] = np.where(stacked >= 0, stacked, np.nan)
            labels[level] = pd.Series(np.tile(uniques, len(blocks)),
                                      index=np.arange(len(uniques) * len(blocks), dtype=float))
        parts = []
        for block in blocks:
            block_cells = cells[block.metric]
            row = block.local[block_cells["partner_id"].to_numpy()]
            parts.append(block_cells[row >= 0].assign(partner_id=block.offset + row[row >= 0]))
        stacked_cells = pd.concat(parts, ignore_index=True)
        kinds = np.concatenate([np.repeat(parsed[b.metric][0], len(b.positions)) for b in blocks])
        problems.append(_Problem(blocks, kinds, _prepare(stacked_geo, stacked_cells, latest, windows, wins, labels)))
    return PreparedComparison(list(metrics), list(windows), geo, problems)


def _group_codes(values: pd.Series, country: np.ndarray, level: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of the groups of `level` (−1: no group) and each code's name (its value in `values`).
    A city or region is a group within its country: two countries' «Троицк» are two groups."""
    codes, uniques = pd.factorize(values)
    uniques = np.asarray(uniques, dtype=object)
    if level == "country" or not len(uniques):
        return codes, uniques
    known = codes >= 0
    out = np.full(len(codes), -1, dtype=np.int64)
    out[known], pairs = pd.factorize(country[known] * len(uniques) + codes[known])
    return out, uniques[np.asarray(pairs) % len(uniques)]


@dataclass
class _Prepared:
    """One problem's level states and window results, and its level choice without frozen levels."""

    idx: pd.Index
    quarters: tuple[str, ...]
    quarter_ok: dict[str, np.ndarray]
    ref_ok: np.ndarray
    chosen: np.ndarray
    has_level: np.ndarray
    inputs: _Answered
    unfrozen: tuple[np.ndarray, ...]
    levels: dict[str, list[dict[str, np.ndarray]]]  # window -> per level, `_level_window`


def _prepare(geo: pd.DataFrame, cells: pd.DataFrame, latest: str | None, windows: Sequence[str],
             wins: list[Window], labels: dict[str, pd.Series]) -> _Prepared:
    """The part of a problem's evaluation that does not depend on frozen levels (one problem of integer ids
    and group codes; `labels`: per level, group code -> name)."""
    reference = parse_window(f"ttm:{latest}") if latest else Window("none", (), True)
    # quarters become integer codes in their order (`_quarter_code`): grouping and indexing on them is several
    # times quicker than on text; reasons name a failing quarter by its label again (`_level_window`)
    reference, wins = _coded(reference), [_coded(win) for win in wins]
    quarters = tuple(map(_quarter_code, suppression_quarters(latest)))
    all_quarters = tuple(sorted(set(quarters).union(*(win.quarters for win in wins))))
    codes, labels_seen = pd.factorize(cells["quarter"])
    cells = cells.assign(quarter=np.array([_quarter_code(q) for q in labels_seen], dtype=np.int64)[codes])
    states = [_level_state(level, geo, cells, reference, quarters, all_quarters, labels[level]) for level in LEVELS]
    quarter_ok = {state.name: state.quarter_ok for state in states}
    idx = pd.Index(geo["partner_id"], name="partner_id")
    ref_ok = np.column_stack([state.texts["ref_ok"] for state in states])
    has_level = ref_ok.any(axis=1)
    chosen = np.where(has_level, ref_ok.argmax(axis=1), len(LEVELS) - 1)
    no_one = np.zeros(len(idx), dtype=bool)
    inputs = _answered(geo, cells, quarters)
    unfrozen = _secondary_suppression(inputs, quarters, quarter_ok, ref_ok, chosen, has_level, no_one)
    levels = {window: [_level_window(state, win) for state in states] for window, win in zip(windows, wins)}
    return _Prepared(idx, quarters, quarter_ok, ref_ok, chosen, has_level, inputs, unfrozen, levels)


def _decide(p: _Prepared, windows: Sequence[str], kinds: np.ndarray,
            frozen: Mapping[str, pd.Series | None]) -> dict[str, pd.DataFrame]:
    """The comparison of every viewer of a prepared problem in each window, at the `frozen` levels."""
    n_viewers = len(p.idx)
    no_one = np.zeros(n_viewers, dtype=bool)
    results = {}
    decisions: dict[tuple, tuple] = {}  # the two page windows are usually frozen alike: decide once
    for window in windows:
        pinned_levels = frozen.get(window)
        key = () if pinned_levels is None else (tuple(pinned_levels.index), tuple(pinned_levels.to_numpy()))
        if pinned_levels is None or len(pinned_levels) == 0:
            decided, fixed = p.unfrozen, no_one
        elif key in decisions:
            decided, fixed = decisions[key]
        else:
            # a level decided when the window was first shown stays: shown there or withheld, never finer
            frozen_at = (pd.Series(pinned_levels, dtype=object).reindex(p.idx)
                         .map({lv: i for i, lv in enumerate(LEVELS)}))
            fixed = frozen_at.notna().to_numpy()
            at = frozen_at.fillna(0).to_numpy(dtype=int)
            decided = _secondary_suppression(
                p.inputs, p.quarters, p.quarter_ok, p.ref_ok, np.where(fixed, at, p.chosen),
                np.where(fixed, p.ref_ok[np.arange(n_viewers), at], p.has_level), fixed)
            decisions[key] = decided, fixed
        results[window] = _window_result(kinds, p.levels[window], p.idx, p.ref_ok, decided, fixed, p.unfrozen[3])
    return results


def _window_result(kinds: np.ndarray, levels: list[dict[str, np.ndarray]], idx: pd.Index, ref_ok: np.ndarray,
                   decided: tuple[np.ndarray, ...], fixed: np.ndarray, would_suppress: np.ndarray) -> pd.DataFrame:
    """The result frame of one window from the levels' window results and the decided levels.

    Texts are built in object arrays and only on the rows they concern (Series.where and '+' over every viewer's
    text took 0.3 s of a `large` refresh)."""
    chosen, has_level, blocked, suppressed = decided
    n_viewers = len(idx)
    # levels below the chosen one (all of them when none passes) explain the fallback
    skipped = np.arange(len(LEVELS))[None, :] < np.where(has_level, chosen, len(LEVELS))[:, None]
    skipped |= suppressed
    pinned = fixed[:, None] & ref_ok & ~suppressed  # passing levels below a frozen one
    # say why a frozen level stays above a passing one: secondary suppression if it would apply today
    suppressed = suppressed | (pinned & would_suppress)
    pinned &= ~would_suppress

    why_ru, why_en = [], []
    for i, lv in enumerate(levels):
        # a level given up to suppression or kept below a frozen one says so; others give the reference check
        ru, en = np.where(skipped[:, i], lv["ref_ru"], ""), np.where(skipped[:, i], lv["ref_en"], "")
        own = skipped[:, i] & (suppressed[:, i] | pinned[:, i])
        status = np.where(suppressed[own, i], "complement", "frozen")
        ru[own], en[own] = _failure_text(status, lv["group_name"][own], lv["group_name_en"][own], LEVELS[i])
        why_ru.append(ru)
        why_en.append(en)
    at = chosen * n_viewers + np.arange(n_viewers)
    picked = {column: np.concatenate([lv[column] for lv in levels])[at]
              for column in ("status", "fail_ru", "fail_en", "group_name", "group_name_en", "n_partners", *_SUMS)}
    shown = has_level & ~blocked & (picked["status"] == "ok")
    failed = has_level & ~blocked & ~shown
    reason_ru = _reason(_join(why_ru), np.where(failed, picked["fail_ru"], ""), shown, picked["group_name"],
                        (" — показана группа «", "»"), " — сравнение не показано")
    reason_en = _reason(_join(why_en), np.where(failed, picked["fail_en"], ""), shown, picked["group_name_en"],
                        (" — showing ", ""), " — comparison not shown")
    values = np.select([kinds == kind for kind in ("mean", "csat")],
                       [_value("mean", picked), _value("csat", picked)], _value("nps", picked))
    result = pd.DataFrame({
        "withheld": ~shown,
        # object dtype with None (pandas 3 would make a str column with NaN for the withheld)
        "level": pd.Series(np.where(shown, np.asarray(LEVELS, dtype=object)[chosen], None), index=idx, dtype=object),
        "group_name": pd.Series(np.where(shown, picked["group_name"], None), index=idx, dtype=object),
        "group_name_en": pd.Series(np.where(shown, picked["group_name_en"], None), index=idx, dtype=object),
        "value": np.where(shown, values, np.nan),
        "n_partners": np.where(shown, picked["n_partners"], 0).astype(int),
        "n_answers": np.where(shown, picked["n"], 0).astype(int),
        "reason_ru": pd.Series(reason_ru, index=idx, dtype=object),
        "reason_en": pd.Series(reason_en, index=idx, dtype=object),
    }, index=idx)
    return result


def _reason(before: np.ndarray, failure: np.ndarray, shown: np.ndarray, group: np.ndarray,
            showing: tuple[str, str], not_shown: str) -> np.ndarray:
    """A viewer's reason: the skipped levels' phrases and the group shown between `showing` (None when shown with
    nothing skipped), or those phrases, the chosen level's failure and `not_shown`."""
    reason = np.full(len(shown), None, dtype=object)
    explained = shown & (before != "")
    reason[explained] = before[explained] + showing[0] + group[explained] + showing[1]
    reason[~shown] = _join([before[~shown], failure[~shown]]) + not_shown
    return reason


def comparison_group(
    viewer_partner_id: str | int,
    partners: pd.DataFrame,
    answers: pd.DataFrame,
    metric: str,
    window: str,
    scheme: Scheme = "top1",
    counts: pd.DataFrame | None = None,
) -> dict:
    """The anonymized comparison one partner may see (rules in the module docstring).

    `answers` are survey rows; or pass None and `counts` (answer counts, see `cells_from_counts`).

    Returns
    -------
    dict
        Shown: ``{"withheld": False, "level", "group_name", "group_name_en", "value", "n_partners",
        "n_answers", "reason_ru", "reason_en"}`` (reasons name the skipped levels, or are None).
        Withheld: ``{"withheld": True, "reason_ru", "reason_en"}``.
    """
    row = comparison_groups_all(partners, answers, metric, window, viewers=[viewer_partner_id],
                                scheme=scheme, counts=counts).iloc[0]
    reasons = {key: None if pd.isna(row[key]) else row[key] for key in ("reason_ru", "reason_en")}
    if row["withheld"]:
        return {"withheld": True, **reasons}
    return {
        "withheld": False, "level": row["level"], "group_name": row["group_name"],
        "group_name_en": row["group_name_en"], "value": float(row["value"]),
        "n_partners": int(row["n_partners"]), "n_answers": int(row["n_answers"]), **reasons,
    }
