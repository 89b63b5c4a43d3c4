from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitorsConfig(AppConfig):
    name = "huike.competitors"
    label = "competitors"
    verbose_name = _("Competitors")

    def ready(self):
        from . import permissions  # noqa: F401  (registers permission codes)
