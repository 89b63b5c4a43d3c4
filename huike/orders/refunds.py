"""Refunds (退单) and corrections (更正) of posted orders (T1–T3).

* A *refund* (its own POS number, ``original`` = the sale) takes back some or all of the
  remaining quantity of the original's lines at their unit prices; the discount and service
  charge are taken back in the same proportion (the last refund takes back exactly what is
  left, so the refunds of an order add up to its total). The refunded amount comes off the
  spend and the refunded quantities off the dish tallies; a dish whose lines are refunded in
  full loses that order from its ``times_ordered``; an order refunded in full no longer counts
  as a visit (visit count, place tally, first/last visit are recomputed). Nothing goes below
  zero.
* A *correction* (its own POS number, ``original`` = the order it corrects) is a complete new
  order that replaces the original: the original's remaining effect (what its refunds left) is
  taken back in full and the original is marked *superseded*; then the correction counts as a
  sale. A superseded order can be neither refunded nor corrected again — correct the
  correction.

Both are idempotent on their own POS number, like a sale (see ``posting``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.money import CENT, ZERO, allocate
from huike.core.permissions import check_perm, restrict
from huike.org.models import Store

from . import hooks
from . import permissions as perms
from .effects import (
    Effect,
    apply_effect,
    count_sale,
    lock_guest,
    negate,
    refresh_autotags,
    sale_effect,
)
from .models import Order, OrderLine
from .parsing import (
    CLOCK_SKEW,
    QTY_PLACES,
    FieldErrors,
    Line,
    Posting,
    line_total,
    parse_aware,
    parse_decimal,
    parse_order,
    parse_payments,
    parse_text,
)
from .posting import (
    audit_order,
    find_order,
    insert_header,
    post_once,
    replay,
    write_lines_and_payments,
)


def _lock_original(order: Order) -> Order:
    """The order to refund or correct, its row locked: simultaneous refunds or corrections of
    one order queue here, and the later one then sees what the first one posted."""
    return Order.objects.select_for_update().select_related("store").get(pk=order.pk)


def _check_postable(original: Order, *, action: str) -> None:
    """Only a posted sale or correction can be refunded or corrected."""
    if original.kind == Order.Kind.REFUND:
        raise errors.Conflict(
            _("A refund cannot be %(action)s.") % {"action": action}, code="order_is_refund"
        )
    if original.status == Order.Status.SUPERSEDED:
        raise errors.Conflict(
            _("This order was replaced by a correction; %(action)s the correction instead.")
            % {"action": action},
            code="order_superseded",
        )


def order_refund(
    *,
    acting_user,
    order: Order,
    pos_order_id: str,
    lines: list[dict] | None = None,
    payments: list[dict] | None = None,
    closed_at=None,
    source: str = Order.Source.API,
) -> Order:
    """Refund (退单) some or all of a sale or correction, as its own order with its own POS
    number (idempotent on it like any posting). ``lines``: ``{"line": line number of the
    original, "qty"}``; without lines, everything not yet refunded. ``payments``: how the
    money went back (adding up to the refund's total); without them it goes back the way the
    original was paid, in proportion. See the module docstring for the effect on the guest."""
    with transaction.atomic():
        check_perm(acting_user, perms.POST_ORDERS)
        if not restrict(Store.objects.all(), acting_user).filter(pk=order.store_id).exists():
            raise errors.NotFound()
        errs = FieldErrors()
        pos_id = parse_text(pos_order_id, "pos_order_id", errs, max_length=64, required=True)
        closed = parse_aware(closed_at or timezone.now(), "closed_at", errs, required=True)
        if errs:
            raise errors.InvalidInput(fields=dict(errs))
        fingerprint = _refund_fingerprint(order, pos_id, lines, payments, closed_at)
        original = _lock_original(order)
        existing = find_order(original.store, pos_id)
        if existing is not None:
            return replay(existing, fingerprint)
        _check_postable(original, action=_("refunded"))
        if closed > timezone.now() + CLOCK_SKEW:
            errs.add("closed_at", _("The order cannot be closed in the future."))
        elif closed < original.closed_at:
            errs.add("closed_at", _("A refund cannot come before the order it refunds."))
        orig_lines = {line.line_no: line for line in original.lines.select_for_update()}
        already = dict(
            OrderLine.objects.filter(refund_of__in=list(orig_lines.values()))
            .values("refund_of")
            .annotate(s=Sum("line_total"))
            .values_list("refund_of", "s")
        )
        wanted: dict[int, Decimal] = {}
        if lines is None:
            wanted = {n: ln.remaining_qty for n, ln in orig_lines.items() if ln.remaining_qty > 0}
            if not wanted:
                raise errors.Conflict(
                    _("This order was already refunded in full."), code="already_refunded"
                )
        elif not isinstance(lines, list | tuple) or not lines:
            errs.add("lines", _("Name the lines to refund, or leave them out to refund all."))
        else:
            for i, raw in enumerate(lines):
                prefix = f"lines.{i}"
                number = raw.get("line") if isinstance(raw, dict) else None
                target = orig_lines.get(number) if isinstance(number, int) else None
                if target is None:
                    errs.add(f"{prefix}.line", _("The order has no such line."))
                    continue
                qty = parse_decimal(raw.get("qty"), f"{prefix}.qty", errs, places=QTY_PLACES)
                if qty is None:
                    continue
                if qty <= 0:
                    errs.add(f"{prefix}.qty", _("The quantity must be more than 0."))
                    continue
                if wanted.get(number, ZERO) + qty > target.remaining_qty:
                    errs.add(
                        f"{prefix}.qty",
                        _("At most %(qty)s of this line are left to refund.")
                        % {"qty": target.remaining_qty.normalize()},
                    )
                    continue
                wanted[number] = wanted.get(number, ZERO) + qty
        if errs:
            raise errors.InvalidInput(fields=dict(errs))

        refund_lines = []
        for number, qty in sorted(wanted.items()):
            line = orig_lines[number]
            left = line.line_total - (already.get(line.pk) or ZERO)
            amount = (
                left if qty == line.remaining_qty else min(left, line_total(qty, line.unit_price))
            )
            refund_lines.append(
                Line(
                    dish=line.dish,
                    dish_code=line.dish_code,
                    dish_name=line.dish_name,
                    qty=qty,
                    unit_price=line.unit_price,
                    price_tier=line.price_tier,
                    line_total=amount,
                    refund_of=line,
                )
            )
        everything = all(wanted.get(n, ZERO) == ln.remaining_qty for n, ln in orig_lines.items())
        before = Order.objects.filter(original=original, kind=Order.Kind.REFUND).aggregate(
            discount=Sum("discount"), charge=Sum("service_charge")
        )
        discount_left = original.discount - (before["discount"] or ZERO)
        charge_left = original.service_charge - (before["charge"] or ZERO)
        subtotal = sum((ln.line_total for ln in refund_lines), ZERO)
        if everything:
            discount, charge = discount_left, charge_left
        elif original.subtotal > 0:
            share = subtotal / original.subtotal
            discount = min(discount_left, (original.discount * share).quantize(CENT))
            charge = min(charge_left, (original.service_charge * share).quantize(CENT))
        else:
            discount = charge = ZERO
        discount = min(discount, subtotal + charge)
        total = subtotal - discount + charge
        if original.refunded_amount + total > original.total:
            total = original.total - original.refunded_amount
            discount = subtotal + charge - total
        posting = Posting(
            kind=Order.Kind.REFUND,
            store=original.store,
            pos_order_id=pos_id,
            closed_at=closed,
            guest=original.guest,
            known_guest=original.guest,
            member_card=original.member_card,
            table_label=original.table_label,
            subtotal=subtotal,
            discount=discount,
            service_charge=charge,
            total=total,
            lines=refund_lines,
            original=original,
            source=source,
        )
        if payments is not None:
            posting.payments = parse_payments(payments, errs)
            paid = sum((a for _m, a in posting.payments), ZERO)
            if not errs and paid != total:
                errs.add(
                    "payments",
                    _("The payments add up to %(paid)s, not to the refund's total %(total)s.")
                    % {"paid": paid, "total": total},
                )
            if errs:
                raise errors.InvalidInput(fields=dict(errs))
        else:
            posting.payments = _payments_back(original, total)

        def write(fingerprint: str) -> Order:
            refund = insert_header(posting, acting_user=acting_user, fingerprint=fingerprint)
            written = write_lines_and_payments(refund, posting)
            refund.line_count = len(written)
            effect = Effect(spend=-total, store_id=original.store_id)
            effect.table_label = original.table_label
            for number, qty in wanted.items():
                OrderLine.objects.filter(pk=orig_lines[number].pk).update(
                    refunded_qty=F("refunded_qty") + qty
                )
                orig_lines[number].refunded_qty += qty
            for number, qty in wanted.items():
                line = orig_lines[number]
                if line.dish_id is None:
                    continue
                same_dish = [ln for ln in orig_lines.values() if ln.dish_id == line.dish_id]
                gone = all(ln.remaining_qty <= 0 for ln in same_dish)
                already_counted = line.dish_id in effect.dishes
                effect.dish(line.dish_id, -1 if gone and not already_counted else 0, -qty)
            changes = {"refunded_amount": original.refunded_amount + total}
            if everything and original.visit_counted:
                changes["visit_counted"] = False
                effect.visits = -1
            Order.objects.filter(pk=original.pk).update(**changes)
            guest_now = {}
            if original.guest_id:
                guest_now = apply_effect(lock_guest(original.guest_id), effect)
            audit_order(
                refund,
                acting_user=acting_user,
                extra={"original": original.pk, "guest_now": guest_now},
            )
            refresh_autotags(original.guest_id)
            hooks.run_refund_hooks(refund=refund, original=original, acting_user=acting_user)
            return refund

        return post_once(posting, acting_user=acting_user, write=write, fingerprint=fingerprint)


def _refund_fingerprint(order: Order, pos_id: str, lines, payments, closed_at) -> str:
    """Of the refund as requested (what is left to refund changes once it is posted)."""

    def canonical(value):
        if isinstance(value, dict):
            return {str(k): canonical(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [canonical(v) for v in value]
        if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
            try:
                return str(Decimal(str(value)).normalize())
            except InvalidOperation:
                return str(value)
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).isoformat() if timezone.is_aware(value) else str(value)
        return value

    content = {
        "kind": Order.Kind.REFUND,
        "original": order.pk,
        "pos_order_id": pos_id,
        "lines": canonical(lines),
        "payments": canonical(payments),
        "closed_at": canonical(closed_at),
    }
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _payments_back(original: Order, total: Decimal) -> list[tuple[str, Decimal]]:
    paid = list(original.payments.values_list("method", "amount"))
    if total <= 0 or not paid:
        return []
    shares = allocate(total, [amount for _m, amount in paid])
    merged: dict[str, Decimal] = {}
    for (method, _amount), share in zip(paid, shares, strict=True):
        if share > 0:
            merged[method] = merged.get(method, ZERO) + share
    return list(merged.items())


def order_correct(
    *,
    acting_user,
    order: Order,
    pos_order_id: str,
    lines: list[dict],
    payments: list[dict] | None,
    closed_at,
    opened_at=None,
    guest_phone: str | None = None,
    guest=None,
    member_card: str = "",
    table_label: str = "",
    party_size: int | None = None,
    discount=None,
    service_charge=None,
    subtotal=None,
    total=None,
    source: str = Order.Source.API,
) -> Order:
    """Correct (更正) an order: post a complete new order, with its own POS number, that replaces
    ``order`` — the original's remaining effect on its guest is taken back, the original is
    marked superseded, and the correction counts as a sale (for its own guest, who may differ).
    Same arguments as ``order_post``, the store being the original's."""
    with transaction.atomic():
        check_perm(acting_user, perms.POST_ORDERS)
        original = _lock_original(order)
        if not restrict(Store.objects.all(), acting_user).filter(pk=original.store_id).exists():
            raise errors.NotFound()
        posting = parse_order(
            acting_user=acting_user,
            kind=Order.Kind.CORRECTION,
            store=None,
            pos_order_id=pos_order_id,
            lines=lines,
            payments=payments,
            closed_at=closed_at,
            opened_at=opened_at,
            guest_phone=guest_phone,
            guest=guest,
            member_card=member_card,
            table_label=table_label,
            party_size=party_size,
            discount=discount,
            service_charge=service_charge,
            subtotal=subtotal,
            total=total,
            source=source,
            original=original,
        )
        existing = find_order(original.store, posting.pos_order_id)
        if existing is not None:
            return replay(existing, posting.fingerprint())
        _check_postable(original, action=_("corrected"))
        hooks.check_correction(original)

        def write(fingerprint: str) -> Order:
            correction = insert_header(posting, acting_user=acting_user, fingerprint=fingerprint)
            written = write_lines_and_payments(correction, posting)
            correction.line_count = len(written)
            taken_back = {}
            if original.guest_id:
                guest = lock_guest(original.guest_id)  # locked before any new guest is made
                effect = negate(
                    sale_effect(original, list(original.lines.all())),
                    visit=original.visit_counted,
                )
                Order.objects.filter(pk=original.pk).update(
                    status=Order.Status.SUPERSEDED, visit_counted=False
                )
                taken_back = apply_effect(guest, effect)
            else:
                Order.objects.filter(pk=original.pk).update(status=Order.Status.SUPERSEDED)
            guest_now = count_sale(correction, written, acting_user=acting_user, posting=posting)
            audit_order(
                correction,
                acting_user=acting_user,
                extra={
                    "original": original.pk,
                    "original_guest_now": taken_back,
                    "guest_now": guest_now,
                },
            )
            refresh_autotags(original.guest_id, correction.guest_id)
            return correction

        return post_once(posting, acting_user=acting_user, write=write)
