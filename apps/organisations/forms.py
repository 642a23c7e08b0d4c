from django import forms
from django.utils.translation import gettext_lazy as _

from apps.organisations.models import MembershipRole, Organisation
from apps.organisations.services import ORGANISATION_FIELDS, organisation_location_errors
from apps.reference import selectors as reference


def _eligible_country_choices():
    return [("", "---------")] + [(c.iso2, c.display_name) for c in reference.eligible_countries()]


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = list(ORGANISATION_FIELDS)
        help_texts = {
            "oid": _("E followed by 8 digits, e.g. E10012345."),
            "pic": _("Optional: 9 digits."),
            "region": _("Required for organisations in Poland."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = forms.ChoiceField(label=_("country"), choices=_eligible_country_choices())
        self.fields["region"].queryset = self.fields["region"].queryset.select_related("country")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("country"):
            errors = organisation_location_errors(country=cleaned["country"], region=cleaned.get("region"))
            for field, message in errors.items():
                self.add_error(field, message)
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of your colleague"))
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.CONTRIBUTOR)
