from django import forms
from django.utils.translation import gettext_lazy as _

from apps.certificates.codes import normalise_code


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("Twelve letters and digits, as printed on the certificate, e.g. 7KQ4-M2ZD-XW9P."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("A verification code has twelve letters and digits (dashes and spaces do not matter).")
            )
        return code
