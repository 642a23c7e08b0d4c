import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.participants.models import PersonalDataAccess
from apps.passport import selectors, services
from apps.passport.models import Checklist, ChecklistItem, ExtraSupport, ProjectItem, TemplateItem, Tick
from tests.factories import MobilityFactory, TemplateItemFactory

pytestmark = pytest.mark.django_db


def test_the_default_template_is_loaded_in_english_and_polish():
    items = TemplateItem.objects.all()
    assert items.count() >= 10
    assert all(item.name and item.name_pl for item in items)
    assert {item.section for item in items} == {
        "preparation",
        "travel",
        "home_contact",
        "host_mentor",
        "debrief",
        "recognition",
    }
    assert {item.phase for item in items} == {"before", "during", "after"}
    # A first history version of each, so that an agency's later edit keeps the old text.
    assert all(item.history.count() == 1 for item in items)


def test_display_name_follows_the_language():
    from django.utils import translation

    item = TemplateItem.objects.get(name="Debrief after return")
    with translation.override("pl"):
        assert item.display_name == "Spotkanie podsumowujące po powrocie"
    with translation.override("en"):
        assert item.display_name == "Debrief after return"


def test_copy_is_idempotent_and_takes_the_active_template(mobility):
    TemplateItemFactory(active=False, name="Retired item")
    active = TemplateItem.objects.filter(active=True).count()
    checklist = services.checklist_ensure(mobility=mobility)
    again = services.checklist_ensure(mobility=mobility)
    assert checklist.pk == again.pk
    assert Checklist.objects.count() == 1
    assert checklist.items.count() == active
    assert not checklist.items.filter(name="Retired item").exists()


def test_template_changes_do_not_rewrite_an_existing_checklist(mobility, officer, project):
    checklist = services.checklist_ensure(mobility=mobility)
    before = checklist.items.count()
    first = TemplateItem.objects.order_by("position").first()
    services.template_item_update(item=first, by=officer, name="Renamed", active=False)
    services.template_item_create(
        by=officer, name="New item", name_pl="Nowa pozycja", section="travel", phase="before", ticker="both"
    )
    services.checklist_ensure(mobility=mobility)
    assert checklist.items.count() == before
    assert checklist.items.filter(template_item=first).get().name != "Renamed"
    # A mobility planned later gets the template of that moment.
    later = MobilityFactory(project=project, status="planned")
    names = set(services.checklist_ensure(mobility=later).items.values_list("name", flat=True))
    assert "New item" in names and "Renamed" not in names


def test_drafts_and_cancelled_mobilities_have_no_passport(project):
    draft = MobilityFactory(project=project, status="draft")
    cancelled = MobilityFactory(project=project, status="cancelled")
    assert services.checklists_ensure(mobilities=[draft, cancelled]) == {}
    assert not Checklist.objects.exists()


def test_many_checklists_in_constant_queries(project):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(n):
        mobilities = [MobilityFactory(project=project, status="planned") for _ in range(n)]
        with CaptureQueriesContext(connection) as context:
            checklists = services.checklists_ensure(mobilities=mobilities)
        assert len(checklists) == n
        return len(context)

    assert queries(1) == queries(3)
    assert ChecklistItem.objects.count() == 4 * TemplateItem.objects.filter(active=True).count()


def test_a_lost_race_does_not_double_the_items(mobility, project, manager_a):
    """Two requests that both saw no checklist both copy into it: the constraints keep one copy of each."""
    services.checklist_item_add(
        mobility=mobility,
        by=manager_a,
        whole_project=True,
        name="Project item",
        section="travel",
        phase="before",
        ticker="both",
    )
    checklist = services.checklist_ensure(mobility=mobility)
    count = checklist.items.count()
    services._copy_into([checklist], project_of={mobility.pk: project.pk})
    assert checklist.items.count() == count


def _item(mobility, ticker):
    checklist = services.checklist_ensure(mobility=mobility)
    return checklist.items.filter(ticker=ticker).first()


