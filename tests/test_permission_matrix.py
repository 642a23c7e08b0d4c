"""Every URL with every persona: the portal's one permission matrix (DESIGN.md §4, "Who sees what").

The test walks the whole URL resolver, so a new URL without an entry in ``MATRIX``
fails ``test_every_url_is_in_the_matrix`` (like zulip's untested-URL check), and
each (URL, persona, method) is its own test, as in pretix's
``src/tests/control/test_permissions.py``.

Outcomes are a status code, ``LOGIN`` (redirect to the sign-in page, back to the
URL afterwards), ``Redirect(<URL name or path>)``, ``RedirectMatching(<regex>)`` or
``Page(<template>)``. Another organisation's object answers 404, never 403;
agency-only pages answer 403 to signed-in non-agency users.

Django's admin is covered by one generic rule (``admin_outcome``): none of the five
personas is staff, so every admin page sends them to the admin's login page.

Adding a URL: give it a name and a ``MATRIX`` entry saying what each persona gets.
"""

# The personas' fixtures live in apps/conftest.py, which does not reach tests/: they are
# imported here and then taken as test parameters, which pyflakes calls a redefinition.
# ruff: noqa: F811

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from apps.conftest import (  # noqa: F401  (fixtures: the personas and their organisations)
    agency_admin,
    manager_a,
    manager_b,
    officer,
    organisation_a,
    organisation_b,
    participant_user,
    personas,
)

PERSONAS = ("anonymous", "participant", "member_a", "member_b", "officer")
SIGNED_IN = PERSONAS[1:]
PERSONA_FIXTURES = {
    "participant": "participant_user",
    "member_a": "manager_a",
    "member_b": "manager_b",
    "officer": "officer",
}


# --- Walking the resolver -------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str | None  # "namespace:name", or None for an unnamed pattern
    route: str  # the whole pattern, for messages
    pattern: URLPattern
    namespace: str


def walk(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> list[Route]:
    """Every URL pattern below ``resolver``, with its namespaced name (namespaces nest like ``reverse`` wants)."""
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, (namespace, entry.namespace)))
            routes += walk(entry, route, inner)
        else:
            name = ":".join(filter(None, (namespace, entry.name))) if entry.name else None
            routes.append(Route(name, route, entry, namespace))
    return routes


ROUTES = walk()
NAMED = {route.name: route for route in ROUTES if route.name}
ADMIN_NAMES = sorted(name for name in NAMED if name.startswith("admin:"))
OWN_NAMES = sorted(name for name in NAMED if not name.startswith("admin:"))


# --- Outcomes -------------------------------------------------------------------------------------

LOGIN = "login"  # redirect to allauth's sign-in page with ?next=<this URL>
ADMIN_LOGIN = "admin-login"  # redirect to the admin's sign-in page with ?next=<this URL>


@dataclass(frozen=True)
class Redirect:
    """A redirect to a path or a URL name, reversed with no arguments or with the requested URL's own
    (``same_kwargs``: an offer's page after answering it); the query string is not compared."""

    to: str
    same_kwargs: bool = False

    def path(self, kwargs: dict) -> str:
        if self.to.startswith("/"):
            return self.to
        return reverse(self.to, kwargs=kwargs if self.same_kwargs else None)

    def __str__(self):
        return f"redirect to {self.to}"


@dataclass(frozen=True)
class RedirectMatching:
    """A redirect whose path matches ``pattern`` (for targets that carry a generated id or key)."""

    pattern: str

    def __str__(self):
        return f"redirect matching {self.pattern}"


@dataclass(frozen=True)
class Page:
    """200, rendered with ``template``: pins which of a view's pages is shown (a closed sign-up, a form)."""

    template: str

    def __str__(self):
        return f"200 with {self.template}"


Outcome = int | str | Redirect | RedirectMatching | Page


def outcomes(**by_persona: Outcome) -> dict[str, Outcome]:
    """Expected outcomes naming each of the five personas exactly once."""
    assert sorted(by_persona) == sorted(PERSONAS), f"name every persona: {sorted(by_persona)}"
    return by_persona


def everyone(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(PERSONAS, outcome)


def signed_in(outcome: Outcome, anonymous: Outcome = LOGIN, **overrides: Outcome) -> dict[str, Outcome]:
    """``outcome`` for each signed-in persona (unless overridden), ``anonymous`` for the visitor."""
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, outcome), **overrides}


def agency_only(outcome: Outcome = 200) -> dict[str, Outcome]:
    return signed_in(403, officer=outcome)


# --- The matrix -----------------------------------------------------------------------------------

Fixture = Callable[[str], object]  # request.getfixturevalue


@dataclass(frozen=True)
class Entry:
    get: dict[str, Outcome]  # what a GET answers, by persona
    post: dict[str, Outcome] | None = None  # POST-only views and forms that write: what a POST of ``data`` answers
    kwargs: Callable[[Fixture], dict] = field(default=lambda fixture: {})
    data: dict = field(default_factory=dict)  # the POST's form data
    json: bool = False  # POST ``data`` as a JSON body (the API) rather than as a form


def _organisation_a(fixture: Fixture) -> dict:
    return {"pk": fixture("organisation_a").pk}


def _call_year(fixture: Fixture) -> dict:
    return {"year": fixture("call").year}


def _application_a(fixture: Fixture) -> dict:
    return {"pk": fixture("application_a").pk}


def _offer_a(fixture: Fixture) -> dict:
    return {"pk": fixture("offer_a").pk}


def _project_a(fixture: Fixture) -> dict:
    return {"pk": fixture("project_a").pk}


