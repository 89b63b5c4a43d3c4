"""When duplicate guests are merged (G4), their coupons follow the survivor (the coupons'
events do not change: they belong to the coupon)."""

from django.utils.translation import gettext_lazy

from huike.guests.merging import register_mover

from .models import Coupon


def _move(source, target) -> list[int]:
    ids = sorted(Coupon.objects.filter(guest=source).values_list("pk", flat=True))
    Coupon.objects.filter(pk__in=ids).update(guest=target)
    return ids


def _move_back(source, target, ids: list[int]) -> None:
    Coupon.objects.filter(guest=source, pk__in=ids).update(guest=target)


register_mover("coupons", gettext_lazy("coupons"), _move, _move_back, order=115)
