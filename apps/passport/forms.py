import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.passport.models import ChecklistItem, ExtraSupport, TemplateItem
from apps.reference.models import Region
from apps.reserve_list.models import Call

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class TemplateItemForm(forms.ModelForm):
    class Meta:
        model = TemplateItem
        fields = ["name", "name_pl", "description", "description_pl", "section", "phase", "ticker", "active"]
        widgets = {"description": TEXTAREA, "description_pl": TEXTAREA}
        help_texts = {"active": _("Inactive items are no longer copied into new passports.")}


class ChecklistItemForm(forms.ModelForm):
    whole_project = forms.BooleanField(
        label=_("Add it to every mobility of the project"),
        required=False,
        help_text=_("Mobilities recorded later get it too."),
    )

    class Meta:
        model = ChecklistItem
        fields = ["name", "name_pl", "description", "description_pl", "section", "phase", "ticker"]
        widgets = {"description": TEXTAREA, "description_pl": TEXTAREA}


class ExtraSupportForm(forms.ModelForm):
    class Meta:
        model = ExtraSupport
        fields = ["description", "phase", "provided_by"]
        widgets = {"description": TEXTAREA}
        labels = {"description": _("What support")}
        help_texts = {"provided_by": _("A person or a role, at home or at the host.")}


class ItemDeleteForm(forms.Form):
    """The confirmation of a deletion; for an item added to the whole project, where it is deleted from."""

    whole_project = forms.TypedChoiceField(
        label=_("Delete it from"),
        choices=[("", _("this mobility only")), ("1", _("every mobility of the project, and those recorded later"))],
        coerce=bool,
        empty_value=False,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, project_item: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not project_item:
            del self.fields["whole_project"]


class TickForm(forms.Form):
    ticked = forms.BooleanField(required=False)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class CompletionFilter(django_filters.FilterSet):
    call = django_filters.ModelChoiceFilter(
        label=_("Call"), field_name="application__call", queryset=Call.objects.select_related("programme")
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region of the sending organisation"),
        field_name="application__organisation__region",
        queryset=Region.objects.all(),
    )
    project = django_filters.CharFilter(
        label=_("Project"),
        method="search",
        help_text=_("Grant agreement number or organisation name."),
    )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(agreement_number__icontains=value)
            | Q(application__organisation__legal_name__icontains=value)
            | Q(application__organisation__short_name__icontains=value)
        )