def _mobility_a(fixture: Fixture) -> dict:
    return {"pk": fixture("mobility_a").pk}


def _participants_of_a(fixture: Fixture) -> dict:
    return {"org_pk": fixture("organisation_a").pk}


def _participant_a(fixture: Fixture) -> dict:
    return {"pk": fixture("participant_a").pk}


# Signed-in users who open a page for visitors (sign-in, sign-up, ...) are sent home.
HOME = Redirect("home")

MATRIX: dict[str, Entry] = {
    # --- portal ---
    "home": Entry(
        get=outcomes(
            anonymous=200,
            participant=Redirect("portal:participant_home"),
            member_a=Redirect("portal:organisation_home"),
            member_b=Redirect("portal:organisation_home"),
            officer=Redirect("portal:agency_home"),
        )
    ),
    "healthz": Entry(get=everyone(200)),
    "set_language": Entry(get=everyone(405), post=everyone(HOME), data={"language": "en"}),
    "portal:agency_home": Entry(get=agency_only()),
    "portal:organisation_home": Entry(get=signed_in(403, member_a=200, member_b=200)),
    "portal:participant_home": Entry(get=signed_in(403, participant=200)),
    # --- notifications (the notification is member_a's: nobody else may open it) ---
    "notifications:list": Entry(get=signed_in(200)),
    "notifications:open": Entry(
        get=signed_in(405),
        post=signed_in(404, member_a=Redirect("/org/")),
        kwargs=lambda fixture: {"pk": fixture("notification_of_member_a").pk},
    ),
    "notifications:read_all": Entry(get=signed_in(405), post=signed_in(Redirect("notifications:list"))),
    # --- reference ---
    "reference:index": Entry(get=signed_in(200)),
    "reference:cities": Entry(get=signed_in(200)),  # the city autocomplete (JSON), for every signed-in user
    # --- organisations (organisation A's pages: member_b and the participant get 404, not 403) ---
    "organisations:list": Entry(get=agency_only()),
    # Forms that write are also POSTed (empty, so nothing is saved): the form comes back only to those allowed.
    "organisations:create": Entry(get=agency_only(), post=agency_only()),
    "organisations:detail": Entry(get=signed_in(404, member_a=200, officer=200), kwargs=_organisation_a),
    "organisations:edit": Entry(
        get=signed_in(404, member_a=200, officer=200),
        post=signed_in(404, member_a=200, officer=200),
        kwargs=_organisation_a,
    ),
    "organisations:invite": Entry(
        get=signed_in(404, member_a=200, officer=200),
        post=signed_in(404, member_a=200, officer=200),
        kwargs=_organisation_a,
    ),
    # The token is the secret: whoever holds the link sees the invitation (accepting checks the address).
    "organisations:invitation": Entry(
        get=signed_in(200, anonymous=200), kwargs=lambda fixture: {"token": fixture("invitation_token")}
    ),
    # --- participants (organisation A's: member_b and the participant get 404, not 403; the participant
    # persona is another person of organisation A, and participants do not open these pages, even their own) ---
    "participants:list": Entry(get=signed_in(404, member_a=200, officer=200), kwargs=_participants_of_a),
    "participants:create": Entry(
        get=signed_in(404, member_a=200, officer=200),
        post=signed_in(404, member_a=200, officer=200),
        kwargs=_participants_of_a,
    ),
    "participants:detail": Entry(get=signed_in(404, member_a=200, officer=200), kwargs=_participant_a),
    "participants:edit": Entry(
        get=signed_in(404, member_a=200, officer=200),
        post=signed_in(404, member_a=200, officer=200),
        kwargs=_participant_a,
    ),
    # An empty POST records "no fewer opportunities" and goes back to the participant's page.
    "participants:special_category": Entry(
        get=signed_in(404, member_a=200, officer=200),
        post=signed_in(
            404,
            member_a=Redirect("participants:detail", same_kwargs=True),
            officer=Redirect("participants:detail", same_kwargs=True),
        ),
        kwargs=_participant_a,
    ),
    "participants:export": Entry(get=signed_in(404, member_a=200, officer=200), kwargs=_participant_a),
    # An empty POST lacks the confirmation: the form comes back and nothing is erased.
    "participants:erase": Entry(
        get=signed_in(404, member_a=200, officer=200),
        post=signed_in(404, member_a=200, officer=200),
        kwargs=_participant_a,
    ),
    "participants:access_log": Entry(get=signed_in(404, member_a=200, officer=200), kwargs=_participant_a),
    # --- reserve list (organisation A's application, offer and project; the call of 2023) ---
    "reserve_list:overview": Entry(get=agency_only()),
    "reserve_list:import": Entry(get=agency_only(), post=agency_only()),
    "reserve_list:import_preview": Entry(
        get=agency_only(),
        post=agency_only(),  # applying a file without rows fails: the preview comes back
        kwargs=lambda fixture: {"pk": fixture("import_record").pk},
    ),
    "reserve_list:ranking": Entry(get=agency_only(), kwargs=_call_year),
    # Finance only: the officer is refused like everyone else.
    "reserve_list:envelope": Entry(get=agency_only(403), post=agency_only(403), kwargs=_call_year),
    "reserve_list:round": Entry(get=agency_only(), post=agency_only(), kwargs=_call_year),
    "reserve_list:my_applications": Entry(get=signed_in(200, participant=403)),  # members' and the agency's
    "reserve_list:application": Entry(get=signed_in(404, member_a=200, officer=200), kwargs=_application_a),
    "reserve_list:reinstate": Entry(
        get=agency_only(405),
        post=agency_only(Redirect("reserve_list:application", same_kwargs=True)),
        kwargs=_application_a,
        data={"reason": "Appeal upheld"},
    ),
    "reserve_list:offer": Entry(get=signed_in(404, member_a=200, officer=200), kwargs=_offer_a),
    # Only the organisation's managers answer an offer; the agency sees it but may not answer for them.
    "reserve_list:offer_accept": Entry(
        get=signed_in(405),
        post=signed_in(404, member_a=Redirect("reserve_list:offer", same_kwargs=True), officer=403),
        kwargs=_offer_a,
    ),
    "reserve_list:offer_decline": Entry(
        get=signed_in(405), post=signed_in(404, member_a=400, officer=403), kwargs=_offer_a
    ),
    # --- mobility ---
    # Recording the grant agreement is finance's: the officer is refused too.
    "mobility:agreement": Entry(get=agency_only(403), post=agency_only(403), kwargs=_offer_a),
    # Projects and mobilities: the sending organisation's members and the agency (participants: 403, their own
    # view comes later); members record and change mobilities, officers change their status.
    "mobility:project": Entry(get=signed_in(404, participant=403, member_a=200, officer=200), kwargs=_project_a),
    "mobility:mobility_create": Entry(
        get=signed_in(404, participant=403, member_a=200, officer=403),
        post=signed_in(404, participant=403, member_a=200, officer=403),  # empty: the form comes back
        kwargs=_project_a,
    ),
    "mobility:mobility": Entry(get=signed_in(404, participant=403, member_a=200, officer=200), kwargs=_mobility_a),
    "mobility:mobility_edit": Entry(
        get=signed_in(404, participant=403, member_a=200, officer=403),
        post=signed_in(404, participant=403, member_a=200, officer=403),
        kwargs=_mobility_a,
    ),
    "mobility:mobility_status": Entry(
        get=signed_in(405),
        post=signed_in(
            404,
            participant=403,
            member_a=Redirect("mobility:mobility", same_kwargs=True),
            officer=Redirect("mobility:mobility", same_kwargs=True),
        ),
        kwargs=_mobility_a,
        data={"to": "cancelled"},
    ),
    "mobility:project_withdraw": Entry(get=agency_only(), post=agency_only(), kwargs=_project_a),
    # The project's export (docs/mobility-columns.md): like the project page.
    "mobility:project_export_csv": Entry(
        get=signed_in(404, participant=403, member_a=200, officer=200), kwargs=_project_a
    ),
    "mobility:project_export_xlsx": Entry(
        get=signed_in(404, participant=403, member_a=200, officer=200), kwargs=_project_a
    ),
    # The grant calculator and its API are public: everyone gets a quote (the worked example, at a given distance).
    "mobility:calculator": Entry(
        get=everyone(200),
        post=everyone(200),
        data={
            "call_year": "2024",
            "activity_type": "LM-SHORT-VET",
            "participant_category": "learner",
            "start_date": "2024-09-02",
            "end_date": "2024-09-29",
            "travel_days": "2",
            "origin_city": "Gdańsk",
            "origin_country": "PL",
            "destination_city": "Lisbon",
            "destination_country": "PT",
            "distance_km": "2715",
        },
    ),
    # Agency administrators only (none of the five personas is one: the officer gets 403 too).
    "mobility:rate_changes": Entry(get=signed_in(403), post=signed_in(403), data={"mobility": "1"}),
    # --- reports (the agency's lists of every project and mobility, and the programme's progress) ---
    "reports:projects": Entry(get=agency_only()),
    "reports:mobilities": Entry(get=agency_only()),
    "reports:mobilities_export_csv": Entry(get=agency_only()),
    "reports:mobilities_export_xlsx": Entry(get=agency_only()),
    "reports:progress": Entry(get=agency_only()),
    # --- public API (no session: signed-in users are anonymous to it) ---
    "api:grant_quote": Entry(
        get=everyone(405),
        post=everyone(200),
        json=True,
        data={
            "call_year": 2024,
            "activity_type": "LM-SHORT-VET",
            "participant_category": "learner",
            "start_date": "2024-09-02",
            "end_date": "2024-09-29",
            "travel_days": 2,
            "origin": {"city": "Gdańsk", "country": "PL"},
            "destination": {"city": "Lisbon", "country": "PT"},
            "distance_km": 2715,
        },
    ),
    "api:schema": Entry(get=everyone(200)),
    "api:docs": Entry(get=everyone(200)),
    # --- allauth: accounts ---
    "account_login": Entry(get=signed_in(HOME, anonymous=200)),
    "account_logout": Entry(get=signed_in(200, anonymous=HOME)),
    "account_inactive": Entry(get=everyone(200)),
    # Sign-up is by invitation only: without one it shows the "closed" page (test_signup_opens_with_an_invitation).
    "account_signup": Entry(get=signed_in(HOME, anonymous=Page("account/signup_closed.html"))),
    "account_reauthenticate": Entry(get=signed_in(200)),
    "account_email": Entry(get=signed_in(200)),
    "account_email_verification_sent": Entry(get=everyone(200)),
    "account_change_password": Entry(get=signed_in(200)),
    "account_set_password": Entry(get=signed_in(Redirect("account_change_password"))),
    "account_reset_password": Entry(get=everyone(200)),
    # Sign-in by e-mailed code (participants): nobody has asked for a code here, so there is none to confirm.
    "account_request_login_code": Entry(get=signed_in(HOME, anonymous=200)),
    "account_confirm_login_code": Entry(get=signed_in(HOME, anonymous=Redirect("account_request_login_code"))),
    "account_confirm_email": Entry(
        get=everyone(200), kwargs=lambda fixture: {"key": fixture("email_confirmation_key")}
    ),
    "account_reset_password_from_key_done": Entry(get=everyone(200)),
    # A valid key is moved from the URL into the session (allauth's "<uid>-set-password" URL).
    "account_reset_password_from_key": Entry(
        get=everyone(RedirectMatching(r"/accounts/password/reset/key/\w+-set-password/")),
        kwargs=lambda fixture: fixture("password_reset_kwargs"),
    ),
    "account_reset_password_done": Entry(get=everyone(200)),
    # --- allauth: two-factor authentication (nobody here has enrolled; force_login is not a recent sign-in) ---
    "mfa_index": Entry(get=signed_in(200)),
    "mfa_authenticate": Entry(get=signed_in(HOME, anonymous=Redirect("account_login"))),
    "mfa_reauthenticate": Entry(get=signed_in(Redirect("account_reauthenticate"))),
    "mfa_activate_totp": Entry(get=signed_in(Redirect("account_reauthenticate"))),
    "mfa_deactivate_totp": Entry(get=signed_in(404)),
    "mfa_view_recovery_codes": Entry(get=signed_in(404)),
    "mfa_generate_recovery_codes": Entry(get=signed_in(Redirect("account_reauthenticate"))),
    "mfa_download_recovery_codes": Entry(get=signed_in(404)),
    # --- passport ---
    # The participant's own passport (own_mobility): everyone else gets 404, drafts too.
    "passport:participant": Entry(get=signed_in(404, participant=200), kwargs=lambda fixture: _own_mobility(fixture)),
    "passport:participant_tick": Entry(
        get=signed_in(405),  # POST only
        post=signed_in(404, participant=RedirectMatching(r"/me/mobilities/\d+/passport/")),
        kwargs=lambda fixture: _own_passport_item(fixture),
        data={"ticked": "on"},
    ),
    # The organisation's passport of organisation A's mobility: member_b and the participant persona get 404
    # (also on their own mobility); the agency sees it but neither ticks nor adds items.
    "passport:mobility": Entry(
        get=signed_in(404, member_a=200, officer=200), kwargs=lambda fixture: _own_mobility(fixture)
    ),
    "passport:organisation_tick": Entry(
        get=signed_in(405),  # POST only
        post=signed_in(404, member_a=RedirectMatching(r"/mobilities/\d+/passport/"), officer=403),
        kwargs=lambda fixture: _own_passport_item(fixture),
        data={"ticked": "on"},
    ),
    "passport:item_add": Entry(
        get=signed_in(404, member_a=200, officer=403),
        post=signed_in(404, member_a=Redirect("passport:mobility", same_kwargs=True), officer=403),
        kwargs=lambda fixture: _own_mobility(fixture),
        data={"name": "Meet the mentor online", "section": "host_mentor", "phase": "before", "ticker": "both"},
    ),
    # Deleting an item organisation A added (confirmation, then POST): its members; the agency sees, does not.
    "passport:item_delete": Entry(
        get=signed_in(404, member_a=200, officer=403),
        post=signed_in(404, member_a=RedirectMatching(r"/mobilities/\d+/passport/$"), officer=403),
        kwargs=lambda fixture: _own_added_passport_item(fixture),
    ),
    # Extra support (special-category data): the sending organisation's managers and agency officers.
    "passport:support_add": Entry(
        get=signed_in(404, member_a=200, officer=200),
        post=signed_in(
            404,
            member_a=Redirect("passport:mobility", same_kwargs=True),
            officer=Redirect("passport:mobility", same_kwargs=True),
        ),
        kwargs=lambda fixture: _own_mobility(fixture),
        data={"description": "Interpreter", "phase": "during", "provided_by": "Host"},
    ),
    "passport:support_edit": Entry(
        get=signed_in(404, member_a=200, officer=200),
        post=signed_in(
            404,
            member_a=RedirectMatching(r"/mobilities/\d+/passport/"),
            officer=RedirectMatching(r"/mobilities/\d+/passport/"),
        ),
        kwargs=lambda fixture: _own_extra_support(fixture),
        data={"description": "Interpreter", "phase": "during", "provided_by": "Host"},
    ),
    "passport:project": Entry(get=signed_in(404, member_a=200, officer=200), kwargs=_project_a),
    "passport:agency": Entry(get=agency_only()),
    # The template: agency administrators and officers.
    "passport:template": Entry(get=agency_only()),
    "passport:template_add": Entry(
        get=agency_only(),
        post=agency_only(Redirect("passport:template")),
        data={"name": "Visa", "section": "travel", "phase": "before", "ticker": "organisation", "active": "on"},
    ),
    "passport:template_edit": Entry(
        get=agency_only(),
        post=agency_only(Redirect("passport:template")),
        kwargs=lambda fixture: {"pk": fixture("passport_template_item").pk},
        data={"name": "Visa", "section": "travel", "phase": "before", "ticker": "organisation", "active": "on"},
    ),
    "passport:template_move": Entry(
        get=agency_only(405),
        post=agency_only(Redirect("passport:template")),
        kwargs=lambda fixture: {"pk": fixture("passport_template_item").pk},
        data={"direction": "down"},
    ),
    # --- certificates ---
    # Verification is public: anyone holding a certificate checks its code without signing in.
    "certificates:verify_form": Entry(get=everyone(200)),
    "certificates:verify": Entry(get=everyone(200), kwargs=lambda fixture: _certificate_a_code(fixture)),
    # The participant's own certificate: nobody else's mobility exists for them (404), agency staff included.
    "certificates:own": Entry(get=signed_in(404, participant=200), kwargs=lambda fixture: _own_mobility(fixture)),
    "certificates:own_pdf": Entry(
        get=signed_in(404, participant=200), kwargs=lambda fixture: _own_certificate_mobility(fixture)
    ),
    # The organisation's pages, like the mobility pages (participants 403); managers and officers issue
    # (mobility_a is a draft: the issue is refused with a message, back on the page).
    "certificates:mobility": Entry(
        get=signed_in(404, participant=403, member_a=200, officer=200),
        post=signed_in(
            404,
            participant=403,
            member_a=Redirect("certificates:mobility", same_kwargs=True),
            officer=Redirect("certificates:mobility", same_kwargs=True),
        ),
        kwargs=_mobility_a,
    ),
    "certificates:download": Entry(
        get=signed_in(404, participant=403, member_a=200, officer=200),
        kwargs=lambda fixture: _certificate_a_version(fixture),
    ),
    "certificates:project": Entry(
        get=signed_in(404, participant=403, member_a=200, officer=200),
        post=signed_in(
            404,
            participant=403,
            member_a=Redirect("certificates:project", same_kwargs=True),
            officer=Redirect("certificates:project", same_kwargs=True),
        ),
        kwargs=_project_a,
    ),
    "certificates:project_progress": Entry(
        get=signed_in(404, participant=403, member_a=200, officer=200), kwargs=_project_a
    ),
    # --- outcomes ---
    # The participant's own self-assessment (own_mobility, started in 2024: both windows are closed, so a POST
    # comes back with the window's message and writes nothing); everyone else's mobility does not exist (404).
    "outcomes:assessment": Entry(
        get=signed_in(404, participant=Page("outcomes/assessment.html")),
        post=signed_in(404, participant=Page("outcomes/assessment.html")),
        kwargs=lambda fixture: _own_assessment(fixture),
        data={f"competence_{number}": "3" for number in range(1, 9)},
    ),
    # Learning outcomes of organisation A's mobility: its members record them, agency staff read them (POST
    # 403); member_b and the participant persona (even on their own mobility) get 404.
    "outcomes:mobility": Entry(
        get=signed_in(404, member_a=200, officer=200),
        post=signed_in(404, member_a=Redirect("outcomes:mobility", same_kwargs=True), officer=403),
        kwargs=lambda fixture: _own_mobility(fixture),
        data={"vocational_outcomes": "Welding to EN ISO 9606-1", "competence_4_text": "CAD drawings"},
    ),
    "outcomes:project": Entry(get=signed_in(404, member_a=200, officer=200), kwargs=_project_a),
    "outcomes:agency": Entry(get=agency_only()),
    # --- portal: the participant's own pages and invitations ---
    # The participant persona's own mobility; /me/ pages are participants' (others: 403, like /me/ itself).
    # Another participant's mobility answers 404 (apps/portal/tests/test_participant_pages.py).
    "portal:participant_mobility": Entry(
        get=signed_in(403, participant=200), kwargs=lambda fixture: _own_mobility(fixture)
    ),
    # Organisation A's project: its managers and agency officers invite every participant at once.
    "portal:project_invitations": Entry(
        get=signed_in(404, member_a=200, officer=200),
        post=signed_in(
            404,
            member_a=Redirect("portal:project_invitations", same_kwargs=True),
            officer=Redirect("portal:project_invitations", same_kwargs=True),
        ),
        kwargs=_project_a,
    ),
    # --- participants: invitations (organisation A's participant_a) ---
    "participants:invite": Entry(
        get=signed_in(405),
        post=signed_in(
            404,
            member_a=Redirect("participants:detail", same_kwargs=True),
            officer=Redirect("participants:detail", same_kwargs=True),
        ),
        kwargs=_participant_a,
    ),
    # The e-mailed link: a visitor's POST signs participant_a in (account created) and lands on /me/;
    # someone already signed in is asked to sign out first, and nothing happens.
    "participants:invitation": Entry(
        get=everyone(200),
        post=signed_in(200, anonymous=Redirect("portal:participant_home")),
        kwargs=lambda fixture: {"token": fixture("participant_invitation_token")},
    ),
    # --- mobility: import and preparatory visits (organisation A's project: its managers and agency officers;
    # member_b and the participant get 404, not 403) ---
    "mobility:project_import": Entry(
        get=signed_in(404, member_a=200, officer=200),
        post=signed_in(404, member_a=200, officer=200),  # no file: the form comes back
        kwargs=_project_a,
    ),
    "mobility:project_import_template_csv": Entry(get=signed_in(404, member_a=200, officer=200), kwargs=_project_a),
    "mobility:project_import_template_xlsx": Entry(get=signed_in(404, member_a=200, officer=200), kwargs=_project_a),
    # A stored upload with errors (the header alone): confirming it saves nothing and shows the errors again.
    "mobility:project_import_preview": Entry(
        get=signed_in(404, member_a=200, officer=200),
        post=signed_in(404, member_a=200, officer=200),
        kwargs=lambda fixture: _mobility_upload_a(fixture),
    ),
    # Discarding the upload deletes its file (POST only): back to the import page.
    "mobility:project_import_discard": Entry(
        get=signed_in(405),
        post=signed_in(404, member_a=302, officer=302),
        kwargs=lambda fixture: _mobility_upload_a(fixture),
    ),
    "mobility:visit_create": Entry(
        get=signed_in(404, member_a=200, officer=200),
        post=signed_in(404, member_a=200, officer=200),  # empty: the form comes back
        kwargs=_project_a,
    ),
    "mobility:visit_edit": Entry(
        get=signed_in(404, member_a=200, officer=200),
        post=signed_in(404, member_a=200, officer=200),
        kwargs=lambda fixture: _visit_a(fixture),
    ),
    "mobility:visit_delete": Entry(
        get=signed_in(404, member_a=200, officer=200),
        post=signed_in(404, member_a=RedirectMatching(r"/projects/\d+/"), officer=RedirectMatching(r"/projects/\d+/")),
        kwargs=lambda fixture: _visit_a(fixture),
    ),
    # --- participant_reports ---
    # The participant's own report (own_mobility's, requested; the PDF once submitted): nobody else's mobility
    # exists for them (404), organisation A's members and agency staff included. An empty POST comes back
    # with the form's errors.
    "participant_reports:own": Entry(
        get=signed_in(404, participant=Page("participant_reports/own_form.html")),
        post=signed_in(404, participant=Page("participant_reports/own_form.html")),
        kwargs=lambda fixture: _own_report_requested(fixture),
    ),
    "participant_reports:own_pdf": Entry(
        get=signed_in(404, participant=200), kwargs=lambda fixture: _own_report_submitted(fixture)
    ),
    # Organisation A's pages, like the mobility pages (participants 403); member_b gets 404.
    "participant_reports:mobility": Entry(
        get=signed_in(404, participant=403, member_a=200, officer=200),
        kwargs=lambda fixture: _report_submitted_a(fixture),
    ),
    "participant_reports:project": Entry(
        get=signed_in(404, participant=403, member_a=200, officer=200), kwargs=_project_a
    ),
    "participant_reports:agency": Entry(get=agency_only()),
}


