"""End-to-end journey in a real headless Chromium: a reserve list from import to an accepted offer.

The officer imports two new 2023 applications, plans and commits a funding round that reaches
the first of them, and organisation A's manager accepts the offer; organisation B's manager
cannot even see it. Fixtures (Chromium, pages, demo data, sign-in) are in tests/conftest.py.
"""

from __future__ import annotations

import re

import pytest

from apps.portal.demo import ORGANISATION_A, ORGANISATION_B

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = (
    "application_number,call_year,oid,organisation_name,organisation_city,region,score_relevance,"
    "score_quality_design,score_quality_follow_up,score_total,requested_grant_eur,planned_learners,"
    "planned_staff,submitted_at"
)
# The two 2023 applications of apps/reserve_list/tests/data/reserve_list_example.csv under new numbers,
# scored above every demo application of 2023 (at most 28/36/27) so that they head the ranking.
FIRST = "2023-1-PL01-KA122-VET-000999001"
SECOND = "2023-1-PL01-KA122-VET-000999002"
FIRST_REQUEST, SECOND_REQUEST = "118500.00", "96200.50"
ROWS = [
    f"{FIRST},2023,{ORGANISATION_A[0]},{ORGANISATION_A[1]},{ORGANISATION_A[3]},{ORGANISATION_A[4]},"
    f"30,40,30,100,{FIRST_REQUEST},24,4,2023-02-21T10:15:00+01:00",
    f"{SECOND},2023,{ORGANISATION_B[0]},{ORGANISATION_B[1]},{ORGANISATION_B[3]},{ORGANISATION_B[4]},"
    f"30,39,30,99,{SECOND_REQUEST},18,2,2023-02-22T16:40:00+01:00",
]
# The first request and a little more: with the "stop" policy the round reaches the first
# application only, since the second one (96,200.50) does not fit in what is left.
ROUND_AMOUNT = "120000.00"


def _main_nav(page):
    return page.get_by_role("navigation", name="Main navigation")


def _status_message(page):
    return page.get_by_role("status")


