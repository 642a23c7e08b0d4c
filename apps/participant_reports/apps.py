from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantReportsConfig(AppConfig):
    name = "apps.participant_reports"
    verbose_name = _("Participant reports")
