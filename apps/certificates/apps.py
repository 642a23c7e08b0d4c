from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "apps.certificates"
    verbose_name = _("Certificates")

    def ready(self):
        from apps.certificates.selectors import certificates_export
        from apps.participants.services import export_section_register
        from apps.participants.signals import participant_erased

        export_section_register(key="certificates", build=certificates_export)
        # Erasure: the participants app sends the signal; it may not import this app (DESIGN.md §3).
        participant_erased.connect(erase_certificates, dispatch_uid="certificates.erase_certificates")


def erase_certificates(sender, *, participant, **kwargs) -> list[str]:
    """Receiver of ``participant_erased``: the certificates' part of the erasure (names of the fields erased)."""
    from apps.certificates.services import participant_certificates_erase

    return participant_certificates_erase(participant=participant)
