"""How orders follow a guest merge (G4): they move to the kept guest and both guests' history
(visits, spend, favourite dishes, preferred places) is recounted; an undo moves the same orders
back. Registered with the guests app's merge registry."""

from django.utils.translation import gettext_lazy as _

from huike.guests.merging import register_mover

from .services import guest_history_move


def _move(source, target) -> list[int]:
    return guest_history_move(source=source, target=target)


def _move_back(source, target, ids: list[int]) -> None:
    guest_history_move(source=source, target=target, order_ids=ids)


register_mover("orders", _("orders"), _move, _move_back, order=100)
