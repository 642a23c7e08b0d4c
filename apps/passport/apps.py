from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PassportConfig(AppConfig):
    name = "apps.passport"
    verbose_name = _("Mobility passport")

    def ready(self):
        from apps.participants.services import export_section_register
        from apps.participants.signals import participant_erased
        from apps.passport.selectors import EXTRA_SUPPORT_FIELDS, checklists_export, extra_support_export

        # Those who may export a participant's data (their organisation's managers, agency officers, the
        # participant themself) may all see extra support, so the section needs no check of its own.
        export_section_register(key="passport_extra_support", build=extra_support_export, fields=EXTRA_SUPPORT_FIELDS)
        export_section_register(key="passport_checklists", build=checklists_export)
        # Erasure: the participants app sends the signal; it may not import this app (DESIGN.md §3).
        participant_erased.connect(erase_passport, dispatch_uid="passport.erase_passport")


def erase_passport(sender, *, participant, former_user_id=None, **kwargs) -> list[str]:
    """Receiver of ``participant_erased``: the passport's part of the erasure (names of the fields erased)."""
    from apps.passport.services import participant_passport_erase

    return participant_passport_erase(participant=participant, former_user_id=former_user_id)
