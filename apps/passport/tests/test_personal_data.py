"""The passport's part of a participant's erasure (the participants app's signal) and of their data export."""

import pytest

from apps.participants import services as participants
from apps.participants.models import AccessAction, PersonalDataAccess
from apps.participants.signals import participant_erased
from apps.passport import services
from apps.passport.models import ChecklistItem, ExtraSupport, Tick
from tests.factories import ExtraSupportFactory, MobilityFactory

pytestmark = pytest.mark.django_db

PERSONAL = "Arrange a ramp at the host for Anna Kowalska's wheelchair"


@pytest.fixture
def recorded(mobility, participant_user, manager_a):
    """The participant's passport with extra support, an item about them, a project item and both sides' ticks."""
    ExtraSupportFactory(mobility=mobility, description="Anna needs an interpreter", provided_by="Ms Nowak")
    own = services.checklist_item_add(
        mobility=mobility, by=manager_a, name=PERSONAL, description="She asked for it on 3 May.",
        section="host_mentor", phase="before", ticker="both",
    )  # fmt: skip
    shared = services.checklist_item_add(
        mobility=mobility, by=manager_a, whole_project=True, name="Project-wide online meeting",
        section="preparation", phase="before", ticker="both",
    )  # fmt: skip
    services.item_tick(item=own, by=participant_user, side="participant", ticked=True)
    services.item_tick(item=own, by=manager_a, side="organisation", ticked=True)
    services.item_tick(item=shared, by=participant_user, side="participant", ticked=True)
    return {"own": own, "shared": shared}


def test_erasure_removes_the_passports_personal_text_and_still_logs_once(
    recorded, mobility, participant_user, manager_a
):
    participant = participant_user.participant
    assert ChecklistItem.history.filter(name__contains="Kowalska", participant_ticked_by=participant_user).exists()
    participants.participant_erase(participant=participant, by=manager_a)

    assert not ExtraSupport.objects.filter(mobility__participant=participant).exists()
    own = ChecklistItem.objects.get(pk=recorded["own"].pk)
    assert own.name == services.ERASED_ITEM_TEXT["name"] and own.description == ""
    # Nowhere in the passport, its items' history included, is the personal text left.
    assert not ChecklistItem.objects.filter(name__contains="Kowalska").exists()
    assert not ChecklistItem.history.filter(name__contains="Kowalska").exists()
    assert not ChecklistItem.history.filter(description__contains="3 May").exists()
    # The ticks keep when, no longer who (the former account); the organisation's tick stays as it was.
    assert own.participant_ticked_at is not None and own.participant_ticked_by is None
    assert own.organisation_ticked_by == manager_a and own.done
    assert not Tick.objects.filter(item__checklist__mobility=mobility, by=participant_user).exists()
    assert not ChecklistItem.history.filter(participant_ticked_by=participant_user).exists()
    assert not ChecklistItem.history.filter(history_user=participant_user).exists()
    # A project-wide item says nothing about the person: it keeps its text.
    assert ChecklistItem.objects.get(pk=recorded["shared"].pk).name == "Project-wide online meeting"
    # One erasure entry, as before, naming what the passport erased too.
    entry = PersonalDataAccess.objects.get(participant=participant, action=AccessAction.ERASE)
    assert entry.user == manager_a
    assert set(entry.fields) >= {"first_name", "email", "extra_support", "passport_item_text", "passport_ticked_by"}


def test_erasure_of_a_participant_without_a_passport_logs_as_before(participant_user, manager_a):
    participant = participant_user.participant
    participants.participant_erase(participant=participant, by=manager_a)
    entry = PersonalDataAccess.objects.get(participant=participant)
    assert entry.action == AccessAction.ERASE
    assert entry.fields == list(participants.ERASED_FIELDS)


def test_erasure_leaves_other_participants_passports_alone(recorded, project, participant_user, manager_a):
    other = MobilityFactory(project=project, status="planned")
    ExtraSupportFactory(mobility=other)
    item = services.checklist_item_add(
        mobility=other, by=manager_a, name="Someone else's item", section="travel", phase="before", ticker="both"
    )
    participants.participant_erase(participant=participant_user.participant, by=manager_a)
    assert ExtraSupport.objects.filter(mobility=other).count() == 1
    assert ChecklistItem.objects.get(pk=item.pk).name == "Someone else's item"


def test_a_failing_receiver_rolls_the_whole_erasure_back(recorded, participant_user, manager_a):
    def broken(sender, **kwargs):
        raise RuntimeError("boom")

    participant_erased.connect(broken, dispatch_uid="test-broken")
    try:
        with pytest.raises(RuntimeError):
            participants.participant_erase(participant=participant_user.participant, by=manager_a)
    finally:
        participant_erased.disconnect(dispatch_uid="test-broken")
    participant_user.participant.refresh_from_db()
    assert participant_user.participant.first_name != "Erased"
    assert ExtraSupport.objects.filter(mobility__participant=participant_user.participant).exists()


def test_the_export_holds_the_extra_support_and_the_passport(recorded, mobility, participant_user, manager_a):
    export = participants.participant_export(participant=participant_user.participant, by=manager_a)
    assert [row["support"] for row in export["passport_extra_support"]] == ["Anna needs an interpreter"]
    (passport,) = export["passport_checklists"]
    assert passport["mobility"] == mobility.pk
    rows = {row["item"]: row for row in passport["items"]}
    assert rows[PERSONAL]["participant_ticked_at"] and rows[PERSONAL]["done"]
    assert rows[PERSONAL]["added_by_organisation"] is True
    assert rows["Project-wide online meeting"]["organisation_ticked_at"] is None
    # The template's items are there too, not ticked.
    assert len(passport["items"]) == ChecklistItem.objects.filter(checklist__mobility=mobility).count()
    # No member's name or address: that is the member's data, not the participant's.
    assert "manager-a@test.example" not in str(passport)


def test_the_participant_exports_their_own_passport(recorded, participant_user):
    export = participants.participant_export(participant=participant_user.participant, by=participant_user)
    assert export["passport_checklists"] and export["passport_extra_support"]
