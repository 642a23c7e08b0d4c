"""Export columns that the apps above mobility add (export only and computed: an import ignores them).

Mobility may not import the apps above it (docs/architecture.md), yet its exports carry some of their
fields, e.g. the participant report's state (a Beneficiary Module field). Such an app registers, in its
``AppConfig.ready()``, a group of columns and one function that reads them for every exported mobility
at once, in ONE query whatever the number of rows::

    extra_columns_register(
        key="participant_report",
        names=("participant_report", "participant_report_submitted_on"),
        values=report_columns,  # (mobility_ids) -> {mobility_id: {name: value}}
        missing={"participant_report": "not_requested"},
    )

An export writes them after ``EXPORT_COLUMNS`` (input, optional, computed), group by group in the order
they were registered (the apps' order in ``INSTALLED_APPS``), each group's columns in ``names`` order. A
mobility the function leaves out gets ``missing`` (``None``, an empty cell, for a column not in it). The
registry is filled once at start-up and only read afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from apps.mobility.transfer.columns import EXPORT_COLUMNS

ColumnValues = Callable[[Sequence[int]], Mapping[int, Mapping[str, Any]]]


@dataclass(frozen=True)
class ExtraColumns:
    key: str
    names: tuple[str, ...]
    values: ColumnValues
    missing: Mapping[str, Any] = field(default_factory=dict)


_registry: dict[str, ExtraColumns] = {}


def extra_columns_register(
    *, key: str, names: Sequence[str], values: ColumnValues, missing: Mapping[str, Any] | None = None
) -> None:
    """Add the columns ``names`` to every mobility export, read by ``values(mobility_ids)`` in one query.

    Registering ``key`` again replaces its group in place. A name already written by the export, or by
    another group, is refused: it would give a file two columns of that name.
    """
    names = tuple(names)
    missing = dict(missing or {})
    taken = set(EXPORT_COLUMNS).union(*(group.names for other, group in _registry.items() if other != key))
    clashes = sorted(taken.intersection(names))
    if clashes or len(set(names)) != len(names) or not names:
        raise ValueError(f"Extra export columns {key!r}: names must be new and distinct, not {clashes or names}")
    if unknown := sorted(set(missing) - set(names)):
        raise ValueError(f"Extra export columns {key!r}: 'missing' names columns it does not have: {unknown}")
    _registry[key] = ExtraColumns(key=key, names=names, values=values, missing=missing)


def extra_columns() -> tuple[ExtraColumns, ...]:
    return tuple(_registry.values())


def extra_column_names() -> tuple[str, ...]:
    return tuple(name for group in _registry.values() for name in group.names)


def export_columns() -> tuple[str, ...]:
    """Every column an export writes, in order: ``EXPORT_COLUMNS``, then the registered ones."""
    return EXPORT_COLUMNS + extra_column_names()


def extra_values(mobility_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The registered columns' values of each mobility: one call (one query) per group, none without rows."""
    ids = list(mobility_ids)
    found: dict[int, dict[str, Any]] = {pk: {} for pk in ids}
    if not ids:
        return found
    for group in _registry.values():
        read = group.values(ids)
        for pk in ids:
            given = read.get(pk, group.missing)
            found[pk].update({name: given.get(name, group.missing.get(name)) for name in group.names})
    return found
