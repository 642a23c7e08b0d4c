from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobilityConfig(AppConfig):
    name = "apps.mobility"
    verbose_name = _("Projects and mobility")

    def ready(self):
        from apps.participants.signals import participant_erased

        participant_erased.connect(erase_import_files, dispatch_uid="mobility.erase_import_files")


def erase_import_files(sender, participant, **kwargs) -> list[str]:
    """Receiver of ``participant_erased``: uploaded import files that may name the person are deleted."""
    from apps.mobility.imports_web import participant_uploads_erase

    return participant_uploads_erase(participant=participant)
