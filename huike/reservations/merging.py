"""When duplicate guests are merged (G4), their bookings follow the survivor, and back on undo."""

from django.utils.translation import gettext_lazy

from huike.guests.merging import register_mover

from .models import Booking


def _move(source, target) -> list[int]:
    ids = sorted(Booking.objects.filter(guest=source).values_list("pk", flat=True))
    Booking.objects.filter(pk__in=ids).update(guest=target)
    return ids


def _move_back(source, target, ids: list[int]) -> None:
    Booking.objects.filter(guest=source, pk__in=ids).update(guest=target)


register_mover("bookings", gettext_lazy("bookings"), _move, _move_back, order=130)
