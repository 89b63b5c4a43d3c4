from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "huike.notices"
    label = "notices"
    verbose_name = _("Booking notices")

    def ready(self):
        from django.db.models.signals import post_save

        from huike.reservations.models import BookingEvent

        from . import permissions, tasks  # noqa: F401  (register the codes and jobs)
        from .triggers import booking_event_saved

        post_save.connect(
            booking_event_saved, sender=BookingEvent, dispatch_uid="notices.booking_event_saved"
        )
