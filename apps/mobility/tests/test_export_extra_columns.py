"""The hook through which the apps above mobility add columns to its exports (transfer/extra_columns.py)."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from apps.mobility.models import Mobility
from apps.mobility.transfer import (
    EXPORT_COLUMNS,
    export_columns,
    export_queryset,
    export_rows,
    extra_columns_register,
    write_csv,
    write_xlsx,
)
from apps.mobility.transfer import extra_columns as hook
from tests.factories import MobilityFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test (the apps' own groups are put back afterwards)."""
    monkeypatch.setattr(hook, "_registry", {})
    return hook._registry


class Hosts:
    """A group of two columns read in one query, recording its calls."""

    def __init__(self):
        self.calls = []

    def __call__(self, mobility_ids):
        self.calls.append(list(mobility_ids))
        return {
            pk: {"host_seen": f"seen {oid}", "host_note": None if n == 1 else "note"}
            for n, (pk, oid) in enumerate(
                Mobility.objects.filter(pk__in=mobility_ids).order_by("pk").values_list("pk", "host__oid")
            )
        }


def _export(project):
    return export_rows(export_queryset(Mobility.objects.filter(project=project).order_by("pk")))


def test_registered_columns_come_after_the_export_columns_in_order(registry):
    extra_columns_register(key="a", names=("a_one", "a_two"), values=lambda ids: {})
    extra_columns_register(key="b", names=("b_one",), values=lambda ids: {})
    assert export_columns() == EXPORT_COLUMNS + ("a_one", "a_two", "b_one")
    # Registering a key again (a second ready()) replaces its group where it was.
    extra_columns_register(key="a", names=("a_three",), values=lambda ids: {})
    assert export_columns() == EXPORT_COLUMNS + ("a_three", "b_one")


@pytest.mark.parametrize(
    ("names", "missing"),
    [
        (("status",), {}),  # a computed column
        (("participant_email",), {}),  # an input column: an import would read it
        (("b_one",), {}),  # another group's
        (("x", "x"), {}),
        ((), {}),
        (("x",), {"y": 1}),
    ],
)
def test_a_column_name_that_is_taken_or_unknown_is_refused(registry, names, missing):
    extra_columns_register(key="b", names=("b_one",), values=lambda ids: {})
    with pytest.raises(ValueError):
        extra_columns_register(key="a", names=names, values=lambda ids: {}, missing=missing)
    assert export_columns() == EXPORT_COLUMNS + ("b_one",)


def test_rows_csv_and_xlsx_carry_the_values_and_what_is_missing(registry):
    project = ProjectFactory()
    first, second, third = (MobilityFactory(project=project) for _ in range(3))
    hosts = Hosts()
    extra_columns_register(key="hosts", names=("host_seen", "host_note"), values=hosts, missing={"host_seen": "-"})
    extra_columns_register(key="none", names=("nothing",), values=lambda ids: {}, missing={"nothing": "n/a"})

    rows = _export(project)
    assert hosts.calls == [[first.pk, second.pk, third.pk]]  # one call for every row
    assert list(rows[0]) == list(export_columns())
    assert [(r["host_seen"], r["host_note"], r["nothing"]) for r in rows] == [
        (f"seen {first.host.oid}", "note", "n/a"),
        (f"seen {second.host.oid}", None, "n/a"),
        (f"seen {third.host.oid}", "note", "n/a"),
    ]

    read = list(csv.DictReader(io.StringIO(write_csv(rows).decode("utf-8-sig"))))
    assert [(r["host_note"], r["nothing"]) for r in read] == [("note", "n/a"), ("", "n/a"), ("note", "n/a")]
    header, *cells = load_workbook(io.BytesIO(write_xlsx(rows))).active.iter_rows(values_only=True)
    assert header == export_columns()
    assert [c[-3:] for c in cells][1] == (f"seen {second.host.oid}", None, "n/a")


def test_a_mobility_left_out_gets_the_missing_values(registry):
    project = ProjectFactory()
    MobilityFactory(project=project)
    extra_columns_register(key="x", names=("x_one", "x_two"), values=lambda ids: {}, missing={"x_one": "none"})
    assert [(r["x_one"], r["x_two"]) for r in _export(project)] == [("none", None)]


def test_no_rows_no_call_and_the_header_still_has_the_columns(registry):
    hosts = Hosts()
    extra_columns_register(key="hosts", names=("host_seen", "host_note"), values=hosts)
    assert _export(ProjectFactory()) == [] and hosts.calls == []
    assert write_csv([]).decode("utf-8-sig").strip() == ",".join(export_columns())


def _count(project) -> int:
    with CaptureQueriesContext(connection) as captured:
        _export(project)
    return len(captured)


def test_a_group_costs_one_query_whatever_the_rows(registry):
    project = ProjectFactory()
    MobilityFactory(project=project)
    without = _count(project)
    extra_columns_register(key="hosts", names=("host_seen", "host_note"), values=Hosts())
    one = _count(project)
    for _ in range(4):
        MobilityFactory(project=project)
    assert one == without + 1 and _count(project) == one
