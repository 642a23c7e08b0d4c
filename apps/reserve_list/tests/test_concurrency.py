"""No interleaving of concurrent funding decisions overspends a call (DESIGN.md §4, Concurrency).

Real threads, each with its own PostgreSQL connection, released together by a barrier so that
their transactions overlap: funding rounds, answers to offers and envelope cuts all lock the
call's row first, so they serialise there and each one sees what the previous one committed.
SQLite serialises every writer anyway, so these tests run on PostgreSQL only.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from functools import partial

import pytest
from django.apps import apps as django_apps
from django.db import connections

from apps.reference.loaders import load_reference_data
from apps.reference.models import Region
from apps.reserve_list import selectors, services
from apps.reserve_list.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    EnvelopeChange,
    Offer,
    OfferStatus,
    OfferStatusChange,
)
from apps.reserve_list.services import BudgetError, ReserveListError
from tests.factories import ApplicationFactory, CallFactory, MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal
A = ApplicationStatus
LIVE = (OfferStatus.OPEN, OfferStatus.ACCEPTED)
REPEAT = 3  # each scenario runs this many times, on a fresh call each time


@pytest.fixture(scope="module", autouse=True)
def _reference_data_survives(django_db_setup, django_db_blocker):
    """Transactional tests end by flushing every table: put the reference data back for later tests."""
    yield
    with django_db_blocker.unblock():
        if not Region.objects.exists():
            load_reference_data(django_apps)


@pytest.fixture
def organisation(transactional_db):
    """A school with a manager, so that every offer also notifies someone.

    No region: an earlier transactional test may have flushed the reference data.
    """
    organisation = OrganisationFactory(region=None)
    MembershipFactory(organisation=organisation, role="manager")
    return organisation


@pytest.fixture
def manager(organisation):
    return organisation.memberships.get().user


def _call(organisation, *, envelope, applications, requested="10000.00"):
    call = CallFactory(envelope=D(envelope))
    for _ in range(applications):
        ApplicationFactory(call=call, organisation=organisation, requested_grant=D(requested))
    return call


def _race(jobs):
    """Run (label, callable) jobs in threads released together; return (label, outcome, value) per job.

    Outcome is "ok", "budget" (BudgetError) or "refused" (another ReserveListError); anything else fails
    the test. Each thread closes its own database connections before it ends.
    """
    barrier = threading.Barrier(len(jobs))

    def run(job):
        label, action = job
        try:
            barrier.wait(timeout=20)
            try:
                return label, "ok", action()
            except BudgetError as exc:
                return label, "budget", exc
            except ReserveListError as exc:
                return label, "refused", exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs, timeout=60))


def _outcomes(results, label) -> Counter:
    return Counter(outcome for job, outcome, _value in results if job == label)


def _assert_consistent(call) -> Decimal:
    """The budget invariants, checked against the rows themselves; returns what the call has committed."""
    call.refresh_from_db()
    offers = list(Offer.objects.filter(application__call=call))
    recomputed = sum((o.amount for o in offers if o.status in LIVE), D(0)) + sum(
        (o.retained_amount for o in offers if o.status == OfferStatus.WITHDRAWN), D(0)
    )
    committed = selectors.call_committed(call)
    assert committed == recomputed
    assert committed <= call.envelope

    live = Counter(o.application_id for o in offers if o.status in LIVE)
    assert all(n == 1 for n in live.values()), "an application holds two live offers"
    by_application = {o.application_id: o for o in offers if o.status in LIVE}
    offers_per_application = Counter(o.application_id for o in offers)
    for application in Application.objects.filter(call=call):
        offer = by_application.get(application.pk)
        expected = {A.OFFERED: OfferStatus.OPEN, A.ACCEPTED: OfferStatus.ACCEPTED}.get(application.status)
        assert (offer.status if offer else None) == expected, application.number
        # Every offer moved its application to "offered" exactly once: no round offered it twice.
        assert (
            ApplicationStatusChange.objects.filter(application=application, to_status=A.OFFERED).count()
            == offers_per_application[application.pk]
        )
    for offer in offers:
        # One "open" row and at most one answer: no offer was answered twice.
        assert OfferStatusChange.objects.filter(offer=offer).count() == (1 if offer.status == OfferStatus.OPEN else 2)
    return committed


def _ranked_numbers(call) -> list[str]:
    return [r.application.number for r in selectors.ranking(call=call, free=D(0))]


def _concurrent_rounds_commit_at_most_the_envelope(organisation, officer):
    call = _call(organisation, envelope="100000.00", applications=40)
    commit = partial(services.round_commit, call=call, amount=D("30000"), policy="stop", by=officer)

    results = _race([("round", commit)] * 8)

    # 100,000 holds three rounds of 30,000; the five others find at most 10,000 free and are refused.
    assert _outcomes(results, "round") == Counter(ok=3, budget=5)
    assert _assert_consistent(call) == D("90000")
    # The rounds ran one after the other, each taking the next three down the ranking.
    offered = set(Offer.objects.filter(application__call=call).values_list("application__number", flat=True))
    assert offered == set(_ranked_numbers(call)[:9])
    rounds = [value for _job, outcome, value in results if outcome == "ok"]
    assert sorted(r.offers.count() for r in rounds) == [3, 3, 3]


def _rounds_race_an_envelope_cut(organisation, officer, finance):
    call = _call(organisation, envelope="100000.00", applications=20)
    commit = partial(services.round_commit, call=call, amount=D("30000"), policy="stop", by=officer)
    cut = partial(services.call_change_envelope, call=call, new_envelope=D("60000"), reason="Budget cut", by=finance)

    results = _race([("round", commit)] * 4 + [("cut", cut)] * 4)

    rounds, cuts = _outcomes(results, "round"), _outcomes(results, "cut")
    committed = _assert_consistent(call)
    assert committed == D("30000") * rounds["ok"]
    if rounds["ok"] == 3:
        # Three rounds went first (90,000 committed): every cut to 60,000 was refused.
        assert cuts == Counter(budget=4)
        assert call.envelope == D("100000.00")
        assert not EnvelopeChange.objects.filter(call=call).exists()
    else:
        # A cut went first: 60,000 holds exactly two rounds, and every cut fits under what is committed.
        assert rounds == Counter(ok=2, budget=2)
        assert cuts == Counter(ok=4)
        assert call.envelope == D("60000.00")
        assert EnvelopeChange.objects.filter(call=call).count() == 4


def _answers_rounds_and_cuts_together(organisation, officer, finance, manager):
    call = _call(organisation, envelope="100000.00", applications=20)
    services.round_commit(call=call, amount=D("100000"), policy="stop", by=officer)
    ranked = _ranked_numbers(call)
    offers = {
        o.application.number: o for o in Offer.objects.filter(application__call=call).select_related("application")
    }
    assert sorted(offers) == sorted(ranked[:10])  # nothing is free now

    jobs = (
        [
            ("decline", partial(services.offer_decline, offer=offers[n], by=manager, reason="No partner"))
            for n in ranked[:4]
        ]
        + [("accept", partial(services.offer_accept, offer=offers[n], by=manager)) for n in ranked[4:7]]
        + [("round", partial(services.round_commit, call=call, amount=D("10000"), policy="stop", by=officer))] * 6
        + [
            (
                "cut",
                partial(services.call_change_envelope, call=call, new_envelope=D("95000"), reason="Cut", by=finance),
            )
        ]
    )
    results = _race(jobs)

    assert _outcomes(results, "decline") == Counter(ok=4)
    assert _outcomes(results, "accept") == Counter(ok=3)
    rounds, cut = _outcomes(results, "round"), _outcomes(results, "cut")
    assert rounds["ok"] + rounds["budget"] == 6
    # Only the 40,000 the declines returned could fund new offers, less 5,000 if the cut went through.
    assert rounds["ok"] <= (3 if cut["ok"] else 4)
    assert cut["ok"] + cut["budget"] == 1
    committed = _assert_consistent(call)
    assert committed == D("60000") + D("10000") * rounds["ok"]
    assert call.envelope == (D("95000") if cut["ok"] else D("100000"))

    # New offers went down the ranking, past the declined applications (not candidates until reinstated).
    new = set(
        Offer.objects.filter(application__call=call, funding_round__amount=D("10000")).values_list(
            "application__number", flat=True
        )
    )
    assert new == set(ranked[10 : 10 + rounds["ok"]])
    statuses = Counter(Application.objects.filter(call=call).values_list("status", flat=True))
    assert statuses == Counter(
        {A.DECLINED: 4, A.ACCEPTED: 3, A.OFFERED: 3 + rounds["ok"], A.RESERVE: 10 - rounds["ok"]}
    )


def _one_answer_per_offer(organisation, officer, manager):
    call = _call(organisation, envelope="50000.00", applications=5)
    services.round_commit(call=call, amount=D("50000"), policy="stop", by=officer)
    offers = list(Offer.objects.filter(application__call=call))
    assert len(offers) == 5

    jobs = []
    for offer in offers:
        jobs.append((offer.pk, partial(services.offer_accept, offer=offer, by=manager)))
        jobs.append((offer.pk, partial(services.offer_decline, offer=offer, by=manager, reason="Too late")))
    results = _race(jobs)

    for offer in offers:
        assert _outcomes(results, offer.pk) == Counter(ok=1, refused=1)
        winner = next(value for job, outcome, value in results if job == offer.pk and outcome == "ok")
        offer.refresh_from_db()
        assert offer.status == winner.status
    committed = _assert_consistent(call)
    accepted = Offer.objects.filter(application__call=call, status=OfferStatus.ACCEPTED).count()
    assert committed == D("10000") * accepted


def _expiry_runs_race_each_other_and_late_answers(organisation, officer, manager):
    call = _call(organisation, envelope="50000.00", applications=5)
    services.round_commit(call=call, amount=D("50000"), policy="stop", by=officer)
    offers = list(Offer.objects.filter(application__call=call))
    after_deadline = offers[0].deadline
    for offer in offers[:2]:
        Offer.objects.filter(pk=offer.pk).update(deadline=after_deadline.replace(year=2000))  # long overdue

    jobs = [("expire", partial(services.offers_expire_due, now=after_deadline))] * 3 + [
        ("accept", partial(services.offer_accept, offer=offer, by=manager)) for offer in offers[:2]
    ]
    results = _race(jobs)

    # Every offer expires exactly once, whichever run got there first; the late answers are refused.
    assert sum(value for job, outcome, value in results if job == "expire") == 5
    assert _outcomes(results, "accept") == Counter(refused=2)
    assert set(Offer.objects.filter(application__call=call).values_list("status", flat=True)) == {OfferStatus.EXPIRED}
    assert _assert_consistent(call) == 0


def test_concurrent_rounds_and_envelope_cuts(organisation, officer, finance):
    for _ in range(REPEAT):
        _concurrent_rounds_commit_at_most_the_envelope(organisation, officer)
        _rounds_race_an_envelope_cut(organisation, officer, finance)


def test_concurrent_answers_rounds_and_cuts(organisation, officer, finance, manager):
    for _ in range(REPEAT):
        _answers_rounds_and_cuts_together(organisation, officer, finance, manager)


def test_concurrent_answers_to_the_same_offer_and_expiry_runs(organisation, officer, manager):
    for _ in range(REPEAT):
        _one_answer_per_offer(organisation, officer, manager)
        _expiry_runs_race_each_other_and_late_answers(organisation, officer, manager)