def admin_outcome(name: str, persona: str) -> Outcome:
    """The generic admin rule: no persona is staff (the officer neither), so the admin sends each to its sign-in."""
    if name == "admin:login":
        # allauth's secure_admin_login: anonymous users sign in through allauth, signed-in non-staff are refused.
        return LOGIN if persona == "anonymous" else 403
    if name == "admin:logout":
        # Django 5's LogoutView is POST-only (405), but the admin checks permission first and
        # sends non-staff to admin:index, which then asks them to sign in.
        return Redirect("admin:index")
    return ADMIN_LOGIN


def admin_url(name: str) -> str:
    """Reverse any admin pattern with placeholder arguments (object "1", the reference app, ...)."""
    regex = NAMED[name].pattern.pattern.regex
    kwargs = {group: "reference" if group == "app_label" else "1" for group in regex.groupindex}
    args = ["1"] * regex.groups if regex.groups and not kwargs else []
    return reverse(name, args=args, kwargs=kwargs)


# --- Fixtures the URLs are built from -------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_and_fixed(settings):
    # Up to five users a test, some 900 tests: the default hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The matrix pins permissions whatever the environment says; with this on, the officer
    # (no TOTP) would be sent to enrol on every portal page.
    settings.MFA_REQUIRED_FOR_AGENCY = False