def test_officer_imports_and_funds_and_manager_accepts_the_offer(live_server, new_page, demo, sign_in, tmp_path):
    from apps.reserve_list.models import Application, ApplicationStatus, Offer, OfferStatus

    csv_file = tmp_path / "reserve_list_2023_journey.csv"
    csv_file.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")

    # 1. The officer imports the file: preview first, then confirm.
    officer = sign_in(new_page(), "officer@agency.example")
    _main_nav(officer).get_by_role("link", name="Reserve lists").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Reserve lists")
    officer.get_by_role("link", name="Import a reserve list").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Import a reserve list")
    officer.get_by_label("Reserve list (CSV or XLSX)").set_input_files(csv_file)
    officer.get_by_role("button", name="Upload and preview").click()

    expect(officer.get_by_role("heading", level=1)).to_have_text(f"Import of {csv_file.name}")
    expect(officer.get_by_role("listitem").filter(has_text=re.compile(r"^\s*2 new\s*$"))).to_be_visible()
    expect(officer.get_by_role("listitem").filter(has_text=re.compile(r"^\s*0 updated\s*$"))).to_be_visible()
    for number in (FIRST, SECOND):
        expect(officer.get_by_role("row").filter(has_text=number)).to_have_count(1)
    assert not Application.objects.filter(number__in=[FIRST, SECOND]).exists(), "the preview saved nothing"
    officer.get_by_role("button", name="Confirm the import").click()

    expect(officer).to_have_url(f"{live_server.url}/agency/reserve-list/")
    expect(officer.get_by_role("heading", level=1)).to_have_text("Reserve lists")
    expect(_status_message(officer)).to_have_text("Import applied: 2 new, 0 updated, 0 unchanged.")
    assert set(Application.objects.filter(number__in=[FIRST, SECOND]).values_list("status", flat=True)) == {
        ApplicationStatus.RESERVE
    }

    # 2. The 2023 ranking has the new applications on top; a round reaches exactly the first.
    officer.get_by_role("link", name="2023 KA122-VET").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Ranking, call 2023 KA122-VET")
    ranking = officer.get_by_role("table", name="Ranking")
    for rank, number in ((1, FIRST), (2, SECOND)):
        expect(ranking.get_by_role("row").filter(has_text=number).get_by_role("cell").first).to_have_text(str(rank))
    officer.get_by_role("link", name="Plan a funding round").click()

    expect(officer.get_by_role("heading", level=1)).to_have_text("Funding round, call 2023")
    what_if_form = officer.get_by_role("form", name="What-if")
    what_if_form.get_by_label("Amount to distribute (EUR)").fill(ROUND_AMOUNT)
    what_if_form.get_by_label("When the next application does not fit").select_option("stop")
    what_if_form.get_by_role("button", name="Show what-if").click()

    expect(officer).to_have_url(re.compile(r"/agency/reserve-list/2023/round/\?.*amount=120000\.00.*policy=stop"))
    what_if = officer.get_by_role("region", name="What-if")
    offered = what_if.get_by_role("row").filter(has_text=FIRST)
    expect(offered).to_have_count(1)
    expect(offered.get_by_role("cell").nth(2)).to_have_text("118,500.00")
    expect(what_if.get_by_role("row").filter(has_text=SECOND)).to_have_count(0)
    expect(what_if.get_by_role("row")).to_have_count(2)  # the header and the one offer
    expect(what_if).to_contain_text("1 offer · 1,500.00 EUR would remain.")
    assert not Offer.objects.filter(application__number=FIRST).exists(), "the what-if saved nothing"
    what_if.get_by_role("button", name="Commit the round and send the offers").click()

    expect(officer).to_have_url(f"{live_server.url}/agency/reserve-list/2023/")
    expect(_status_message(officer)).to_have_text(re.compile(r"^\s*Round committed: 1 offers? sent\.\s*$"))
    expect(ranking.get_by_role("row").filter(has_text=FIRST).get_by_role("cell").last).to_have_text("offered")
    offer = Offer.objects.select_related("application").get(application__number=FIRST)
    assert (offer.status, offer.amount, offer.application.status) == (
        OfferStatus.OPEN,
        offer.application.requested_grant,
        ApplicationStatus.OFFERED,
    )
    assert not Offer.objects.filter(application__number=SECOND).exists()

    # 3. Organisation A's manager answers the offer from the list of applications.
    manager_a = sign_in(new_page(), "manager@school-a.example")
    _main_nav(manager_a).get_by_role("link", name="Applications and offers").click()
    expect(manager_a.get_by_role("heading", level=1)).to_have_text("Applications and offers")
    manager_a.get_by_role("link", name=f"Answer the offer {FIRST}").click()

    expect(manager_a).to_have_url(f"{live_server.url}/offers/{offer.pk}/")
    expect(manager_a.get_by_role("heading", level=1)).to_have_text(f"Grant offer for {FIRST}")
    offer_status = manager_a.get_by_role("term").filter(has_text="Status").locator("xpath=following-sibling::dd[1]")
    expect(offer_status).to_have_text("open")
    manager_a.get_by_role("button", name="Accept the offer").click()

    expect(manager_a).to_have_url(f"{live_server.url}/offers/{offer.pk}/")
    expect(_status_message(manager_a)).to_have_text(
        "You accepted the offer. The agency will prepare the grant agreement."
    )
    expect(offer_status).to_have_text("accepted")
    expect(manager_a.get_by_role("button", name="Accept the offer")).to_have_count(0)
    offer.refresh_from_db()
    offer.application.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
    assert offer.application.status == ApplicationStatus.ACCEPTED

    # 4. Organisation B's manager neither sees the offer nor can open its address.
    manager_b = sign_in(new_page(), "manager@school-b.example")
    _main_nav(manager_b).get_by_role("link", name="Applications and offers").click()
    expect(manager_b.get_by_role("heading", level=1)).to_have_text("Applications and offers")
    expect(manager_b.get_by_role("main")).not_to_contain_text(FIRST)
    response = manager_b.goto(f"{live_server.url}/offers/{offer.pk}/")
    assert response is not None and response.status == 404
    expect(manager_b.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(manager_b.get_by_role("main")).not_to_contain_text(FIRST)
