"""The reserve list's pure rules: threshold, ranking order and the funding-round plan (no database)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.reserve_list import rules
from apps.reserve_list.rules import Candidate, PlannedOffer, plan_round

D = Decimal


def _candidates(*requests) -> list[Candidate]:
    return [Candidate(f"A{i:02d}", D(str(r))) for i, r in enumerate(requests, start=1)]


def _offered(plan) -> list[tuple[str, Decimal, bool]]:
    return [(o.number, o.amount, o.is_partial) for o in plan.offers]


# --- Threshold ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relevance", "design", "follow_up", "passes"),
    [
        (15, 20, 24, False),  # 59 in total, every criterion at least half its maximum
        (15, 20, 25, True),  # 60 in total: exactly at the threshold
        (15, 40, 15, True),  # relevance and follow-up exactly at half of 30
        (14, 40, 30, False),  # relevance one point below half, total 84
        (30, 20, 15, True),  # quality of design exactly at half of 40
        (30, 19, 30, False),  # quality of design one point below half, total 79
        (30, 40, 14, False),  # follow-up one point below half, total 84
        (30, 40, 30, True),  # the maximum
        (0, 0, 0, False),
    ],
)
def test_passes_threshold(relevance, design, follow_up, passes):
    assert (
        rules.passes_threshold(
            score_relevance=relevance, score_quality_design=design, score_quality_follow_up=follow_up
        )
        is passes
    )


def test_threshold_constants_follow_the_rules():
    assert rules.TOTAL_THRESHOLD == 60
    assert rules.CRITERIA_MAX == {"score_relevance": 30, "score_quality_design": 40, "score_quality_follow_up": 30}
    assert sum(rules.CRITERIA_MAX.values()) == 100


# --- Ranking -------------------------------------------------------------------------

T0 = datetime(2023, 2, 20, 9, 0, tzinfo=UTC)


def _app(number, total, relevance, design, minutes=0):
    return {
        "number": number,
        "score_total": total,
        "score_relevance": relevance,
        "score_quality_design": design,
        "submitted_at": T0 + timedelta(minutes=minutes),
    }


def _rank(apps) -> list[str]:
    return [a["number"] for a in sorted(apps, key=lambda a: rules.ranking_key(**a))]


def test_ranking_key_total_first():
    apps = [_app("low", 70, 30, 40), _app("high", 90, 20, 40), _app("mid", 80, 15, 35)]
    assert _rank(apps) == ["high", "mid", "low"]


def test_ranking_key_same_total_then_relevance():
    apps = [_app("r20", 80, 20, 40), _app("r28", 80, 28, 30), _app("r25", 80, 25, 35)]
    assert _rank(apps) == ["r28", "r25", "r20"]


def test_ranking_key_same_total_and_relevance_then_quality_of_design():
    apps = [_app("d30", 80, 25, 30), _app("d35", 80, 25, 35), _app("d33", 80, 25, 33)]
    assert _rank(apps) == ["d35", "d33", "d30"]


def test_ranking_key_same_scores_then_earlier_submission():
    apps = [_app("late", 80, 25, 30, minutes=5), _app("early", 80, 25, 30, minutes=1), _app("mid", 80, 25, 30, 3)]
    assert _rank(apps) == ["early", "mid", "late"]


def test_ranking_key_same_scores_and_time_then_number():
    apps = [
        _app("2023-1-PL01-KA122-VET-000000003", 80, 25, 30),
        _app("2023-1-PL01-KA122-VET-000000001", 80, 25, 30),
        _app("2023-1-PL01-KA122-VET-000000002", 80, 25, 30),
    ]
    assert _rank(apps) == [
        "2023-1-PL01-KA122-VET-000000001",
        "2023-1-PL01-KA122-VET-000000002",
        "2023-1-PL01-KA122-VET-000000003",
    ]


def test_ranking_key_criteria_apply_in_order():
    # Relevance outweighs a better design and an earlier submission; design outweighs submission time.
    apps = [
        _app("first-submitted", 80, 24, 40, minutes=0),
        _app("better-design", 80, 25, 31, minutes=9),
        _app("best-relevance-worst-design", 80, 26, 20, minutes=10),
        _app("same-as-better-design-earlier", 80, 25, 30, minutes=1),
    ]
    assert _rank(apps) == [
        "best-relevance-worst-design",
        "better-design",
        "same-as-better-design-earlier",
        "first-submitted",
    ]


# --- Funding round plan -----------------------------------------------------------------


@pytest.mark.parametrize("policy", ["stop", "skip", "partial"])
def test_exact_fit_leaves_nothing(policy):
    plan = plan_round(_candidates(100, 200, 300, 50), amount=D("600"), policy=policy, min_share=D("0.5"))
    assert _offered(plan) == [("A01", D("100"), False), ("A02", D("200"), False), ("A03", D("300"), False)]
    assert plan.remaining == D("0.00")


@pytest.mark.parametrize("policy", ["stop", "skip", "partial"])
def test_everyone_fits(policy):
    plan = plan_round(_candidates(100, 200), amount=D("1000"), policy=policy, min_share=D("0.5"))
    assert [o.number for o in plan.offers] == ["A01", "A02"]
    assert plan.remaining == D("700.00")


@pytest.mark.parametrize("policy", ["stop", "skip", "partial"])
def test_no_candidates(policy):
    plan = plan_round([], amount=D("1000"), policy=policy, min_share=D("0.5"))
    assert plan.offers == []
    assert plan.remaining == D("1000.00")


def test_stop_first_larger_than_amount_offers_nothing():
    plan = plan_round(_candidates(1000, 100, 50), amount=D("500"), policy="stop")
    assert plan.offers == []
    assert plan.remaining == D("500.00")


def test_stop_ends_at_the_first_misfit_even_if_later_ones_fit():
    plan = plan_round(_candidates(300, 300, 100, 50), amount=D("500"), policy="stop")
    assert _offered(plan) == [("A01", D("300"), False)]
    assert plan.remaining == D("200.00")


def test_skip_first_larger_than_amount_offers_the_later_ones_that_fit():
    plan = plan_round(_candidates(1000, 100, 50), amount=D("500"), policy="skip")
    assert _offered(plan) == [("A02", D("100"), False), ("A03", D("50"), False)]
    assert plan.remaining == D("350.00")


def test_skip_continues_past_several_misfits():
    plan = plan_round(_candidates(400, 700, 800, 90, 900, 60, 50), amount=D("550"), policy="skip")
    # 400 fits (150 left); 700 and 800 do not; 90 fits (60 left); 900 does not; 60 fits exactly; 50 does not.
    assert _offered(plan) == [("A01", D("400"), False), ("A04", D("90"), False), ("A06", D("60"), False)]
    assert plan.remaining == D("0.00")


def test_partial_first_larger_than_amount_below_min_share_offers_nothing():
    plan = plan_round(_candidates(1000, 100), amount=D("499.99"), policy="partial", min_share=D("0.5"))
    assert plan.offers == []
    assert plan.remaining == D("499.99")


def test_partial_first_larger_than_amount_above_min_share_gets_a_partial_offer():
    plan = plan_round(_candidates(1000, 100), amount=D("700"), policy="partial", min_share=D("0.5"))
    assert _offered(plan) == [("A01", D("700.00"), True)]
    assert plan.remaining == D("0.00")


def test_partial_exactly_at_min_share_is_offered():
    plan = plan_round(_candidates(300, 400, 10), amount=D("500"), policy="partial", min_share=D("0.5"))
    # 300 fits; 200 left is exactly half of 400: a partial offer, and the round stops (10 is not offered).
    assert _offered(plan) == [("A01", D("300"), False), ("A02", D("200.00"), True)]
    assert plan.remaining == D("0.00")


def test_partial_one_cent_below_min_share_stops_without_offer():
    plan = plan_round(_candidates(300, 400, 10), amount=D("499.99"), policy="partial", min_share=D("0.5"))
    assert _offered(plan) == [("A01", D("300"), False)]
    assert plan.remaining == D("199.99")


def test_partial_with_min_share_one_needs_the_full_request():
    plan = plan_round(_candidates(300, 400), amount=D("699.99"), policy="partial", min_share=D("1"))
    assert _offered(plan) == [("A01", D("300"), False)]
    assert plan.remaining == D("399.99")


def test_partial_after_exact_fit_offers_no_zero_grant():
    plan = plan_round(_candidates(300, 400), amount=D("300"), policy="partial", min_share=D("0.001"))
    assert _offered(plan) == [("A01", D("300"), False)]
    assert plan.remaining == D("0.00")


def test_amounts_with_cents():
    candidates = _candidates("1234.56", "2345.67", "0.01", "999.99")
    plan = plan_round(candidates, amount=D("3580.24"), policy="skip")
    assert _offered(plan) == [("A01", D("1234.56"), False), ("A02", D("2345.67"), False), ("A03", D("0.01"), False)]
    assert plan.remaining == D("0.00")

    plan = plan_round(candidates, amount=D("3581.23"), policy="partial", min_share=D("0.4"))
    # After 1234.56 + 2345.67 + 0.01 there is 0.99 left, far below 40 % of 999.99.
    assert plan.remaining == D("0.99")
    assert len(plan.offers) == 3

    plan = plan_round(_candidates("1000.01"), amount=D("333.34"), policy="partial", min_share=D("0.333"))
    # 33.3 % of 1000.01 is 333.00333, i.e. 333.00 to the cent: 333.34 is enough.
    assert _offered(plan) == [("A01", D("333.34"), True)]


def test_amount_is_rounded_to_cents():
    plan = plan_round(_candidates(100), amount=D("150.004"), policy="stop")
    assert plan.remaining == D("50.00")
    assert plan.remaining.as_tuple().exponent == -2


def test_plan_entries_are_planned_offers():
    plan = plan_round(_candidates(100), amount=D("100"), policy="stop")
    assert plan.offers == [PlannedOffer("A01", D("100"), False)]


@pytest.mark.parametrize("policy", ["", "STOP", "greedy", None])
def test_unknown_policy_is_refused(policy):
    with pytest.raises(ValueError, match="policy"):
        plan_round(_candidates(100), amount=D("100"), policy=policy)


@pytest.mark.parametrize("min_share", [None, D("0"), D("-0.1"), D("1.001"), D("2")])
def test_partial_needs_a_minimum_share_in_the_open_unit_interval(min_share):
    with pytest.raises(ValueError, match="minimum share"):
        plan_round(_candidates(100), amount=D("100"), policy="partial", min_share=min_share)


@pytest.mark.parametrize("policy", ["stop", "skip"])
def test_min_share_is_ignored_by_other_policies(policy):
    plan = plan_round(_candidates(1000), amount=D("900"), policy=policy, min_share=D("0.5"))
    assert plan.offers == []


# --- Properties ----------------------------------------------------------------------------

cents = st.integers(min_value=1, max_value=10_000_000).map(lambda c: D(c).scaleb(-2))
candidate_lists = st.lists(cents, max_size=25).map(lambda rs: _candidates(*rs))
policies = st.sampled_from(["stop", "skip", "partial"])
shares = st.integers(min_value=1, max_value=1000).map(lambda n: D(n).scaleb(-3))


@settings(max_examples=300, deadline=None)
@given(
    candidates=candidate_lists,
    amount=st.integers(min_value=0, max_value=50_000_000).map(lambda c: D(c).scaleb(-2)),
    policy=policies,
    min_share=shares,
)
def test_plan_round_properties(candidates, amount, policy, min_share):
    plan = plan_round(candidates, amount=amount, policy=policy, min_share=min_share)
    requested = {c.number: c.requested for c in candidates}
    order = [c.number for c in candidates]
    offered = [o.number for o in plan.offers]

    # The money is accounted for to the cent.
    assert sum((o.amount for o in plan.offers), D(0)) + plan.remaining == amount
    assert plan.remaining >= 0
    # No offer is negative, empty or above its request; only a partial offer is below it.
    for offer in plan.offers:
        assert D(0) < offer.amount <= requested[offer.number]
        assert (offer.amount < requested[offer.number]) is offer.is_partial
    # Offers keep the ranking: offered numbers are a subsequence of the candidates, each at most once.
    positions = [order.index(n) for n in offered]
    assert positions == sorted(positions)
    assert len(set(offered)) == len(offered)

    partials = [o for o in plan.offers if o.is_partial]
    if policy != "partial":
        assert partials == []
    else:
        assert len(partials) <= 1
        if partials:
            assert plan.offers[-1].is_partial
            assert plan.remaining == 0
            assert partials[0].amount >= (requested[partials[0].number] * min_share).quantize(rules.CENT)

    if policy in ("stop", "partial"):
        # Strict ranking: a prefix of the list; the first one left out did not fit in full.
        assert offered == order[: len(offered)]
        if len(offered) < len(order):
            first_out = candidates[len(offered)]
            if not partials:
                assert first_out.requested > plan.remaining
    else:
        # Skip: everyone left out asked for more than was left at the end (the walk is greedy).
        left_out = [c for c in candidates if c.number not in set(offered)]
        assert all(c.requested > plan.remaining for c in left_out)
