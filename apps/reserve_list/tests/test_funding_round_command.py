import json
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from apps.reserve_list.models import Application, Call, Offer
from apps.reserve_list.services import programme_ensure
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def call_2023():
    programme_ensure(
        name="Test programme",
        sending_country="PL",
        target_learners=10,
        target_staff=1,
        starts_on=datetime(2023, 6, 1).date(),
        ends_on=datetime(2027, 5, 31).date(),
        envelopes={2023: Decimal("300000.00")},
    )
    call = Call.objects.get(year=2023)
    organisation = OrganisationFactory()
    for seq, (total, requested) in enumerate(
        [(90, "100000.00"), (85, "150000.50"), (80, "120000.00"), (75, "40000.00")], start=1
    ):
        Application.objects.create(
            number=f"2023-1-PL01-KA122-VET-{seq:09d}",
            call=call,
            organisation=organisation,
            score_relevance=total // 3,
            score_quality_design=total // 3,
            score_quality_follow_up=total - 2 * (total // 3),
            score_total=total,
            requested_grant=Decimal(requested),
            planned_learners=10,
            planned_staff=1,
            submitted_at=datetime(2023, 2, seq, tzinfo=WARSAW),
        )
    return call


def _run(*args):
    from io import StringIO

    out = StringIO()
    call_command("funding_round", *args, stdout=out)
    return out.getvalue()


def test_json_what_if_prints_exactly_the_documented_shape(call_2023):
    out = _run("--call", "2023", "--amount", "300000", "--policy", "stop", "--json")
    assert json.loads(out) == {
        "call": 2023,
        "policy": "stop",
        "offers": [
            {"application_number": "2023-1-PL01-KA122-VET-000000001", "amount": "100000.00"},
            {"application_number": "2023-1-PL01-KA122-VET-000000002", "amount": "150000.50"},
        ],
        "remaining": "49999.50",
    }
    assert not Offer.objects.exists()  # a what-if saves nothing


def test_skip_and_partial(call_2023):
    skip = json.loads(_run("--call", "2023", "--amount", "300000", "--policy", "skip", "--json"))
    assert [o["amount"] for o in skip["offers"]] == ["100000.00", "150000.50", "40000.00"]
    assert skip["remaining"] == "9999.50"
    partial = json.loads(
        _run("--call", "2023", "--amount", "300000", "--policy", "partial", "--min-share", "0.4", "--json")
    )
    assert partial["offers"][-1] == {"application_number": "2023-1-PL01-KA122-VET-000000003", "amount": "49999.50"}
    assert partial["remaining"] == "0.00"


def test_what_if_accepts_more_than_the_envelope_but_commit_refuses(call_2023):
    out = json.loads(_run("--call", "2023", "--amount", "1000000", "--policy", "stop", "--json"))
    assert len(out["offers"]) == 4
    with pytest.raises(CommandError, match="uncommitted budget"):
        _run("--call", "2023", "--amount", "1000000", "--policy", "stop", "--commit")
    assert not Offer.objects.exists()


def test_commit_creates_the_offers(call_2023):
    out = json.loads(_run("--call", "2023", "--amount", "300000", "--policy", "stop", "--commit", "--json"))
    assert [o["application_number"] for o in out["offers"]] == list(
        Offer.objects.order_by("pk").values_list("application__number", flat=True)
    )
    again = json.loads(_run("--call", "2023", "--amount", "49999.50", "--policy", "skip", "--json"))
    assert [o["application_number"] for o in again["offers"]] == ["2023-1-PL01-KA122-VET-000000004"]


def test_bad_arguments(call_2023):
    with pytest.raises(CommandError, match="No call 2030"):
        _run("--call", "2030", "--amount", "1", "--policy", "stop")
    with pytest.raises(CommandError, match="min-share"):
        _run("--call", "2023", "--amount", "1", "--policy", "partial")
