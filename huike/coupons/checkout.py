"""Coupons at checkout (the orders app's checkout builds on these): lock the guest's coupons
for an order, value each on the order's lines, and mark them used with the order — all inside
the caller's transaction, with the same rules as the scanner (``rules``)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.utils.translation import gettext as _

from huike.core.money import ZERO
from huike.guests.models import Guest

from .models import DISH_KINDS, MONEY_KINDS, Coupon, CouponTemplate
from .rules import check_min_spend, check_usable, lock_coupon, normalise_code, percent_of, refuse
from .services import mark_redeemed

FIELD = "coupons"


def _survivor_id(guest_id: int) -> int:
    """The guest kept when ``guest_id`` was merged away (itself when it was not)."""
    seen = set()
    while guest_id not in seen:
        seen.add(guest_id)
        merged = Guest.objects.filter(pk=guest_id).values_list("merged_into_id", flat=True).first()
        if not merged:
            break
        guest_id = merged
    return guest_id


def coupons_lock_for_checkout(
    codes: list[str], *, guest, store, today: dt.date | None = None
) -> list[Coupon]:
    """The coupons of ``codes`` (as typed or scanned), each locked and checked: usable at
    ``store`` today, the guest's own (after merges), and allowed together. In the order given;
    locked in code order, so two checkouts never wait on each other crosswise."""
    normalised = [normalise_code(code, field=FIELD) for code in codes]
    if len(set(normalised)) != len(normalised):
        raise refuse("coupon_duplicate", _("The same coupon is listed twice."), FIELD)
    locked = {code: lock_coupon(code, field=FIELD) for code in sorted(normalised)}
    owner = _survivor_id(guest.pk)
    for code in normalised:
        coupon = locked[code]
        check_usable(coupon, store=store, today=today, field=FIELD)
        if coupon.guest_id != guest.pk and _survivor_id(coupon.guest_id) != owner:
            raise refuse("coupon_not_owned", _("This coupon belongs to another guest."), FIELD)
    if len(normalised) > 1 and any(
        not c.template.stacks_with_other_coupons for c in locked.values()
    ):
        raise refuse("coupon_stacking", _("These coupons cannot be used together."), FIELD)
    return [locked[code] for code in normalised]


def coupon_value(coupon: Coupon, *, lines, amount: Decimal, member_priced: bool) -> Decimal:
    """What ``coupon`` takes off an order whose amount due before coupons is ``amount``:
    a cash or referral coupon its face value; a percent coupon its share of the discountable
    lines (at most its cap, to the cent half-up); a dish coupon one unit of its dish as
    charged. Never more than ``amount``."""
    template: CouponTemplate = coupon.template
    check_min_spend(template, amount, field=FIELD)
    if member_priced and not template.stacks_with_member_pricing:
        raise refuse(
            "coupon_stacking", _("This coupon cannot be combined with member prices."), FIELD
        )
    if template.kind in MONEY_KINDS:
        value = template.face_value
    elif template.kind in DISH_KINDS:
        line = next((ln for ln in lines if ln.dish_id == template.dish_id and ln.qty > 0), None)
        if line is None:
            raise refuse(
                "coupon_dish_missing",
                _("The order has no %(dish)s for this coupon.") % {"dish": template.dish.name},
                FIELD,
            )
        value = line.unit_price
    else:
        value = percent_of(sum((ln.line_total for ln in lines if ln.discountable), ZERO), template)
    return max(min(value, amount), ZERO)


def coupons_redeem_for_order(
    uses: list[tuple[Coupon, Decimal]], *, order, store, acting_user
) -> None:
    """Mark each locked coupon used on ``order`` with its value (events share one operation
    id), inside the caller's transaction."""
    operation = uuid.uuid4()
    for coupon, value in uses:
        mark_redeemed(
            coupon,
            store=store,
            acting_user=acting_user,
            value=value,
            order=order,
            reference=order.pos_order_id,
            operation=operation,
            field=FIELD,
        )