def test_ticks_record_who_and_when_and_unticks(mobility, participant_user, manager_a):
    item = _item(mobility, "both")
    item = services.item_tick(item=item, by=participant_user, side="participant", ticked=True)
    assert item.participant_ticked_by == participant_user and item.participant_ticked_at is not None
    assert not item.done
    item = services.item_tick(item=item, by=manager_a, side="organisation", ticked=True)
    assert item.done and item.organisation_ticked_by == manager_a
    # Ticking again changes nothing and records nothing.
    services.item_tick(item=item, by=manager_a, side="organisation", ticked=True)
    item = services.item_tick(item=item, by=participant_user, side="participant", ticked=False)
    assert not item.done and item.participant_ticked_at is None and item.participant_ticked_by is None
    history = list(Tick.objects.filter(item=item).order_by("pk").values_list("side", "ticked", "by"))
    assert history == [
        ("participant", True, participant_user.pk),
        ("organisation", True, manager_a.pk),
        ("participant", False, participant_user.pk),
    ]


def test_each_side_ticks_only_its_own(mobility, participant_user, manager_a, contributor_a, manager_b, officer):
    item = _item(mobility, "both")
    with pytest.raises(PermissionDenied):
        services.item_tick(item=item, by=manager_a, side="participant", ticked=True)
    for outsider in (participant_user, manager_b, officer):
        with pytest.raises(PermissionDenied):
            services.item_tick(item=item, by=outsider, side="organisation", ticked=True)
    assert services.item_tick(item=item, by=contributor_a, side="organisation", ticked=True).organisation_ticked_at


def test_an_item_for_the_organisation_is_not_ticked_by_the_participant(mobility, participant_user, manager_a):
    item = _item(mobility, "organisation")
    with pytest.raises(services.PassportError):
        services.item_tick(item=item, by=participant_user, side="participant", ticked=True)
    assert services.item_tick(item=item, by=manager_a, side="organisation", ticked=True).done


def test_no_ticks_once_cancelled(mobility, participant_user):
    item = _item(mobility, "both")
    mobility.status = "cancelled"
    mobility.save()
    with pytest.raises(PermissionDenied):
        services.item_tick(item=item, by=participant_user, side="participant", ticked=True)


def test_the_organisation_adds_an_item_to_one_mobility(mobility, project, contributor_a, participant_user):
    other = MobilityFactory(project=project, status="planned")
    item = services.checklist_item_add(
        mobility=mobility,
        by=contributor_a,
        name="Meet the school nurse",
        section="preparation",
        phase="before",
        ticker="participant",
    )
    assert item.added_by == contributor_a
    assert not services.checklist_ensure(mobility=other).items.filter(name="Meet the school nurse").exists()
    with pytest.raises(PermissionDenied):
        services.checklist_item_add(
            mobility=mobility, by=participant_user, name="x", section="travel", phase="before", ticker="both"
        )


def test_an_item_for_the_whole_project_reaches_later_mobilities(mobility, project, manager_a):
    opened = MobilityFactory(project=project, status="confirmed")
    services.checklist_ensure(mobility=opened)
    services.checklist_item_add(
        mobility=mobility,
        by=manager_a,
        whole_project=True,
        name="Visit the host's website",
        section="preparation",
        phase="before",
        ticker="participant",
    )
    later = MobilityFactory(project=project, status="planned")
    draft = MobilityFactory(project=project, status="draft")
    for m in (mobility, opened, later):
        assert services.checklist_ensure(mobility=m).items.filter(name="Visit the host's website").count() == 1
    assert services.checklist_ensure(mobility=draft) is None
    assert ProjectItem.objects.count() == 1


def test_bad_item_says_which_field(mobility, manager_a):
    with pytest.raises(ValidationError) as exc:
        services.checklist_item_add(mobility=mobility, by=manager_a, name="", section="nope", phase="before")
    assert {"name", "section"} <= set(exc.value.message_dict)
    assert not ChecklistItem.objects.filter(added_by=manager_a).exists()


