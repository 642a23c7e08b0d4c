"""Writing an imported file's rows in bulk (``transfer.import_mobilities``): a few queries whatever the rows.

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

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max, Min
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.tabular import RowError
from apps.mobility import selectors as mobility_selectors
from apps.mobility.eligibility import ActivityRules, EligibilityInput, Violation, check_mobility
from apps.mobility.grant import compute_grant, great_circle_km
from apps.mobility.mobilities import ACCOMPANIED_CATEGORIES, GREEN_MEANS, check_project_active, grant_input
from apps.mobility.models import GrantLine, Mobility, MobilityStatus, MobilityStatusChange, Project
from apps.mobility.rates import RateTables, UnknownCallYear, rate_tables_for
from apps.mobility.transfer import (
    PROVISIONAL_OID_PREFIX,
    MobilityRow,
    Result,
    RowOutcome,
    _chunks,
    _field_errors,
)
from apps.organisations.models import Organisation, OrganisationType
from apps.organisations.services import organisation_create
from apps.participants import selectors as participant_selectors
from apps.participants.models import (
    AccessAction,
    Participant,
    ParticipantCategory,
    PersonalDataAccess,
    SpecialCategoryData,
)
from apps.participants.services import participant_set_special_category, participant_update
from apps.reference.cities import UnknownCity, resolve_city
from apps.reference.models import City

M = MobilityStatus
CONTEXT = "mobility import"
# The participant's fields still checked by the model (their length): the rest is checked on reading.
CLEANED = frozenset({"first_name", "last_name", "email"})


# The few reads mobility_create makes once per mobility, made here once per import.


def _lock_project(pk: int) -> Project:
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("application", "application__call", "application__organisation")
        .get(pk=pk)
    )


def _tables(project: Project) -> RateTables:
    try:
        return rate_tables_for(project.application.call.year)
    except UnknownCallYear as exc:
        raise ValidationError({NON_FIELD_ERRORS: str(exc)}) from exc


def _band_label(tables: RateTables, km: int | None) -> str:
    band = None if km is None else tables.band_for(km)
    if band is None:
        return ""
    return f"{band.min_km}-{band.max_km}" if band.max_km is not None else f"{band.min_km}+"


def _cities_distance(origin: City | None, destination: City | None) -> int | None:
    if origin is None or destination is None:
        return None
    return great_circle_km(origin.latitude, origin.longitude, destination.latitude, destination.longitude)


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
    _Writer(project=project, by=by, result=result, dry_run=dry_run).run(rows)


class _Writer:
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
        self.cities: dict[tuple[str, str], City | str] = {}
        self.host_countries: dict[int, str] = {}
        self.created: dict[str, Mobility] = {}
        self.new_participants: list[Participant] = []
        self.new_special: list[SpecialCategoryData] = []
        self.mobilities: list[tuple[MobilityRow, Mobility, list, list[str], str, str]] = []
        self.now = timezone.now()

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
        self.order_all = _Order(self._firsts(project_id, cap_only=False))
        self.order_cap = _Order(self._firsts(project_id, cap_only=True))
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

    @staticmethod
    def _firsts(project_id: int, *, cap_only: bool) -> dict[int, int]:
        counted = mobility_selectors.counted_mobilities(project_id=project_id, cap_only=cap_only)
        return dict(
            counted.order_by().values("participant_id").annotate(first=Min("pk")).values_list("participant_id", "first")
        )

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
        participant = _new_participant(self.organisation, row.email, row.person)
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

    def _city(self, name: str, country: str) -> City | str:
        """The ``City``, or why it is unknown (``resolve_city``'s message); each name looked up once."""
        key = (name, country)
        if key not in self.cities:
            try:
                self.cities[key] = resolve_city(name, country)
            except UnknownCity as exc:
                self.cities[key] = str(exc)
        return self.cities[key]

    def _mobility(self, row: MobilityRow, person: _Person, host: Organisation, accompanied) -> Mobility:
        """The mobility as ``mobility_create`` would record it (``mobilities._apply``'s checks and messages)."""
        fields = row.mobility
        mobility = Mobility(
            project=self.project,
            status=M.DRAFT,
            participant=person.participant,
            activity_type=row.activity_type,
            accompanying=row.accompanying,
            accompanies=accompanied,
            host=host,
            **fields,
        )
        errors: dict[str, str] = {}
        sending = self.organisation
        host_country = self._country(host)
        if host.pk == sending.pk:
            errors["host"] = _("The host is another organisation than the sending organisation.")
        elif host_country not in self.tables.support_groups:
            errors["host"] = _("The host must be in one of the programme's countries; %(host)s is in %(country)s.") % {
                "host": host,
                "country": host_country or "?",
            }
        if accompanied is not None:
            if not mobility.accompanying:
                errors["accompanies"] = _("Only an accompanying person accompanies someone.")
            elif accompanied.accompanying or accompanied.participant.category not in ACCOMPANIED_CATEGORIES:
                errors["accompanies"] = _("An accompanying person goes with a learner or a recent graduate.")
            elif accompanied.participant is person.participant or (
                accompanied.participant_id is not None and accompanied.participant_id == person.participant.pk
            ):
                errors["accompanies"] = _("Participants do not accompany themselves.")
        if mobility.end_date < mobility.start_date:
            errors["end_date"] = _("The end date is before the start date.")
        if mobility.virtual_component:
            if not mobility.virtual_description:
                errors["virtual_description"] = _("Describe the virtual component.")
            if mobility.virtual_start is None:
                errors["virtual_start"] = _("Give the dates of the virtual component.")
            if mobility.virtual_end is None:
                errors["virtual_end"] = _("Give the dates of the virtual component.")
            elif mobility.virtual_start is not None and mobility.virtual_end < mobility.virtual_start:
                errors["virtual_end"] = _("The virtual component ends before it starts.")
        else:
            mobility.virtual_description, mobility.virtual_start, mobility.virtual_end = "", None, None
        if mobility.green_travel and mobility.travel_means not in GREEN_MEANS:
            errors["travel_means"] = _("Green travel is by train, bus, car-sharing or bike: choose the means.")
        if "host" not in errors:
            city = self._city(row.host_city or host.city, host_country)
            if isinstance(city, str):
                errors["destination_city"] = city
            else:
                mobility.destination_city = city
            mobility.destination_country = host_country
        if errors:
            raise _RowFailed(_field_errors(row.row, ValidationError(errors), default="activity_type"))
        mobility.origin_city = self.origin_city
        mobility.distance_km = _cities_distance(self.origin_city, mobility.destination_city)
        return mobility

    def _violations(self, mobility: Mobility, person: _Person) -> dict[str, list[Violation]]:
        """``mobilities._check`` with the participants' order and flags held in memory."""
        activity = mobility.activity_type
        counted = not mobility.accompanying  # a new mobility is in draft: never cancelled
        if counted:
            self.order_all.add(person.key)
            if activity.counts_toward_participant_cap:
                self.order_cap.add(person.key)
        participant = person.participant
        project = self.project
        found = check_mobility(
            EligibilityInput(
                activity=ActivityRules.of(activity),
                category=participant.category,
                sending_country=self.sending_country,
                destination_country=mobility.destination_country,
                eligible_countries=self.tables.support_groups,
                start_date=mobility.start_date,
                end_date=mobility.end_date,
                project_start=project.start_date,
                project_end=project.end_date,
                accompanying=mobility.accompanying,
                fewer_opportunities=person.fewer,
                graduation_date=participant.graduation_date,
                travel_days=mobility.travel_days,
                course_days=mobility.course_days,
                other_counted_participants=0 if mobility.accompanying else self.order_cap.position(person.key),
            )
        )
        if not activity.in_fers_scope:
            message = _("The programme does not fund %(type)s.") % {"type": activity.code}
            found.append(Violation("activity_type", "not_in_programme", message))
        if mobility.distance_km is None:
            message = _(
                "The distance cannot be computed: %(problem)s Correct the sending organisation's city, "
                "or ask the agency to set the distance by hand."
            ) % {"problem": self.origin_problem or _("the cities are not known.")}
            found.append(Violation("origin_city", "no_distance", message))
        violations: dict[str, list[Violation]] = {}
        for violation in found:
            violations.setdefault(violation.field, []).append(violation)
        return violations

    def _grant(self, mobility: Mobility, person: _Person) -> list:
        """``mobilities._store_grant`` in memory: the total, band and year set; the lines returned (to write)."""
        fewer = False if mobility.accompanying else person.fewer
        ordinal = None if mobility.accompanying else self.order_all.position(person.key) + 1
        data = grant_input(mobility, fewer_opportunities=fewer, participant_ordinal=ordinal)
        result = compute_grant(data, self.tables)
        mobility.distance_band = _band_label(self.tables, mobility.distance_km)
        mobility.grant_total = result.total
        mobility.grant_call_year = self.tables.call_year
        mobility.grant_computed_at = self.now
        return result.lines

    # --- Writing, in bulk ---------------------------------------------------------------------------------------

    def _write(self) -> None:
        try:
            with transaction.atomic():
                _insert_instances(Participant, self.new_participants, now=self.now)
        except IntegrityError:
            # Someone recorded one of these e-mail addresses meanwhile (the unique constraint): say where.
            emails = [p.email for p in self.new_participants]
            taken = set()
            for chunk in _chunks(emails):
                taken.update(
                    Participant.objects.filter(organisation=self.organisation, email__in=chunk).values_list(
                        "email", flat=True
                    )
                )
            message = _("This organisation already has a participant with this e-mail address.")
            self.result.errors.extend(
                RowError(row.row, "participant_email", message) for row, *_rest in self.mobilities if row.email in taken
            )
            return
        ids = {}
        for chunk in _chunks([p.email for p in self.new_participants]):
            found = Participant.objects.filter(organisation=self.organisation, email__in=chunk)
            ids.update(found.values_list("email", "pk"))
        for participant in self.new_participants:
            _saved(participant, ids[participant.email])
        by = self.by.pk if self.by is not None else None
        _insert(
            SpecialCategoryData,
            ("participant", "fewer_opportunities", "reasons", "updated_at", "updated_by"),
            [(data.participant.pk, True, [], self.now, by) for data in self.new_special],
        )
        _insert(
            PersonalDataAccess,
            ("participant", "user", "action", "fields", "context", "at"),
            [
                (data.participant.pk, by, AccessAction.CHANGE, ["fewer_opportunities"], CONTEXT, self.now)
                for data in self.new_special
            ],
        )
        mobilities = [mobility for _row, mobility, *_rest in self.mobilities]
        # Learners first (accompanying persons point to them): the order mobility_create would give them.
        for batch in ([m for m in mobilities if not m.accompanying], [m for m in mobilities if m.accompanying]):
            # The project is locked: its mobilities numbered above the last one are these, in this order.
            last = Mobility.objects.filter(project=self.project).aggregate(last=Max("pk"))["last"] or 0
            _insert_instances(Mobility, batch, now=self.now)
            ids = Mobility.objects.filter(project=self.project, pk__gt=last).order_by("pk").values_list("pk", flat=True)
            ids = list(ids)
            if len(ids) != len(batch):
                raise RuntimeError(f"{len(batch)} mobilities written, {len(ids)} found")
            for mobility, pk in zip(batch, ids, strict=True):
                _saved(mobility, pk)
        _insert(
            MobilityStatusChange,
            ("mobility", "from_status", "to_status", "reason", "changed_by", "changed_at"),
            [(m.pk, "", M.DRAFT, "", by, self.now) for m in mobilities],
        )
        _insert(
            GrantLine,
            ("mobility", "item", "amount", "explanation", "basis"),
            [
                (mobility.pk, str(line.item), line.amount, str(line.explanation), line.basis)
                for _row, mobility, _v, lines, *_rest in self.mobilities
                for line in lines
            ],
        )


# Values that go to the database as they are; other fields (dates, decimals, JSON, countries) are prepared.
_AS_IS = (
    models.CharField,
    models.TextField,
    models.EmailField,
    models.BooleanField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.BigIntegerField,
    models.ForeignKey,
    models.OneToOneField,
)


def _insert_instances(model, instances: list, *, now) -> None:
    """INSERT unsaved ``instances`` (every concrete field but the primary key) with ``executemany``: what
    ``bulk_create`` writes, a few times faster; ``_saved`` then gives each its primary key."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    as_is = [type(field) in _AS_IS for field in fields]
    prepared: list[dict] = [{} for _field in fields]  # per field: value → the backend's form (dates, times repeat)

    def prepare(index: int, field, value):
        try:
            return prepared[index][value]
        except KeyError:
            result = prepared[index][value] = field.get_db_prep_save(value, connection)
            return result
        except TypeError:  # not hashable
            return field.get_db_prep_save(value, connection)

    rows = []
    for instance in instances:
        instance._prepare_related_fields_for_save(operation_name="bulk_create")  # foreign keys saved since
        for field in stamped:
            setattr(instance, field.attname, now)
        rows.append(
            tuple(
                getattr(instance, field.attname) if plain else prepare(index, field, field.value_from_object(instance))
                for index, (field, plain) in enumerate(zip(fields, as_is, strict=True))
            )
        )
    _insert(model, tuple(field.name for field in fields), rows, prepared=True)


def _saved(instance, pk) -> None:
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias


def _insert(model, names: tuple[str, ...], rows: list[tuple], *, prepared: bool = False) -> None:
    """INSERT ``rows`` (values of the fields ``names``; a relation by its primary key) with ``executemany``:
    what ``bulk_create`` writes, without building a model instance per row."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (the model's own table and columns, quoted)
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    # JSON and times need the backend's own form (Jsonb on PostgreSQL, text on SQLite); the rest goes as it is.
    prepare = [
        (index, field)
        for index, field in enumerate(fields)
        if not prepared and isinstance(field, models.JSONField | models.DateTimeField | models.DecimalField)
    ]
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 2000):
            values = []
            for row in chunk:
                row = list(row)
                for index, field in prepare:
                    row[index] = field.get_db_prep_save(row[index], connection)
                values.append(row)
            if connection.vendor == "postgresql":
                # COPY: one stream per chunk; a pipelined executemany still executes the INSERT once per row.
                copy_sql = "COPY {} ({}) FROM STDIN".format(  # noqa: S608 (the model's own table and columns)
                    quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
                )
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                cursor.executemany(sql, values)


