"""Survey metrics: mean, CSAT, NPS-style recommendation score with an adjusted-Wald interval.

Input is the ``surveys`` table of SPEC §3 with answers already numeric: the ten ``q_*``
columns hold 1–5 floats (5 = best, NaN = no answer); the two ``q_recommend_*`` columns may
instead hold 0–10 (SPEC §3: the scale is file-level). Everything here is pure pandas/numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

Scheme = Literal["top1", "top2"]
Scale = Literal["5", "10"]

MIN_ANSWERS = 5
"""Below this many answers a value is shown greyed as "too few answers" (SPEC §4)."""

SCALE_COLUMN = "recommend_scale"
"""Optional per-row column ("5"/"10") for stores that mix files of both recommend scales."""

Z_95 = 1.96


@dataclass(frozen=True)
class Question:
    """One survey question (seed 000 wording) with a short label for charts."""

    column: str
    label_ru: str
    label_en: str
    short_ru: str
    short_en: str
    about: Literal["project", "platform"]


# seed 000: preliminary questionnaire wording, in order
QUESTIONS: dict[str, Question] = {
    q.column: q
    for q in (
        Question("q_business_goals", "Выполненный проект решает поставленные бизнес-задачи?",
                 "Does the project solve the business goals set?", "Бизнес-задачи", "Business goals",
                 "project"),
        Question("q_design", "Насколько Вы удовлетворены дизайном проекта?",
                 "How satisfied are you with the project design?", "Дизайн", "Design", "project"),
        Question("q_dev_quality", "Насколько Вы удовлетворены качеством разработки?",
                 "How satisfied are you with the development quality?", "Качество разработки",
                 "Development quality", "project"),
        Question("q_managers", "Насколько Вы удовлетворены работой над проектом менеджеров разработчика?",
                 "How satisfied are you with the developer's project managers?", "Менеджеры",
                 "Managers", "project"),
        Question("q_budget", "Проект был выполнен в рамках запланированного бюджета?",
                 "Was the project delivered within the planned budget?", "Бюджет", "Budget", "project"),
        Question("q_speed", "Как Вы оцениваете скорость работы проекта?",
                 "How do you rate the speed of the site?", "Скорость сайта", "Site speed", "project"),
        Question("q_recommend_partner", "Будете ли Вы рекомендовать разработчика коллегам и знакомым?",
                 "Would you recommend the developer to colleagues and friends?",
                 "Рекомендация партнёра", "Recommend partner", "project"),
        Question("q_platform_usability", "Удобно ли Вам работать с системой «1С-Битрикс: Управление сайтом»?",
                 "Is «1C-Bitrix: Site Management» convenient to work with?", "Удобство платформы",
                 "Platform usability", "platform"),
        Question("q_platform_features", "Насколько Вы удовлетворены функциональными возможностями системы?",
                 "How satisfied are you with the system's features?", "Возможности платформы",
                 "Platform features", "platform"),
        Question("q_recommend_platform", "Будете ли Вы рекомендовать систему коллегам и знакомым?",
                 "Would you recommend the system to colleagues and friends?",
                 "Рекомендация платформы", "Recommend platform", "platform"),
    )
}

RECOMMEND_QUESTIONS: tuple[str, ...] = ("q_recommend_partner", "q_recommend_platform")

SURVEY_DIMENSIONS: tuple[str, ...] = (
    "partner", "partner_id", "city", "region", "country", "category", "industry", "quarter", "version",
)


class NpsCounts(NamedTuple):
    """Promoters, detractors and answered count of one recommendation question."""

    promoters: int
    detractors: int
    n: int


def infer_scale(values: pd.Series | np.ndarray) -> Scale:
    """Return "10" when any answer is 0 or above 5, else "5" (SPEC §3: one scale per file)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    return "10" if bool(((v == 0) | (v > 5)).any()) else "5"


