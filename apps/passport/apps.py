from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PassportConfig(AppConfig):
    name = "apps.passport"
    verbose_name = _("Mobility passport")

    def ready(self):
        from apps.participants.services import export_section_register
        from apps.passport.selectors import extra_support_export

        # Those who may export a participant's data (their organisation's managers, agency officers, the
        # participant themself) may all see extra support, so the section needs no check of its own.
        export_section_register(key="passport_extra_support", build=extra_support_export)
