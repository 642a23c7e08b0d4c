import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import timezone

from apps.participants import services
from apps.participants.models import AccessAction, Participant, PersonalDataAccess, SpecialCategoryData
from tests.factories import ParticipantFactory, SpecialCategoryDataFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "first_name": "Anna",
    "last_name": "Kowalska",
    "email": "anna.kowalska@test.example",
    "birth_date": datetime.date(2006, 3, 14),
    "gender": "female",
    "nationality": "PL",
    "category": "learner",
}


@pytest.fixture
def participant_a(organisation_a):
    return ParticipantFactory(organisation=organisation_a, email="jan@test.example")


# --- Creating and correcting personal data --------------------------------------------------------


def test_member_records_a_participant(organisation_a, contributor_a):
    participant = services.participant_create(
        organisation=organisation_a, by=contributor_a, **{**VALID, "email": " Anna.Kowalska@Test.Example "}
    )
    participant.refresh_from_db()
    assert participant.organisation == organisation_a
    assert participant.email == "anna.kowalska@test.example"
    assert (participant.gender, str(participant.nationality)) == ("female", "PL")


def test_recent_graduate_with_graduation_date(organisation_a, officer):
    participant = services.participant_create(
        organisation=organisation_a,
        by=officer,
        **{**VALID, "category": "recent_graduate", "graduation_date": datetime.date(2024, 6, 28)},
    )
    assert participant.graduation_date == datetime.date(2024, 6, 28)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"category": "recent_graduate"}, "graduation_date", "graduation date of a recent graduate"),
        ({"birth_date": timezone.localdate() + datetime.timedelta(days=1)}, "birth_date", "cannot be in the future"),
        ({"email": "not-an-address"}, "email", "valid email"),
        ({"first_name": ""}, "first_name", "cannot be blank"),
        ({"gender": "other"}, "gender", "not a valid choice"),
        ({"nationality": "XX"}, "nationality", "not a valid choice"),
        ({"category": "accompanying"}, "category", "not a valid choice"),
    ],
)
def test_bad_input_names_the_field(organisation_a, manager_a, changes, field, message):
    with pytest.raises(ValidationError) as excinfo:
        services.participant_create(organisation=organisation_a, by=manager_a, **{**VALID, **changes})
    assert field in excinfo.value.message_dict
    assert any(message in text for text in excinfo.value.message_dict[field]), excinfo.value.message_dict
    assert not Participant.objects.exists()


def test_every_error_is_reported_at_once(organisation_a, manager_a):
    with pytest.raises(ValidationError) as excinfo:
        services.participant_create(
            organisation=organisation_a,
            by=manager_a,
            **{**VALID, "last_name": "", "category": "recent_graduate", "birth_date": datetime.date(2999, 1, 1)},
        )
    assert {"last_name", "graduation_date", "birth_date"} <= set(excinfo.value.message_dict)


def test_email_is_unique_per_organisation(organisation_a, organisation_b, manager_a, officer):
    services.participant_create(organisation=organisation_a, by=manager_a, **VALID)
    with pytest.raises(ValidationError) as excinfo:
        services.participant_create(
            organisation=organisation_a, by=manager_a, **{**VALID, "email": VALID["email"].upper()}
        )
    assert "already has a participant" in excinfo.value.message_dict["email"][0]
    # Another organisation may send the same person.
    assert services.participant_create(organisation=organisation_b, by=officer, **VALID).pk


def test_update_corrects_and_validates(participant_a, manager_a):
    ParticipantFactory(organisation=participant_a.organisation, email="taken@test.example")
    services.participant_update(participant=participant_a, by=manager_a, last_name="Nowak", gender="male")
    participant_a.refresh_from_db()
    assert (participant_a.last_name, participant_a.gender) == ("Nowak", "male")
    with pytest.raises(ValidationError) as excinfo:
        services.participant_update(participant=participant_a, by=manager_a, email="taken@test.example")
    assert "email" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.participant_update(participant=participant_a, by=manager_a, category="recent_graduate")
    assert "graduation_date" in excinfo.value.message_dict
    assert Participant.objects.get(pk=participant_a.pk).email == "jan@test.example"


