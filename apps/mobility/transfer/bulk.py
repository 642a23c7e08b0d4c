"""Checking an imported file's rows in bulk and writing them (``transfer.import_mobilities``): a few queries.

The rows are taken in the order ``mobility_create`` would record them one by one (learners before those
accompanying them, then by row) and each gets what that would give it: the same checks and messages, the
same participant numbers (the order of creation), the same rules broken (so the mobility stays in draft),
the same grant lines and the same history row. Only the reads and writes are gathered:

- the project is locked once, its call year's rate tables and the sending organisation's city read once;
- participants, their special-category data, hosts and destination cities are read for all rows at once
  (``QUERY_CHUNK`` values per ``IN``); new participants, their special-category data and its access log,
  mobilities, their status history and grant lines are written with ``bulk_create``.

Per person or per host, not per row, go through the services as before: an existing participant's
correction (``participant_update``, ``participant_set_special_category``) and a new host
(``organisation_create``). A dry run checks everything and writes none of the bulk rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.collection import gc_paused
from apps.core.instances import builder
from apps.core.tabular import RowError
from apps.mobility.eligibility import Violation
from apps.mobility.grant import grant_texts
from apps.mobility.mobilities import (
    _first_mobilities,
    check_project_active,
    check_relations,
    price,
    rule_violations,
    set_distance,
)
from apps.mobility.mobilities.base import _lock_project, _tables
from apps.mobility.models import Mobility, MobilityStatus, Project
from apps.mobility.transfer.columns import (
    PROVISIONAL_OID_PREFIX,
    MobilityRow,
    Result,
    RowOutcome,
    _chunks,
    _field_errors,
)
from apps.mobility.transfer.writing import CONTEXT, _BulkWrites, _new_participant
from apps.organisations.models import Organisation, OrganisationType
from apps.organisations.services import organisation_create
from apps.participants import selectors as participant_selectors
from apps.participants.models import (
    Participant,
    SpecialCategoryData,
)
from apps.participants.services import participant_set_special_category, participant_update
from apps.reference.cities import UnknownCity, resolve_city
from apps.reference.models import City

M = MobilityStatus


class _RowFailed(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(errors)
        self.errors = errors


class _Order:
    """Participants' order of first counted mobility (``mobilities._position``), kept as mobilities are added."""

    def __init__(self, firsts: dict[int, int]):
        ranked = sorted(firsts.items(), key=lambda item: item[1])
        self.rank: dict = {participant: index for index, (participant, _first) in enumerate(ranked)}

    def add(self, key) -> None:
        self.rank.setdefault(key, len(self.rank))

    def position(self, key) -> int:
        """How many counted participants come before ``key``'s first mobility (the newest, when it has none)."""
        return self.rank.get(key, len(self.rank))


@dataclass
class _Person:
    participant: Participant
    how: str  # "created" or "updated"
    fewer: bool  # has fewer opportunities (after this import)

    @property
    def key(self):
        return self.participant.pk or ("new", self.participant.email)


def write_rows(*, rows: list[MobilityRow], project: Project, by, result: Result, dry_run: bool) -> None:
    """Check and write ``rows`` (already in creation order) into ``result``; the caller rolls back on errors."""
    with gc_paused():
        _Writer(project=project, by=by, result=result, dry_run=dry_run).run(rows)


