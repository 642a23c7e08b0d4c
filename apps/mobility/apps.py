from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobilityConfig(AppConfig):
    name = "apps.mobility"
    verbose_name = _("Projects and mobility")
