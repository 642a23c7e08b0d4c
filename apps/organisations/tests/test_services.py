import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.organisations import services
from apps.organisations.models import Invitation, Membership
from apps.reference.models import Region
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "oid": "E10000001",
    "legal_name": "Technikum Łączności",
    "kind": "vet_school",
    "country": "PL",
    "city": "Gdańsk",
}


def _pomorskie():
    return Region.objects.get(country_id="PL", code="22")


def test_create_polish_organisation_with_region():
    organisation = services.organisation_create(**VALID, region=_pomorskie(), pic="123456789")
    assert organisation.pk and organisation.region.name == "pomorskie"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"oid": "E1234567"}, "oid", "E followed by 8 digits"),
        ({"oid": "X12345678"}, "oid", "E followed by 8 digits"),
        ({"pic": "12345"}, "pic", "9 digits"),
        ({"region": None}, "region", "region"),
        ({"country": "US", "region": None}, "country", "not an eligible programme country"),
        ({"country": "PT"}, "region", "not in the chosen country"),
        ({"legal_name": ""}, "legal_name", "cannot be blank"),
    ],
)
def test_invalid_organisation_names_the_field(changes, field, message):
    data = {**VALID, "region": _pomorskie(), **changes}
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_create(**data)
    assert field in excinfo.value.message_dict
    assert any(message in text for text in excinfo.value.message_dict[field])


def test_foreign_host_needs_no_region():
    host = services.organisation_create(**{**VALID, "oid": "E10000002", "country": "PT", "city": "Lisbon"})
    assert host.region is None


def test_duplicate_oid_is_refused():
    services.organisation_create(**VALID, region=_pomorskie())
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_create(**VALID, region=_pomorskie())
    assert "oid" in excinfo.value.message_dict


def test_update_validates_and_keeps_history(organisation_a):
    services.organisation_update(organisation=organisation_a, city="Kalisz")
    assert organisation_a.history.count() == 2
    with pytest.raises(ValidationError):
        services.organisation_update(organisation=organisation_a, oid="bad")
    organisation_a.refresh_from_db()
    assert organisation_a.oid != "bad"


def test_invite_and_accept(django_capture_on_commit_callbacks, organisation_a, manager_a):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.membership_invite(
            organisation=organisation_a, email="New.Colleague@Test.example", role="contributor", invited_by=manager_a
        )
    assert invitation.email == "new.colleague@test.example"
    assert len(mail.outbox) == 1
    token = mail.outbox[0].body.split("/invitations/")[1].split("/")[0]
    assert services.invitation_by_token(token) == invitation
    assert invitation.token_hash != token  # only the hash is stored

    colleague = UserFactory(email="new.colleague@test.example")
    membership = services.invitation_accept(invitation=invitation, user=colleague)
    assert membership.role == "contributor" and membership.organisation == organisation_a
    with pytest.raises(services.InvitationError, match="already been used"):
        services.invitation_accept(invitation=invitation, user=colleague)


def test_invitation_for_someone_else_or_expired_is_refused(organisation_a, manager_a):
    invitation = services.membership_invite(
        organisation=organisation_a, email="a@test.example", role="manager", invited_by=manager_a
    )
    with pytest.raises(services.InvitationError, match="sent to a@test.example"):
        services.invitation_accept(invitation=invitation, user=UserFactory(email="b@test.example"))
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    invitation.refresh_from_db()
    with pytest.raises(services.InvitationError, match="expired"):
        services.invitation_accept(invitation=invitation, user=UserFactory(email="a@test.example"))
    assert not Membership.objects.filter(user__email="a@test.example").exists()


def test_existing_member_cannot_be_invited_again(organisation_a, manager_a):
    with pytest.raises(services.InvitationError, match="already a member"):
        services.membership_invite(
            organisation=organisation_a, email=manager_a.email, role="manager", invited_by=manager_a
        )
