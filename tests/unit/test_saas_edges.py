"""1cfresh lead distribution edge cases a mutation run of metrics/saas.py showed unchecked (issue 19, item 6).

Optional columns left out (`promo`, `lead_id`, `complaint`, `network_competence_center`,
`churn_reason`, lead timestamps), unknown flags, the first instant of a quarter, one-lead partners,
ties of three, the order of partners that are not ranked, refused weights, an empty TOP, remainders
tied among forty partners, contracts ended outside the quarter, and the columns and integer
types of the frames the pages read. Expected values are counted by hand from the rows in each test.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics.programs import churn_reasons, distribute_leads, lead_funnel, net_new_contracts, top10
from tests.unit.test_saas import QUARTER, contracts_frame, leads_frame, ranking_data

NO_LEADS = leads_frame([])


# --- net new ------------------------------------------------------------------------------------


def test_contract_started_at_the_first_instant_of_the_quarter_counts_in_it():
    contracts = contracts_frame([("c1", "A", "2024-04-01 00:00", None, "none", None, None)])
    assert net_new_contracts(contracts, NO_LEADS, QUARTER).loc[0, "new"] == 1


def test_contracts_without_promo_and_lead_columns_all_count():
    contracts = contracts_frame(
        [("c1", "A", "2024-04-10", None, None, None, None), ("c2", "A", "2024-05-10", None, None, None, None),
         ("c3", "A", "2024-01-10", "2024-06-01", None, None, None)]
    ).drop(columns=["promo", "lead_id"]).set_axis([3, 4, 5])
    net = net_new_contracts(contracts, NO_LEADS, QUARTER)
    assert net.columns.tolist() == ["partner_id", "new", "churned", "net_new", "excluded_prof_promo",
                                    "excluded_other_promo", "new_from_distributed_leads"]
    assert net.iloc[0].tolist() == ["A", 2, 1, 1, 0, 0, 0]
    assert (net.drop(columns="partner_id").dtypes == "int64").all()


# --- TOP-10 -------------------------------------------------------------------------------------


def test_top10_counts_leads_and_conversion_of_the_quarter():
    partners, contracts, leads = ranking_data({"A": 2, "B": 1}, {"A": 1, "B": 2})
    one = leads_frame([("C-L0", "C", "2024-04-02", None, "2024-04-02 12:00", "2024-05-01", False)])
    partners = pd.concat([partners, pd.DataFrame({"partner_id": ["C"], "name": ["C"],
                                                  "network_competence_center": [True]})], ignore_index=True)
    contracts = pd.concat([contracts, contracts_frame([("C-0", "C", "2024-04-10", None, "none", None, None)])],
                          ignore_index=True)
    top = top10(partners, contracts, pd.concat([leads, one], ignore_index=True), QUARTER).set_index("partner_id")
    assert top["leads"].to_dict() == {"A": 2, "B": 2, "C": 1}
    assert top["conversion_pct"].to_dict() == {"A": 50.0, "B": 100.0, "C": 100.0}


def test_top10_frame_has_the_documented_columns_types_and_a_plain_index():
    partners, contracts, leads = ranking_data({"A": 2, "B": 1}, {})
    top = top10(partners, contracts, leads, QUARTER, exclusions=["B"])
    assert top.columns.tolist() == ["place", "partner_id", "name", "new", "churned", "net_new", "leads",
                                    "conversion_pct", "complaints", "in_top", "excluded_reason"]
    assert top.index.tolist() == [0, 1]
    assert str(top["place"].dtype) == "Int64" and top["place"].isna().tolist() == [False, True]
    assert (top[["new", "churned", "net_new", "leads", "complaints"]].dtypes == "int64").all()


def test_unknown_tie_rule_is_refused():
    partners, contracts, leads = ranking_data({"A": 1}, {})
    with pytest.raises(ValueError, match="^ties must be 'break' or 'include', not 'random'$"):
        top10(partners, contracts, leads, QUARTER, ties="random")


def test_partner_without_the_centre_flag_or_with_an_unknown_one_is_excluded():
    partners, contracts, leads = ranking_data({"A": 2, "B": 1}, {})
    without = top10(partners.drop(columns="network_competence_center"), contracts, leads, QUARTER)
    assert without["excluded_reason"].tolist() == ["not a network competence centre"] * 2
    unknown = partners.assign(network_competence_center=[True, np.nan])
    reasons = top10(unknown, contracts, leads, QUARTER).set_index("partner_id")["excluded_reason"]
    assert reasons.to_dict() == {"A": "", "B": "not a network competence centre"}


def test_leads_without_complaint_flags_or_with_unknown_ones_are_no_complaints():
    partners, contracts, leads = ranking_data({"A": 2, "B": 1}, {})
    unflagged = top10(partners, contracts, leads.drop(columns="complaint"), QUARTER)
    assert unflagged["complaints"].tolist() == [0, 0] and unflagged["in_top"].all()
    unknown = leads.assign(complaint=[np.nan, False, np.nan, np.nan])
    assert top10(partners, contracts, unknown, QUARTER)["complaints"].tolist() == [0, 0]


def test_one_unanswered_lead_is_enough_to_exclude_for_no_service_desk():
    partners, contracts, _ = ranking_data({"A": 2}, {})
    lead = leads_frame([("L1", "A", "2024-04-02", None, None, None, False)])
    assert top10(partners, contracts, lead, QUARTER).loc[0, "excluded_reason"] == "no service desk replies"


def test_include_ties_gives_a_three_way_tie_the_smallest_place():
    partners, contracts, leads = ranking_data({"A": 5, "B": 3, "C": 3, "D": 3, "E": 1}, {})
    top = top10(partners, contracts, leads, QUARTER, n=2, ties="include").set_index("partner_id")
    assert top["place"].to_dict() == {"A": 1, "B": 2, "C": 2, "D": 2, "E": 5}
    assert top["in_top"].sum() == 4


def test_partners_not_ranked_follow_by_net_new_then_id():
    partners, contracts, leads = ranking_data({"A": 1, "B": 4, "C": 4, "D": 2}, {})
    top = top10(partners, contracts, leads, QUARTER, exclusions=["B", "C", "D"])
    assert top["partner_id"].tolist() == ["A", "B", "C", "D"]
    assert top["place"].tolist()[0] == 1 and top["place"].isna().sum() == 3


# --- lead distribution --------------------------------------------------------------------------


def test_a_frame_without_in_top_gives_leads_to_every_row():
    shares = distribute_leads(pd.DataFrame({"partner_id": ["A", "B"]}), 4)
    assert shares.columns.tolist() == ["partner_id", "weight", "share", "quota", "leads"]
    assert shares["leads"].tolist() == [2, 2] and shares["leads"].dtype == "int64"


def test_negative_leads_are_refused():
    with pytest.raises(ValueError, match="^n_leads must be non-negative$"):
        distribute_leads(["A"], -1)


@pytest.mark.parametrize("ids, weights", [(["A", "B"], {"A": -1, "B": 5}), (["A"], {"A": 0}),
                                          (["A", "B"], {"A": 0, "B": 0})])
def test_a_negative_weight_or_a_zero_total_is_refused(ids, weights):
    with pytest.raises(ValueError, match="^weights must be non-negative with a positive total$"):
        distribute_leads(ids, 10, weights=weights)


def test_an_empty_top_gets_an_empty_split():
    shares = distribute_leads([], 5)
    assert shares.empty
    assert shares.columns.tolist() == ["partner_id", "weight", "share", "quota", "leads"]


def test_equal_remainders_among_many_partners_go_in_the_order_of_the_top():
    # 40 partners, weights 1, 2, 1, 2 …: quotas 0.5 and 1.0 of 30 leads; the ten leads left after the floors go
    # to the first ten of the twenty equal remainders (a sort that is not stable picks others among them)
    ids = [f"P{i:02d}" for i in range(40)]
    weights = {p: 1 + i % 2 for i, p in enumerate(ids)}
    shares = distribute_leads(ids, 30, weights=weights)
    assert shares["leads"].tolist() == [1] * 20 + [0, 1] * 10


def test_the_weight_column_is_reported():
    assert distribute_leads(["A", "B"], 3, weights={"B": 2})["weight"].tolist() == [1.0, 2.0]


# --- funnel and churn ---------------------------------------------------------------------------


def test_funnel_over_all_quarters_without_optional_columns():
    leads = leads_frame(
        [("L1", "A", "2024-01-03 10:00", None, "2024-01-03 12:00", None, False),
         ("L2", "A", "2024-04-01 10:00", None, "2024-04-01 11:00", None, False)]
    ).drop(columns=["welcome_call_at", "converted_at"])
    contracts = contracts_frame(
        [("c1", "A", "2023-01-01", "2024-02-01", "none", None, None),
         ("c2", "A", "2023-01-01", "2024-05-01", "none", None, None),
         ("c3", "A", "2023-01-01", None, "none", None, None)]
    ).drop(columns="churn_reason").set_axis([7, 8, 9])
    a = lead_funnel(leads, contracts).set_index("partner_id").loc["A"]
    assert (a["leads"], a["welcome_calls"], a["converted"], a["first_reply_h"]) == (2, 0, 0, 1.5)
    assert (a["churned"], a["churn_reason_missing"]) == (2, 2)
    assert churn_reasons(contracts).values.tolist() == [["A", "not given", 2]]


def test_funnel_and_churn_of_a_quarter_leave_out_contracts_ended_in_another_quarter():
    contracts = contracts_frame(
        [("c1", "A", "2023-01-01", "2024-02-01", "none", None, "price"),
         ("c2", "A", "2023-01-01", "2024-05-01", "none", None, None),
         ("c3", "A", "2023-01-01", None, "none", None, "price")]
    )
    funnel = lead_funnel(NO_LEADS, contracts, quarter=QUARTER)
    assert funnel[["partner_id", "churned", "churn_reason_missing"]].values.tolist() == [["A", 1, 1]]
    assert (funnel.drop(columns=["partner_id", "welcome_call_delay_h", "first_reply_h", "conversion_pct"])
            .dtypes == "int64").all()
    assert churn_reasons(contracts, quarter=QUARTER).values.tolist() == [["A", "not given", 1]]


def test_equally_frequent_churn_reasons_are_listed_alphabetically_with_a_plain_index():
    contracts = contracts_frame(
        [(f"c{i}", "A", "2023-01-01", "2024-05-01", "none", None, reason)
         for i, reason in enumerate(["support", "price", "support", "price", "moved", None])]
    )
    reasons = churn_reasons(contracts, quarter=QUARTER)
    assert reasons.values.tolist() == [["A", "price", 2], ["A", "support", 2], ["A", "moved", 1],
                                       ["A", "not given", 1]]
    assert reasons.index.tolist() == [0, 1, 2, 3]
