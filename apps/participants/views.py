from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.organisations.selectors import get_organisation_for_user
from apps.participants import invitations, selectors, services
from apps.participants.forms import EraseForm, ParticipantForm, ParticipantSearchForm, SpecialCategoryForm

PAGE_SIZE = 25


def _save(form, save):
    """Run a service on a valid form, moving its field errors onto the form."""
    try:
        return save()
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None


def _posted(request):
    """The POST data to bind a form to (an empty POST too: it must show its errors), or None on GET."""
    return request.POST if request.method == "POST" else None


def _allowed(rule, request, organisation) -> None:
    allowed, reason = rule(user=request.user, organisation=organisation)
    if not allowed:
        raise PermissionDenied(reason)


@login_required
@require_GET
def participant_list(request, org_pk: int):
    organisation = get_organisation_for_user(user=request.user, pk=org_pk)
    search = ParticipantSearchForm(request.GET)
    filters = search.cleaned_data if search.is_valid() else {}
    participants = selectors.participants_of_organisation(
        user=request.user, organisation=organisation, q=filters.get("q", ""), category=filters.get("category", "")
    )
    context = {
        "organisation": organisation,
        "search": search,
        "page": Paginator(participants, PAGE_SIZE).get_page(request.GET.get("page")),
        "can_add": selectors.can_edit_participants(user=request.user, organisation=organisation)[0],
    }
    return render(request, "participants/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def participant_create(request, org_pk: int):
    organisation = get_organisation_for_user(user=request.user, pk=org_pk)
    _allowed(selectors.can_edit_participants, request, organisation)
    form = ParticipantForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        participant = _save(
            form,
            lambda: services.participant_create(organisation=organisation, by=request.user, **form.cleaned_data),
        )
        if participant:
            messages.success(request, _("Participant recorded."))
            return redirect("participants:detail", pk=participant.pk)
    context = {"form": form, "organisation": organisation, "title": _("New participant")}
    return render(request, "participants/form.html", context)


@never_cache
@login_required
@require_GET
def participant_detail(request, pk: int):
    participant = selectors.get_participant_for_user(user=request.user, pk=pk)
    organisation = participant.organisation
    user = request.user
    special = selectors.special_category_for(user=user, participant=participant, context="participant page")
    can_change_special = selectors.can_change_special_category(user=user, organisation=organisation)[0]
    context = {
        "participant": participant,
        "erased": selectors.is_erased(participant),
        "special": special,
        "special_reasons": selectors.reason_labels(special.reasons) if special is not None else [],
        "special_form": SpecialCategoryForm.for_data(special) if special is not None and can_change_special else None,
        "can_edit": selectors.can_edit_participants(user=user, organisation=organisation)[0],
        "can_manage": selectors.can_manage_personal_data(user=user, organisation=organisation)[0],
        "can_invite": selectors.can_invite_participants(user=user, organisation=organisation)[0]
        and not invitations.invitation_refusal(participant),
    }
    return render(request, "participants/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def participant_edit(request, pk: int):
    participant = selectors.get_participant_for_user(user=request.user, pk=pk)
    _allowed(selectors.can_edit_participants, request, participant.organisation)
    form = ParticipantForm.for_participant(participant, _posted(request))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if _save(form, lambda: services.participant_update(participant=participant, by=request.user, **fields)):
            messages.success(request, _("Changes saved."))
            return redirect("participants:detail", pk=participant.pk)
    context = {"form": form, "organisation": participant.organisation, "participant": participant, "title": participant}
    return render(request, "participants/form.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def participant_special_category(request, pk: int):
    participant = selectors.get_participant_for_user(user=request.user, pk=pk)
    _allowed(selectors.can_change_special_category, request, participant.organisation)
    if request.method == "POST":
        form = SpecialCategoryForm(request.POST)
        if form.is_valid():
            saved = _save(
                form,
                lambda: services.participant_set_special_category(
                    participant=participant, by=request.user, context="special-category form", **form.cleaned_data
                ),
            )
            if saved:
                messages.success(request, _("Special-category data saved."))
                return redirect("participants:detail", pk=participant.pk)
    else:
        # The form shows the recorded answer: that is a view of it, and logged as one.
        special = selectors.special_category_for(
            user=request.user, participant=participant, context="special-category form"
        )
        form = SpecialCategoryForm.for_data(special)
    return render(request, "participants/special_category.html", {"form": form, "participant": participant})


@never_cache
@login_required
@require_GET
def participant_export(request, pk: int):
    participant = selectors.get_participant_for_user(user=request.user, pk=pk)
    _allowed(selectors.can_manage_personal_data, request, participant.organisation)
    export = services.participant_export(participant=participant, by=request.user)
    response = JsonResponse(export, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="participant-{participant.pk}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def participant_erase(request, pk: int):
    participant = selectors.get_participant_for_user(user=request.user, pk=pk)
    _allowed(selectors.can_manage_personal_data, request, participant.organisation)
    form = EraseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.participant_erase(participant=participant, by=request.user)
        messages.success(request, _("The participant's personal data has been erased."))
        return redirect("participants:detail", pk=participant.pk)
    return render(request, "participants/erase.html", {"form": form, "participant": participant})


@login_required
@require_GET
def participant_access_log(request, pk: int):
    participant = selectors.get_participant_for_user(user=request.user, pk=pk)
    _allowed(selectors.can_manage_personal_data, request, participant.organisation)
    page = Paginator(selectors.access_log_for(participant=participant), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "participants/access_log.html", {"participant": participant, "page": page})


# --- Invitations ----------------------------------------------------------------------------------


@login_required
@require_POST
def participant_invite(request, pk: int):
    participant = selectors.get_participant_for_user(user=request.user, pk=pk)
    _allowed(selectors.can_invite_participants, request, participant.organisation)
    try:
        invitations.participant_invite(participant=participant, invited_by=request.user)
    except invitations.ParticipantInvitationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Sign-in link sent to %(email)s.") % {"email": participant.email})
    return redirect("participants:detail", pk=participant.pk)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_signin(request, token: str):
    """The e-mailed link: a page with a button (a mail scanner that opens links does not use it up),
    whose POST signs the participant in and lands on /me/."""
    invitation = invitations.invitation_by_token(token)
    if invitation is None:
        raise Http404
    user = request.user
    if user.is_authenticated and user.pk == invitation.participant.user_id:
        return redirect("portal:participant_home")
    if request.method == "POST" and not user.is_authenticated:
        try:
            account = invitations.invitation_redeem(token=token)
        except invitations.ParticipantInvitationError as exc:
            messages.error(request, str(exc))
        else:
            return perform_login(request, account, redirect_url=reverse("portal:participant_home"))
    return render(request, "participants/invitation.html", {"invitation": invitation})
