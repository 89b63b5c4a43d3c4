"""When duplicate guests are merged (G4), their waitlist entries follow the survivor."""

from django.utils.translation import gettext_lazy

from huike.guests.merging import register_mover

from .models import WaitlistEntry


def _move(source, target) -> list[int]:
    ids = sorted(WaitlistEntry.objects.filter(guest=source).values_list("pk", flat=True))
    WaitlistEntry.objects.filter(pk__in=ids).update(guest=target)
    return ids


def _move_back(source, target, ids: list[int]) -> None:
    WaitlistEntry.objects.filter(guest=source, pk__in=ids).update(guest=target)


register_mover("waitlist", gettext_lazy("waitlist entries"), _move, _move_back, order=135)
