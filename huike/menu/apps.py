from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MenuConfig(AppConfig):
    name = "huike.menu"
    label = "menu"
    verbose_name = _("Menu")

    def ready(self):
        from . import permissions  # noqa: F401  (registers permission codes)
