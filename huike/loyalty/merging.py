"""When duplicate guests are merged (G4), their membership cards follow the survivor (the
cards' balances and ledger do not change: they belong to the card)."""

from django.utils.translation import gettext_lazy

from huike.guests.merging import register_mover

from .models import MembershipCard


def _move(source, target) -> list[int]:
    ids = sorted(MembershipCard.objects.filter(guest=source).values_list("pk", flat=True))
    MembershipCard.objects.filter(pk__in=ids).update(guest=target)
    return ids


def _move_back(source, target, ids: list[int]) -> None:
    MembershipCard.objects.filter(guest=source, pk__in=ids).update(guest=target)


register_mover("cards", gettext_lazy("membership cards"), _move, _move_back, order=110)
