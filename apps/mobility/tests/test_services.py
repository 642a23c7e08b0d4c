"""Projects from grant agreements, and withdrawals that return the unspent money to the call."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from apps.mobility import services
from apps.mobility.models import Project, ProjectStatus
from apps.notifications.models import Notification
from apps.reserve_list import selectors as reserve_selectors
from apps.reserve_list import services as reserve_services
from apps.reserve_list.models import ApplicationStatus, ApplicationStatusChange, Offer, OfferStatus
from apps.reserve_list.services import ReserveListError
from tests.factories import ApplicationFactory, CallFactory

pytestmark = pytest.mark.django_db

D = Decimal
START, END = date(2024, 9, 1), date(2025, 8, 31)


@pytest.fixture
def call(db):
    return CallFactory(year=2023, envelope=D("300000.00"))


@pytest.fixture
def offers(call, organisation_a, officer, manager_a):
    """Three offers of one round: 100,000 accepted, 80,000 accepted, 50,000 still open."""
    for requested in ("100000.00", "80000.00", "50000.00"):  # equal scores: submitted in this order
        ApplicationFactory(call=call, organisation=organisation_a, requested_grant=D(requested))
    reserve_services.round_commit(call=call, amount=D("230000"), policy="stop", by=officer)
    first, second, third = Offer.objects.order_by("-amount")
    reserve_services.offer_accept(offer=first, by=manager_a)
    reserve_services.offer_accept(offer=second, by=manager_a)
    return first, second, third


def _create(offer, by, number="PL01-KA122-2023-0001", start=START, end=END):
    offer.refresh_from_db()
    return services.project_create_from_agreement(
        offer=offer, agreement_number=number, signed_on=date(2024, 8, 20), start_date=start, end_date=end, by=by
    )


def _committed(call):
    return reserve_selectors.call_committed(call)


# --- Creating a project -----------------------------------------------------------------


def test_project_from_an_accepted_offer(call, offers, finance, officer):
    offer = offers[0]
    project = _create(offer, finance, number="  PL01-KA122-2023-0001 ")

    project.refresh_from_db()
    assert project.application == offer.application
    assert project.agreement_number == "PL01-KA122-2023-0001"
    assert (project.signed_on, project.start_date, project.end_date) == (date(2024, 8, 20), START, END)
    assert project.awarded_grant == D("100000.00")
    assert project.status == ProjectStatus.CONTRACTED
    assert project.recorded_by == finance

    offer.application.refresh_from_db()
    assert offer.application.status == ApplicationStatus.CONTRACTED
    change = ApplicationStatusChange.objects.filter(application=offer.application).latest("pk")
    assert (change.from_status, change.to_status, change.changed_by) == (
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.CONTRACTED,
        finance,
    )
    assert change.reason == "Grant agreement signed"
    # The offer stays accepted and its money committed; the overview now counts it as contracted.
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
    overview = reserve_selectors.call_overview(user=officer, call=call)
    assert (overview.committed, overview.contracted) == (D("230000"), D("100000"))
    assert overview.counts[ApplicationStatus.CONTRACTED] == 1


@pytest.mark.parametrize("answer", ["open", "declined", "expired"])
def test_only_an_accepted_offer_can_be_contracted(offers, finance, manager_a, answer):
    offer = offers[2]
    if answer == "declined":
        reserve_services.offer_decline(offer=offer, by=manager_a, reason="No partner")
    elif answer == "expired":
        reserve_services.offers_expire_due(now=offer.deadline)
    offer.refresh_from_db()
    assert offer.status == answer

    with pytest.raises(ValidationError) as excinfo:
        _create(offer, finance)
    assert set(excinfo.value.message_dict) == {NON_FIELD_ERRORS}
    assert "accepted offer" in excinfo.value.message_dict[NON_FIELD_ERRORS][0]
    assert not Project.objects.exists()
    offer.application.refresh_from_db()
    assert offer.application.status != ApplicationStatus.CONTRACTED


def test_an_offer_is_contracted_once(offers, finance):
    _create(offers[0], finance, number="PL01-1")
    with pytest.raises(ValidationError) as excinfo:
        _create(offers[0], finance, number="PL01-2")
    assert NON_FIELD_ERRORS in excinfo.value.message_dict
    assert Project.objects.count() == 1


def test_duplicate_agreement_number_is_refused(offers, finance):
    _create(offers[0], finance, number="PL01-KA122-2023-0001")
    with pytest.raises(ValidationError) as excinfo:
        _create(offers[1], finance, number=" PL01-KA122-2023-0001")
    assert set(excinfo.value.message_dict) == {"agreement_number"}
    assert Project.objects.count() == 1
    offers[1].application.refresh_from_db()
    assert offers[1].application.status == ApplicationStatus.ACCEPTED


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2024, 9, 1), date(2025, 2, 28)),  # six months minus a day
        (date(2024, 9, 1), date(2026, 3, 2)),  # eighteen months plus a day
        (date(2024, 9, 1), date(2024, 8, 31)),  # ends before it starts
    ],
)
def test_bad_duration_is_refused_on_the_end_date(offers, finance, start, end):
    with pytest.raises(ValidationError) as excinfo:
        _create(offers[0], finance, start=start, end=end)
    assert set(excinfo.value.message_dict) == {"end_date"}
    assert "6" in excinfo.value.message_dict["end_date"][0]
    assert "18" in excinfo.value.message_dict["end_date"][0]
    assert not Project.objects.exists()


@pytest.mark.parametrize(("start", "end"), [(date(2024, 9, 1), date(2025, 3, 1)), (date(2024, 9, 1), date(2026, 3, 1))])
def test_duration_limits_are_inclusive(offers, finance, start, end):
    assert _create(offers[0], finance, start=start, end=end).end_date == end


def test_every_problem_is_reported_at_once(offers, finance):
    _create(offers[0], finance, number="DUP")
    with pytest.raises(ValidationError) as excinfo:
        _create(offers[2], finance, number="DUP", end=START)
    assert set(excinfo.value.message_dict) == {NON_FIELD_ERRORS, "agreement_number", "end_date"}


# --- Withdrawing a project ----------------------------------------------------------------


@pytest.fixture
def project(offers, finance):
    return _create(offers[0], finance)


def test_withdraw_returns_the_unspent_money(call, offers, project, officer):
    before = _committed(call)
    assert before == D("230000")
    Notification.objects.all().delete()

    services.project_withdraw(
        project=project, reason="  The school closed  ", retained_amount=D("12500.50"), by=officer
    )

    project.refresh_from_db()
    assert project.status == ProjectStatus.WITHDRAWN
    assert project.withdrawal_reason == "The school closed"
    offer = offers[0]
    offer.refresh_from_db()
    assert (offer.status, offer.retained_amount) == (OfferStatus.WITHDRAWN, D("12500.50"))
    offer.application.refresh_from_db()
    assert offer.application.status == ApplicationStatus.WITHDRAWN
    # Committed drops by amount − retained: 100,000 − 12,500.50.
    assert _committed(call) == before - (D("100000.00") - D("12500.50"))
    overview = reserve_selectors.call_overview(user=officer, call=call)
    assert overview.free == D("300000") - D("130000") - D("12500.50")
    assert overview.contracted == 0
    assert list(Notification.objects.values_list("kind", "recipient")) == [("offer_withdrawn", officer.pk)]


def test_withdraw_with_nothing_paid_returns_everything(call, project, officer):
    services.project_withdraw(project=project, reason="Cancelled", by=officer)
    assert _committed(call) == D("130000")


def test_withdraw_with_everything_paid_returns_nothing(call, project, officer):
    services.project_withdraw(project=project, reason="Ended early", retained_amount=D("100000"), by=officer)
    assert _committed(call) == D("230000")


@pytest.mark.parametrize("retained", ["100000.01", "-0.01"])
def test_withdraw_refuses_a_retained_amount_outside_the_grant(call, project, officer, retained):
    with pytest.raises(ReserveListError, match="between 0"):
        services.project_withdraw(project=project, reason="Cancelled", retained_amount=D(retained), by=officer)
    project.refresh_from_db()
    project.application.refresh_from_db()
    assert project.status == ProjectStatus.CONTRACTED
    assert project.application.status == ApplicationStatus.CONTRACTED
    assert _committed(call) == D("230000")


def test_withdraw_needs_a_reason(project, officer):
    with pytest.raises(ReserveListError, match="reason"):
        services.project_withdraw(project=project, reason=" ", by=officer)
    project.refresh_from_db()
    assert project.status == ProjectStatus.CONTRACTED


def test_withdraw_twice_is_refused(call, project, officer):
    services.project_withdraw(project=project, reason="Cancelled", retained_amount=D("1000"), by=officer)
    with pytest.raises(ReserveListError):
        services.project_withdraw(project=project, reason="Again", by=officer)
    project.refresh_from_db()
    with pytest.raises(ReserveListError):
        services.project_withdraw(project=project, reason="Again", by=officer)
    assert _committed(call) == D("131000")
