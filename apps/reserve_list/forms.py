from decimal import Decimal

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from apps.reserve_list.models import FundingPolicy
from apps.reserve_list.services import DEFAULT_RESPONSE_DAYS


class EnvelopeForm(forms.Form):
    new_envelope = forms.DecimalField(label=_("New envelope (EUR)"), min_value=0, max_digits=14, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class RoundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to distribute (EUR)"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2
    )
    policy = forms.ChoiceField(
        label=_("When the next application does not fit"), choices=FundingPolicy.choices, initial=FundingPolicy.STOP
    )
    min_share = forms.DecimalField(
        label=_("Minimum share of the request for a partial grant"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=1,
        decimal_places=3,
        initial=Decimal("0.5"),
        help_text=_("Only for the partial policy, e.g. 0.5 for half of the request."),
    )
    response_days = forms.IntegerField(
        label=_("Days to answer"), min_value=1, max_value=90, initial=DEFAULT_RESPONSE_DAYS
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("policy") == FundingPolicy.PARTIAL and not cleaned.get("min_share"):
            self.add_error("min_share", _("The partial policy needs a minimum share."))
        if cleaned.get("policy") != FundingPolicy.PARTIAL:
            cleaned["min_share"] = None
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Reserve list (CSV or XLSX)"),
        validators=[FileExtensionValidator(["csv", "xlsx"])],
        help_text=_("Columns as in the agency's template; header names in any order."),
    )
