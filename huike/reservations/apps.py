from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReservationsConfig(AppConfig):
    name = "huike.reservations"
    label = "reservations"
    verbose_name = _("Reservations")

    def ready(self):
        from . import permissions  # noqa: F401  (register the codes)
