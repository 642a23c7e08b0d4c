import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.roles import is_agency
from apps.certificates import selectors, services
from apps.certificates.codes import normalise_code
from apps.certificates.forms import VerifyForm
from apps.mobility.selectors import get_mobility_for_user, get_own_mobility, get_project_for_user
from apps.organisations.selectors import is_organisation_member

# --- Public verification ----------------------------------------------------------------------------------


def _client_address(request) -> str:
    # Behind the TLS proxy every request comes from the proxy: the client is the address it appended.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _over_verify_limit(request) -> bool:
    """Anonymous look-ups per address and minute, counted in the shared cache (CERTIFICATE_VERIFY_PER_MINUTE;
    0 turns the limit off). Signed-in users are not limited."""
    limit = settings.CERTIFICATE_VERIFY_PER_MINUTE
    if limit <= 0 or request.user.is_authenticated:
        return False
    key = f"certificates:verify:{_client_address(request)}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > limit


@require_GET
def verify_form(request):
    form = VerifyForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("certificates:verify", code=form.cleaned_data["code"])
    return render(request, "certificates/verify_form.html", {"form": form})


@require_GET
def verify(request, code: str):
    if _over_verify_limit(request):
        return render(request, "certificates/verify_limited.html", status=429)
    normalised = normalise_code(code)
    certificate = selectors.certificate_for_verification(code=normalised) if normalised else None
    if certificate is None:
        return render(request, "certificates/verify_unknown.html", {"code": code, "form": VerifyForm()}, status=404)
    return render(request, "certificates/verify.html", {"certificate": certificate, "mobility": certificate.mobility})


# --- The participant's certificate ------------------------------------------------------------------------


@login_required
def own_certificate(request, pk: int):
    mobility = get_own_mobility(user=request.user, pk=pk)
    context = {
        "mobility": mobility,
        "certificate": selectors.current_certificate(mobility=mobility),
        "issuable": selectors.is_issuable(mobility),
    }
    return render(request, "certificates/own.html", context)


def _pdf_response(certificate):
    return FileResponse(
        certificate.file.open("rb"),
        as_attachment=True,
        filename=f"certificate-{certificate.display_code}-v{certificate.version}.pdf",
        content_type="application/pdf",
    )


@login_required
def own_certificate_pdf(request, pk: int):
    mobility = get_own_mobility(user=request.user, pk=pk)
    certificate = selectors.current_certificate(mobility=mobility)
    if certificate is None or not certificate.is_ready:
        raise Http404
    certificate.mobility = mobility
    services.certificate_record_download(certificate=certificate, by=request.user)
    return _pdf_response(certificate)


# --- The sending organisation's and the agency's pages -------------------------------------------------------


def _require_member_or_agency(user) -> None:
    """Like the mobility pages: the organisations' members and the agency (participants: 403)."""
    if not (is_agency(user) or is_organisation_member(user)):
        raise PermissionDenied


def _may_issue(user, project) -> bool:
    return selectors.can_issue_certificates(user=user, organisation=project.application.organisation)[0]


@login_required
@require_http_methods(["GET", "POST"])
def mobility_certificates(request, pk: int):
    _require_member_or_agency(request.user)
    mobility = get_mobility_for_user(user=request.user, pk=pk)
    may_issue = _may_issue(request.user, mobility.project)
    if request.method == "POST":
        if not may_issue:
            raise PermissionDenied
        try:
            certificate = services.certificate_issue(mobility=mobility, by=request.user, language=get_language())
        except services.CertificateError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Certificate version %(version)s is issued; its PDF is being rendered.")
                % {"version": certificate.version},
            )
        return redirect("certificates:mobility", pk=mobility.pk)
    context = {
        "mobility": mobility,
        "certificates": selectors.certificates_of_mobility(mobility=mobility),
        "may_issue": may_issue and selectors.is_issuable(mobility),
        "issuable": selectors.is_issuable(mobility),
    }
    return render(request, "certificates/mobility.html", context)


@login_required
def certificate_download(request, pk: int, version: int):
    _require_member_or_agency(request.user)
    mobility = get_mobility_for_user(user=request.user, pk=pk)
    certificate = selectors.get_certificate_version(mobility=mobility, version=version)
    if not certificate.is_ready:
        raise Http404
    return _pdf_response(certificate)


@login_required
@require_http_methods(["GET", "POST"])
def project_certificates(request, pk: int):
    _require_member_or_agency(request.user)
    project = get_project_for_user(user=request.user, pk=pk)
    may_issue = _may_issue(request.user, project)
    if request.method == "POST":
        if not may_issue:
            raise PermissionDenied
        try:
            batch = services.certificates_issue_for_project(project=project, by=request.user, language=get_language())
        except services.CertificateError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d certificate is issued; its PDF is being rendered.",
                    "%(count)d certificates are issued; their PDFs are being rendered.",
                    batch.total,
                )
                % {"count": batch.total},
            )
        return redirect("certificates:project", pk=project.pk)
    context = {
        "project": project,
        "may_issue": may_issue,
        "batch": selectors.latest_batch(project=project),
        **selectors.project_certificate_overview(user=request.user, project=project),
    }
    return render(request, "certificates/project.html", context)


@login_required
@require_GET
def project_progress(request, pk: int):
    """The progress fragment the project page polls (htmx) while a batch renders."""
    _require_member_or_agency(request.user)
    project = get_project_for_user(user=request.user, pk=pk)
    context = {"project": project, "batch": selectors.latest_batch(project=project)}
    return render(request, "certificates/_progress.html", context)
