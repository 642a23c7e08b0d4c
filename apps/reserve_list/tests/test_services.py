"""Reserve-list services and selectors against the database: ranking, rounds, offers, budget, expiry, reminders."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from apps.notifications.models import Notification
from apps.reserve_list import rules, selectors, services, tasks
from apps.reserve_list.models import (
    RANKING_ORDER,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    EnvelopeChange,
    FundingRound,
    Offer,
    OfferStatus,
    OfferStatusChange,
)
from apps.reserve_list.services import APPLICATION_TRANSITIONS, BudgetError, ReserveListError
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    OfferFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
A, OS = ApplicationStatus, OfferStatus
T0 = datetime(2031, 3, 4, 10, 0, tzinfo=UTC)  # in the future, so that offers made then are still open today


@pytest.fixture
def call(db):
    return CallFactory(year=2023, envelope=D("200000.00"))


def _app(call, organisation, requested, *, total=(25, 30, 25), minutes=0, status=A.RESERVE, number=None):
    relevance, design, follow_up = total
    extra = {"number": number} if number else {}
    return ApplicationFactory(
        call=call,
        organisation=organisation,
        requested_grant=D(requested),
        score_relevance=relevance,
        score_quality_design=design,
        score_quality_follow_up=follow_up,
        submitted_at=datetime(2023, 2, 20, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes),
        status=status,
        **extra,
    )


@pytest.fixture
def ranked(call, organisation_a):
    """Four applications of organisation A in rank order (90, 85, 80, 75 points), asking 50k, 60k, 40k, 30k."""
    return [
        _app(call, organisation_a, "50000.00", total=(30, 35, 25)),
        _app(call, organisation_a, "60000.00", total=(28, 32, 25)),
        _app(call, organisation_a, "40000.00", total=(25, 30, 25)),
        _app(call, organisation_a, "30000.00", total=(25, 25, 25)),
    ]


def _round(call, amount, by, policy="stop", **kwargs):
    return services.round_commit(call=call, amount=D(amount), policy=policy, by=by, **kwargs)


def _passes(scores) -> bool:
    relevance, design, follow_up = scores
    return rules.passes_threshold(
        score_relevance=relevance, score_quality_design=design, score_quality_follow_up=follow_up
    )


def _status(obj):
    obj.refresh_from_db()
    return obj.status


def _committed(call):
    return selectors.call_committed(call)


def _changes(application):
    return list(
        ApplicationStatusChange.objects.filter(application=application)
        .order_by("pk")
        .values_list("from_status", "to_status", "changed_by", "reason")
    )


# --- Ranking ---------------------------------------------------------------------------


def test_ranking_with_ties_matches_the_rules_ranking_key(call, organisation_a, organisation_b):
    # Created deliberately out of order so that neither the primary key nor insertion order gives the answer.
    specs = [
        # number suffix, (relevance, design, follow-up), minutes after the first submission
        (7, (25, 30, 25), 5),  # 80, r25 d30, late
        (3, (20, 40, 20), 0),  # 80, r20
        (9, (25, 30, 25), 5),  # same as 7 to the minute: number decides
        (1, (30, 30, 30), 9),  # 90: first
        (5, (25, 35, 20), 7),  # 80, r25 d35: beats the d30s
        (2, (25, 30, 25), 1),  # 80, r25 d30, earliest of its tie
        (8, (28, 27, 25), 3),  # 80, r28: best relevance among the 80s
        (4, (15, 20, 25), 2),  # 60: exactly at the threshold, last ranked
        (6, (10, 40, 30), 0),  # 80 but relevance below half: below threshold, not ranked
    ]
    for suffix, scores, minutes in specs:
        _app(
            call,
            organisation_a if suffix % 2 else organisation_b,
            "10000.00",
            total=scores,
            minutes=minutes,
            number=f"2023-1-PL01-KA122-VET-{suffix:09d}",
            status=A.RESERVE if _passes(scores) else A.BELOW_THRESHOLD,
        )
    rows = selectors.ranking(call=call, free=D("1000000"))

    expected = sorted(
        Application.objects.filter(call=call).exclude(status=A.BELOW_THRESHOLD),
        key=lambda a: rules.ranking_key(
            score_total=a.score_total,
            score_relevance=a.score_relevance,
            score_quality_design=a.score_quality_design,
            submitted_at=a.submitted_at,
            number=a.number,
        ),
    )
    assert [r.application.number for r in rows] == [a.number for a in expected]
    assert [r.rank for r in rows] == list(range(1, 9))
    assert [int(r.application.number[-2:]) for r in rows] == [1, 8, 5, 2, 7, 9, 3, 4]
    # The model's default ordering and round candidates follow the same order.
    db_order = list(Application.objects.filter(call=call).exclude(status=A.BELOW_THRESHOLD).order_by(*RANKING_ORDER))
    assert db_order == expected
    assert list(selectors.round_candidates(call)) == expected
    # The rank computed in SQL agrees, also on a filtered list (one organisation's applications).
    ranks = {r.application.number: r.rank for r in rows}
    in_sql = dict(selectors.with_rank(Application.objects.filter(call=call)).values_list("number", "rank"))
    assert in_sql == {**ranks, "2023-1-PL01-KA122-VET-000000006": None}
    only_b = selectors.with_rank(Application.objects.filter(call=call, organisation=organisation_b))
    assert {a.number: a.rank for a in only_b} == {n: r for n, r in ranks.items() if int(n[-1]) % 2 == 0} | {
        "2023-1-PL01-KA122-VET-000000006": None
    }


def test_below_threshold_is_not_ranked_and_never_offered(call, organisation_a, officer):
    good = _app(call, organisation_a, "10000.00")
    below = _app(call, organisation_a, "10000.00", total=(30, 40, 14), status=A.BELOW_THRESHOLD)

    assert [r.application for r in selectors.ranking(call=call, free=D("1000000"))] == [good]
    assert list(selectors.round_candidates(call)) == [good]
    plan = services.round_simulate(call=call, amount=D("1000000"), policy="skip")
    assert [p.number for p in plan.offers] == [good.number]

    _round(call, "200000", officer, policy="skip")
    assert _status(below) == A.BELOW_THRESHOLD
    assert not Offer.objects.filter(application=below).exists()
    assert _status(good) == A.OFFERED


def test_budget_line_falls_where_cumulative_requests_exceed_free(call, organisation_a, ranked, officer):
    small = _app(call, organisation_a, "1000.00", total=(20, 20, 20))  # ranks last; would fit on its own
    rows = selectors.ranking(call=call, free=D("150000.00"))
    assert [r.application for r in rows] == [*ranked, small]
    assert [r.cumulative for r in rows] == [D("50000"), D("110000"), D("150000"), D("180000"), D("181000")]
    # 150,000 exactly fits; the line then stays drawn, even for the small request below it.
    assert [r.within_budget for r in rows] == [True, True, True, False, False]

    # Applications that already have an offer no longer count towards the line.
    _round(call, "50000", officer)
    rows = selectors.ranking(call=call, free=D("100000.00"))
    assert rows[0].application == ranked[0]
    assert rows[0].cumulative is None
    assert rows[0].within_budget is False
    assert [r.cumulative for r in rows[1:]] == [D("60000"), D("100000"), D("130000"), D("131000")]
    assert [r.within_budget for r in rows[1:]] == [True, True, False, False]
    assert [r.rank for r in rows] == [1, 2, 3, 4, 5]


def test_ranking_with_no_free_money_puts_everyone_below_the_line(call, ranked):
    assert not any(r.within_budget for r in selectors.ranking(call=call, free=D("0")))


# --- Funding rounds -------------------------------------------------------------------------


def test_round_simulate_accepts_any_amount_and_writes_nothing(call, ranked):
    plan = services.round_simulate(call=call, amount=D("5000000"), policy="stop")  # 25 × the envelope
    assert [p.number for p in plan.offers] == [a.number for a in ranked]
    assert plan.remaining == D("4820000.00")

    plan = services.round_simulate(call=call, amount=D("100000"), policy="partial", min_share=D("0.9"))
    assert [(p.number, p.amount, p.is_partial) for p in plan.offers] == [(ranked[0].number, D("50000.00"), False)]
    plan = services.round_simulate(call=call, amount=D("100000"), policy="partial", min_share=D("0.5"))
    assert plan.offers[-1] == rules.PlannedOffer(ranked[1].number, D("50000.00"), True)
    plan = services.round_simulate(call=call, amount=D("100000"), policy="skip")
    assert [p.number for p in plan.offers] == [ranked[0].number, ranked[2].number]

    assert not FundingRound.objects.exists()
    assert not Offer.objects.exists()
    assert {a.status for a in Application.objects.all()} == {A.RESERVE}


def test_round_commit_creates_offers_and_records_everything(call, ranked, officer, manager_a, contributor_a):
    other_manager = MembershipFactory(organisation=OrganisationFactory(), role="manager").user
    with time_machine.travel(T0, tick=False):
        funding_round = _round(call, "100000", officer, policy="skip")

    assert (funding_round.call, funding_round.amount, funding_round.policy) == (call, D("100000.00"), "skip")
    assert funding_round.created_by == officer
    assert funding_round.response_days == services.DEFAULT_RESPONSE_DAYS == 14
    offers = list(Offer.objects.order_by("pk"))
    assert [(o.application, o.amount, o.is_partial, o.status) for o in offers] == [
        (ranked[0], D("50000.00"), False, OS.OPEN),
        (ranked[2], D("40000.00"), False, OS.OPEN),
    ]
    assert all(o.deadline == T0 + timedelta(days=14) for o in offers)
    assert all(o.funding_round == funding_round for o in offers)
    assert [_status(a) for a in ranked] == [A.OFFERED, A.RESERVE, A.OFFERED, A.RESERVE]
    assert _changes(ranked[0]) == [(A.RESERVE, A.OFFERED, officer.pk, "Funding round")]
    assert _changes(ranked[1]) == []
    assert list(OfferStatusChange.objects.filter(offer=offers[0]).values_list("from_status", "to_status")) == [
        ("", OS.OPEN)
    ]
    assert _committed(call) == D("90000")

    # Each offer tells the organisation's managers; contributors and other organisations hear nothing.
    made = Notification.objects.filter(kind="offer_made")
    assert sorted(n.recipient_id for n in made) == [manager_a.pk, manager_a.pk]
    assert not Notification.objects.filter(recipient__in=[contributor_a, other_manager, officer]).exists()
    assert ranked[0].number in made.order_by("pk")[0].body_text


def test_round_commit_emails_managers_after_the_commit(
    django_capture_on_commit_callbacks, call, ranked, officer, manager_a
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _round(call, "50000", officer)
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [[manager_a.email]]
    assert mail.outbox[0].subject == Notification.objects.get(kind="offer_made").subject


def test_round_commit_with_custom_response_days_and_partial_offer(call, ranked, officer):
    with time_machine.travel(T0, tick=False):
        _round(call, "80000", officer, policy="partial", min_share=D("0.5"), response_days=30)
    offers = list(Offer.objects.order_by("pk"))
    assert [(o.application, o.amount, o.is_partial) for o in offers] == [
        (ranked[0], D("50000.00"), False),
        (ranked[1], D("30000.00"), True),
    ]
    assert {o.deadline for o in offers} == {T0 + timedelta(days=30)}
    assert FundingRound.objects.get().min_share == D("0.500")


def test_round_commit_refuses_more_than_the_uncommitted_budget(call, ranked, officer):
    with pytest.raises(BudgetError, match="uncommitted budget"):
        _round(call, "200000.01", officer, policy="skip")
    assert not FundingRound.objects.exists()
    assert not Offer.objects.exists()
    assert not Notification.objects.exists()
    assert [_status(a) for a in ranked] == [A.RESERVE] * 4

    _round(call, "110000", officer)  # offers 50,000 + 60,000
    assert _committed(call) == D("110000")
    with pytest.raises(BudgetError):
        _round(call, "90000.01", officer)
    _round(call, "90000", officer)  # exactly what is free: 40,000 + 30,000 offered
    assert _committed(call) == D("180000")
    assert Offer.objects.count() == 4


@pytest.mark.parametrize("amount", ["0", "-100", "0.004"])
def test_round_commit_needs_a_positive_amount(call, ranked, officer, amount):
    with pytest.raises(ReserveListError, match="positive"):
        _round(call, amount, officer)
    assert not FundingRound.objects.exists()


def test_second_round_does_not_reoffer_open_or_accepted_offers(call, ranked, officer, manager_a):
    _round(call, "110000", officer)  # ranked[0] and ranked[1]
    services.offer_accept(offer=Offer.objects.get(application=ranked[0]), by=manager_a)

    plan = services.round_simulate(call=call, amount=D("1000000"), policy="skip")
    assert [p.number for p in plan.offers] == [ranked[2].number, ranked[3].number]
    _round(call, "90000", officer, policy="skip")
    assert Offer.objects.count() == 4
    for application in ranked:
        assert Offer.objects.filter(application=application).count() == 1
    assert [_status(a) for a in ranked] == [A.ACCEPTED, A.OFFERED, A.OFFERED, A.OFFERED]
    assert _committed(call) == D("180000")

    # A third round finds nobody left to fund.
    funding_round = _round(call, "20000", officer, policy="skip")
    assert not funding_round.offers.exists()


def test_round_commit_with_nobody_that_fits_records_an_empty_round(call, ranked, officer):
    funding_round = _round(call, "10000", officer, policy="stop")
    assert not funding_round.offers.exists()
    assert _committed(call) == 0


def test_round_commit_refuses_an_unknown_policy(call, ranked, officer):
    with pytest.raises(ValueError):
        _round(call, "10000", officer, policy="lottery")
    assert not FundingRound.objects.exists()


# --- Answers to offers ---------------------------------------------------------------------


@pytest.fixture
def offered(call, ranked, officer):
    """ranked[0] (50,000) and ranked[1] (60,000) hold open offers made at T0, due T0 + 14 days."""
    with time_machine.travel(T0, tick=False):
        _round(call, "110000", officer)
    return [Offer.objects.get(application=ranked[0]), Offer.objects.get(application=ranked[1])]


def test_offer_accept(django_capture_on_commit_callbacks, call, offered, officer, finance, agency_admin, manager_a):
    offer = offered[0]
    Notification.objects.all().delete()
    with time_machine.travel(T0 + timedelta(days=2), tick=False), django_capture_on_commit_callbacks(execute=True):
        services.offer_accept(offer=offer, by=manager_a)

    offer.refresh_from_db()
    assert offer.status == OS.ACCEPTED
    assert (offer.answered_at, offer.answered_by) == (T0 + timedelta(days=2), manager_a)
    assert _status(offer.application) == A.ACCEPTED
    assert _changes(offer.application)[-1] == (A.OFFERED, A.ACCEPTED, manager_a.pk, "")
    assert list(offer.status_changes.order_by("pk").values_list("from_status", "to_status", "changed_by")) == [
        ("", OS.OPEN, officer.pk),
        (OS.OPEN, OS.ACCEPTED, manager_a.pk),
    ]
    # Officers (and administrators, who hold every role) hear of it; finance does not.
    accepted = Notification.objects.filter(kind="offer_accepted")
    assert sorted(n.recipient_id for n in accepted) == sorted([officer.pk, agency_admin.pk])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([officer.email, agency_admin.email])
    assert finance.email not in {m.to[0] for m in mail.outbox}
    # Accepted money stays committed.
    assert _committed(call) == D("110000")


def test_offer_accept_after_the_deadline_is_refused(offered, manager_a):
    with (
        time_machine.travel(T0 + timedelta(days=14), tick=False),
        pytest.raises(ReserveListError, match="deadline"),
    ):
        services.offer_accept(offer=offered[0], by=manager_a)
    assert _status(offered[0]) == OS.OPEN
    with time_machine.travel(T0 + timedelta(days=14) - timedelta(seconds=1), tick=False):
        services.offer_accept(offer=offered[0], by=manager_a)
    assert _status(offered[0]) == OS.ACCEPTED


def test_an_answered_offer_cannot_be_answered_again(offered, manager_a):
    services.offer_accept(offer=offered[0], by=manager_a)
    services.offer_decline(offer=offered[1], by=manager_a, reason="No staff to run it")
    with pytest.raises(ReserveListError):
        services.offer_accept(offer=offered[0], by=manager_a)
    with pytest.raises(ReserveListError):
        services.offer_decline(offer=offered[0], by=manager_a, reason="Changed our mind")
    with pytest.raises(ReserveListError):
        services.offer_accept(offer=offered[1], by=manager_a)
    with pytest.raises(ReserveListError):
        services.offer_decline(offer=offered[1], by=manager_a, reason="Again")
    assert [_status(o) for o in offered] == [OS.ACCEPTED, OS.DECLINED]
    assert [_status(o.application) for o in offered] == [A.ACCEPTED, A.DECLINED]


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_offer_decline_needs_a_reason(offered, manager_a, reason):
    with pytest.raises(ReserveListError, match="why"):
        services.offer_decline(offer=offered[0], by=manager_a, reason=reason)
    assert _status(offered[0]) == OS.OPEN
    assert _status(offered[0].application) == A.OFFERED


def test_offer_decline_returns_the_money(
    django_capture_on_commit_callbacks, call, offered, officer, finance, manager_a
):
    offer = offered[1]
    overview = selectors.call_overview(user=officer, call=call)
    assert (overview.committed, overview.free) == (D("110000"), D("90000"))
    Notification.objects.all().delete()

    with time_machine.travel(T0 + timedelta(days=3), tick=False), django_capture_on_commit_callbacks(execute=True):
        services.offer_decline(offer=offer, by=manager_a, reason="  The school lost its partner  ")

    offer.refresh_from_db()
    assert offer.status == OS.DECLINED
    assert offer.decline_reason == "The school lost its partner"
    assert (offer.answered_at, offer.answered_by) == (T0 + timedelta(days=3), manager_a)
    assert _status(offer.application) == A.DECLINED
    assert _changes(offer.application)[-1] == (A.OFFERED, A.DECLINED, manager_a.pk, "The school lost its partner")
    assert offer.status_changes.order_by("-pk").values_list("to_status", "reason")[0] == (
        OS.DECLINED,
        "The school lost its partner",
    )
    assert list(Notification.objects.values_list("kind", "recipient")) == [("offer_declined", officer.pk)]
    assert [m.to for m in mail.outbox] == [[officer.email]]

    assert _committed(call) == D("50000")
    overview = selectors.call_overview(user=officer, call=call)
    assert (overview.committed, overview.free) == (D("50000"), D("150000"))
    # The declined application is not a candidate until the agency reinstates it.
    assert offer.application not in selectors.round_candidates(call)


# --- Expiry and reminders ------------------------------------------------------------------


@pytest.fixture
def mixed_offers(call, ranked, officer, manager_a):
    """At T0 three offers (ranked[0..2]); ranked[0] accepted, ranked[1] declined; at T0+5d ranked[3] offered."""
    with time_machine.travel(T0, tick=False):
        _round(call, "150000", officer)
    first, second, third = (Offer.objects.get(application=a) for a in ranked[:3])
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        services.offer_accept(offer=first, by=manager_a)
        services.offer_decline(offer=second, by=manager_a, reason="Not now")
    with time_machine.travel(T0 + timedelta(days=5), tick=False):
        _round(call, "30000", officer)
    fourth = Offer.objects.get(application=ranked[3])
    Notification.objects.all().delete()
    return first, second, third, fourth


def test_offers_expire_due_expires_exactly_the_overdue_open_offers(call, mixed_offers, officer):
    first, second, third, fourth = mixed_offers
    assert third.deadline == T0 + timedelta(days=14)
    assert fourth.deadline == T0 + timedelta(days=19)
    assert _committed(call) == D("120000")  # 50,000 accepted + 40,000 + 30,000 open

    with time_machine.travel(third.deadline - timedelta(seconds=1), tick=False):
        assert services.offers_expire_due() == 0
    assert _status(third) == OS.OPEN

    with time_machine.travel(third.deadline, tick=False):
        assert services.offers_expire_due() == 1
    with time_machine.travel(T0 + timedelta(days=18), tick=False):
        assert services.offers_expire_due() == 0  # idempotent: nothing more is due

    assert [_status(o) for o in mixed_offers] == [OS.ACCEPTED, OS.DECLINED, OS.EXPIRED, OS.OPEN]
    assert _status(third.application) == A.EXPIRED
    assert _changes(third.application)[-1] == (A.OFFERED, A.EXPIRED, None, "Offer expired")
    assert list(third.status_changes.filter(to_status=OS.EXPIRED).values_list("from_status", "changed_by")) == [
        (OS.OPEN, None)
    ]
    assert list(Notification.objects.values_list("kind", "recipient")) == [("offer_expired", officer.pk)]
    assert _committed(call) == D("80000")

    # The later offer expires on its own deadline, also exactly once.
    assert services.offers_expire_due(now=fourth.deadline) == 1
    assert services.offers_expire_due(now=fourth.deadline + timedelta(days=30)) == 0
    assert _status(fourth) == OS.EXPIRED
    assert _committed(call) == D("50000")
    assert Notification.objects.filter(kind="offer_expired").count() == 2
    assert OfferStatusChange.objects.filter(to_status=OS.EXPIRED).count() == 2


def test_expire_task_calls_the_service(offered):
    with time_machine.travel(T0 + timedelta(days=15), tick=False):
        assert tasks.expire_offers.delay().get() == 2
        assert tasks.expire_offers.delay().get() == 0
    assert {_status(o) for o in offered} == {OS.EXPIRED}


def test_offers_remind_due_reminds_once_three_days_before(django_capture_on_commit_callbacks, mixed_offers, manager_a):
    first, second, third, fourth = mixed_offers
    with time_machine.travel(third.deadline - timedelta(days=3, seconds=1), tick=False):
        assert services.offers_remind_due() == 0
    with (
        time_machine.travel(third.deadline - timedelta(days=3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.offers_remind_due() == 1
    third.refresh_from_db()
    assert third.reminder_sent_at == third.deadline - timedelta(days=3)
    reminders = list(Notification.objects.filter(kind="offer_reminder"))
    assert [n.recipient for n in reminders] == [manager_a]
    assert third.application.number in reminders[0].subject
    assert [m.to for m in mail.outbox] == [[manager_a.email]]

    # Never twice, however often the task runs before the deadline.
    for hours in (1, 24, 71):
        with time_machine.travel(third.deadline - timedelta(days=3) + timedelta(hours=hours), tick=False):
            assert services.offers_remind_due() == 0
    assert Notification.objects.filter(kind="offer_reminder").count() == 1

    # The later offer gets its own single reminder; the overdue one and the answered ones get none.
    with time_machine.travel(fourth.deadline - timedelta(days=2), tick=False):
        assert services.offers_remind_due() == 1
        assert tasks.remind_offers.delay().get() == 0
    assert Notification.objects.filter(kind="offer_reminder").count() == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.reminder_sent_at is None and second.reminder_sent_at is None


def test_no_reminder_after_the_deadline(offered):
    with time_machine.travel(T0 + timedelta(days=14), tick=False):
        assert services.offers_remind_due() == 0
    assert not Notification.objects.filter(kind="offer_reminder").exists()


# --- Envelope ----------------------------------------------------------------------------------


def test_envelope_cannot_go_below_committed(call, offered, finance):
    with pytest.raises(BudgetError, match="committed"):
        services.call_change_envelope(call=call, new_envelope=D("109999.99"), reason="Budget cut", by=finance)
    call.refresh_from_db()
    assert call.envelope == D("200000.00")
    assert not EnvelopeChange.objects.exists()

    change = services.call_change_envelope(call=call, new_envelope=D("110000"), reason=" Budget cut ", by=finance)
    call.refresh_from_db()
    assert call.envelope == D("110000.00")
    assert (change.call, change.old_envelope, change.new_envelope) == (call, D("200000.00"), D("110000.00"))
    assert (change.reason, change.changed_by) == ("Budget cut", finance)

    # With nothing free, no round can be committed; declining an offer frees its money again.
    with pytest.raises(BudgetError):
        services.round_commit(call=call, amount=D("0.01"), policy="stop", by=finance)


def test_envelope_raise_and_history(call, finance, officer):
    services.call_change_envelope(call=call, new_envelope=D("250000"), reason="Savings from 2022", by=finance)
    services.call_change_envelope(call=call, new_envelope=D("0"), reason="Moved to 2024", by=officer)
    call.refresh_from_db()
    assert call.envelope == D("0.00")
    assert list(call.envelope_changes.order_by("pk").values_list("old_envelope", "new_envelope", "changed_by")) == [
        (D("200000.00"), D("250000.00"), finance.pk),
        (D("250000.00"), D("0.00"), officer.pk),
    ]


@pytest.mark.parametrize("reason", ["", "  "])
def test_envelope_change_needs_a_reason(call, finance, reason):
    with pytest.raises(ReserveListError, match="reason"):
        services.call_change_envelope(call=call, new_envelope=D("300000"), reason=reason, by=finance)
    call.refresh_from_db()
    assert call.envelope == D("200000.00")
    assert not EnvelopeChange.objects.exists()


def test_envelope_cannot_be_negative(call, finance):
    with pytest.raises(ReserveListError):
        services.call_change_envelope(call=call, new_envelope=D("-1"), reason="Typo", by=finance)
    assert not EnvelopeChange.objects.exists()


# --- Reinstatement and transitions -------------------------------------------------------------


def test_reinstate_declined_and_expired_applications(call, mixed_offers, officer):
    first, second, third, fourth = mixed_offers
    services.offers_expire_due(now=T0 + timedelta(days=15))
    declined, expired = second.application, third.application
    assert (_status(declined), _status(expired)) == (A.DECLINED, A.EXPIRED)

    for application, previous in ((declined, A.DECLINED), (expired, A.EXPIRED)):
        services.application_reinstate(application=application, by=officer, reason="Agency decision 12/2024")
        assert _status(application) == A.RESERVE
        assert _changes(application)[-1] == (previous, A.RESERVE, officer.pk, "Agency decision 12/2024")

    # Back on the list: the next round may offer them again (a new offer; the old one stays as it was).
    assert list(selectors.round_candidates(call)) == [declined, expired]
    _round(call, "100000", officer)
    assert Offer.objects.filter(application=declined).count() == 2
    assert Offer.objects.get(application=declined, status=OS.OPEN).amount == D("60000.00")
    assert _status(declined) == A.OFFERED


@pytest.mark.parametrize("status", [A.RESERVE, A.OFFERED, A.ACCEPTED, A.CONTRACTED, A.WITHDRAWN, A.BELOW_THRESHOLD])
def test_only_declined_or_expired_can_be_reinstated(call, organisation_a, officer, status):
    application = _app(call, organisation_a, "1000", status=status)
    with pytest.raises(ReserveListError):
        services.application_reinstate(application=application, by=officer, reason="Because")
    assert _status(application) == status
    assert not ApplicationStatusChange.objects.exists()


def test_reinstate_needs_a_reason(call, organisation_a, officer):
    application = _app(call, organisation_a, "1000", status=A.DECLINED)
    with pytest.raises(ReserveListError, match="reason"):
        services.application_reinstate(application=application, by=officer, reason=" ")
    assert _status(application) == A.DECLINED


ILLEGAL = [(src, dst) for src in A.values for dst in A.values if dst not in APPLICATION_TRANSITIONS[src]]


@pytest.mark.parametrize(("src", "dst"), ILLEGAL)
def test_illegal_application_transitions_are_refused(call, organisation_a, officer, src, dst):
    application = _app(call, organisation_a, "1000", status=src)
    with pytest.raises(ReserveListError, match=application.number):
        services.application_set_status(application=application, to=dst, by=officer)
    assert _status(application) == src
    assert not ApplicationStatusChange.objects.exists()


def test_transition_table_covers_every_status():
    assert set(APPLICATION_TRANSITIONS) == set(A.values)
    assert set(services.OFFER_TRANSITIONS) == set(OS.values)
    assert APPLICATION_TRANSITIONS[A.BELOW_THRESHOLD] == set()
    assert A.RESERVE not in APPLICATION_TRANSITIONS[A.OFFERED]


def test_withdrawing_an_application_without_an_accepted_offer_is_refused(call, offered, officer):
    application = offered[0].application
    with pytest.raises(ReserveListError):
        services.application_withdraw(application=application, by=officer, reason="Closed down")
    assert _status(application) == A.OFFERED
    assert _status(offered[0]) == OS.OPEN


def test_application_withdraw_returns_what_was_not_paid(call, offered, officer, manager_a):
    services.offer_accept(offer=offered[0], by=manager_a)
    application = offered[0].application
    services.application_withdraw(
        application=application, by=officer, reason="Closed down", retained_amount=D("1234.5")
    )
    offered[0].refresh_from_db()
    assert (offered[0].status, offered[0].retained_amount) == (OS.WITHDRAWN, D("1234.50"))
    assert _status(application) == A.WITHDRAWN
    assert _committed(call) == D("60000") + D("1234.50")
    with pytest.raises(ReserveListError):
        services.application_withdraw(application=application, by=officer, reason="Again")


# --- Overview ----------------------------------------------------------------------------------


def test_calls_overview_figures(officer, organisation_a):
    call = CallFactory(year=2023, envelope=D("500000.00"))
    quiet = CallFactory(programme=call.programme, year=2024, envelope=D("75000.50"))
    other = CallFactory(programme=call.programme, year=2022, envelope=D("100000.00"))

    def offer(status, amount, app_status, retained="0", target=call):
        application = _app(target, organisation_a, amount, status=app_status)
        return OfferFactory(application=application, amount=D(amount), status=status, retained_amount=D(retained))

    offer(OS.OPEN, "10000.10", A.OFFERED)
    offer(OS.ACCEPTED, "20000.20", A.ACCEPTED)
    offer(OS.ACCEPTED, "30000.30", A.CONTRACTED)
    offer(OS.ACCEPTED, "40000.40", A.CONTRACTED)
    offer(OS.DECLINED, "50000.00", A.DECLINED)
    offer(OS.EXPIRED, "60000.00", A.EXPIRED)
    offer(OS.WITHDRAWN, "70000.00", A.WITHDRAWN, retained="1500.25")
    _app(call, organisation_a, "1000", status=A.RESERVE)
    _app(call, organisation_a, "1000", status=A.RESERVE)
    _app(call, organisation_a, "1000", status=A.BELOW_THRESHOLD)
    offer(OS.OPEN, "99999.99", A.OFFERED, target=other)

    overviews = {o.call.year: o for o in selectors.calls_overview(user=officer)}
    assert set(overviews) == {2022, 2023, 2024}

    main = overviews[2023]
    assert main.call.envelope == D("500000.00")
    assert main.committed == D("10000.10") + D("20000.20") + D("30000.30") + D("40000.40") + D("1500.25")
    assert main.committed == D("101501.25")
    assert main.contracted == D("70000.70")
    assert main.free == D("398498.75")
    assert main.counts == {
        A.OFFERED: 1,
        A.ACCEPTED: 1,
        A.CONTRACTED: 2,
        A.DECLINED: 1,
        A.EXPIRED: 1,
        A.WITHDRAWN: 1,
        A.RESERVE: 2,
        A.BELOW_THRESHOLD: 1,
    }
    assert main.committed == selectors.call_committed(call)

    assert (overviews[2024].committed, overviews[2024].contracted) == (0, 0)
    assert overviews[2024].free == D("75000.50")
    assert overviews[2024].counts == {}
    assert (overviews[2022].committed, overviews[2022].free, overviews[2022].counts) == (
        D("99999.99"),
        D("0.01"),
        {A.OFFERED: 1},
    )
    assert selectors.call_overview(user=officer, call=quiet).free == D("75000.50")


def test_calls_overview_is_for_agency_staff_only(call, manager_a, finance):
    assert selectors.calls_overview(user=manager_a) == []
    assert [o.call for o in selectors.calls_overview(user=finance)] == [call]
    assert selectors.calls_overview(user=UserFactory(agency_role="officer", is_active=False)) == []
