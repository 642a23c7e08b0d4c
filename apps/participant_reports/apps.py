from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantReportsConfig(AppConfig):
    name = "apps.participant_reports"
    verbose_name = _("Participant reports")

    def ready(self):
        from apps.mobility.transfer.extra_columns import extra_columns_register
        from apps.participant_reports import export_columns
        from apps.participant_reports.personal_data import EXPORT_FIELDS, SECTION, report_export
        from apps.participants.services import export_section_register
        from apps.participants.signals import participant_erased

        # Those who may export a participant's data (their organisation's managers, agency officers, the
        # participant themself) may all read the reports, so the section needs no check of its own.
        export_section_register(key=SECTION, build=report_export, fields=EXPORT_FIELDS)
        # Erasure: the participants app sends the signal; it may not import this app (DESIGN.md §3).
        participant_erased.connect(erase_participant_reports, dispatch_uid="participant_reports.erase")
        # The report's state in the mobility exports (project and agency): mobility may not import this app.
        extra_columns_register(
            key=export_columns.KEY,
            names=export_columns.NAMES,
            values=export_columns.report_columns,
            missing=export_columns.MISSING,
        )


def erase_participant_reports(sender, *, participant, former_user_id=None, **kwargs) -> list[str]:
    """Receiver of ``participant_erased``: the reports' part of the erasure (names of the fields erased)."""
    from apps.participant_reports.personal_data import participant_reports_erase

    return participant_reports_erase(participant=participant, former_user_id=former_user_id)