def test_leaving_the_graduate_category_drops_the_graduation_date(participant_a, manager_a):
    services.participant_update(
        participant=participant_a, by=manager_a, category="recent_graduate", graduation_date=datetime.date(2024, 6, 1)
    )
    services.participant_update(participant=participant_a, by=manager_a, category="staff")
    participant_a.refresh_from_db()
    assert participant_a.graduation_date is None


def test_update_writes_only_the_corrected_columns(participant_a, manager_a):
    """A correction made from a page loaded earlier keeps the account link that a sign-in set meanwhile."""
    stale = Participant.objects.get(pk=participant_a.pk)
    account = UserFactory(email=participant_a.email)
    Participant.objects.filter(pk=participant_a.pk).update(user=account)

    services.participant_update(participant=stale, by=manager_a, first_name="Zofia")

    participant_a.refresh_from_db()
    assert (participant_a.first_name, participant_a.user) == ("Zofia", account)


def test_unknown_field_is_a_programming_error(participant_a, manager_a):
    with pytest.raises(ValueError, match="organisation"):
        services.participant_update(participant=participant_a, by=manager_a, organisation=None)


@pytest.mark.parametrize("who", ["manager_b", "finance", "participant_user"])
def test_outsiders_may_not_record_participants(request, organisation_a, who):
    with pytest.raises(PermissionDenied):
        services.participant_create(organisation=organisation_a, by=request.getfixturevalue(who), **VALID)


# --- Special-category data ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("manager_a", True),
        ("officer", True),
        ("agency_admin", True),
        ("contributor_a", False),
        ("finance", False),
        ("manager_b", False),
        ("participant_user", False),  # they may see their own flag, not set it
    ],
)
def test_who_may_change_the_flag(request, participant_a, who, allowed):
    user = request.getfixturevalue(who)
    if who == "participant_user":
        participant_a = Participant.objects.get(user=user)
    if allowed:
        services.participant_set_special_category(
            participant=participant_a, by=user, fewer_opportunities=True, reasons=["health"]
        )
        assert SpecialCategoryData.objects.get(participant=participant_a).reasons == ["health"]
    else:
        with pytest.raises(PermissionDenied):
            services.participant_set_special_category(
                participant=participant_a, by=user, fewer_opportunities=True, reasons=["health"]
            )
        assert not SpecialCategoryData.objects.exists()
        assert not PersonalDataAccess.objects.exists()


def test_each_change_is_logged_with_who_when_and_what(participant_a, manager_a, officer):
    before = timezone.now()
    services.participant_set_special_category(
        participant=participant_a, by=manager_a, fewer_opportunities=True, reasons=["social", "economic"]
    )
    services.participant_set_special_category(
        participant=participant_a,
        by=officer,
        fewer_opportunities=True,
        reasons=["economic", "social", "geographic"],
        context="review",
    )
    data = SpecialCategoryData.objects.get(participant=participant_a)
    assert data.reasons == ["economic", "social", "geographic"]  # the choices' order
    assert data.updated_by == officer
    log = list(PersonalDataAccess.objects.filter(participant=participant_a).order_by("pk"))
    assert [(e.user, e.action, e.fields) for e in log] == [
        (manager_a, AccessAction.CHANGE, ["fewer_opportunities", "reasons"]),
        (officer, AccessAction.CHANGE, ["reasons"]),
    ]
    assert all(e.at >= before for e in log)
    assert log[1].context == "review"


def test_a_save_that_changes_nothing_logs_nothing(participant_a, manager_a):
    services.participant_set_special_category(
        participant=participant_a, by=manager_a, fewer_opportunities=False, reasons=[]
    )
    assert not PersonalDataAccess.objects.exists()
    assert not SpecialCategoryData.objects.exists()


