"""Order services (T1–T3), by sub-domain:

* ``posting`` — sales, one (``order_post``) or a batch (``orders_post_batch``): idempotency on
  the POS's own order number, headers, lines and payments, audit; reading an order is
  ``parsing``'s and its effect on the guest (history, tallies, auto-tags) ``effects``';
* ``refunds`` — refunds (``order_refund``) and corrections (``order_correct``);
* ``history`` — recounting a guest's history and moving orders between guests (G4).

This module is the one callers import from; see each module's docstring for the rules.
"""

from __future__ import annotations

from .history import guest_history_move, guest_history_recount
from .posting import (
    CREATED,
    ERROR,
    MAX_BATCH,
    REPLAYED,
    DuplicateOrder,
    PostResult,
    order_post,
    orders_post_batch,
)
from .refunds import order_correct, order_refund

__all__ = [
    "CREATED",
    "ERROR",
    "MAX_BATCH",
    "REPLAYED",
    "DuplicateOrder",
    "PostResult",
    "guest_history_move",
    "guest_history_recount",
    "order_correct",
    "order_post",
    "order_refund",
    "orders_post_batch",
]
