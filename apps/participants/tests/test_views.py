import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.participants.models import AccessAction, Participant, PersonalDataAccess, SpecialCategoryData
from tests.factories import ParticipantFactory, SpecialCategoryDataFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MFA_REQUIRED_FOR_AGENCY = False


@pytest.fixture
def participant_a(organisation_a):
    participant = ParticipantFactory(
        organisation=organisation_a, first_name="Jan", last_name="Nowak", email="jan@test.example"
    )
    SpecialCategoryDataFactory(participant=participant, reasons=["geographic"])
    return participant


@pytest.fixture
def participant_b(organisation_b):
    return ParticipantFactory(organisation=organisation_b)


def _form(**changes):
    return {
        "first_name": "Anna",
        "last_name": "Kowalska",
        "email": "anna@test.example",
        "birth_date": "2006-03-14",
        "gender": "female",
        "nationality": "PL",
        "category": "learner",
        "graduation_date": "",
        **changes,
    }


def _views(participant):
    return PersonalDataAccess.objects.filter(participant=participant, action=AccessAction.VIEW)


# --- Lists ----------------------------------------------------------------------------------------


def test_list_searches_and_shows_no_special_category_column(client, manager_a, organisation_a, participant_a):
    ParticipantFactory(organisation=organisation_a, first_name="Ewa", last_name="Lis")
    client.force_login(manager_a)
    url = reverse("participants:list", args=[organisation_a.pk])
    response = client.get(url, {"q": "nowak"})
    assert [p.last_name for p in response.context["page"]] == ["Nowak"]
    body = response.content.decode()
    assert "fewer opportunities" not in body.lower() and "geographic" not in body.lower()
    assert not PersonalDataAccess.objects.exists()


def test_list_queries_stay_constant_as_rows_grow(client, manager_a, organisation_a):
    client.force_login(manager_a)
    url = reverse("participants:list", args=[organisation_a.pk])
    ParticipantFactory.create_batch(3, organisation=organisation_a, user=None)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    ParticipantFactory.create_batch(60, organisation=organisation_a, nationality="PT")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"page": 2})
    assert len(response.context["page"]) == 25
    assert len(many) == len(few)


def test_another_organisations_pages_answer_404(client, manager_a, organisation_b, participant_b):
    client.force_login(manager_a)
    assert client.get(reverse("participants:list", args=[organisation_b.pk])).status_code == 404
    assert client.get(reverse("participants:create", args=[organisation_b.pk])).status_code == 404
    for name in ("detail", "edit", "special_category", "export", "erase", "access_log"):
        assert client.get(reverse(f"participants:{name}", args=[participant_b.pk])).status_code == 404, name


# --- Creating and editing -------------------------------------------------------------------------