@pytest.fixture
def invitation_token(organisation_a, manager_a):
    from apps.notifications.models import Notification
    from apps.organisations.services import membership_invite

    membership_invite(
        organisation=organisation_a, email="newcomer@test.example", role="contributor", invited_by=manager_a
    )
    # The token itself is only in the e-mailed link.
    link = Notification.objects.get(kind="organisation_invitation", email="newcomer@test.example").url
    return resolve(link).kwargs["token"]


@pytest.fixture
def participant_a(organisation_a):
    """Another participant of organisation A than the participant persona, flagged with fewer opportunities."""
    from tests.factories import ParticipantFactory, SpecialCategoryDataFactory

    return SpecialCategoryDataFactory(participant=ParticipantFactory(organisation=organisation_a)).participant


@pytest.fixture
def notification_of_member_a(manager_a):
    from apps.notifications.models import Notification

    return Notification.objects.create(
        recipient=manager_a, kind="test", subject="Hello", body_text="Hello", url="/org/"
    )


@pytest.fixture
def email_confirmation_key(db):
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    from tests.factories import UserFactory

    user = UserFactory(email="unconfirmed@test.example", verified=False)
    address = EmailAddress.objects.get(user=user)
    address.verified = False
    address.save(update_fields=["verified"])
    return EmailConfirmationHMAC(address).key


