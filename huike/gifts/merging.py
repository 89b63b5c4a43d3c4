"""When duplicate guests are merged (G4), their gift redemptions follow the survivor."""

from django.utils.translation import gettext_lazy

from huike.guests.merging import register_mover

from .models import GiftRedemption


def _move(source, target) -> list[int]:
    ids = sorted(GiftRedemption.objects.filter(guest=source).values_list("pk", flat=True))
    GiftRedemption.objects.filter(pk__in=ids).update(guest=target)
    return ids


def _move_back(source, target, ids: list[int]) -> None:
    GiftRedemption.objects.filter(guest=source, pk__in=ids).update(guest=target)


register_mover("gift_redemptions", gettext_lazy("gift redemptions"), _move, _move_back, order=120)
