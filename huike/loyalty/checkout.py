"""The member checkout (结账, T3): a sale that names a member card (or coupons) is priced by the
one pricing function, paid with stored value, coupons and other tenders, and earns points — in
one transaction with the order, or not at all.

Steps, under the card's row lock (taken first, so two tills checking out on one card queue):

1. the card must be usable; the same store and POS number posted before is a replay (the stored
   order, nothing moves again) when the request is the same, else ``duplicate_order``;
2. the coupons are locked and checked (owner, dates, store, stacking), the lines priced
   (``huike.pricing.pricing.price_order``: member prices, percent off, 满减, coupon values);
3. the payments given must add up to what is still due after coupons — coupons are named by
   their codes, never as a payment amount; a stored-value payment larger than the card holds
   refuses the whole sale (``insufficient_balance``);
4. the order is posted (its discount is the member pricing; the coupons' value is its
   ``coupon`` payment), stored value is spent, the coupons redeemed, points credited
   (``huike.loyalty.accrual.points_for_sale``), 满返 coupons issued, and the tier re-evaluated.

Refunds take back, linked to the original order, the points it earned and put the stored value
paid back on the card (``refund_taken_back``); a refunded sale never keeps its points: what the
card no longer holds becomes ``points_owed``, paid from the next points earned. Orders with
loyalty effects cannot be corrected (refund and check out again).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from huike.core import errors
from huike.core.money import ZERO, allocate
from huike.core.permissions import restrict
from huike.coupons.checkout import coupons_lock_for_checkout, coupons_redeem_for_order
from huike.coupons.services import coupon_issue
from huike.orders.models import Order, OrderPayment
from huike.orders.parsing import FieldErrors, Lookups, parse_lines, parse_payments, parse_text
from huike.orders.posting import duplicate_order, find_order, order_post
from huike.org.models import Store
from huike.pricing.pricing import LineIn, Quote, price_order

from . import services
from .accrual import SaleLine, points_for_sale
from .ledger import Move, lock_card, post_entries, take_from_lots
from .models import LedgerEntry, MembershipCard, PointsOwed
from .tiers import tier_evaluate

Kind = LedgerEntry.Kind
Cause = LedgerEntry.Cause
Method = OrderPayment.Method


@dataclass
class Checkout:
    """What a checkout did: the order, the card after it, the quote that priced it, the points
    credited and the coupons issued back (满返)."""

    order: Order
    card: MembershipCard
    quote: object = None
    points: int = 0
    points_explanation: list[str] = field(default_factory=list)
    coupons_issued: list = field(default_factory=list)

    @property
    def replayed(self) -> bool:
        return bool(getattr(self.order, "replayed", False))


# --- Finding the card -------------------------------------------------------------------------
def card_by_number(number) -> MembershipCard | None:
    number = "" if number is None else str(number).strip()
    if not number:
        return None
    return MembershipCard.objects.filter(number=number).first()


def claims(raw: dict) -> bool:
    """A sale is a member checkout when it names coupons, or a card of this brand group, and
    does not come from an import (imported history records what happened; it moves no value)."""
    if raw.get("source") == Order.Source.IMPORT:
        return False
    if raw.get("coupons"):
        return True
    return card_by_number(raw.get("member_card")) is not None


# --- Idempotency ------------------------------------------------------------------------------
def _canonical(value):
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items()) if v not in (None, "")}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        return str(Decimal(str(value)).normalize())
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if timezone.is_aware(value) else str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def request_fingerprint(*, store: Store, arguments: dict) -> str:
    content = {"store": store.pk, **{k: _canonical(v) for k, v in arguments.items()}}
    content["coupons"] = sorted(str(c).strip().upper() for c in arguments.get("coupons") or ())
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "checkout:" + hashlib.sha256(blob.encode()).hexdigest()[:54]


def _replay(existing: Order, fingerprint: str) -> Order:
    if existing.fingerprint != fingerprint:
        raise duplicate_order(existing)
    existing.replayed = True
    return existing


# --- The checkout -----------------------------------------------------------------------------
def _store(value, acting_user) -> Store:
    if value in (None, ""):
        raise errors.InvalidInput(fields={"store": [_("This field is required.")]})
    pk = value.pk if isinstance(value, Store) else value
    try:
        return restrict(Store.objects.select_related("brand"), acting_user).get(pk=pk)
    except (Store.DoesNotExist, ValueError, TypeError) as exc:
        raise errors.InvalidInput(fields={"store": [_("Not found.")]}) from exc


def _card(number) -> MembershipCard:
    card = card_by_number(number)
    if card is None:
        message = (
            _("This field is required.")
            if not str(number or "").strip()
            else _("No membership card has this number.")
        )
        raise errors.InvalidInput(fields={"member_card": [message]}, code="card_not_found")
    return card


def _priced_lines(raw_lines, acting_user):
    errs = FieldErrors()
    lines = parse_lines(raw_lines, errs, Lookups(acting_user))
    if errs:
        raise errors.InvalidInput(fields=dict(errs))
    return [
        LineIn(dish=line.dish, qty=line.qty, unit_price=line.unit_price, price_tier=line.price_tier)
        for line in lines
    ]


def _client_payments(raw_payments) -> list[tuple[str, Decimal]]:
    errs = FieldErrors()
    payments = parse_payments(raw_payments, errs)
    for i, (method, _amount) in enumerate(payments):
        if method == Method.COUPON:
            errs.add(
                f"payments.{i}.method",
                _("Coupons are given by their codes, not as a payment amount."),
            )
    if errs:
        raise errors.InvalidInput(fields=dict(errs))
    return payments


def _check_given(quote, *, discount, subtotal, total) -> None:
    errs = FieldErrors()
    for name, given, computed in (
        ("discount", discount, quote.discount),
        ("subtotal", subtotal, quote.subtotal),
        ("total", total, quote.total),
    ):
        if given in (None, ""):
            continue
        try:
            same = Decimal(str(given)) == computed
        except ArithmeticError:
            same = False
        if not same:
            errs.add(
                name,
                _("Member pricing makes this %(amount)s.") % {"amount": computed},
            )
    if errs:
        raise errors.InvalidInput(fields=dict(errs), code="pricing_mismatch")


def _check_paid(quote, payments) -> None:
    paid = sum((amount for _m, amount in payments), ZERO)
    if paid != quote.due:
        raise errors.InvalidInput(
            fields={
                "payments": [
                    _(
                        "The payments add up to %(paid)s; after member pricing and coupons "
                        "the guest owes %(due)s."
                    )
                    % {"paid": paid, "due": quote.due}
                ]
            },
            code="payment_mismatch",
        )


def quote(
    *, acting_user, store, member_card, lines, coupons=(), service_charge=ZERO
) -> tuple[MembershipCard, Quote]:
    """Price a member's bill as the checkout would, writing nothing: the card must be usable and
    the coupons usable by its guest here (checked under lock, then rolled back)."""
    with transaction.atomic():
        card = _card(member_card)
        services.check_usable(card)
        codes = [str(c) for c in coupons or []]
        locked = coupons_lock_for_checkout(codes, guest=card.guest, store=store) if codes else []
        priced = price_order(
            store=store,
            card=card,
            lines=_priced_lines(lines, acting_user),
            service_charge=service_charge or ZERO,
            coupons=locked,
        )
        transaction.set_rollback(True)
    return card, priced


def checkout_post(**arguments) -> Order:
    """``checkout`` for order posting (``huike.orders.hooks``): the same keyword arguments;
    returns the order (``order.replayed`` tells a repeat, ``order.checkout`` the rest)."""
    return checkout(**arguments).order


@transaction.atomic
def checkout(
    *,
    acting_user,
    store,
    pos_order_id,
    member_card="",
    lines=None,
    payments=None,
    coupons=None,
    closed_at=None,
    opened_at=None,
    table_label="",
    party_size=None,
    service_charge=None,
    discount=None,
    subtotal=None,
    total=None,
    guest=None,
    guest_phone=None,
    source=Order.Source.API,
) -> Checkout:
    store = _store(store, acting_user)
    errs = FieldErrors()
    pos_id = parse_text(pos_order_id, "pos_order_id", errs, max_length=64, required=True)
    if errs:
        raise errors.InvalidInput(fields=dict(errs))
    if guest not in (None, "") or guest_phone not in (None, ""):
        raise errors.InvalidInput(
            fields={"member_card": [_("A member's order names the card, not the guest.")]}
        )
    card = lock_card(_card(member_card))
    fingerprint = request_fingerprint(
        store=store,
        arguments={
            "pos_order_id": pos_id,
            "member_card": card.number,
            "lines": lines,
            "payments": payments,
            "coupons": coupons,
            "closed_at": closed_at,
            "opened_at": opened_at,
            "table_label": table_label,
            "party_size": party_size,
            "service_charge": service_charge,
        },
    )
    existing = find_order(store, pos_id)
    if existing is not None:
        return Checkout(order=_replay(existing, fingerprint), card=card)
    services.check_usable(card)

    codes = [str(c) for c in (coupons or [])]
    locked = coupons_lock_for_checkout(codes, guest=card.guest, store=store) if codes else []
    charge = ZERO if service_charge in (None, "") else service_charge
    lines_in = _priced_lines(lines, acting_user)
    quote = price_order(
        store=store,
        card=card,
        lines=lines_in,
        service_charge=Decimal(str(charge)),
        coupons=locked,
    )
    _check_given(quote, discount=discount, subtotal=subtotal, total=total)
    paid = _client_payments(payments)
    _check_paid(quote, paid)

    tenders = [{"method": m, "amount": a} for m, a in paid]
    if quote.coupon_total > 0:
        tenders.append({"method": Method.COUPON, "amount": quote.coupon_total})
    order = order_post(
        acting_user=acting_user,
        store=store,
        pos_order_id=pos_id,
        lines=[
            {
                "dish": line.dish,
                "qty": line.qty,
                "price_tier": given.price_tier,
                "unit_price": line.list_price,
            }
            for line, given in zip(quote.lines, lines_in, strict=True)
        ],
        payments=tenders,
        closed_at=closed_at or timezone.now(),
        opened_at=opened_at,
        guest=card.guest_id,
        member_card=card.number,
        table_label=table_label,
        party_size=party_size,
        discount=quote.discount,
        service_charge=quote.service_charge,
        source=source,
        member_checkout=False,
    )
    Order.objects.filter(pk=order.pk).update(fingerprint=fingerprint)
    order.fingerprint = fingerprint

    stored_value = sum((a for m, a in paid if m == Method.STORED_VALUE), ZERO)
    if stored_value:
        services.stored_value_spend(
            acting_user=acting_user,
            card=card,
            amount=stored_value,
            reference=pos_id,
            order=order,
            store=store,
        )
    if quote.coupon_uses:
        coupons_redeem_for_order(
            quote.coupon_uses, order=order, store=store, acting_user=acting_user
        )
    award = points_for_sale(
        card,
        store=store,
        lines=[
            SaleLine(
                dish_id=line.dish_id,
                category_id=line.category_id,
                qty=line.qty,
                line_total=line.line_total,
            )
            for line in quote.lines
        ],
        amount_paid=max(quote.due - quote.service_charge, ZERO),
        when=order.closed_at,
    )
    if award.points > 0:
        services.points_accrue(
            acting_user=acting_user,
            card=card,
            points=award.points,
            expires_on=award.expires_on,
            cause=Cause.ORDER,
            reference=pos_id,
            order=order,
            store=store,
        )
    issued = _issue_returns(quote, card=card, store=store, order=order, acting_user=acting_user)
    tier_evaluate(MembershipCard.objects.get(pk=card.pk), acting_user=acting_user)
    result = Checkout(
        order=order,
        card=MembershipCard.objects.select_related("tier").get(pk=card.pk),
        quote=quote,
        points=award.points,
        points_explanation=list(award.explanation),
        coupons_issued=issued,
    )
    order.checkout = result
    return result


def _issue_returns(quote, *, card, store, order, acting_user) -> list:
    """满返: the coupon templates the sale reached, issued to the member now it is paid."""
    if not quote.returns:
        return []
    return [
        coupon_issue(
            acting_user=acting_user,
            template=template,
            guest=card.guest,
            store=store,
            card=card,
            source="order_return",
            reference=order.pos_order_id,
        )
        for template in quote.returns
    ]


# --- Refunds and corrections ------------------------------------------------------------------
def _order_sums(order: Order) -> dict:
    rows = (
        LedgerEntry.objects.filter(order=order)
        .values("kind", "cause")
        .annotate(points=Sum("points"), amount=Sum("amount"))
    )
    return {(r["kind"], r["cause"]): r for r in rows}


def refund_taken_back(*, refund: Order, original: Order, acting_user) -> None:
    """A refund's effect on the member (inside the refund's transaction): the points the order
    earned, in the proportion refunded so far (all of them once it is refunded in full), and
    the stored value the refund pays back onto the card, principal and bonus in the proportion
    the order spent them. Entries are linked to the original order."""
    sums = _order_sums(original)
    earned = (sums.get((Kind.POINTS, Cause.ORDER)) or {}).get("points") or 0
    spent_principal = -((sums.get((Kind.PRINCIPAL, Cause.SPEND)) or {}).get("amount") or ZERO)
    spent_bonus = -((sums.get((Kind.BONUS, Cause.SPEND)) or {}).get("amount") or ZERO)
    back = sum((p.amount for p in refund.payments.all() if p.method == Method.STORED_VALUE), ZERO)
    if not earned and not (back and spent_principal + spent_bonus > 0):
        return  # the order moved nothing on a card (a plain POS order, or nothing earned)
    card = lock_card(_current_card(original))
    common = {
        "cause": Cause.REVERSAL,
        "actor": acting_user,
        "reference": refund.pos_order_id,
        "order": original,
        "store": original.store,
    }
    if earned:
        refunded = Order.objects.get(pk=original.pk).refunded_amount
        share = Decimal(1) if original.total == 0 else min(refunded / original.total, Decimal(1))
        due = int((earned * share).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        taken = -((sums.get((Kind.POINTS, Cause.REVERSAL)) or {}).get("points") or 0)
        taken += _owed_for(original)
        now = max(due - taken, 0)
        from_balance = min(now, card.points_balance)
        if from_balance:
            post_entries(card, [Move(Kind.POINTS, -from_balance)], **common)
            take_from_lots(card, from_balance)
        if now > from_balance:
            _owe(card, original, now - from_balance, refund=refund)
    if back:
        spent = spent_principal + spent_bonus
        if spent <= 0:
            return
        principal, bonus = allocate(min(back, spent), [spent_principal, spent_bonus])
        post_entries(card, [Move(Kind.PRINCIPAL, principal), Move(Kind.BONUS, bonus)], **common)


def _current_card(original: Order) -> MembershipCard:
    """The card the order's entries are on, or the card that replaced it (补卡)."""
    card = MembershipCard.objects.get(
        pk=LedgerEntry.objects.filter(order=original).values_list("card", flat=True)[0]
    )
    while card.replaced_by_id is not None:
        card = MembershipCard.objects.get(pk=card.replaced_by_id)
    return card


def _owed_for(original: Order) -> int:
    """Points already recorded as owed by this order's earlier refunds."""
    return PointsOwed.objects.filter(order=original).aggregate(s=Sum("points"))["s"] or 0


def _owe(card: MembershipCard, original: Order, points: int, *, refund: Order) -> None:
    MembershipCard.objects.filter(pk=card.pk).update(points_owed=F("points_owed") + points)
    card.points_owed += points
    PointsOwed(
        tenant_id=card.tenant_id, card=card, order=original, refund=refund, points=points
    ).save()


def correction_guard(original: Order) -> None:
    if (
        LedgerEntry.objects.filter(order=original).exists()
        or original.payments.filter(method=Method.COUPON).exists()
    ):
        raise errors.Conflict(
            _(
                "This member order moved points, stored value or coupons: refund it and check "
                "out again instead of correcting it."
            ),
            code="member_order_correction",
        )
