from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuestsConfig(AppConfig):
    name = "huike.guests"
    label = "guests"
    verbose_name = _("Guests")

    def ready(self):
        from . import permissions  # noqa: F401  (registers permission codes)
