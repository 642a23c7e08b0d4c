"""apps.core.instances: ``builder(model).build(**values)`` gives what ``model(**values)`` gives; ``take_related_ids``
takes the ids of related objects saved since, as ``bulk_create`` does."""

import datetime
from decimal import Decimal

import pytest
from django.db.models.signals import post_init

from apps.core.instances import builder, take_related_ids
from apps.mobility.models import Mobility, Project
from apps.organisations.models import Organisation
from apps.participants.models import Participant, SpecialCategoryData
from apps.reference.models import ActivityType, City


def _same(built, constructed) -> None:
    """The same values (and value types), the same state and the same cached related objects."""
    values = {key: value for key, value in built.__dict__.items() if key != "_state"}
    expected = {key: value for key, value in constructed.__dict__.items() if key != "_state"}
    assert values == expected
    assert {key: type(value) for key, value in values.items()} == {key: type(value) for key, value in expected.items()}
    assert (built._state.db, built._state.adding) == (constructed._state.db, constructed._state.adding)
    cached = built._state.fields_cache
    assert cached.keys() == constructed._state.fields_cache.keys()
    for name, obj in cached.items():
        other = constructed._state.fields_cache[name]
        if obj is None or other is None:
            assert obj is other
        else:  # each was given its own related objects, made alike: alike after the assignment too
            assert type(obj) is type(other) and obj._state.db == other._state.db
            assert {k: v for k, v in obj.__dict__.items() if k != "_state"} == {
                k: v for k, v in other.__dict__.items() if k != "_state"
            }


def _saved(instance, pk):
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = "default"
    return instance


def _relations(saved: bool):
    made = {
        "project": Project(pk=7),
        "participant": Participant(first_name="Ada", email="ada@example.org"),
        "activity_type": ActivityType(code="LM-SHORT-VET"),
        "host": Organisation(pk=3, legal_name="Host", country="PT"),
        "destination_city": City(pk=11, name="Lisbon"),
    }
    if saved:
        for index, obj in enumerate(made.values(), start=1):
            _saved(obj, obj.pk or index)
    return made


@pytest.mark.parametrize("saved", [True, False], ids=["saved relations", "unsaved relations"])
def test_a_mobility_as_its_constructor_builds_it(saved):
    values = {
        "status": "draft",
        "accompanying": False,
        "accompanies": None,
        "destination_country": "PT",
        "start_date": datetime.date(2024, 9, 2),
        "end_date": datetime.date(2024, 9, 29),
        "travel_days": 2,
        "grant_total": Decimal("1.00"),
    }
    built = builder(Mobility).build(**_relations(saved), **values)
    _same(built, Mobility(**_relations(saved), **values))
    assert built.participant.first_name == "Ada"
    assert built.virtual_description == "" and built.distance_km is None and built.course_days == 0


def test_relations_given_by_id_and_defaults_called_each_time():
    one = builder(SpecialCategoryData).build(participant_id=5, fewer_opportunities=True)
    two = builder(SpecialCategoryData).build(participant_id=6)
    _same(one, SpecialCategoryData(participant_id=5, fewer_opportunities=True))
    _same(two, SpecialCategoryData(participant_id=6))
    assert one.reasons == [] and one.reasons is not two.reasons  # a callable default: a new list each time


def test_attributes_with_their_own_descriptor_go_through_it():
    built = builder(Organisation).build(legal_name="Host", country="PT", city="Lisbon")
    _same(built, Organisation(legal_name="Host", country="PT", city="Lisbon"))
    assert built.country.code == "PT"
    participant = builder(Participant).build(organisation=Organisation(pk=2), nationality="PL")
    _same(participant, Participant(organisation=Organisation(pk=2), nationality="PL"))
    assert participant.nationality.code == "PL"


def test_an_object_of_another_model_or_an_unknown_name_is_refused_as_by_the_constructor():
    with pytest.raises(ValueError, match="must be a"):
        builder(Mobility).build(project=Organisation(pk=1))
    with pytest.raises(TypeError, match="unexpected keyword"):
        builder(Mobility).build(colour="blue")


def test_a_model_with_init_receivers_is_built_by_its_constructor():
    builder(SpecialCategoryData).build(participant_id=1)
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=SpecialCategoryData)
    try:
        built = builder(SpecialCategoryData).build(participant_id=1)  # the builder made before the receiver
    finally:
        post_init.disconnect(receiver, sender=SpecialCategoryData)
    assert seen == [built]


def test_writes_take_the_ids_of_related_objects_saved_after_their_assignment():
    related = [Mobility._meta.get_field("participant"), Mobility._meta.get_field("accompanies")]
    participant = Participant(organisation=Organisation(pk=2), first_name="A", email="a@example.org")
    mobility = builder(Mobility).build(project=Project(pk=7), participant=participant)
    assert mobility.participant_id is None
    with pytest.raises(ValueError, match="unsaved related object 'participant'"):
        take_related_ids(mobility, related)
    participant.pk = 41  # saved meanwhile (the import writes participants first)
    take_related_ids(mobility, related)
    assert mobility.participant_id == 41 and mobility.participant is participant
    assert mobility.accompanies_id is None
    # The related object's id changed after that: the object is forgotten and the id kept, as Django does.
    participant.pk = 42
    take_related_ids(mobility, related)
    assert mobility.participant_id == 41 and "participant" not in mobility._state.fields_cache