def test_contributor_records_a_participant(client, contributor_a, organisation_a):
    client.force_login(contributor_a)
    response = client.post(reverse("participants:create", args=[organisation_a.pk]), _form())
    participant = Participant.objects.get(email="anna@test.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("participants:detail", args=[participant.pk])


def test_errors_are_shown_next_to_the_fields(client, manager_a, organisation_a, participant_a):
    client.force_login(manager_a)
    response = client.post(
        reverse("participants:create", args=[organisation_a.pk]),
        _form(category="recent_graduate", email="JAN@test.example", birth_date="2999-01-01"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"graduation_date", "email", "birth_date"}
    body = response.content.decode()
    # crispy renders each message under its own input, tied to it for screen readers.
    assert 'id="error_1_id_graduation_date"' in body and 'aria-invalid="true"' in body
    assert "Enter the graduation date of a recent graduate." in body
    assert Participant.objects.filter(organisation=organisation_a).count() == 1


def test_edit_saves_only_what_changed(client, contributor_a, participant_a):
    client.force_login(contributor_a)
    url = reverse("participants:edit", args=[participant_a.pk])
    assert client.get(url).context["form"].initial["email"] == "jan@test.example"
    response = client.post(url, _form(first_name="Jan", last_name="Nowak-Lis", email="jan@test.example"))
    assert response.status_code == 302
    participant_a.refresh_from_db()
    assert participant_a.last_name == "Nowak-Lis"


def test_finance_may_read_but_not_edit(client, finance, participant_a):
    client.force_login(finance)
    assert client.get(reverse("participants:detail", args=[participant_a.pk])).status_code == 200
    assert client.get(reverse("participants:edit", args=[participant_a.pk])).status_code == 403


# --- Special-category data ------------------------------------------------------------------------


def test_manager_sees_the_flag_and_the_view_is_logged(client, manager_a, participant_a):
    client.force_login(manager_a)
    url = reverse("participants:detail", args=[participant_a.pk])
    response = client.get(url)
    assert re.search(r'value="geographic"[^>]*checked', response.content.decode())
    assert response.context["special"].reasons == ["geographic"]
    client.get(url)
    assert [(e.user, e.context) for e in _views(participant_a)] == [(manager_a, "participant page")] * 2
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["contributor_a", "finance"])
def test_the_flag_is_hidden_from_contributors_and_finance(request, client, participant_a, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("participants:detail", args=[participant_a.pk]))
    assert response.status_code == 200
    assert response.context["special"] is None
    body = response.content.decode().lower()
    assert "fewer opportunities" not in body and "geographical obstacles" not in body
    assert not PersonalDataAccess.objects.exists()


def test_contributor_may_not_open_or_post_the_flag(client, contributor_a, participant_a):
    client.force_login(contributor_a)
    url = reverse("participants:special_category", args=[participant_a.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"fewer_opportunities": "", "reasons": []}).status_code == 403
    assert SpecialCategoryData.objects.get(participant=participant_a).fewer_opportunities is True
    assert not PersonalDataAccess.objects.exists()


def test_officer_changes_the_flag_and_it_is_logged(client, officer, participant_a):
    client.force_login(officer)
    url = reverse("participants:special_category", args=[participant_a.pk])
    client.get(url)  # the form shows the recorded answer: a view
    response = client.post(url, {"fewer_opportunities": "on", "reasons": ["health", "economic"]})
    assert response.status_code == 302
    assert SpecialCategoryData.objects.get(participant=participant_a).reasons == ["health", "economic"]
    log = [(e.action, e.context) for e in PersonalDataAccess.objects.order_by("pk")]
    assert log == [(AccessAction.VIEW, "special-category form"), (AccessAction.CHANGE, "special-category form")]


def test_reasons_without_the_flag_are_refused_next_to_the_field(client, manager_a, participant_a):
    client.force_login(manager_a)
    url = reverse("participants:special_category", args=[participant_a.pk])
    response = client.post(url, {"reasons": ["health"]})
    assert response.status_code == 200
    assert "reasons" in response.context["form"].errors
    assert "Give reasons only for a participant with fewer opportunities." in response.content.decode()
    assert SpecialCategoryData.objects.get(participant=participant_a).reasons == ["geographic"]


# --- Export, erasure and the access log -----------------------------------------------------------


def test_export_downloads_json_and_is_logged(client, manager_a, participant_a):
    client.force_login(manager_a)
    response = client.get(reverse("participants:export", args=[participant_a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="participant-{participant_a.pk}.json"'
    data = json.loads(response.content)
    assert data["participant"]["email"] == "jan@test.example"
    assert data["special_category_data"]["reasons"] == ["geographic"]
    assert PersonalDataAccess.objects.get(action=AccessAction.EXPORT).user == manager_a


@pytest.mark.parametrize("name", ["export", "erase", "access_log"])
def test_contributors_may_not_export_erase_or_read_the_log(client, contributor_a, participant_a, name):
    client.force_login(contributor_a)
    assert client.get(reverse(f"participants:{name}", args=[participant_a.pk])).status_code == 403


def test_erase_needs_confirmation(client, officer, participant_a):
    client.force_login(officer)
    url = reverse("participants:erase", args=[participant_a.pk])
    response = client.post(url, {})
    assert response.status_code == 200 and "confirm" in response.context["form"].errors
    assert Participant.objects.get(pk=participant_a.pk).last_name == "Nowak"
    response = client.post(url, {"confirm": "on"})
    assert response["Location"] == reverse("participants:detail", args=[participant_a.pk])
    erased = Participant.objects.get(pk=participant_a.pk)
    assert erased.last_name == "Erased" and not SpecialCategoryData.objects.filter(participant=erased).exists()
    page = client.get(reverse("participants:detail", args=[participant_a.pk]))
    assert page.context["erased"] and "jan@test.example" not in page.content.decode()


def test_access_log_lists_who_saw_or_changed_the_data(client, manager_a, officer, participant_a):
    client.force_login(officer)
    client.get(reverse("participants:detail", args=[participant_a.pk]))
    client.force_login(manager_a)
    response = client.get(reverse("participants:access_log", args=[participant_a.pk]))
    assert [(e.user, e.action) for e in response.context["page"]] == [(officer, AccessAction.VIEW)]
    assert "officer@test.example" in response.content.decode()
