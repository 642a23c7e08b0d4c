import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from apps.organisations.models import Membership, Organisation
from apps.portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from apps.reserve_list.models import Call, Programme

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_prints_the_logins(capsys):
    call_command("seed_demo")
    counts = Organisation.objects.count(), Membership.objects.count(), Call.objects.count()
    call_command("seed_demo")
    assert (Organisation.objects.count(), Membership.objects.count(), Call.objects.count()) == counts
    out = capsys.readouterr().out
    for account in DEMO_ACCOUNTS:
        assert account.email in out
        assert authenticate(email=account.email, password=DEMO_PASSWORD) is not None
    assert DEMO_PASSWORD in out


def test_seed_demo_content():
    call_command("seed_demo")
    programme = Programme.objects.get()
    assert (programme.target_learners, programme.target_staff) == (14175, 675)
    assert sorted(programme.calls.values_list("year", flat=True)) == [2022, 2023, 2024]
    polish = Organisation.objects.filter(country="PL")
    assert polish.count() >= 50
    assert polish.values("region").distinct().count() == 16
    assert Organisation.objects.exclude(country="PL").count() >= 10
    assert Membership.objects.get(user__email="manager@school-a.example").organisation.oid == "E10012345"


def test_programme_scale():
    call_command("seed_demo", "--scale", "programme")
    assert Organisation.objects.count() > 1500


def test_seed_demo_plans_mobilities_when_cities_are_loaded():
    from apps.mobility.models import Mobility, Project
    from apps.reference.cities import load_cities

    load_cities(countries=["PL", "PT", "ES"])
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent here too
    project = Project.objects.get(application__organisation__oid="E10012345")
    learner = Mobility.objects.get(project=project, participant__email="learner@school-a.example")
    assert (learner.status, str(learner.grant_total)) == ("planned", "2560.00")
    assert Mobility.objects.filter(project=project).count() == 2
