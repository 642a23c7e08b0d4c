import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from apps.accounts.models import AgencyRole, User
from apps.accounts.roles import has_agency_role, is_agency, is_agency_admin
from apps.accounts.services import AccountError, user_ensure, user_set_agency_role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_is_unique():
    user = User.objects.create_user(email="Someone@Example.ORG", password="x")
    assert user.email == "someone@example.org"
    assert User.USERNAME_FIELD == "email"


def test_roles():
    finance = UserFactory(agency_role=AgencyRole.FINANCE)
    admin = UserFactory(agency_role=AgencyRole.ADMINISTRATOR)
    nobody = UserFactory()
    assert is_agency(finance) and not is_agency(nobody)
    assert has_agency_role(finance, AgencyRole.FINANCE) and not has_agency_role(finance, AgencyRole.OFFICER)
    assert has_agency_role(admin, AgencyRole.OFFICER)  # administrators hold every agency role
    assert is_agency_admin(admin) and not is_agency_admin(finance)


def test_agency_role_drives_admin_access():
    user = UserFactory()
    user_set_agency_role(user=user, role=AgencyRole.ADMINISTRATOR)
    assert user.is_staff and user.is_superuser
    user_set_agency_role(user=user, role=AgencyRole.OFFICER)
    assert not user.is_staff and not user.is_superuser
    with pytest.raises(AccountError):
        user_set_agency_role(user=user, role="king")


def test_user_ensure_is_idempotent_and_verified():
    first = user_ensure(email="x@test.example", password="Pass-word-123", agency_role=AgencyRole.OFFICER)
    again = user_ensure(email="X@test.example", password="Pass-word-123", agency_role=AgencyRole.OFFICER)
    assert first.pk == again.pk
    assert first.emailaddress_set.get().verified


def test_login_with_email_and_password(client):
    UserFactory(email="login@test.example")
    response = client.post(reverse("account_login"), {"login": "login@test.example", "password": "Test-Password-2026"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_mfa_required_for_agency_staff_when_enabled(client, settings, officer, manager_a):
    settings.MFA_REQUIRED_FOR_AGENCY = True
    client.force_login(officer)
    response = client.get(reverse("portal:agency_home"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    # Enrolment itself stays reachable (allauth first asks to confirm the password).
    enrol = client.get(reverse("mfa_activate_totp"))
    assert enrol.status_code == 302 and enrol["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(enrol["Location"]).status_code == 200

    Authenticator.objects.create(user=officer, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get(reverse("portal:agency_home")).status_code == 200

    client.force_login(manager_a)  # organisation members are not forced
    assert client.get(reverse("portal:organisation_home")).status_code == 200


def test_mfa_not_required_when_setting_is_off(client, settings, officer):
    settings.MFA_REQUIRED_FOR_AGENCY = False
    client.force_login(officer)
    assert client.get(reverse("portal:agency_home")).status_code == 200


def test_language_switch_is_remembered_on_the_account(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "pl", "next": "/reference/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "pl"
    assert "Dane referencyjne" in client.get("/reference/").content.decode()


def test_admin_login_goes_through_allauth(client):
    """The admin's own login form would skip two-factor authentication and allauth's rate limits."""
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
