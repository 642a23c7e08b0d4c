from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    input_type = "date"


class AgreementForm(forms.Form):
    agreement_number = forms.CharField(label=_("Grant agreement number"), max_length=60)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput)
    start_date = forms.DateField(label=_("Project start"), widget=DateInput)
    end_date = forms.DateField(label=_("Project end"), widget=DateInput, help_text=_("6 to 18 months after the start."))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    retained_amount = forms.DecimalField(
        label=_("Already paid out (EUR)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        initial=Decimal("0.00"),
        help_text=_("This part stays committed; the rest returns to the call's budget."),
    )
