from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from apps.accounts.adapter import allow_signup
from apps.accounts.decorators import agency_required
from apps.accounts.models import AgencyRole
from apps.organisations import selectors, services
from apps.organisations.filters import OrganisationFilter
from apps.organisations.forms import InvitationForm, OrganisationForm

PAGE_SIZE = 25


@agency_required()
def organisation_list(request):
    filterset = OrganisationFilter(request.GET, queryset=selectors.organisations_for_agency(user=request.user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "organisations/list.html", {"filter": filterset, "page": page})


def _save(form, save):
    """Run a service on a valid form, moving its field errors onto the form."""
    try:
        return save()
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None


@agency_required(AgencyRole.OFFICER)
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = _save(form, lambda: services.organisation_create(**form.cleaned_data))
        if organisation:
            messages.success(request, _("Organisation created."))
            return redirect("organisations:detail", pk=organisation.pk)
    return render(request, "organisations/form.html", {"form": form, "title": _("New organisation")})


@login_required
def organisation_detail(request, pk: int):
    organisation = selectors.get_organisation_for_user(user=request.user, pk=pk)
    can_edit, _reason = selectors.can_edit_organisation(user=request.user, organisation=organisation)
    context = {
        "organisation": organisation,
        "can_edit": can_edit,
        "members": selectors.members_of(organisation=organisation),
        "invitations": selectors.pending_invitations(organisation=organisation) if can_edit else [],
    }
    return render(request, "organisations/detail.html", context)


def _editable_organisation(request, pk):
    organisation = selectors.get_organisation_for_user(user=request.user, pk=pk)
    allowed, reason = selectors.can_edit_organisation(user=request.user, organisation=organisation)
    if not allowed:
        raise PermissionDenied(reason)
    return organisation


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk: int):
    organisation = _editable_organisation(request, pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if _save(form, lambda: services.organisation_update(organisation=organisation, **fields)):
            messages.success(request, _("Changes saved."))
            return redirect("organisations:detail", pk=organisation.pk)
    return render(
        request, "organisations/form.html", {"form": form, "title": organisation, "organisation": organisation}
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_invite(request, pk: int):
    organisation = _editable_organisation(request, pk)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_invite(organisation=organisation, invited_by=request.user, **form.cleaned_data)
        except services.InvitationError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % form.cleaned_data)
            return redirect("organisations:detail", pk=organisation.pk)
    return render(request, "organisations/invite.html", {"form": form, "organisation": organisation})


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    invitation = services.invitation_by_token(token)
    if invitation is None:
        raise Http404
    if not request.user.is_authenticated:
        if invitation.is_pending:
            allow_signup(request, invitation.email)
        return render(request, "organisations/invitation.html", {"invitation": invitation})
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except services.InvitationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("You are now a member of %(org)s.") % {"org": invitation.organisation})
            return redirect("organisations:detail", pk=invitation.organisation_id)
    return render(request, "organisations/invitation.html", {"invitation": invitation})