@pytest.mark.parametrize(
    ("flag", "reasons", "message"),
    [
        (True, ["poverty"], "Unknown reason: poverty"),
        (False, ["health"], "only for a participant with fewer opportunities"),
    ],
)
def test_bad_reasons_name_the_field(participant_a, manager_a, flag, reasons, message):
    with pytest.raises(ValidationError) as excinfo:
        services.participant_set_special_category(
            participant=participant_a, by=manager_a, fewer_opportunities=flag, reasons=reasons
        )
    assert message in excinfo.value.message_dict["reasons"][0]
    assert not SpecialCategoryData.objects.exists() and not PersonalDataAccess.objects.exists()


def test_unflagging_clears_the_reasons(participant_a, manager_a):
    SpecialCategoryDataFactory(participant=participant_a, reasons=["health"])
    services.participant_set_special_category(
        participant=participant_a, by=manager_a, fewer_opportunities=False, reasons=[]
    )
    data = SpecialCategoryData.objects.get(participant=participant_a)
    assert (data.fewer_opportunities, data.reasons) == (False, [])


# --- Erasure --------------------------------------------------------------------------------------


def test_erase_anonymises_and_keeps_the_row(participant_a, manager_a):
    account = UserFactory(email="jan.account@test.example")
    participant_a.user = account
    participant_a.birth_date = datetime.date(2005, 1, 2)
    participant_a.gender = "male"
    participant_a.nationality = "PL"
    participant_a.save()
    SpecialCategoryDataFactory(participant=participant_a)
    services.participant_erase(participant=participant_a, by=manager_a)
    erased = Participant.objects.get(pk=participant_a.pk)
    assert (erased.first_name, erased.last_name) == ("Erased", "Erased")
    assert erased.email == f"erased-{erased.pk}@erased.invalid"
    assert (erased.birth_date, erased.gender, str(erased.nationality), erased.user) == (None, "", "", None)
    assert erased.category == "learner" and erased.organisation == participant_a.organisation
    assert not SpecialCategoryData.objects.filter(participant=erased).exists()
    entry = PersonalDataAccess.objects.get(participant=erased)
    assert (entry.user, entry.action) == (manager_a, AccessAction.ERASE)
    assert {"first_name", "email", "birth_date", "fewer_opportunities", "reasons"} <= set(entry.fields)


def test_two_erased_participants_of_one_organisation_do_not_collide(organisation_a, manager_a):
    first, second = ParticipantFactory.create_batch(2, organisation=organisation_a)
    services.participant_erase(participant=first, by=manager_a)
    services.participant_erase(participant=second, by=manager_a)
    assert Participant.objects.filter(first_name="Erased").count() == 2


def test_an_erased_participant_cannot_be_filled_in_again(participant_a, manager_a):
    services.participant_erase(participant=participant_a, by=manager_a)
    participant_a.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        services.participant_update(participant=participant_a, by=manager_a, first_name="Jan")
    assert NON_FIELD_ERRORS in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        services.participant_set_special_category(
            participant=participant_a, by=manager_a, fewer_opportunities=True, reasons=[]
        )


@pytest.mark.parametrize("who", ["contributor_a", "finance", "manager_b"])
def test_only_managers_and_officers_erase(request, participant_a, who):
    with pytest.raises(PermissionDenied):
        services.participant_erase(participant=participant_a, by=request.getfixturevalue(who))
    assert Participant.objects.get(pk=participant_a.pk).email == "jan@test.example"


# --- Export ---------------------------------------------------------------------------------------


def test_export_holds_everything_and_is_logged(participant_a, manager_a, officer):
    services.participant_set_special_category(
        participant=participant_a, by=manager_a, fewer_opportunities=True, reasons=["disability"]
    )
    export = services.participant_export(participant=participant_a, by=officer)
    assert export["participant"]["email"] == "jan@test.example"
    assert export["participant"]["category"] == "learner"
    assert export["sending_organisation"]["oid"] == participant_a.organisation.oid
    assert export["account"] is None
    assert export["special_category_data"]["fewer_opportunities"] is True
    assert export["special_category_data"]["reasons"] == ["disability"]
    assert [(e["by"], e["action"]) for e in export["personal_data_accesses"]] == [("manager-a@test.example", "change")]
    entry = PersonalDataAccess.objects.filter(action=AccessAction.EXPORT).get()
    assert (entry.user, entry.fields) == (officer, ["fewer_opportunities", "reasons"])


