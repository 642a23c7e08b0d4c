from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "apps.outcomes"
    verbose_name = _("Key competences and learning outcomes")

    def ready(self):
        from apps.outcomes.personal_data import EXPORT_FIELDS, SECTION, outcomes_export
        from apps.participants.services import export_section_register
        from apps.participants.signals import participant_erased

        # Those who may export a participant's data (their organisation's managers, agency officers, the
        # participant themself) may all read the outcomes, so the section needs no check of its own.
        export_section_register(key=SECTION, build=outcomes_export, fields=EXPORT_FIELDS)
        # Erasure: the participants app sends the signal; it may not import this app (DESIGN.md §3).
        participant_erased.connect(erase_outcomes, dispatch_uid="outcomes.erase_outcomes")


def erase_outcomes(sender, *, participant, **kwargs) -> list[str]:
    """Receiver of ``participant_erased``: the outcomes' part of the erasure (names of the fields erased)."""
    from apps.outcomes.personal_data import participant_outcomes_erase

    return participant_outcomes_erase(participant=participant)
