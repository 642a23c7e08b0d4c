"""Exporting a project's mobilities as CSV or XLSX (column set version 1, the computed columns, then the columns
the apps above mobility register in ``extra_columns``)."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

from django.db.models import Prefetch

from apps.mobility.models import GrantLine, Mobility
from apps.mobility.transfer.columns import (
    INCLUSION,
    NO,
    VERSION,
    YES,
)
from apps.mobility.transfer.extra_columns import export_columns, extra_values
from apps.participants.models import (
    AccessAction,
    PersonalDataAccess,
)

# --- Exporting ----------------------------------------------------------------------------------------------------


def export_queryset(mobilities):
    """What ``export_rows`` reads, joined in: a constant number of queries whatever the number of rows."""
    return mobilities.select_related(
        "participant",
        "participant__special_category_data",
        "activity_type",
        "host",
        "accompanies__participant",
    ).prefetch_related(Prefetch("grant_lines", queryset=GrantLine.objects.filter(item=INCLUSION), to_attr="_inclusion"))


def project_export_queryset(project):
    """A project's mobilities for its export, in date order, joined as ``export_rows`` needs them."""
    return export_queryset(Mobility.objects.filter(project=project).order_by("start_date", "pk"))


def _visible_grant(mobility, *, special_category: bool):
    """The stored grant; without ``special_category`` less the inclusion support, which would tell who has
    fewer opportunities."""
    if special_category:
        return mobility.grant_total
    lines = getattr(mobility, "_inclusion", None)
    if lines is None:
        lines = mobility.grant_lines.filter(item=INCLUSION)
    return mobility.grant_total - sum((line.amount for line in lines), Decimal("0.00"))


def _yn(value: bool) -> str:
    return YES if value else NO


def export_rows(mobilities, *, special_category: bool = False) -> list[dict]:
    """One dict per mobility, keyed by ``export_columns()`` in order. ``fewer_opportunities`` is special-category
    data: it is filled only with ``special_category`` (the caller checks who may see it and logs the export);
    without it ``grant_total`` leaves out the inclusion support, which would tell the same. The registered
    extra columns cost one query per group, whatever the number of rows."""
    mobilities = list(mobilities)
    extra = extra_values([m.pk for m in mobilities])
    columns = export_columns()
    rows = []
    for m in mobilities:
        p = m.participant
        if special_category:
            data = getattr(p, "special_category_data", None)
            fewer = _yn(bool(data and data.fewer_opportunities))
        else:
            fewer = ""
        values = {
            "participant_email": p.email,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "birth_date": p.birth_date,
            "gender": p.gender,
            "nationality": str(p.nationality or ""),
            "category": p.category,
            "graduation_date": p.graduation_date,
            "fewer_opportunities": fewer,
            "accompanying_person": _yn(m.accompanying),
            "accompanies": m.accompanies.participant.email if m.accompanies_id else "",
            "activity_type": m.activity_type.code,
            "host_oid": m.host.oid,
            "host_name": m.host.legal_name,
            "host_city": m.host.city,
            "host_country": m.host.country.code,
            "start_date": m.start_date,
            "end_date": m.end_date,
            "travel_days": m.travel_days,
            "green_travel": _yn(m.green_travel),
            "travel_means": m.travel_means,
            "course_days": m.course_days,
            "virtual_component": _yn(m.virtual_component),
            "virtual_description": m.virtual_description,
            "virtual_start": m.virtual_start,
            "virtual_end": m.virtual_end,
            "status": m.status,
            "distance_km": m.distance_km,
            "distance_band": m.distance_band,
            "grant_total": _visible_grant(m, special_category=special_category),
            **extra[m.pk],
        }
        rows.append({name: values[name] for name in columns})
    return rows


def log_special_category_export(mobilities, *, by, context: str) -> None:
    """Log, once per participant, that their special-category data left the portal in an export (one query)."""
    participant_ids = sorted({m.participant_id for m in mobilities})
    PersonalDataAccess.objects.bulk_create(
        [
            PersonalDataAccess(
                participant_id=pk,
                user=by,
                action=AccessAction.EXPORT,
                fields=["fewer_opportunities"],
                context=context[:200],
            )
            for pk in participant_ids
        ]
    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_csv(rows: list[dict]) -> bytes:
    """CSV in UTF-8 with a byte-order mark (Excel's “CSV UTF-8”), header first."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=export_columns(), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_safe(v) for k, v in row.items()})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_safe(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe (reading strips it)."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def write_xlsx(rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = f"mobilities v{VERSION}"
    columns = export_columns()
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row[name] for name in columns])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
