"""A project's import of participants and mobilities through the browser: upload, preview, confirm.

The steps are ``imports_web``'s (over ``transfer``, like the ``import_mobilities`` command); these views only
check who may import (the organisation's managers and agency officers) and render.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.mobility import imports_web, mobilities, selectors, transfer
from apps.mobility.forms import MobilityImportForm
from apps.mobility.views.access import _can_manage

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _importable_project(request, pk: int):
    project = selectors.get_project_for_user(user=request.user, pk=pk)
    if not _can_manage(request.user, project):
        raise PermissionDenied
    return project


@login_required
@require_http_methods(["GET", "POST"])
def project_import(request, pk: int):
    project = _importable_project(request, pk)
    active = project.status in mobilities.ACTIVE_PROJECT
    form = MobilityImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and active and form.is_valid():
        upload = form.cleaned_data["file"]
        stored = imports_web.upload_store(project=project, fileobj=upload, filename=upload.name, by=request.user)
        return redirect("mobility:project_import_preview", pk=project.pk, token=stored.token)
    context = {
        "project": project,
        "form": form,
        "active": active,
        "recent": imports_web.recent_uploads(project=project),
        "retention_days": settings.IMPORT_RETENTION_DAYS,
    }
    return render(request, "mobility/import_upload.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def project_import_preview(request, pk: int, token: str):
    project = _importable_project(request, pk)
    upload = imports_web.upload_get(project=project, token=token)
    if request.method == "POST":
        try:
            result = imports_web.upload_apply(project=project, upload=upload, by=request.user)
        except transfer.ImportErrors:
            messages.error(request, _("The file has errors: nothing was saved."))
        except imports_web.PreviewChanged:
            messages.warning(
                request,
                _(
                    "The project changed since the preview, so nothing was saved. "
                    "Check the new preview and confirm again."
                ),
            )
        except imports_web.AlreadyApplied:
            messages.info(request, _("This file is already imported."))
        except imports_web.UploadClosed:
            messages.warning(request, _("This upload was discarded or has expired: upload the file again."))
        else:
            summary = result.summary()
            messages.success(
                request,
                _(
                    "Imported. Mobilities: %(mobilities)s; new participants: %(created)s; "
                    "participants updated: %(updated)s."
                )
                % {
                    "mobilities": summary["mobilities"],
                    "created": summary["participants_created"],
                    "updated": summary["participants_updated"],
                },
            )
            return redirect("mobility:project", pk=project.pk)
        upload = imports_web.upload_get(project=project, token=token)
    active = project.status in mobilities.ACTIVE_PROJECT
    context = {
        "project": project,
        "upload": upload,
        "row_errors": imports_web.row_errors(upload),
        "form": MobilityImportForm(),
        "active": active,
        "retention_days": settings.IMPORT_RETENTION_DAYS,
    }
    return render(request, "mobility/import_preview.html", context)


@login_required
@require_POST
def project_import_discard(request, pk: int, token: str):
    """Discard a previewed upload: its file and preview are deleted at once."""
    project = _importable_project(request, pk)
    upload = imports_web.upload_get(project=project, token=token)
    if imports_web.upload_discard(project=project, upload=upload):
        messages.success(request, _("The upload is discarded and its file deleted."))
    return redirect("mobility:project_import", pk=project.pk)


@login_required
@require_GET
def project_import_template(request, pk: int, fmt: str):
    """An empty import file with the header of column set version 1 (anyone who may open the project)."""
    project = selectors.get_project_for_user(user=request.user, pk=pk)
    if fmt == "xlsx":
        response = HttpResponse(imports_web.template_xlsx(), content_type=XLSX)
    else:
        response = HttpResponse(imports_web.template_csv(), content_type="text/csv; charset=utf-8")
    name = f"mobilities-v{transfer.VERSION}-{project.agreement_number}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