def _new_participant(organisation, email: str, person: dict) -> Participant:
    """A participant as ``participant_create`` records it, checked without a query (the e-mail is new)."""
    participant = Participant(organisation=organisation)
    for name, value in {**person, "email": email}.items():
        if isinstance(value, str):
            value = value.strip()
        if name == "email":
            value = value.lower()
        if name in ("gender", "nationality") and value is None:
            value = ""
        setattr(participant, name, value)
    if participant.category != ParticipantCategory.RECENT_GRADUATE:
        participant.graduation_date = None
    errors: dict[str, list[str]] = {}
    try:
        # ``full_clean`` less what reading the file checked already with the same rules (e-mail, choices,
        # dates, the nationality: CountryField's own check walks all 250 choices on every call).
        participant.clean_fields(exclude=[f.name for f in Participant._meta.fields if f.name not in CLEANED])
    except ValidationError as exc:
        errors = exc.message_dict
    if "birth_date" not in errors and participant.birth_date and participant.birth_date > timezone.localdate():
        errors["birth_date"] = [_("The date of birth cannot be in the future.")]
    if (
        "graduation_date" not in errors
        and participant.category == ParticipantCategory.RECENT_GRADUATE
        and participant.graduation_date is None
    ):
        errors["graduation_date"] = [_("Enter the graduation date of a recent graduate.")]
    if errors:
        raise ValidationError(errors)
    return participant
