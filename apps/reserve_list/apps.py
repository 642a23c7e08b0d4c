from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReserveListConfig(AppConfig):
    name = "apps.reserve_list"
    verbose_name = _("Reserve lists")