@pytest.fixture
def password_reset_kwargs(db):
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    from tests.factories import UserFactory

    user = UserFactory(email="forgetful@test.example")
    return {"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)}


@pytest.fixture
def call(db):
    from tests.factories import CallFactory

    return CallFactory(year=2023)


@pytest.fixture
def application_a(call, organisation_a):
    """Organisation A's declined application: an officer may put it back on the reserve list."""
    from tests.factories import ApplicationFactory

    return ApplicationFactory(call=call, organisation=organisation_a, status="declined")


@pytest.fixture
def offer_a(call, organisation_a):
    from tests.factories import OfferFactory

    return OfferFactory(application__call=call, application__organisation=organisation_a)


@pytest.fixture
def project_a(call, organisation_a):
    import datetime

    from apps.mobility.models import Project
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(call=call, organisation=organisation_a, status="contracted")
    return Project.objects.create(
        application=application,
        agreement_number="2023-1-PL01-KA122-VET-000000001",
        signed_on=datetime.date(2023, 6, 1),
        start_date=datetime.date(2023, 7, 1),
        end_date=datetime.date(2024, 6, 30),
        awarded_grant=application.requested_grant,
    )


@pytest.fixture
def mobility_a(project_a):
    """A draft mobility of organisation A's project (as stored: no distance, no grant)."""
    from tests.factories import MobilityFactory

    return MobilityFactory(project=project_a)


@pytest.fixture
def own_mobility(project_a, participant_user):
    """The participant persona's own mobility (in organisation A's project), planned: /me/ pages open for them."""
    from tests.factories import MobilityFactory

    return MobilityFactory(project=project_a, participant=participant_user.participant, status="planned")


def _own_mobility(fixture: Fixture) -> dict:
    return {"pk": fixture("own_mobility").pk}


@pytest.fixture
def import_record(officer, settings, tmp_path):
    """An uploaded reserve list (the header alone, so it cannot be applied), stored as the upload page does."""
    import io

    from apps.reserve_list import imports

    settings.MEDIA_ROOT = tmp_path
    header = ",".join(imports.COLUMNS).encode()
    return imports.import_upload_store(fileobj=io.BytesIO(header), filename="reserve-list.csv", by=officer)


# --- passport fixtures ---


@pytest.fixture
def own_passport_item(own_mobility):
    """An item of the participant persona's own passport that both sides tick."""
    from apps.passport import services

    return services.checklist_ensure(mobility=own_mobility).items.filter(ticker="both").first()


def _own_passport_item(fixture: Fixture) -> dict:
    item = fixture("own_passport_item")
    return {"pk": item.checklist.mobility_id, "item": item.pk}


@pytest.fixture
def own_added_passport_item(own_mobility, manager_a):
    """An item organisation A's manager added to the participant persona's own passport (deletable)."""
    from apps.passport import services

    return services.checklist_item_add(
        mobility=own_mobility, by=manager_a, name="Meet the mentor online", section="host_mentor", phase="before"
    )


def _own_added_passport_item(fixture: Fixture) -> dict:
    item = fixture("own_added_passport_item")
    return {"pk": item.checklist.mobility_id, "item": item.pk}


@pytest.fixture
def own_extra_support(own_mobility):
    from tests.factories import ExtraSupportFactory

    return ExtraSupportFactory(mobility=own_mobility)


def _own_extra_support(fixture: Fixture) -> dict:
    support = fixture("own_extra_support")
    return {"pk": support.mobility_id, "support": support.pk}


@pytest.fixture
def passport_template_item(db):
    from apps.passport.models import TemplateItem

    return TemplateItem.objects.order_by("position", "pk").first()


# --- certificates fixtures ---


@pytest.fixture
def certificate_a(mobility_a, settings, tmp_path):
    """A rendered certificate of mobility_a (someone else's, organisation A), with a stub PDF."""
    from tests.factories import CertificateFactory

    settings.MEDIA_ROOT = tmp_path
    return CertificateFactory(mobility=mobility_a)


def _certificate_a_code(fixture: Fixture) -> dict:
    return {"code": fixture("certificate_a").display_code}


def _certificate_a_version(fixture: Fixture) -> dict:
    certificate = fixture("certificate_a")
    return {"pk": certificate.mobility_id, "version": certificate.version}


@pytest.fixture
def own_certificate(own_mobility, settings, tmp_path):
    """A rendered certificate of the participant persona's own mobility, with a stub PDF."""
    from tests.factories import CertificateFactory

    settings.MEDIA_ROOT = tmp_path
    return CertificateFactory(mobility=own_mobility)


def _own_certificate_mobility(fixture: Fixture) -> dict:
    return {"pk": fixture("own_certificate").mobility_id}


# --- outcomes fixtures ---


def _own_assessment(fixture: Fixture) -> dict:
    return {"pk": fixture("own_mobility").pk, "phase": "before"}


@pytest.fixture
def participant_invitation_token(participant_a, manager_a):
    from apps.notifications.models import Notification
    from apps.participants.invitations import participant_invite

    participant_invite(participant=participant_a, invited_by=manager_a)
    link = Notification.objects.get(kind="participant_invitation", email=participant_a.email).url
    return resolve(link).kwargs["token"]


@pytest.fixture
def visit_a(project_a):
    """A preparatory visit of organisation A's project."""
    from tests.factories import PreparatoryVisitFactory

    return PreparatoryVisitFactory(project=project_a)


def _visit_a(fixture: Fixture) -> dict:
    return {"pk": fixture("visit_a").pk}


@pytest.fixture
def mobility_upload_a(project_a, manager_a, settings, tmp_path):
    """An import file of organisation A's project (the header alone: it has an error), stored as uploaded."""
    import io

    from apps.mobility import imports_web

    settings.MEDIA_ROOT = tmp_path
    return imports_web.upload_store(
        project=project_a, fileobj=io.BytesIO(imports_web.template_csv()), filename="mobilities.csv", by=manager_a
    )


def _mobility_upload_a(fixture: Fixture) -> dict:
    return {"pk": fixture("project_a").pk, "token": fixture("mobility_upload_a").token}


# --- participant_reports fixtures ---


@pytest.fixture
def own_report_requested(own_mobility):
    """own_mobility, completed, with its report requested (as the daily sweep does after the end date)."""
    from apps.participant_reports.services import report_request

    type(own_mobility).objects.filter(pk=own_mobility.pk).update(status="completed")
    return report_request(mobility_id=own_mobility.pk)


@pytest.fixture
def own_report_submitted(own_report_requested, participant_user):
    from apps.participant_reports.services import report_submit, statements_for

    report = own_report_requested
    agreements = {statement.code: 4 for statement in statements_for(report)}
    return report_submit(report=report, by=participant_user, satisfaction=5, agreements=agreements, recognition="yes")


@pytest.fixture
def report_submitted_a(mobility_a):
    """A submitted report of someone else's mobility in organisation A's project."""
    from tests.factories import SubmittedParticipantReportFactory

    type(mobility_a).objects.filter(pk=mobility_a.pk).update(status="reported")
    return SubmittedParticipantReportFactory(mobility=mobility_a)


def _own_report_requested(fixture: Fixture) -> dict:
    return {"pk": fixture("own_report_requested").mobility_id}


def _own_report_submitted(fixture: Fixture) -> dict:
    return {"pk": fixture("own_report_submitted").mobility_id}


def _report_submitted_a(fixture: Fixture) -> dict:
    return {"pk": fixture("report_submitted_a").mobility_id}


# --- Checking one request -------------------------------------------------------------------------


def describe(response) -> str:
    location = response.headers.get("Location")
    return f"{response.status_code}" + (f" -> {location}" if location else "")


def assert_outcome(response, expected: Outcome, path: str, kwargs: dict | None = None) -> None:
    got = describe(response)
    if isinstance(expected, int):
        assert response.status_code == expected, f"expected {expected}, got {got}"
        return
    if isinstance(expected, Page):
        templates = [template.name for template in response.templates]
        assert response.status_code == 200, f"expected {expected}, got {got}"
        assert expected.template in templates, f"expected {expected}, got {templates[:3]}"
        return
    assert response.status_code == 302, f"expected {expected}, got {got}"
    location = urlsplit(response.headers["Location"])
    if expected in (LOGIN, ADMIN_LOGIN):
        login = reverse("account_login") if expected == LOGIN else reverse("admin:login")
        assert location.path == login, f"expected {expected}, got {got}"
        assert parse_qs(location.query).get("next") == [path], f"expected {expected} back to {path}, got {got}"
        return
    if isinstance(expected, RedirectMatching):
        assert re.fullmatch(expected.pattern, location.path), f"expected {expected}, got {got}"
        return
    assert location.path == expected.path(kwargs or {}), f"expected {expected}, got {got}"


def cases():
    for name in OWN_NAMES:
        entry = MATRIX.get(name)
        methods = ["GET", "POST"] if entry and entry.post else ["GET"]
        for persona in PERSONAS:
            for method in methods:
                yield pytest.param(name, persona, method, id=f"{name}-{persona}-{method}")


@pytest.mark.parametrize(("name", "persona", "method"), list(cases()))
def test_permission(client, request, personas, name, persona, method):
    entry = MATRIX.get(name)
    if entry is None:
        pytest.fail(f"{name} ({NAMED[name].route}) has no entry in MATRIX")
    kwargs = entry.kwargs(request.getfixturevalue)
    path = reverse(name, kwargs=kwargs)
    if personas[persona] is not None:
        client.force_login(personas[persona])
    if method == "GET":
        response = client.get(path)
        expected = entry.get[persona]
    else:
        response = client.post(path, entry.data, **({"content_type": "application/json"} if entry.json else {}))
        expected = entry.post[persona]
    assert_outcome(response, expected, path, kwargs)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", ADMIN_NAMES)
def test_admin_permission(db, client, request, name, persona):
    path = admin_url(name)
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(PERSONA_FIXTURES[persona]))
    assert_outcome(client.get(path), admin_outcome(name, persona), path)


