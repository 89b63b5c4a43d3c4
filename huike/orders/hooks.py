"""Where other apps join order posting without the orders app importing them (loyalty joins
here; orders stays below it).

* A *member checkout* claims the sales that name a member card or coupons (T3): such a sale is
  posted by the checkout instead of plain intake, with member pricing, stored value, coupons and
  points in the same transaction.
* *Refund hooks* run inside a refund's transaction, after it is written, to take back what the
  refunded part of the order earned.
* *Correction guards* may refuse to correct an order (raise a domain error).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class MemberCheckout:
    claims: Callable[[dict], bool]  # the raw order names a member card or coupons
    post: Callable[..., object]  # (acting_user=, source=, **raw order) -> Order


_checkout: list[MemberCheckout] = []
_refund_hooks: list[Callable] = []
_correction_guards: list[Callable] = []


def register_member_checkout(claims: Callable[[dict], bool], post: Callable[..., object]) -> None:
    _checkout[:] = [MemberCheckout(claims=claims, post=post)]


def member_checkout_for(raw: dict) -> MemberCheckout | None:
    """The checkout that posts this raw sale, when one claims it."""
    for checkout in _checkout:
        if isinstance(raw, dict) and checkout.claims(raw):
            return checkout
    return None


def register_refund_hook(hook: Callable) -> None:
    """``hook(*, refund, original, acting_user)``, called inside the refund's transaction."""
    if hook not in _refund_hooks:
        _refund_hooks.append(hook)


def run_refund_hooks(*, refund, original, acting_user) -> None:
    for hook in _refund_hooks:
        hook(refund=refund, original=original, acting_user=acting_user)


def register_correction_guard(guard: Callable) -> None:
    """``guard(original)`` raises a domain error when the order must not be corrected."""
    if guard not in _correction_guards:
        _correction_guards.append(guard)


def check_correction(original) -> None:
    for guard in _correction_guards:
        guard(original)
