from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GiftsConfig(AppConfig):
    name = "huike.gifts"
    label = "gifts"
    verbose_name = _("Points for gifts")

    def ready(self):
        from . import permissions  # noqa: F401  (register the codes)