def _answered(values: pd.Series | np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return v[~np.isnan(v)]


def _is_ten(values: np.ndarray, scale: Scale | np.ndarray | pd.Series | None) -> np.ndarray:
    """Boolean per answer: is it on the 0–10 scale."""
    if scale is None:
        scale = infer_scale(values)
    if isinstance(scale, str):
        return np.full(values.shape, scale == "10")
    return np.asarray(scale).astype(str) == "10"


def top_box_mask(values: np.ndarray, scale: Scale | np.ndarray | None = "5") -> np.ndarray:
    """Satisfied answers: 4–5 on the 5-point scale, 9–10 on the 0–10 scale (NaN → False)."""
    v = np.asarray(values, dtype=float)
    ten = _is_ten(v, scale)
    return np.where(ten, v >= 9, v >= 4)


def promoter_detractor_masks(
    values: np.ndarray, scheme: Scheme = "top1", scale: Scale | np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Boolean promoter and detractor masks per answer (NaN → neither).

    5-point ``top1``: promoter = 5, detractor = 1–3; ``top2``: promoter 4–5, detractor 1–2;
    0–10: promoter 9–10, detractor 0–6 (SPEC §4).
    """
    if scheme not in ("top1", "top2"):
        raise ValueError(f"unknown NPS scheme {scheme!r}: use 'top1' or 'top2'")
    v = np.asarray(values, dtype=float)
    ten = _is_ten(v, scale)
    promoter_min, detractor_max = (5, 3) if scheme == "top1" else (4, 2)
    promoters = np.where(ten, v >= 9, v >= promoter_min)
    detractors = np.where(ten, v <= 6, v <= detractor_max)
    return promoters, detractors


def mean_score(values: pd.Series | np.ndarray) -> float:
    """Mean of answered values (NaN = no answer); NaN when nobody answered."""
    v = _answered(values)
    return float(v.mean()) if v.size else float("nan")


def csat(values: pd.Series | np.ndarray, scale: Scale | None = "5") -> float:
    """CSAT, % = 100 · (answers 4–5) / answered (top-2-box; 9–10 on the 0–10 scale)."""
    v = _answered(values)
    if not v.size:
        return float("nan")
    return float(100.0 * top_box_mask(v, scale).sum() / v.size)


def nps_counts(
    values: pd.Series | np.ndarray, scheme: Scheme = "top1", scale: Scale | None = None
) -> NpsCounts:
    """Count promoters, detractors and answered (see :func:`promoter_detractor_masks`)."""
    v = _answered(values)
    promoters, detractors = promoter_detractor_masks(v, scheme, scale)
    return NpsCounts(int(promoters.sum()), int(detractors.sum()), int(v.size))


def nps(values: pd.Series | np.ndarray, scheme: Scheme = "top1", scale: Scale | None = None) -> float:
    """NPS-style score, points = 100 · (P − D) / n over answered only; NaN when n = 0."""
    p, d, n = nps_counts(values, scheme, scale)
    return float(100.0 * (p - d) / n) if n else float("nan")


def adjusted_wald_interval(promoters, detractors, n):
    """95 % adjusted-Wald interval of the NPS, in points, vectorized (SPEC §4).

    n' = n + 3, P' = P + ¾, D' = D + ¾, s' = (P' − D') / n', var = (P' + D') / n' − s'²,
    margin = 1.96 · √(var / n'); interval = 100 · (s' ± margin), clipped to [−100, 100].

    Returns
    -------
    (low, high)
        floats for scalar input, numpy arrays otherwise.
    """
    p = np.asarray(promoters, dtype=float) + 0.75
    d = np.asarray(detractors, dtype=float) + 0.75
    n_adj = np.asarray(n, dtype=float) + 3.0
    s = (p - d) / n_adj
    var = (p + d) / n_adj - s**2
    margin = Z_95 * np.sqrt(var / n_adj)
    low = np.clip(100.0 * (s - margin), -100.0, 100.0)
    high = np.clip(100.0 * (s + margin), -100.0, 100.0)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def quarter_label(timestamps: pd.Series) -> pd.Series:
    """Calendar quarter of UTC timestamps as "2024Q2" (the window ids of SPEC §8)."""
    ts = pd.to_datetime(timestamps, utc=True).dt.tz_localize(None)
    return ts.dt.to_period("Q").astype(str)


def _with_quarter(df: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    if "quarter" in by and "quarter" not in df.columns:
        return df.assign(quarter=quarter_label(df["surveyed_at"]))
    return df


def _long_answers(df: pd.DataFrame, by: list[str], questions: Sequence[str],
                  scale: Scale | None) -> pd.DataFrame:
    """One row per answered (survey, question) with its scale flag."""
    extra = [SCALE_COLUMN] if SCALE_COLUMN in df.columns else []
    long = df[by + extra + list(questions)].melt(
        id_vars=by + extra, value_vars=list(questions), var_name="question", value_name="answer"
    )
    long = long[long["answer"].notna()]
    recommend = long["question"].isin(RECOMMEND_QUESTIONS).to_numpy()
    if extra:
        ten = long[SCALE_COLUMN].astype(str).to_numpy() == "10"
    elif scale is not None:
        ten = np.full(len(long), scale == "10")
    else:
        ten = np.zeros(len(long), dtype=bool)
        for q in RECOMMEND_QUESTIONS:
            if q in questions:
                rows = (long["question"] == q).to_numpy()
                ten[rows] = infer_scale(long.loc[rows, "answer"]) == "10"
    long["ten"] = ten & recommend
    return long


def score_table(
    df: pd.DataFrame,
    by: Sequence[str] = (),
    scheme: Scheme = "top1",
    scale: Scale | None = None,
    questions: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per group and question: n, mean, CSAT, NPS with its 95 % interval, too_few flag.

    Parameters
    ----------
    df
        Surveys with the ``q_*`` columns and the dimension columns in ``by`` (``quarter`` is
        derived from ``surveyed_at`` when absent).
    by
        Dimension columns (SPEC §4: partner, city, region, country, category, industry,
        quarter, version). Missing dimension values form their own group.
    scheme
        NPS scheme for 5-point recommend answers, "top1" or "top2".
    scale
        Scale of the recommend columns, "5" or "10"; None infers it per column (or per row
        from ``recommend_scale`` when that column exists).

    Returns
    -------
    DataFrame
        Long format, one row per (group, question) with at least one answer: ``by`` columns,
        ``question``, ``n`` (answered), ``mean`` (points), ``csat`` (%), ``promoters``,
        ``detractors``, ``nps``, ``nps_low``, ``nps_high`` (points, NaN for non-recommend
        questions) and ``too_few`` (n < MIN_ANSWERS).
    """
    by = list(by)
    questions = [q for q in (questions or QUESTIONS) if q in df.columns]
    df = _with_quarter(df, by)
    long = _long_answers(df, by, questions, scale)
    answer = long["answer"].to_numpy(dtype=float)
    ten = long["ten"].to_numpy()
    promoters, detractors = promoter_detractor_masks(answer, scheme, np.where(ten, "10", "5"))
    recommend = long["question"].isin(RECOMMEND_QUESTIONS).to_numpy()
    long = long.assign(
        top=top_box_mask(answer, np.where(ten, "10", "5")),
        promoter=promoters & recommend,
        detractor=detractors & recommend,
    )
    table = (
        long.groupby(by + ["question"], dropna=False, observed=True, sort=True)
        .agg(n=("answer", "size"), mean=("answer", "mean"), top=("top", "sum"),
             promoters=("promoter", "sum"), detractors=("detractor", "sum"))
        .reset_index()
    )
    is_recommend = table["question"].isin(RECOMMEND_QUESTIONS)
    table["csat"] = 100.0 * table["top"] / table["n"]
    table["nps"] = (100.0 * (table["promoters"] - table["detractors"]) / table["n"]).where(is_recommend)
    low, high = adjusted_wald_interval(table["promoters"], table["detractors"], table["n"])
    table["nps_low"] = pd.Series(low, index=table.index).where(is_recommend)
    table["nps_high"] = pd.Series(high, index=table.index).where(is_recommend)
    table["too_few"] = table["n"] < MIN_ANSWERS
    return table.drop(columns="top")


def distribution(df: pd.DataFrame, question: str, by: Sequence[str] = (),
                 scale: Scale | None = None) -> pd.DataFrame:
    """Counts and % of each answer value per group (stacked 100 % bars).

    Answers are 1..5, or 0..10 for a recommend question on the 10-point scale. Every answer
    value appears for every group (count 0 included); ``pct`` = 100 · count / answered.
    """
    by = list(by)
    df = _with_quarter(df, by)
    if scale is None:
        scale = infer_scale(df[question]) if question in RECOMMEND_QUESTIONS else "5"
    answers = list(range(0, 11)) if scale == "10" else list(range(1, 6))
    answered = df[df[question].notna()]
    counts = answered.groupby(by + [question], dropna=False).size() if by else \
        answered.groupby(question).size()
    wide = counts.unstack(question, fill_value=0) if by else counts.to_frame().T
    wide = wide.reindex(columns=[float(a) for a in answers], fill_value=0)
    wide.columns = answers
    total = wide.sum(axis=1)
    long = wide.stack().rename("count").reset_index()
    long = long.rename(columns={long.columns[-2]: "answer"})
    if not by:
        long = long.drop(columns=long.columns[0])
    pct = 100.0 * long["count"] / (total.repeat(len(answers)).to_numpy())
    return long.assign(question=question, pct=pct.to_numpy())[
        by + ["question", "answer", "count", "pct"]
    ]


def quarter_trend(df: pd.DataFrame, by: Sequence[str] = (), scheme: Scheme = "top1",
                  scale: Scale | None = None) -> pd.DataFrame:
    """:func:`score_table` by ``by`` + quarter of ``surveyed_at`` (UTC), sorted by quarter."""
    table = score_table(df, list(by) + ["quarter"], scheme=scheme, scale=scale)
    return table.sort_values(list(by) + ["quarter", "question"], kind="stable").reset_index(drop=True)
