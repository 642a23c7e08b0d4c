"""The participant's /me/ pages, composed from the apps below (portal may import any of them).

Each of passport, outcomes, participant_reports and certificates tells what the participant has to do
next for each mobility (``apps/mobility/steps.py``); this module merges their answers, draws each
mobility's status timeline, and links the apps' own pages for a mobility.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.certificates import selectors as certificates
from apps.mobility.models import Mobility, MobilityStatus
from apps.mobility.steps import NextStep
from apps.outcomes import selectors as outcomes
from apps.outcomes.models import Phase
from apps.participant_reports import selectors as participant_reports
from apps.passport import selectors as passport

# The steps' providers, each ``next_steps(*, participant, mobilities) -> {mobility id: [NextStep]}``.
STEP_PROVIDERS = (passport.next_steps, outcomes.next_steps, participant_reports.next_steps, certificates.next_steps)

# The pipeline a participant sees (a draft is never shown to them); cancellation and force majeure leave it.
TIMELINE = (
    MobilityStatus.PLANNED,
    MobilityStatus.CONFIRMED,
    MobilityStatus.ONGOING,
    MobilityStatus.COMPLETED,
    MobilityStatus.REPORTED,
)
STOPPED = (MobilityStatus.CANCELLED, MobilityStatus.FORCE_MAJEURE)


@dataclass(frozen=True)
class TimelineStep:
    label: str
    state: str  # "done", "current" or "todo"


def timeline(mobility: Mobility) -> list[TimelineStep]:
    """The pipeline's stages, those passed done and the mobility's own current; empty when it was stopped
    (cancelled, force majeure: the page says so plainly instead)."""
    if mobility.status not in TIMELINE:
        return []
    current = TIMELINE.index(mobility.status)
    return [
        TimelineStep(label=status.label, state="done" if index < current else "current" if index == current else "todo")
        for index, status in enumerate(TIMELINE)
    ]


def next_steps(*, participant, mobilities: list[Mobility]) -> dict[int, list[NextStep]]:
    """Every app's steps for these mobilities, merged and sorted (the apps' order, then the due date);
    a fixed number of queries whatever the number of mobilities (two at most per app)."""
    merged: dict[int, list[NextStep]] = {mobility.pk: [] for mobility in mobilities}
    if not mobilities:
        return merged
    for provider in STEP_PROVIDERS:
        for pk, steps in provider(participant=participant, mobilities=mobilities).items():
            if pk in merged:
                merged[pk].extend(steps)
    for steps in merged.values():
        steps.sort(key=lambda step: (step.order, step.due is None, step.due))
    return merged


def first_steps(
    mobilities: list[Mobility], steps: dict[int, list[NextStep]], *, limit: int = 5
) -> list[tuple[Mobility, NextStep]]:
    """The steps to show first, over all the mobilities: overdue ones, then those due soonest, then in the
    apps' order (passport, assessments, report, certificate); ``limit`` of them."""
    pairs = [(mobility, step) for mobility in mobilities for step in steps.get(mobility.pk, [])]
    pairs.sort(key=lambda pair: (not pair[1].overdue, pair[1].due is None, pair[1].due, pair[1].order))
    return pairs[:limit]


@dataclass(frozen=True)
class MobilityPage:
    label: str
    url: str


def mobility_pages(mobility: Mobility) -> list[MobilityPage]:
    """The participant's pages of the apps for this mobility (passport, competences before and after,
    report, certificate)."""
    pages = [
        (_("Mobility passport"), "passport:participant", {"pk": mobility.pk}),
        (_("Key competences before"), "outcomes:assessment", {"pk": mobility.pk, "phase": Phase.BEFORE}),
        (_("Key competences after"), "outcomes:assessment", {"pk": mobility.pk, "phase": Phase.AFTER}),
        (_("Participant report"), "participant_reports:own", {"pk": mobility.pk}),
        (_("Certificate"), "certificates:own", {"pk": mobility.pk}),
    ]
    if not passport.has_passport(mobility):  # a cancelled mobility's passport answers 404: the passport's rule
        pages = [page for page in pages if page[1] != "passport:participant"]
    return [MobilityPage(label=label, url=reverse(name, kwargs=kwargs)) for label, name, kwargs in pages]