def test_template_maintenance_is_for_officers(finance, manager_a, officer):
    for user in (finance, manager_a):
        with pytest.raises(PermissionDenied):
            services.template_item_create(by=user, name="x", section="travel", phase="before", ticker="both")
    item = services.template_item_create(by=officer, name="Visa", section="travel", phase="before", ticker="both")
    assert item.history.count() == 1


def test_template_items_move_within_their_phase(officer):
    before = [i.pk for i in selectors.template_items() if i.phase == "before"]
    services.template_item_move(item=TemplateItem.objects.get(pk=before[1]), by=officer, direction="up")
    after = [i.pk for i in selectors.template_items() if i.phase == "before"]
    assert after[:2] == [before[1], before[0]] and after[2:] == before[2:]
    # The first one does not move further up.
    services.template_item_move(item=TemplateItem.objects.get(pk=after[0]), by=officer, direction="up")
    assert [i.pk for i in selectors.template_items() if i.phase == "before"] == after


# --- Extra support --------------------------------------------------------------------------------


def _log(action):
    return list(PersonalDataAccess.objects.filter(action=action).values_list("user__email", "fields"))


def test_extra_support_is_recorded_by_managers_and_logged(mobility, manager_a):
    row = services.extra_support_create(
        mobility=mobility,
        by=manager_a,
        description="Sign language interpreter",
        phase="during",
        provided_by="Host",
    )
    services.extra_support_update(
        support=row, by=manager_a, description="Sign language interpreter", phase="during", provided_by="Host"
    )
    services.extra_support_update(
        support=row, by=manager_a, description="Interpreter", phase="during", provided_by="Host"
    )
    services.extra_support_delete(support=ExtraSupport.objects.get(pk=row.pk), by=manager_a)
    # Created, changed, removed: three changes logged (saving the same values logs nothing).
    assert _log("change") == [("manager-a@test.example", ["extra_support"])] * 3


@pytest.mark.parametrize("persona", ["contributor_a", "manager_b", "finance", "participant_user"])
def test_extra_support_changes_are_refused_to_others(request, mobility, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.extra_support_create(mobility=mobility, by=user, description="x", phase="before", provided_by="y")
    assert not PersonalDataAccess.objects.exists()


def test_bad_extra_support_names_the_field(mobility, manager_a):
    with pytest.raises(ValidationError) as exc:
        services.extra_support_create(mobility=mobility, by=manager_a, description="", phase="soon", provided_by="")
    assert set(exc.value.message_dict) == {"description", "phase", "provided_by"}
    assert not ExtraSupport.objects.exists() and not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("participant_user", True),
        ("manager_a", True),
        ("officer", True),
        ("agency_admin", True),
        ("contributor_a", False),
        ("manager_b", False),
        ("finance", False),
    ],
)
def test_who_sees_extra_support_and_every_view_is_logged(request, mobility, manager_a, persona, sees):
    services.extra_support_create(
        mobility=mobility, by=manager_a, description="Mentor", phase="before", provided_by="Teacher"
    )
    user = request.getfixturevalue(persona)
    rows = selectors.extra_support_for(user=user, mobility=mobility, context="test")
    views = PersonalDataAccess.objects.filter(action="view")
    if sees:
        assert [row.description for row in rows] == ["Mentor"]
        assert list(views.values_list("user", "participant", "fields", "context")) == [
            (user.pk, mobility.participant_id, ["extra_support"], "test")
        ]
    else:
        assert rows is None
        assert not views.exists()


def test_extra_support_is_in_the_participants_export(mobility, manager_a):
    from apps.participants.services import participant_export

    services.extra_support_create(
        mobility=mobility, by=manager_a, description="Mentor", phase="before", provided_by="Teacher"
    )
    export = participant_export(participant=mobility.participant, by=manager_a)
    assert [row["support"] for row in export["passport_extra_support"]] == ["Mentor"]
