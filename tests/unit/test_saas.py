"""1cfresh lead distribution rules of seed 002."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.programs import (
    churn_reasons,
    distribute_leads,
    lead_funnel,
    net_new_contracts,
    top10,
)

QUARTER = "2024Q2"  # [2024-04-01, 2024-07-01)


def contracts_frame(rows: list[tuple]) -> pd.DataFrame:
    """rows: (contract_id, partner_id, started_at, ended_at, promo, lead_id, churn_reason)."""
    frame = pd.DataFrame(
        rows,
        columns=["contract_id", "partner_id", "started_at", "ended_at", "promo", "lead_id", "churn_reason"],
    )
    for column in ("started_at", "ended_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


def leads_frame(rows: list[tuple]) -> pd.DataFrame:
    """rows: (lead_id, partner_id, registered_at, welcome_call_at, first_reply_at, converted_at,
    complaint)."""
    frame = pd.DataFrame(
        rows,
        columns=[
            "lead_id",
            "partner_id",
            "registered_at",
            "welcome_call_at",
            "first_reply_at",
            "converted_at",
            "complaint",
        ],
    )
    for column in ("registered_at", "welcome_call_at", "first_reply_at", "converted_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


NO_LEADS = leads_frame([])


def test_net_new_counts_quarter_starts_minus_quarter_churn_without_promo_contracts():
    contracts = contracts_frame(
        [
            ("c1", "A", "2024-04-10", None, "none", "L1", None),  # new, from a distributed lead
            ("c2", "A", "2024-05-01", None, "prof_promo", None, None),  # ИТС ПРОФ promo: not counted
            ("c3", "A", "2024-05-02", None, "other_promo", None, None),  # other promotion: not counted
            ("c4", "A", "2024-01-10", "2024-05-15", "none", None, "price"),  # churned this quarter
            ("c5", "A", "2024-06-30 23:59", None, None, None, None),  # new, last minute of the quarter
            ("c9", "A", "2024-03-31 23:59", None, "none", None, None),  # previous quarter
            ("c10", "A", "2023-06-01", "2024-05-05", "prof_promo", None, None),  # promo churn: not subtracted
            ("c7", "B", "2024-07-01 00:00", None, "none", None, None),  # next quarter
        ]
    )
    leads = leads_frame([("L1", "A", "2024-04-01", None, None, None, False)])
    net = net_new_contracts(contracts, leads, QUARTER).set_index("partner_id")
    assert net.loc["A", ["new", "churned", "net_new"]].tolist() == [2, 1, 1]
    assert net.loc["A", ["excluded_prof_promo", "excluded_other_promo"]].tolist() == [1, 1]
    assert net.loc["A", "new_from_distributed_leads"] == 1
    assert net.loc["B", ["new", "churned", "net_new"]].tolist() == [0, 0, 0]


def test_contract_started_and_churned_in_the_same_quarter_nets_to_zero():
    contracts = contracts_frame([("c6", "B", "2024-04-05", "2024-06-01", "none", None, "trial only")])
    row = net_new_contracts(contracts, NO_LEADS, QUARTER).iloc[0]
    assert (row["new"], row["churned"], row["net_new"]) == (1, 1, 0)


def test_contract_from_a_lead_of_another_promotion_is_not_counted():
    contracts = contracts_frame([("c1", "A", "2024-04-10", None, "none", "L9", None)])
    leads = leads_frame([("L9", "A", "2024-04-01", None, None, None, False)]).assign(promo=["other_promo"])
    row = net_new_contracts(contracts, leads, QUARTER).iloc[0]
    assert (row["new"], row["excluded_other_promo"]) == (0, 1)


def ranking_data(net_by_partner: dict[str, int], converted_of_two: dict[str, int]) -> tuple:
    """Partners (all network competence centres) with `net` new contracts and two replied leads each."""
    partners = pd.DataFrame(
        {"partner_id": list(net_by_partner), "name": list(net_by_partner), "network_competence_center": True}
    )
    contracts = contracts_frame(
        [
            (f"{p}-{i}", p, "2024-04-10", None, "none", None, None)
            for p, net in net_by_partner.items()
            for i in range(net)
        ]
    )
    leads = leads_frame(
        [
            (
                f"{p}-L{i}",
                p,
                "2024-04-02",
                None,
                "2024-04-02 12:00",
                "2024-05-01" if i < converted_of_two.get(p, 1) else None,
                False,
            )
            for p in net_by_partner
            for i in range(2)
        ]
    )
    return partners, contracts, leads


NET_WITH_TIE_AT_10 = {f"P{i:02d}": 21 - i for i in range(1, 10)} | {"P10": 5, "P11": 5, "P12": 3}


def test_tie_at_place_10_is_broken_by_conversion_then_id():
    partners, contracts, leads = ranking_data(NET_WITH_TIE_AT_10, {"P10": 1, "P11": 2})
    top = top10(partners, contracts, leads, QUARTER).set_index("partner_id")
    assert top["in_top"].sum() == 10
    assert top.loc["P11", "place"] == 10  # conversion 100 % beats 50 %
    assert top.loc["P10", "place"] == 11 and not top.loc["P10", "in_top"]
    assert top.loc["P01", "place"] == 1 and top.loc["P01", "net_new"] == 20


def test_tie_at_place_10_with_equal_conversion_goes_to_the_smaller_id():
    partners, contracts, leads = ranking_data(NET_WITH_TIE_AT_10, {"P10": 1, "P11": 1})
    top = top10(partners, contracts, leads, QUARTER).set_index("partner_id")
    assert top.loc["P10", "in_top"] and not top.loc["P11", "in_top"]


def test_tie_at_place_10_may_include_all_tied_partners():
    partners, contracts, leads = ranking_data(NET_WITH_TIE_AT_10, {"P10": 1, "P11": 2})
    top = top10(partners, contracts, leads, QUARTER, ties="include").set_index("partner_id")
    assert top["in_top"].sum() == 11
    assert top.loc[["P10", "P11", "P12"], "place"].tolist() == [10, 10, 12]
    assert not top.loc["P12", "in_top"]


def test_top10_excludes_partners_with_a_reason_each():
    partners = pd.DataFrame(
        {
            "partner_id": ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7"],
            "name": ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7"],
            "network_competence_center": [True, True, False, True, True, True, False],
        }
    )
    nets = {"Q1": 3, "Q2": 3, "Q3": 5, "Q4": 2, "Q5": 0, "Q6": 4, "Q7": 1}
    contracts = contracts_frame(
        [
            (f"{p}-{i}", p, "2024-04-10", None, "none", None, None)
            for p, net in nets.items()
            for i in range(net)
        ]
    )
    leads = leads_frame(
        [
            ("a", "Q1", "2024-04-02", None, "2024-04-02 10:00", None, True),
            ("b", "Q1", "2024-04-03", None, "2024-04-03 10:00", None, False),
            ("c", "Q2", "2024-04-02", None, None, None, False),  # never answered in the Service desk
            ("d", "Q2", "2024-04-03", None, None, None, False),
            ("e", "Q4", "2024-03-02", None, None, None, True),  # previous quarter: not judged now
            ("f", "Q7", "2024-04-02", None, "2024-04-02 10:00", None, True),
        ]
    )
    top = top10(partners, contracts, leads, QUARTER, exclusions={"Q6": "no pre-contract work"})
    reasons = top.set_index("partner_id")["excluded_reason"].to_dict()
    assert reasons == {
        "Q1": "complaints",
        "Q2": "no service desk replies",
        "Q3": "not a network competence centre",
        "Q4": "",  # no leads this quarter: service desk cannot be judged
        "Q5": "no net new contracts",
        "Q6": "no pre-contract work",
        "Q7": "not a network competence centre; complaints",
    }
    assert top.loc[top["in_top"], "partner_id"].tolist() == ["Q4"]
    assert top.loc[0, "place"] == 1


def test_admin_exclusions_may_be_a_list_of_ids():
    partners, contracts, leads = ranking_data({"A": 2, "B": 1}, {})
    top = top10(partners, contracts, leads, QUARTER, exclusions=["A"]).set_index("partner_id")
    assert top.loc["A", "excluded_reason"] == "excluded by admin"
    assert top.loc["B", "place"] == 1


def test_equal_split_gives_leftover_leads_to_the_first_places():
    shares = distribute_leads([f"P{i}" for i in range(10)], 25)
    assert shares["leads"].tolist() == [3, 3, 3, 3, 3, 2, 2, 2, 2, 2]
    assert shares["quota"].tolist() == [2.5] * 10


def test_admin_weights_shift_the_split_by_largest_remainder():
    shares = distribute_leads(["A", "B", "C"], 10, weights={"A": 2})
    # quotas 5, 2.5, 2.5: floors 5, 2, 2 and the one leftover lead goes to B (first of equal remainders)
    assert shares["leads"].tolist() == [5, 3, 2]
    assert shares["share"].tolist() == [0.5, 0.25, 0.25]


def test_distribution_uses_only_the_top_rows_of_a_top10_frame():
    partners, contracts, leads = ranking_data({"A": 3, "B": 2, "C": 1}, {})
    shares = distribute_leads(top10(partners, contracts, leads, QUARTER, n=2), 5)
    assert shares.set_index("partner_id")["leads"].to_dict() == {"A": 3, "B": 2}


def test_negative_weight_is_refused():
    with pytest.raises(ValueError):
        distribute_leads(["A", "B"], 10, weights={"A": -1})


@settings(max_examples=60, deadline=None)
@given(
    weights=st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=15).filter(
        lambda w: sum(w) > 0
    ),
    n_leads=st.integers(min_value=0, max_value=500),
)
def test_distribution_sums_exactly_and_stays_within_one_of_the_quota(weights, n_leads):
    ids = [f"P{i}" for i in range(len(weights))]
    shares = distribute_leads(ids, n_leads, weights=dict(zip(ids, weights)))
    assert shares["leads"].sum() == n_leads
    assert ((shares["leads"] - shares["quota"]).abs() < 1).all()
    assert (shares.loc[shares["weight"] == 0, "leads"] == 0).all()


FUNNEL_LEADS = leads_frame(
    [
        ("L1", "A", "2024-04-01 10:00", "2024-04-01 12:00", "2024-04-01 11:00", "2024-04-20", False),
        ("L2", "A", "2024-04-02 10:00", "2024-04-02 16:00", "2024-04-02 13:00", None, False),
        ("L3", "A", "2024-04-03 10:00", None, None, "2024-05-01", False),
        ("L4", "A", "2024-01-03 10:00", "2024-01-05 10:00", None, None, False),  # previous quarter
    ]
)
FUNNEL_CONTRACTS = contracts_frame(
    [
        ("c1", "A", "2024-01-01", "2024-05-01", "none", None, "price"),
        ("c2", "A", "2024-01-01", "2024-05-02", "none", None, " "),
        ("c3", "A", "2024-01-01", "2024-06-02", "none", None, "price"),
        ("c4", "B", "2024-01-01", "2024-06-02", "none", None, "moved to on-premise"),
        ("c5", "B", "2024-01-01", None, "none", None, None),
    ]
)


def test_lead_funnel_reports_welcome_call_reply_and_conversion_medians():
    funnel = lead_funnel(FUNNEL_LEADS, FUNNEL_CONTRACTS, quarter=QUARTER).set_index("partner_id")
    a = funnel.loc["A"]
    assert (a["leads"], a["welcome_calls"], a["converted"]) == (3, 2, 2)
    assert a["welcome_call_delay_h"] == 4.0  # median of 2 h and 6 h
    assert a["first_reply_h"] == 2.0  # median of 1 h and 3 h
    assert a["conversion_pct"] == pytest.approx(200 / 3)
    assert (a["churned"], a["churn_reason_missing"]) == (3, 1)
    assert (funnel.loc["B", "leads"], funnel.loc["B", "churned"]) == (0, 1)


def test_churn_reasons_are_counted_per_partner():
    reasons = churn_reasons(FUNNEL_CONTRACTS, quarter=QUARTER)
    assert reasons.values.tolist() == [
        ["A", "price", 2],
        ["A", "not given", 1],
        ["B", "moved to on-premise", 1],
    ]