class _Writer(_BulkWrites):
    def __init__(self, *, project: Project, by, result: Result, dry_run: bool):
        self.by, self.result, self.dry_run = by, result, dry_run
        self.project = _lock_project(project.pk)
        self.organisation = self.project.application.organisation
        self.project_error: ValidationError | None = None
        self.tables = None
        try:
            check_project_active(self.project)
            self.tables = _tables(self.project)
        except ValidationError as exc:
            self.project_error = exc
        self.people: dict[str, _Person] = {}
        self.failed_people: dict[str, list[RowError]] = {}
        self.hosts: dict = {}
        self.cities: dict[tuple[str, str], City | UnknownCity] = {}
        self.host_countries: dict[int, str] = {}
        self.created: dict[str, Mobility] = {}
        self.new_participants: list[Participant] = []
        self.new_special: list[SpecialCategoryData] = []
        self.mobilities: list[tuple[MobilityRow, Mobility, list, list[str], str, str]] = []
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.texts = grant_texts()  # the grant's explanations, translated once for all rows

    # --- Reading everything at once --------------------------------------------------------------------------

    def _load(self, rows: list[MobilityRow]) -> None:
        emails = sorted({row.email for row in rows})
        self.existing_people: dict[str, Participant] = {}
        for chunk in _chunks(emails):
            found = (
                Participant.objects.filter(organisation=self.organisation)
                .annotate(email_lower=Lower("email"))
                .filter(email_lower__in=chunk)
                .order_by("pk")
            )
            for participant in found:
                self.existing_people.setdefault(participant.email_lower, participant)
        self.special: dict[int, SpecialCategoryData] = {}
        ids = sorted(p.pk for p in self.existing_people.values())
        for chunk in _chunks(ids):
            self.special.update(
                (d.participant_id, d) for d in SpecialCategoryData.objects.filter(participant__in=chunk)
            )

        self.by_oid: dict[str, Organisation] = {}
        for chunk in _chunks(sorted({row.host_oid for row in rows if row.host_oid})):
            self.by_oid.update((o.oid, o) for o in Organisation.objects.filter(oid__in=chunk))
        self.by_name: dict[tuple, Organisation] = {}
        named = {
            (row.host_name.casefold(), row.host_city.casefold(), row.host_country) for row in rows if not row.host_oid
        }
        countries = sorted({country for _name, _city, country in named})
        if named:
            for host in Organisation.objects.filter(country__in=countries):  # the model's order: the first wins
                key = (host.legal_name.casefold(), host.city.casefold(), host.country.code)
                if key in named:
                    self.by_name.setdefault(key, host)
        self.provisional = None

        project_id = self.project.pk
        self.order_all = _Order(_first_mobilities(project_id, cap_only=False))
        self.order_cap = _Order(_first_mobilities(project_id, cap_only=True))
        self.accompaniable: dict[str, list[Mobility]] = {}
        for mobility in (
            Mobility.objects.filter(project=self.project, accompanying=False)
            .exclude(status=M.CANCELLED)
            .select_related("participant")
        ):
            self.accompaniable.setdefault(mobility.participant.email.lower(), []).append(mobility)

        sending = self.organisation
        self.sending_country = sending.country.code
        try:
            self.origin_city, self.origin_problem = resolve_city(sending.city, self.sending_country), None
        except UnknownCity as exc:
            self.origin_city, self.origin_problem = None, str(exc)
        self.can_edit = participant_selectors.can_edit_participants(user=self.by, organisation=sending)
        self.can_flag = participant_selectors.can_change_special_category(user=self.by, organisation=sending)

    # --- Row by row, in memory ----------------------------------------------------------------------------------

    def run(self, rows: list[MobilityRow]) -> None:
        self._load(rows)
        for row in rows:
            try:
                self._row(row)
            except _RowFailed as failed:
                self.result.errors.extend(failed.errors)
        if self.result.errors:
            return
        if not self.dry_run:
            self._write()
        for row, mobility, violations, _lines, person_how, host_how in self.mobilities:
            self.result.rows.append(
                RowOutcome(
                    row=row.row,
                    email=row.email,
                    participant=person_how,
                    host=host_how,
                    mobility_id=None if self.dry_run else mobility.pk,
                    violations=violations,
                )
            )

    def _row(self, row: MobilityRow) -> None:
        person = self._person(row)
        host, host_how = self._host(row)
        accompanied = None
        if row.accompanies:
            accompanied = self.created.get(row.accompanies)
            if accompanied is None:
                found = self.accompaniable.get(row.accompanies)
                if not found:
                    message = _("The accompanied learner's row could not be imported.")
                    raise _RowFailed([RowError(row.row, "accompanies", message)])
                accompanied = found[0]
        if self.project_error is not None:
            raise _RowFailed(_field_errors(row.row, self.project_error, default="activity_type"))
        mobility = self._mobility(row, person, host, accompanied)
        violations = self._violations(mobility, person)
        lines = self._grant(mobility, person)
        if not row.accompanying:
            self.created.setdefault(row.email, mobility)
        messages = [v.message for found in violations.values() for v in found]
        self.mobilities.append((row, mobility, messages, lines, person.how, host_how))

    def _person(self, row: MobilityRow) -> _Person:
        if row.email in self.people:
            return self.people[row.email]
        if row.email in self.failed_people:
            raise _RowFailed([error._replace(row=row.row) for error in self.failed_people[row.email]])
        try:
            person = self._person_anew(row)
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                errors = [RowError(row.row, "participant_email", str(exc) or _("Permission denied."))]
            else:
                errors = _field_errors(row.row, exc, default="participant_email")
            self.failed_people[row.email] = errors
            raise _RowFailed(errors) from exc
        self.people[row.email] = person
        return person

    def _person_anew(self, row: MobilityRow) -> _Person:
        """The row's participant, created (in memory) or corrected (through the services), flag included."""
        participant = self.existing_people.get(row.email)
        if participant is not None:
            with transaction.atomic():  # a failed correction leaves nothing behind
                participant = participant_update(participant=participant, by=self.by, **row.person)
                current = self.special.get(participant.pk)
                fewer = bool(current and current.fewer_opportunities)
                if row.fewer_opportunities is not None and (current is not None or row.fewer_opportunities):
                    reasons = list(current.reasons) if current and row.fewer_opportunities else []
                    try:
                        data = participant_set_special_category(
                            participant=participant,
                            by=self.by,
                            fewer_opportunities=row.fewer_opportunities,
                            reasons=reasons,
                            context=CONTEXT,
                        )
                    except PermissionDenied as exc:
                        raise ValidationError({"reasons": [str(exc)]}) from exc
                    fewer = data.fewer_opportunities
            return _Person(participant, "updated", fewer)

        allowed, reason = self.can_edit
        if not allowed:
            raise PermissionDenied(reason)
        participant = _new_participant(self.organisation, row.email, row.person, today=self.today)
        fewer = bool(row.fewer_opportunities)
        if fewer:
            allowed, reason = self.can_flag
            if not allowed:
                raise ValidationError({"reasons": [reason]})
            self.new_special.append(
                SpecialCategoryData(participant=participant, fewer_opportunities=True, reasons=[], updated_by=self.by)
            )
        self.new_participants.append(participant)
        return _Person(participant, "created", fewer)

    def _host(self, row: MobilityRow) -> tuple[Organisation, str]:
        """The host by OID, else by name, city and country; created (kind "other") when not found."""
        key = row.host_oid or (row.host_name.casefold(), row.host_city.casefold(), row.host_country)
        if key in self.hosts:
            return self.hosts[key], "matched"
        host = self.by_oid.get(row.host_oid) if row.host_oid else self.by_name.get(key)
        how = "matched"
        if host is None:
            try:
                with transaction.atomic():
                    host = organisation_create(
                        oid=row.host_oid or self._provisional_oid(),
                        legal_name=row.host_name,
                        kind=OrganisationType.OTHER,
                        country=row.host_country,
                        city=row.host_city,
                    )
            except ValidationError as exc:
                raise _RowFailed(_field_errors(row.row, exc, default="host_oid")) from exc
            how = "created"
        self.hosts[key] = host
        return host, how

    def _country(self, host: Organisation) -> str:
        """The host's country code (a CountryField builds a ``Country`` on every read: once per host here)."""
        code = self.host_countries.get(host.pk)
        if code is None:
            code = self.host_countries[host.pk] = host.country.code
        return code

    def _provisional_oid(self) -> str:
        if self.provisional is None:
            last = (
                Organisation.objects.filter(oid__startswith=PROVISIONAL_OID_PREFIX)
                .order_by("-oid")
                .values_list("oid", flat=True)
                .first()
            )
            self.provisional = int(last[len(PROVISIONAL_OID_PREFIX) :]) if last else 0
        self.provisional += 1
        return f"{PROVISIONAL_OID_PREFIX}{self.provisional:06d}"

    def _city(self, name: str, country: str) -> City:
        """``resolve_city`` (its ``UnknownCity`` too), each name looked up once."""
        key = (name, country)
        if key not in self.cities:
            try:
                self.cities[key] = resolve_city(name, country)
            except UnknownCity as exc:
                self.cities[key] = exc
        found = self.cities[key]
        if isinstance(found, UnknownCity):
            raise found
        return found

    def _mobility(self, row: MobilityRow, person: _Person, host: Organisation, accompanied) -> Mobility:
        """The mobility as ``mobility_create`` would record it (``mobilities._apply``'s checks and messages)."""
        fields = row.mobility
        mobility = builder(Mobility).build(  # Mobility(...) without its walk over every field, once per row
            project=self.project,
            status=M.DRAFT,
            participant=person.participant,
            activity_type=row.activity_type,
            accompanying=row.accompanying,
            accompanies=accompanied,
            host=host,
            **fields,
        )
        errors = check_relations(
            mobility,
            project=self.project,
            tables=self.tables,
            host_country=self._country(host),
            city=row.host_city or host.city,
            resolve=self._city,
        )
        if errors:
            raise _RowFailed(_field_errors(row.row, ValidationError(errors), default="activity_type"))
        set_distance(mobility, self.origin_city)
        return mobility

    def _violations(self, mobility: Mobility, person: _Person) -> dict[str, list[Violation]]:
        """``mobilities._check`` with the participants' order and flags held in memory."""
        activity = mobility.activity_type
        counted = not mobility.accompanying  # a new mobility is in draft: never cancelled
        if counted:
            self.order_all.add(person.key)
            if activity.counts_toward_participant_cap:
                self.order_cap.add(person.key)
        return rule_violations(
            mobility,
            project=self.project,
            tables=self.tables,
            sending_country=self.sending_country,
            fewer_opportunities=person.fewer,
            other_counted_participants=0 if mobility.accompanying else self.order_cap.position(person.key),
            origin_problem=self.origin_problem,
        )

    def _grant(self, mobility: Mobility, person: _Person) -> list:
        """``mobilities._store_grant`` in memory: the total, band and year set; the lines returned (to write)."""
        ordinal = None if mobility.accompanying else self.order_all.position(person.key) + 1
        return price(
            mobility,
            self.tables,
            fewer_opportunities=person.fewer,
            participant_ordinal=ordinal,
            now=self.now,
            texts=self.texts,
        )
