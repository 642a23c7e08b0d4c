"""The reserve list's rules as pure functions (RULES.md, "Applications and the reserve list")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

# Award criteria for KA122 short-term projects: maximum points per criterion.
CRITERIA_MAX = {"score_relevance": 30, "score_quality_design": 40, "score_quality_follow_up": 30}
# Threshold: at least this many points in total, and at least half of each criterion's maximum.
TOTAL_THRESHOLD = 60
CRITERION_THRESHOLD_SHARE = Decimal("0.5")

CENT = Decimal("0.01")

# The reserve-list file's columns (shared/domain/reserve_list_example.csv), in the template's order.
RESERVE_LIST_COLUMNS = (
    "application_number",
    "call_year",
    "oid",
    "organisation_name",
    "organisation_city",
    "region",
    "score_relevance",
    "score_quality_design",
    "score_quality_follow_up",
    "score_total",
    "requested_grant_eur",
    "planned_learners",
    "planned_staff",
    "submitted_at",
)


def passes_threshold(*, score_relevance: int, score_quality_design: int, score_quality_follow_up: int) -> bool:
    scores = {
        "score_relevance": score_relevance,
        "score_quality_design": score_quality_design,
        "score_quality_follow_up": score_quality_follow_up,
    }
    if sum(scores.values()) < TOTAL_THRESHOLD:
        return False
    return all(scores[name] >= CRITERIA_MAX[name] * CRITERION_THRESHOLD_SHARE for name in CRITERIA_MAX)


def ranking_key(
    *, score_total: int, score_relevance: int, score_quality_design: int, submitted_at: datetime, number: str
) -> tuple:
    """Total descending; ties by relevance, then quality of design (both descending), earlier submission, number."""
    return (-score_total, -score_relevance, -score_quality_design, submitted_at, number)


@dataclass(frozen=True)
class Candidate:
    number: str
    requested: Decimal


@dataclass(frozen=True)
class PlannedOffer:
    number: str
    amount: Decimal
    is_partial: bool = False


@dataclass(frozen=True)
class RoundPlan:
    offers: list[PlannedOffer]
    remaining: Decimal


def plan_round(
    candidates: list[Candidate], *, amount: Decimal, policy: str, min_share: Decimal | None = None
) -> RoundPlan:
    """Walk the ranking and offer each candidate its request while it fits in ``amount``.

    When the next one does not fit: ``stop`` ends the round; ``skip`` goes on
    with those below that fit; ``partial`` offers what remains if that is at
    least ``min_share`` of the request, then stops.
    """
    if policy not in ("stop", "skip", "partial"):
        raise ValueError(f"unknown policy {policy!r}")
    if policy == "partial" and (min_share is None or not Decimal(0) < min_share <= 1):
        raise ValueError("the partial policy needs a minimum share above 0 and at most 1")
    remaining = Decimal(amount).quantize(CENT)
    offers: list[PlannedOffer] = []
    for candidate in candidates:
        if candidate.requested <= remaining:
            offers.append(PlannedOffer(candidate.number, candidate.requested))
            remaining -= candidate.requested
            continue
        if policy == "skip":
            continue
        if policy == "partial" and remaining > 0 and remaining >= (candidate.requested * min_share).quantize(CENT):
            offers.append(PlannedOffer(candidate.number, remaining, is_partial=True))
            remaining = Decimal("0.00")
        break
    return RoundPlan(offers=offers, remaining=remaining)
