import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from apps.participants import selectors
from apps.participants.models import AccessAction, Participant, PersonalDataAccess
from tests.factories import MembershipFactory, ParticipantFactory, SpecialCategoryDataFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant_a(organisation_a):
    return ParticipantFactory(
        organisation=organisation_a, first_name="Jan", last_name="Nowak", email="jan@test.example"
    )


@pytest.fixture
def participant_b(organisation_b):
    return ParticipantFactory(organisation=organisation_b, email="ola@test.example")


# --- Scoping --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "finance", "agency_admin"])
def test_agency_sees_every_participant(request, participant_a, participant_b, who):
    assert set(selectors.participants_for_user(user=request.getfixturevalue(who))) >= {participant_a, participant_b}


@pytest.mark.parametrize("who", ["manager_a", "contributor_a"])
def test_members_see_their_organisations_participants(request, participant_a, participant_b, who):
    visible = list(selectors.participants_for_user(user=request.getfixturevalue(who)))
    assert participant_a in visible and participant_b not in visible


def test_a_member_of_two_organisations_sees_both_once(participant_a, participant_b, manager_a, organisation_b):
    MembershipFactory(user=manager_a, organisation=organisation_b, role="contributor")
    visible = list(selectors.participants_for_user(user=manager_a))
    assert sorted(p.pk for p in visible) == sorted({participant_a.pk, participant_b.pk})


def test_participants_and_visitors_see_none(participant_a, participant_user):
    assert not selectors.participants_for_user(user=participant_user).exists()
    assert not selectors.participants_for_user(user=AnonymousUser()).exists()


def test_another_organisations_participant_is_not_found(participant_a, participant_b, manager_a):
    assert selectors.get_participant_for_user(user=manager_a, pk=participant_a.pk) == participant_a
    with pytest.raises(Http404):
        selectors.get_participant_for_user(user=manager_a, pk=participant_b.pk)


def test_search_by_name_or_email(organisation_a, participant_a, officer):
    ParticipantFactory(organisation=organisation_a, first_name="Ewa", last_name="Lis", email="ewa@test.example")

    def found(q, category=""):
        return sorted(
            p.first_name
            for p in selectors.participants_of_organisation(
                user=officer, organisation=organisation_a, q=q, category=category
            )
        )

    assert found("nowak") == ["Jan"]
    assert found("jan nowak") == ["Jan"]
    assert found("EWA@") == ["Ewa"]
    assert found("nobody") == []
    assert "Jan" in found("", category="learner") and found("", category="staff") == []


# --- Who may see the flag -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("manager_a", True),
        ("officer", True),
        ("agency_admin", True),
        ("finance", False),
        ("contributor_a", False),
        ("manager_b", False),
    ],
)
def test_who_may_see_the_flag(request, organisation_a, who, allowed):
    user = request.getfixturevalue(who)
    ok, reason = selectors.can_see_special_category(user=user, organisation=organisation_a)
    assert ok is allowed
    assert bool(reason) is not allowed


def test_the_participant_sees_their_own_flag_only(participant_user, participant_a):
    own = Participant.objects.get(user=participant_user)
    assert selectors.can_see_special_category(user=participant_user, organisation=own.organisation, participant=own)[0]
    assert not selectors.can_see_special_category(
        user=participant_user, organisation=participant_a.organisation, participant=participant_a
    )[0]


def test_anonymous_may_see_nothing(organisation_a):
    assert not selectors.can_see_special_category(user=AnonymousUser(), organisation=organisation_a)[0]


def test_each_view_is_logged(participant_a, manager_a):
    SpecialCategoryDataFactory(participant=participant_a, reasons=["health"])
    data = selectors.special_category_for(user=manager_a, participant=participant_a, context="unit test")
    assert (data.fewer_opportunities, data.reasons) == (True, ["health"])
    selectors.special_category_for(user=manager_a, participant=participant_a, context="unit test")
    log = PersonalDataAccess.objects.filter(participant=participant_a)
    assert log.count() == 2
    entry = log.first()
    assert (entry.user, entry.action, entry.fields, entry.context) == (
        manager_a,
        AccessAction.VIEW,
        ["fewer_opportunities", "reasons"],
        "unit test",
    )
    assert entry.at is not None


def test_seeing_that_nothing_is_recorded_is_a_view_too(participant_a, officer):
    data = selectors.special_category_for(user=officer, participant=participant_a, context="page")
    assert data is not None and data.fewer_opportunities is False and data._state.adding
    assert PersonalDataAccess.objects.filter(action=AccessAction.VIEW).count() == 1


@pytest.mark.parametrize("who", ["finance", "contributor_a"])
def test_refused_reads_return_none_and_log_nothing(request, participant_a, who):
    SpecialCategoryDataFactory(participant=participant_a)
    user = request.getfixturevalue(who)
    assert selectors.special_category_for(user=user, participant=participant_a, context="page") is None
    assert not PersonalDataAccess.objects.exists()


def test_reason_labels_follow_the_choices():
    assert selectors.reason_labels(["economic", "disability"]) == ["economic obstacles", "disability"]
