"""Personas shared by every app's tests (STYLE.md: owner, member, outsider, anonymous)."""

import pytest

from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ParticipantFactory,
    UserFactory,
)

PASSWORD = "Test-Password-2026"


@pytest.fixture
def organisation_a(db):
    return OrganisationFactory(legal_name="Organisation A")


@pytest.fixture
def organisation_b(db):
    return OrganisationFactory(legal_name="Organisation B")


@pytest.fixture
def officer(db):
    return UserFactory(email="officer@test.example", agency_role="officer")


@pytest.fixture
def agency_admin(db):
    return UserFactory(email="admin@test.example", agency_role="administrator", is_staff=True, is_superuser=True)


@pytest.fixture
def finance(db):
    return UserFactory(email="finance@test.example", agency_role="finance")


@pytest.fixture
def manager_a(organisation_a):
    return MembershipFactory(organisation=organisation_a, role="manager", user__email="manager-a@test.example").user


@pytest.fixture
def contributor_a(organisation_a):
    return MembershipFactory(organisation=organisation_a, role="contributor", user__email="contrib-a@test.example").user


@pytest.fixture
def manager_b(organisation_b):
    return MembershipFactory(organisation=organisation_b, role="manager", user__email="manager-b@test.example").user


@pytest.fixture
def participant_user(organisation_a):
    return ParticipantFactory(organisation=organisation_a, user=UserFactory(email="learner-a@test.example")).user


@pytest.fixture
def personas(db, officer, manager_a, manager_b, participant_user):
    """The five personas of the permission matrix, by name (None is the anonymous visitor)."""
    return {
        "anonymous": None,
        "participant": participant_user,
        "member_a": manager_a,
        "member_b": manager_b,
        "officer": officer,
    }