def test_agency_administrator_reaches_the_admin(client, agency_admin):
    client.force_login(agency_admin)
    changelists = [name for name in ADMIN_NAMES if name.startswith("admin:reference_") and name.endswith("_changelist")]
    assert changelists, "the reference app registers its tables in the admin"
    names = ["admin:index", *changelists, "admin:logout"]
    answers = {name: describe(client.get(reverse(name))) for name in names}
    # Django 5's admin logout is POST-only; staff get there past the permission check.
    assert answers == {**dict.fromkeys(names, "200"), "admin:logout": "405"}


def test_signup_opens_with_an_invitation(client, invitation_token):
    """Following an invitation link opens sign-up for that browser session (and for nobody else)."""
    signup = reverse("account_signup")
    assert_outcome(client.get(signup), Page("account/signup_closed.html"), signup)
    client.get(reverse("organisations:invitation", kwargs={"token": invitation_token}))
    assert_outcome(client.get(signup), Page("account/signup.html"), signup)


def test_persona_fixtures_are_the_personas(request, personas):
    """The admin sweep loads one persona's fixture at a time; it must be the same person as in ``personas``."""
    assert {persona: request.getfixturevalue(name) for persona, name in PERSONA_FIXTURES.items()} == {
        persona: user for persona, user in personas.items() if user is not None
    }


def test_every_url_is_in_the_matrix():
    """A URL nobody put in the matrix is a URL nobody checked (admin URLs follow ``admin_outcome``)."""
    missing = sorted(set(OWN_NAMES) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(NAMED))
    # An unnamed URL cannot be reversed, hence not tested: only the admin's catch-all and redirects may be.
    unnamed = sorted(route.route for route in ROUTES if route.name is None and route.namespace != "admin")
    problems = [
        *(f"no MATRIX entry for {name} ({NAMED[name].route})" for name in missing),
        *(f"MATRIX names {name}, which no longer resolves" for name in stale),
        *(f"unnamed URL pattern {route} (give it a name and a MATRIX entry)" for route in unnamed),
    ]
    assert not problems, "\n".join(problems)


def test_matrix_entries_name_every_persona():
    incomplete = [
        f"{name}.{method}: {sorted(set(PERSONAS) ^ set(expected))}"
        for name, entry in MATRIX.items()
        for method, expected in (("get", entry.get), ("post", entry.post or dict.fromkeys(PERSONAS)))
        if set(expected) != set(PERSONAS)
    ]
    assert not incomplete, "\n".join(incomplete)
