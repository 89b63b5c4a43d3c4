"""When duplicate guests are merged (G4), the calls matched to them follow the survivor."""

from django.utils.translation import gettext_lazy

from huike.guests.merging import register_mover

from .models import IncomingCall


def _move(source, target) -> list[int]:
    ids = sorted(IncomingCall.objects.filter(guest=source).values_list("pk", flat=True))
    IncomingCall.objects.filter(pk__in=ids).update(guest=target)
    return ids


def _move_back(source, target, ids: list[int]) -> None:
    IncomingCall.objects.filter(guest=source, pk__in=ids).update(guest=target)


register_mover("calls", gettext_lazy("incoming calls"), _move, _move_back, order=140)
