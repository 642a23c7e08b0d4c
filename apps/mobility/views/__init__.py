"""The mobility app's pages, one module per subject (``urls.py`` names them through this package)."""

from apps.mobility.views.imports import (
    project_import,
    project_import_discard,
    project_import_preview,
    project_import_template,
)
from apps.mobility.views.mobilities import mobility_create, mobility_detail, mobility_edit, mobility_status
from apps.mobility.views.projects import agreement, export_response, project_detail, project_export, project_withdraw
from apps.mobility.views.rates import grant_calculator, rate_changes
from apps.mobility.views.visits import visit_create, visit_delete, visit_edit

__all__ = [
    "agreement",
    "export_response",
    "grant_calculator",
    "mobility_create",
    "mobility_detail",
    "mobility_edit",
    "mobility_status",
    "project_detail",
    "project_export",
    "project_import",
    "project_import_discard",
    "project_import_preview",
    "project_import_template",
    "project_withdraw",
    "rate_changes",
    "visit_create",
    "visit_delete",
    "visit_edit",
]
