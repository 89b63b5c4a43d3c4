from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelephonyConfig(AppConfig):
    name = "huike.telephony"
    label = "telephony"
    verbose_name = _("Telephony")

    def ready(self):
        from . import permissions  # noqa: F401  (register the codes)