def test_participant_exports_their_own_data(participant_user):
    own = Participant.objects.get(user=participant_user)
    SpecialCategoryDataFactory(participant=own)
    export = services.participant_export(participant=own, by=participant_user)
    assert export["account"]["email"] == "learner-a@test.example"
    assert export["special_category_data"]["reasons"] == ["economic"]


def test_contributor_may_not_export(participant_a, contributor_a):
    with pytest.raises(PermissionDenied):
        services.participant_export(participant=participant_a, by=contributor_a)
    assert not PersonalDataAccess.objects.exists()


def test_export_leaves_out_special_category_data_when_the_rule_says_no(participant_a, officer, monkeypatch):
    """Today everyone who may export may see the flag; the export still asks the rule, should it narrow."""
    SpecialCategoryDataFactory(participant=participant_a)
    monkeypatch.setattr(services.selectors, "can_see_special_category", lambda **kwargs: (False, "no"))
    export = services.participant_export(participant=participant_a, by=officer)
    assert "special_category_data" not in export
    assert PersonalDataAccess.objects.get(action=AccessAction.EXPORT).fields == []


def test_registered_sections_join_the_export(participant_a, officer, monkeypatch):
    monkeypatch.setattr(services, "_export_sections", {})
    services.export_section_register(key="mobilities", build=lambda participant: [{"id": participant.pk}])
    export = services.participant_export(participant=participant_a, by=officer)
    assert export["mobilities"] == [{"id": participant_a.pk}]


def test_the_export_log_names_the_fields_of_the_sections_that_held_something(participant_a, officer, monkeypatch):
    monkeypatch.setattr(services, "_export_sections", {})
    services.export_section_register(
        key="passport_extra_support", build=lambda participant: [{"support": "x"}], fields=["extra_support"]
    )
    services.export_section_register(key="certificates", build=lambda participant: [{"code": "A"}])
    services.export_section_register(key="outcomes", build=lambda participant: [], fields=["mentor_name"])
    export = services.participant_export(participant=participant_a, by=officer)
    assert export["outcomes"] == []  # an empty section is exported, but discloses nothing: not logged
    entry = PersonalDataAccess.objects.get(action=AccessAction.EXPORT)
    # Declared field names, or the section's key when it declares none; in registration order.
    assert entry.fields == ["fewer_opportunities", "reasons", "extra_support", "certificates"]


def test_a_section_without_special_category_rights_is_still_logged(participant_a, officer, monkeypatch):
    monkeypatch.setattr(services, "_export_sections", {})
    monkeypatch.setattr(services.selectors, "can_see_special_category", lambda **kwargs: (False, "no"))
    services.export_section_register(key="s", build=lambda participant: {"a": 1}, fields=["a", "a", "b"])
    services.participant_export(participant=participant_a, by=officer)
    assert PersonalDataAccess.objects.get(action=AccessAction.EXPORT).fields == ["a", "b"]


def test_a_failing_section_leaves_no_export_entry(participant_a, officer, monkeypatch):
    def broken(participant):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "_export_sections", {})
    services.export_section_register(key="broken", build=broken)
    with pytest.raises(RuntimeError):
        services.participant_export(participant=participant_a, by=officer)
    assert not PersonalDataAccess.objects.filter(action=AccessAction.EXPORT).exists()


def test_the_passports_extra_support_is_named_in_the_export_log(participant_user, officer):
    """With the registered sections of the installed apps: the passport declares ``extra_support``."""
    from tests.factories import ExtraSupportFactory, MobilityFactory

    participant = participant_user.participant
    ExtraSupportFactory(
        mobility=MobilityFactory(participant=participant, project__application__organisation=participant.organisation)
    )
    services.participant_export(participant=participant, by=officer)
    assert "extra_support" in PersonalDataAccess.objects.get(action=AccessAction.EXPORT).fields
