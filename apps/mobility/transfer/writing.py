"""The bulk import's writes: new participants, their special-category data and its log, mobilities, their
history and grant lines, with ``executemany`` (``COPY`` on PostgreSQL); a new participant checked in memory."""

from __future__ import annotations

import functools
import operator

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from apps.core.instances import take_related_ids
from apps.core.tabular import RowError
from apps.mobility.models import GrantLine, Mobility, MobilityStatus, MobilityStatusChange
from apps.mobility.transfer.columns import (
    _chunks,
)
from apps.participants.models import (
    AccessAction,
    Participant,
    PersonalDataAccess,
    SpecialCategoryData,
)
from apps.participants.services import participant_build

M = MobilityStatus
CONTEXT = "mobility import"
# The participant's fields still checked by the model (their length): the rest is checked on reading.
CLEANED = frozenset({"first_name", "last_name", "email"})


class _BulkWrites:
    """``_Writer``'s writes: every new row of the import in a few ``executemany`` (``COPY`` on PostgreSQL)."""

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
            _insert_instances(Mobility, batch, now=self.now, saved_since=("participant", "accompanies"))
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


def _insert_instances(model, instances: list, *, now, saved_since: tuple[str, ...] = ()) -> None:
    """INSERT unsaved ``instances`` (every concrete field but the primary key) with ``executemany``: what
    ``bulk_create`` writes, a few times faster; ``_saved`` then gives each its primary key. ``saved_since``:
    the relations whose objects may have been saved after their assignment (their ids are taken from them
    now, as ``bulk_create`` does); every other related object had its id when assigned."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    related = [model._meta.get_field(name) for name in saved_since]
    values = operator.attrgetter(*(field.attname for field in fields))
    # Per field to prepare: value → the backend's form (dates, times and amounts repeat).
    to_prepare = [(index, field, {}) for index, field in enumerate(fields) if type(field) not in _AS_IS]

    rows = []
    for instance in instances:
        if related:
            take_related_ids(instance, related)
        for field in stamped:
            setattr(instance, field.attname, now)
        row = list(values(instance))
        for index, field, prepared in to_prepare:
            value = row[index]
            try:
                row[index] = prepared[value]
            except KeyError:
                row[index] = prepared[value] = field.get_db_prep_save(value, connection)
            except TypeError:  # not hashable
                row[index] = field.get_db_prep_save(value, connection)
        rows.append(row)
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


@functools.cache
def _unchecked_fields() -> tuple[str, ...]:
    """The participant's fields that reading the file checked already with the same rules (e-mail, choices,
    dates, the nationality: CountryField's own check walks all 250 choices on every call)."""
    return tuple(f.name for f in Participant._meta.fields if f.name not in CLEANED)


def _new_participant(organisation, email: str, person: dict, *, today) -> Participant:
    """A participant as ``participant_create`` records it, checked without a query (the e-mail is new)."""
    return participant_build(
        organisation=organisation, fields={**person, "email": email}, already_checked=_unchecked_fields(), today=today
    )
