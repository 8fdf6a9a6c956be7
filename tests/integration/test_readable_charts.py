"""Readable charts (issue 15): time axes chronological, few series, labels apart, colours that mean something."""
from __future__ import annotations

import pandas as pd
import pytest

from components.charts import bar, chronological, spread_labels
from reports.trends import OTHERS, top_groups
from tests.integration.callback_harness import make_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("charts"))


@pytest.fixture(autouse=True)
def request_context(app):
    """The page modules register with the app; their helpers read the user's language (Russian)."""
    with app.server.test_request_context("/"):
        yield


def _trend_table(periods: list[str], groups: list[str]) -> pd.DataFrame:
    rows = [{"period": p, "group": g, "label": g.title(), "n": 10, "value": 50.0 + i + 5 * j, "low": None,
             "high": None, "too_few": False}
            for j, g in enumerate(groups) for i, p in enumerate(periods)]
    return pd.DataFrame(rows)


def _time_order(labels: list[str]) -> list[pd.Timestamp]:
    return [pd.Period(label).start_time for label in labels]


def test_quarters_sort_as_time_not_as_strings():
    assert chronological(["2026Q4", "2023Q1", "2024Q2", "2023Q4"]) == ["2023Q1", "2023Q4", "2024Q2", "2026Q4"]
    assert chronological(["2024-10", "2024-02", "2023-12"]) == ["2023-12", "2024-02", "2024-10"]


def test_every_trend_series_and_the_axis_run_in_time_order():
    from pages.trends import trend_figure

    # the first group lacks the early quarters and the rows come shuffled: plotly would append
    # 2023Q1 after 2026Q4 on a category axis without an explicit order
    table = pd.concat([_trend_table(["2026Q4", "2026Q3"], ["a"]),
                       _trend_table(["2026Q4", "2023Q1", "2025Q2", "2026Q3"], ["b"])]).sample(frac=1, random_state=3)
    fig = trend_figure(table, "csat", "region")
    axis = fig["layout"]["xaxis"]["categoryarray"]
    assert axis == ["2023Q1", "2025Q2", "2026Q3", "2026Q4"]
    for trace in fig["data"]:
        assert _time_order(trace["x"]) == sorted(_time_order(trace["x"]))


def test_competence_months_run_in_time_order():
    from pages.trends import competence_figure

    table = pd.DataFrame({"month": pd.to_datetime(["2024-03-01", "2023-12-01", "2024-01-01"]),
                          "assigned": [1, 2, 3], "revoked": [0, 1, 0], "held": [5, 6, 7]})
    for trace in competence_figure(table)["data"]:
        assert trace["x"] == sorted(trace["x"])


def test_gains_green_losses_red():
    from pages.trends import competence_figure

    table = pd.DataFrame({"month": pd.to_datetime(["2024-01-01"]), "assigned": [2], "revoked": [1], "held": [5]})
    assigned, revoked, _held = competence_figure(table)["data"]
    from components import colours  # one colour language (assets/colours.md): gains green, losses red

    assert assigned["marker"]["color"] == colours.GAIN and revoked["marker"]["color"] == colours.LOSS
    assert colours.GAIN == "#1a9850" and colours.LOSS == "#d73027"
    assert bar(x=[1], marker_color="red") == {"type": "bar", "x": [1], "marker": {"color": "red"}}


def test_at_most_six_series_with_the_rest_as_others():
    counts = pd.DataFrame({"group": [f"g{i}" for i in range(12)], "n": range(12)})
    kept = top_groups(counts, "n")
    assert len(kept) + 1 == 6 and kept[0] == "g11"  # five largest + «прочие»
    assert OTHERS not in kept


def test_end_labels_never_collide():
    heights = spread_labels([50.0, 51.0, 80.0, 49.5], 6.0)
    ordered = sorted(heights)
    assert all(b - a >= 6.0 - 1e-9 for a, b in zip(ordered, ordered[1:]))
    assert heights[2] == 80.0  # a label with room stays at its line's end


def test_every_chart_has_a_one_line_takeaway_in_words():
    from pages.trends import takeaway, trend_figure

    total = _trend_table(["2026Q2", "2026Q3"], ["__total__"])
    assert takeaway(total, "csat", "total") == "III кв. 2026: 51 %, +1 п.п. к II кв. 2026"
    regions = _trend_table(["2026Q3"], ["north", "south"])
    text = takeaway(regions, "csat", "region")
    assert text == "III кв. 2026: выше всех — South (55 %), ниже всех — North (50 %)"
    assert "\n" not in text and "<br>" not in text
    # the takeaway is the card's text, not a plot title that ran under the mode bar
    assert "title" not in trend_figure(regions, "csat", "region")["layout"]


def test_trend_axes_and_tooltips_name_periods_in_words_and_keep_codes_as_values():
    from pages.trends import trend_figure

    quarters = trend_figure(_trend_table(["2026Q3", "2023Q1"], ["north"]), "csat", "region")
    axis = quarters["layout"]["xaxis"]
    assert axis["tickvals"] == ["2023Q1", "2026Q3"] and axis["ticktext"] == ["I кв. 2023", "III кв. 2026"]
    assert list(quarters["data"][0]["x"]) == ["2023Q1", "2026Q3"]  # a click sends the code back
    assert "III кв. 2026: " in quarters["data"][0]["hovertext"][-1] and "2026Q3" not in quarters["data"][0]["hovertext"][-1]
    months = trend_figure(_trend_table(["2026-05", "2025-12"], ["north"]), "csat", "region")["layout"]["xaxis"]
    assert months["ticktext"] == ["дек. 2025", "май 2026"]
    # many periods: each year at its first period (fourteen quarters named in full overlapped on a phone)
    many = [f"{year}Q{q}" for year in (2023, 2024, 2025, 2026) for q in (1, 2, 3, 4)][2:]
    axis = trend_figure(_trend_table(many, ["north"]), "csat", "region")["layout"]["xaxis"]
    assert axis["tickvals"] == ["2023Q3", "2024Q1", "2025Q1", "2026Q1"] and axis["ticktext"] == ["2023", "2024", "2025", "2026"]